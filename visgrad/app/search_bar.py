"""The search bar: a query, its mode (substring, exact, regex), "3 of 17", previous and next.

It only drives the graph view's search (:mod:`visgrad.app.view_search`): typing lights up every
match, Enter goes to the next one and Shift+Enter to the previous, Escape gives the keys back to
the graph. A pattern the mode cannot read says so in place of the count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from visgrad.app.theme import icon

if TYPE_CHECKING:
    from visgrad.app.graph_view import GraphView

MODES = (("substring", "Contains"), ("exact", "Exact"), ("regex", "Regex"))
PLACEHOLDER, SHORT_PLACEHOLDER = "Find: name, op, shape or module  (Ctrl+F)", "Find…"
TYPING_PAUSE_MS = 120  # matches are looked up once typing pauses (20,000 nodes take ~30 ms)


class SearchField(QLineEdit):
    """A line edit that tells Enter from Shift+Enter and hands Escape back to the graph."""

    def __init__(self, bar: SearchBar) -> None:
        super().__init__(bar)
        self._bar = bar

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt virtual
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            backwards = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self._bar.go(backwards)
            event.accept()
            return
        if key == Qt.Key.Key_Escape:
            self._bar.leave()
            event.accept()
            return
        super().keyPressEvent(event)


class SearchBar(QWidget):
    """Query field, mode, match count and previous/next buttons for a :class:`GraphView`."""

    def __init__(self, view: GraphView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchBar")
        self.view = view
        self.field = SearchField(self)
        self.field.setObjectName("searchField")
        self.field.setPlaceholderText(PLACEHOLDER)
        self.field.setToolTip(
            "Find nodes by name (w, t12), op (mm, MmBackward0), shape (2x8x16) or module path "
            "(blocks.0.attn).\nEnter: next match · Shift+Enter: previous · Esc: back to the graph"
        )
        self.field.setClearButtonEnabled(True)
        self.field.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.field.setMinimumWidth(90)
        self.mode = QComboBox(self)
        self.mode.setObjectName("searchMode")
        for name, text in MODES:
            self.mode.addItem(text, name)
        self.mode.setToolTip("Contains: the text anywhere · Exact: a whole name, op, shape or path")
        self.count = QLabel(self)
        self.count.setObjectName("searchCount")
        self.count.setMinimumWidth(64)
        self.compact = False
        self.count.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prev_button = self._button("back", "Previous match  (Shift+Enter)", True)
        self.next_button = self._button("forward", "Next match  (Enter)", False)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(self.field, 1)
        lay.addWidget(self.mode)
        lay.addWidget(self.count)
        lay.addWidget(self.prev_button)
        lay.addWidget(self.next_button)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_PAUSE_MS)
        self._typing.timeout.connect(self.apply)
        self.field.textChanged.connect(lambda _: self._typing.start())
        self.mode.currentIndexChanged.connect(lambda _: self.apply())
        view.search_changed.connect(self.show_status)
        self.show_status()

    def _button(self, icon_name: str, tip: str, backwards: bool) -> QToolButton:
        b = QToolButton(self)
        b.setIcon(icon(icon_name))
        b.setToolTip(tip)
        b.setAutoRaise(True)
        b.clicked.connect(lambda *_: self.go(backwards))
        return b

    def set_compact(self, compact: bool) -> None:
        """In a narrow toolbar, no previous / next buttons (Enter and Shift+Enter still go)
        and the count only while there is one: the query keeps a usable width."""
        self.compact = compact
        self.field.setPlaceholderText(SHORT_PLACEHOLDER if compact else PLACEHOLDER)
        self.prev_button.setVisible(not compact)
        self.next_button.setVisible(not compact)
        self.count.setMinimumWidth(0 if compact else 64)
        self.count.setVisible(not compact or bool(self.count.text()))

    def mode_name(self) -> str:
        return self.mode.currentData()

    def set_mode(self, mode: str) -> None:
        self.mode.setCurrentIndex(max(0, self.mode.findData(mode)))

    def apply(self) -> None:
        """Light up the matches of what is typed now (without moving to one)."""
        self._typing.stop()
        self.view.set_search(self.field.text(), self.mode_name())

    def go(self, backwards: bool = False) -> str | None:
        """To the next (or previous) match; its key, or None when nothing matches."""
        self._typing.stop()
        return self.view.search(self.field.text(), self.mode_name(), backwards=backwards)

    def leave(self) -> None:
        self.view.setFocus()

    def show_status(self) -> None:
        """The count ("3 of 17", "17 matches", "no match") or why the pattern is unreadable."""
        v = self.view
        if v.search_error:
            self.count.setText("bad regex")
            self.count.setToolTip(v.search_error)
            self.count.setProperty("error", True)
        else:
            at, n = v.match_status()
            if not v.search_text.strip():
                text = ""
            elif n == 0:
                text = "no match"
            elif at:
                text = f"{at} of {n}"
            else:
                text = f"{n} match" + ("es" if n != 1 else "")
            self.count.setText(text)
            self.count.setToolTip("")
            self.count.setProperty("error", False)
        self.count.setVisible(not self.compact or bool(self.count.text()))
        self.count.style().unpolish(self.count)
        self.count.style().polish(self.count)
        found = bool(v.matches)
        self.prev_button.setEnabled(found)
        self.next_button.setEnabled(found)

    def focus(self) -> None:
        self.field.setFocus()
        self.field.selectAll()
