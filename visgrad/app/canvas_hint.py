"""What to press, on the empty canvas: the first thing a new user sees before there is a graph.

The keys are read from the window's actions, so the hint says what the keys really are.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QWidget

from visgrad.app.theme import GraphColors

# (action, what it does here): the ways to make a graph appear, then where to learn more.
RUN_KEYS = (
    ("step_into", "run one event: the first op appears"),
    ("step_over", "run one line of the program"),
    ("continue", "run to the next breakpoint or the end"),
)
OPEN_KEYS = (
    ("open_script", "open your own script"),
    ("open_trace", "open a saved trace"),
    ("tour", "a short tour of the window"),
    ("shortcuts", "every key"),
)


def _keys(a: QAction) -> str:
    return a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


def _menu_path(name: str, a: QAction) -> str:
    menu = {"tour": "Help", "shortcuts": "Help"}.get(name, "File")
    return f"{menu} ▸ {a.text().replace('&', '').rstrip('…')}"


def hint_rows(actions: dict[str, QAction], *, program: bool) -> list[tuple[str, str]]:
    """(key or menu entry, what it does) for the hint; the run keys only when a program is open."""
    rows = []
    for name, what in (RUN_KEYS if program else ()) + OPEN_KEYS:
        a = actions.get(name)
        if a is not None:
            rows.append((_keys(a) or _menu_path(name, a), what))
        if name == "open_trace" and not program:
            rows.append(("File ▸ Open Demo", "a built-in example program"))
    return rows


def hint_html(title: str, rows: list[tuple[str, str]], colors: GraphColors) -> str:
    key = colors.node_text.name()
    body = "".join(
        f"<tr><td align='right' style='padding:3px 14px 3px 0; color:{key}'>"
        f"<b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return (
        f"<div style='font-size:15px; color:{key}'><b>{html.escape(title)}</b></div>"
        f"<table style='margin-top:8px'>{body}</table>"
    )


class EmptyCanvasHint(QLabel):
    """Centred over ``view`` while it draws no node; the window says what to show."""

    def __init__(self, view: QWidget, colors: GraphColors) -> None:
        super().__init__(view)
        self.setObjectName("emptyCanvasHint")
        self.colors = colors
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setStyleSheet(
            f"QLabel#emptyCanvasHint {{ background:{colors.node_fill.name()};"
            f" color:{colors.muted_text.name()}; border:1px solid {colors.border.name()};"
            " border-radius:8px; padding:14px 18px; }"
        )
        self.rows: list[tuple[str, str]] = []
        view.installEventFilter(self)
        self.hide()

    def show_hint(self, title: str, rows: list[tuple[str, str]]) -> None:
        """Show ``title`` and the (key, what) rows; the same text again costs nothing."""
        text = hint_html(title, rows, self.colors)
        if text != self.text():
            self.rows = rows
            self.setText(text)
            self.adjustSize()
        self._place()
        if self.isHidden():
            self.show()
            self.raise_()

    def _place(self) -> None:
        view = self.parentWidget()
        if view is None:
            return
        x = max(0, (view.width() - self.width()) // 2)
        y = max(0, (view.height() - self.height()) // 2)
        self.move(x, y)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt virtual
        # isHidden, not isVisible: the window's first resizes come before it is shown.
        if event.type() == QEvent.Type.Resize and not self.isHidden():
            self._place()
        return False
