"""The program's printed output up to the cursor tick, and the traceback if it failed."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget

from visgrad.app.panels.arrays import MONO
from visgrad.app.panels.base import Panel


class ConsolePanel(Panel):
    """What the program printed (as of the cursor: time travel shows what was printed by then),
    then its error in red."""

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(MONO)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setPlaceholderText("The program's output appears here.")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.text)
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
            self.text.setPlainText(out)
            if err is not None:
                red = QTextCharFormat()
                red.setForeground(QColor("#b91c1c"))
                c = self.text.textCursor()
                c.movePosition(QTextCursor.MoveOperation.End)
                tb = getattr(err, "traceback", "") or (
                    f"{getattr(err, 'exc_type', 'Error')}: {getattr(err, 'message', err)}\n"
                )
                c.insertText(("\n" if out and not out.endswith("\n") else "") + tb, red)
        self._shown, self._error = out, err
        self.text.moveCursor(QTextCursor.MoveOperation.End)
        self.text.ensureCursorVisible()

    def plain_text(self) -> str:
        return self.text.toPlainText()
