"""Start the desktop debugger: ``run_app()`` opens the tutorial demo paused, or a script / trace."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from visgrad.app.controller import Controller
from visgrad.app.main_window import MainWindow
from visgrad.app.theme import apply_app_style
from visgrad.app.window_size import first_size, fit_window


def create_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (made once), styled."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
        app.setApplicationName("visgrad")
        app.setOrganizationName("visgrad")
        app.setDesktopFileName("visgrad")
        apply_app_style(app)
    return app  # type: ignore[return-value]


def open_window(
    target: str | None = None, *, demo: str | None = None, memory_budget_mb: float | None = None
) -> MainWindow:
    """Show the window at once; the program starts right after, so the window never waits on it."""
    if memory_budget_mb is None:  # the default budget (``Controller``'s)
        controller = Controller()
    else:
        controller = Controller(memory_budget_bytes=int(memory_budget_mb * 2**20))
    window = MainWindow(controller)
    screen = QApplication.primaryScreen()
    size = first_size(screen.availableGeometry().size() if screen is not None else None)
    fit_window(window, size)
    window.show()
    fit_window(window, size)  # again: until it is shown, Qt holds it at its docks' sum
    if target:
        QTimer.singleShot(0, lambda: window.open_path(str(target)))
    else:
        QTimer.singleShot(0, lambda: window.controller.open_demo(demo or "tutorial"))
    return window


def run_app(
    target: str | None = None, *, demo: str | None = None, memory_budget_mb: float | None = None
) -> int:
    """Run the debugger until its window closes; returns the exit code."""
    app = create_app()
    window = open_window(target, demo=demo, memory_budget_mb=memory_budget_mb)
    code = app.exec()
    del window
    return code


if __name__ == "__main__":
    raise SystemExit(run_app(sys.argv[1] if len(sys.argv) > 1 else None))
