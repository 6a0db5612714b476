"""Problems raised where the user looks: a strip of banners above the graph.

A banner says what went wrong in one line and offers the actions that lead to it (Go to line,
Show node, Go to origin). Unlike a dialog it blocks nothing: the graph stays usable under it, and
a banner stays until its problem goes (a new run) or the user closes it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from visgrad.app.theme import is_dark

# Colours of a banner's level: (background, border, text), light and dark.
_LEVELS = {
    "error": (("#fdecec", "#f3a7a7", "#7f1d1d"), ("#3b1f22", "#7f2d32", "#fecaca")),
    "warning": (("#fff6e0", "#f2cf7c", "#713f12"), ("#3a3020", "#80662a", "#fde68a")),
    "info": (("#e8f1fd", "#a9c6ef", "#1e3a5f"), ("#1d2a3a", "#3a5a80", "#cfe2ff")),
}
_ICONS = {
    "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
}
Action = tuple[str, Callable[[], object]]


class Banner(QFrame):
    """One problem: an icon, a line of text, its actions and a close button."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"banner_{key}")
        self.text = QLabel()
        self.text.setObjectName("bannerText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons: dict[str, QToolButton] = {}
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(10, 5, 6, 5)
        self._row.setSpacing(6)
        self.icon = QLabel()
        self._row.addWidget(self.icon)
        self._row.addWidget(self.text, 1)
        self._actions = QHBoxLayout()
        self._actions.setSpacing(4)
        self._row.addLayout(self._actions)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Dismiss")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.hide)
        self._row.addWidget(self.close_button)

    def set_problem(
        self, level: str, text: str, actions: Sequence[Action], reveal: bool = True
    ) -> None:
        """Show ``text`` at ``level`` with ``actions``; ``reveal=False`` updates a banner the
        user closed without opening it again."""
        light, dark = _LEVELS.get(level, _LEVELS["warning"])
        bg, border, fg = dark if is_dark() else light
        self.setStyleSheet(
            f"QFrame#{self.objectName()} {{ background:{bg}; border-bottom:1px solid {border}; }}"
            f"QLabel {{ color:{fg}; }}"
            f"QToolButton {{ color:{fg}; border:1px solid {border}; border-radius:3px;"
            " padding:2px 8px; background:transparent; }"
            f"QToolButton:hover {{ background:{border}; }}"
        )
        self.level = level
        which = _ICONS.get(level, _ICONS["warning"])
        self.icon.setPixmap(self.style().standardIcon(which).pixmap(18, 18))
        self.text.setText(text)
        for b in self.buttons.values():
            self._actions.removeWidget(b)
            b.deleteLater()
        self.buttons = {}
        for label, slot in actions:
            b = QToolButton()
            b.setText(label)
            b.setObjectName(f"bannerAction_{label.lower().replace(' ', '_')}")
            b.clicked.connect(lambda *_, s=slot: s())
            self._actions.addWidget(b)
            self.buttons[label] = b
        if reveal:
            self.show()


class BannerArea(QWidget):
    """The banners of the window, one per kind of problem, stacked above the graph."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banners")
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(0, 0, 0, 0)
        self._lay.setSpacing(0)
        self.banners: dict[str, Banner] = {}

    def show_problem(
        self, key: str, level: str, text: str, actions: Sequence[Action] = (), reveal: bool = True
    ) -> Banner:
        """Show (or update) the banner ``key`` (``reveal=False``: one the user closed stays
        closed)."""
        b = self.banners.get(key)
        if b is None:
            b = self.banners[key] = Banner(key, self)
            self._lay.addWidget(b)
            reveal = True
        b.set_problem(level, text, actions, reveal)
        return b

    def clear(self, key: str | None = None) -> None:
        """Take banner ``key`` away (every banner with no key)."""
        for k in [key] if key is not None else list(self.banners):
            b = self.banners.pop(k, None)
            if b is not None:
                self._lay.removeWidget(b)
                b.deleteLater()

    def visible(self) -> dict[str, Banner]:
        """The banners the user sees now, by key."""
        return {k: b for k, b in self.banners.items() if not b.isHidden()}
