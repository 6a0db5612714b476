"""The program's printed output up to the cursor tick, and the traceback if it failed."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from visgrad.app.full_text import show_full_text
from visgrad.app.panels.arrays import MONO
from visgrad.app.panels.base import Panel
from visgrad.app.protocols import PanelController
from visgrad.trace.caps import was_cut


class ConsolePanel(Panel):
    """What the program printed (as of the cursor: time travel shows what was printed by then),
    then its error in red."""

    def __init__(self, controller: PanelController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(MONO)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setPlaceholderText("The program's output appears here.")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.text)
        # Long prints and tracebacks are shown cut (see ``trace.caps``); this opens them whole.
        self.whole = QPushButton("Show the whole text (some of it is cut here)")
        self.whole.setFlat(True)
        self.whole.clicked.connect(self.show_full)
        self.whole.hide()
        lay.addWidget(self.whole)
        self.full_window: QWidget | None = None
        self._shown = ""
        self._error: Any = None
        controller.events_appended.connect(self.invalidate)

    def refresh(self) -> None:
        state = self.controller.state()
        out = state.output or ""
        err = state.error
        if err is None and self._error is None and self._shown and out.startswith(self._shown):
            # A live run only appends: add the new text instead of setting everything again.
            new = out[len(self._shown) :]
            if new:
                c = self.text.textCursor()
                c.movePosition(QTextCursor.MoveOperation.End)
                c.insertText(new, QTextCharFormat())
        elif out != self._shown or err is not self._error:
            tb = ""
            if err is not None:
                tb = getattr(err, "traceback", "") or (
                    f"{getattr(err, 'exc_type', 'Error')}: {getattr(err, 'message', err)}\n"
                )
            # The child also prints the traceback to its stderr, as Python would: show it once.
            printed = out[: -len(tb)] if tb and out.endswith(tb) else out
            self.text.setPlainText(printed)
            if tb:
                red = QTextCharFormat()
                red.setForeground(QColor("#b91c1c"))
                c = self.text.textCursor()
                c.movePosition(QTextCursor.MoveOperation.End)
                c.insertText(("\n" if printed and not printed.endswith("\n") else "") + tb, red)
        self._shown, self._error = out, err
        tb = getattr(err, "traceback", "") if err is not None else ""
        self.whole.setVisible(was_cut(out) or was_cut(tb))
        self.text.moveCursor(QTextCursor.MoveOperation.End)
        self.text.ensureCursorVisible()

    def show_full(self) -> QWidget:
        """A window with the output and the traceback as the program wrote them."""
        full = self.controller.model.full_texts.full
        text, tb = full(self._shown), full(getattr(self._error, "traceback", "") or "")
        if tb and not text.endswith(tb):
            text += "\n" + tb
        self.full_window = show_full_text(self, "Program output", text)
        return self.full_window

    def plain_text(self) -> str:
        return self.text.toPlainText()
