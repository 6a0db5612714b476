"""The whole of a text the views show cut (``visgrad.trace.caps``): a window to read and copy it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from visgrad.trace.caps import clip, clip_lines, clip_middle

SHOWN = 1 << 20  # characters the window lays out; Copy takes the whole text
LINE = 20_000  # characters of one line the window lays out


def squeezable(w: QWidget) -> QWidget:
    """``w`` may be narrower than its text: one long word never widens the window."""
    pol = w.sizePolicy()
    pol.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
    w.setSizePolicy(pol)
    w.setMinimumWidth(0)
    return w


def show_full_text(parent: QWidget | None, title: str, text: str) -> QDialog:
    """Open (not modal) a window with ``text`` to read and a button that copies all of it."""
    d = QDialog(parent)
    d.setObjectName("fullText")
    d.setWindowTitle(clip(title, 80))
    view = QPlainTextEdit()
    view.setReadOnly(True)
    view.setPlainText(clip_lines(clip_middle(text, SHOWN), LINE))
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    copy = buttons.addButton("Copy all", QDialogButtonBox.ButtonRole.ActionRole)
    copy.clicked.connect(lambda: QApplication.clipboard().setText(text))
    buttons.rejected.connect(d.close)
    lay = QVBoxLayout(d)
    lay.addWidget(view)
    lay.addWidget(buttons)
    d.resize(720, 480)
    d.show()
    return d
