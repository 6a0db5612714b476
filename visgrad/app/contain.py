"""A failure inside one view stays in that view: it says what went wrong, the rest go on.

A bug in a panel, the graph or the event list must never stop the run, blank the window or take
other views down with it. Each view's refresh runs through ``contained``: an exception is printed
(with its traceback, to stderr) and handed to the view to show; the next refresh tries again.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

ERROR_STYLE = "background:#fdecea; color:#8a1c1c; border:1px solid #f5c2c0; padding:4px;"


def failure_text(view: str, exc: BaseException) -> str:
    """One line for the user: which view failed and why (the others are unaffected)."""
    return f"{view} could not be shown: {type(exc).__name__}: {exc}. The other views go on."


def contained(view: str, fn: Callable[[], Any], on_error: Callable[[str], None]) -> bool:
    """Run ``fn``; on an exception print it and pass ``failure_text`` to ``on_error``.

    Returns whether ``fn`` succeeded.
    """
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the point: one view's bug must not spread
        traceback.print_exc(file=sys.stderr)
        try:
            on_error(failure_text(view, e))
        except Exception:  # noqa: BLE001 - showing the error failed too: stderr has it
            traceback.print_exc(file=sys.stderr)
        return False
    return True


class ErrorLabel(QLabel):
    """A red note laid over the top of a view while its last refresh failed."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet(ERROR_STYLE)
        self.hide()

    def show_text(self, text: str) -> None:
        self.setText(text)
        parent = self.parentWidget()
        width = parent.width() - 12 if parent is not None else 300
        self.setFixedWidth(max(120, width))
        self.adjustSize()
        self.move(6, 6)
        self.raise_()
        self.show()
