"""What the README picture scripts share: a built-in demo's events, and the window showing them
offscreen at a given size, without the demo's child process attached.

Imported first by each script: it points Qt at the offscreen platform and Python at this checkout.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QSize  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from visgrad import events  # noqa: E402
from visgrad.app.main import create_app  # noqa: E402
from visgrad.app.main_window import MainWindow  # noqa: E402
from visgrad.app.window_size import fit_window  # noqa: E402
from visgrad.demos import demo_path  # noqa: E402
from visgrad.runner.session import run_headless  # noqa: E402


def demo_events(name: str) -> list[events.Event]:
    """The events of a built-in demo run to its end (without the runner's state changes)."""
    evs: list[events.Event] = []
    if run_headless(name, demo=True, on_event=evs.append) != 0:
        raise SystemExit(f"the {name} demo failed to run")
    return [e for e in evs if not isinstance(e, events.RunState)]


def demo_window(
    name: str, size: QSize | None = None
) -> tuple[QApplication, MainWindow, list[events.Event]]:
    """The app, a window of ``size`` (1600×1000) showing the demo's trace, and its events."""
    app = create_app()
    evs = demo_events(name)
    window = MainWindow()
    window.show()
    fit_window(window, size or QSize(1600, 1000))
    c = window.controller
    c.open_events(evs, str(demo_path(name)))
    c.program_path = str(demo_path(name))
    settle(app, window)
    return app, window, evs


def gradient_entering(window: MainWindow, evs: list[events.Event], group: str) -> int:
    """The first backward tick whose gradient flows into ``group`` (a group key) from outside."""
    owner = window.graph_view.tree.owner
    model = window.controller.model

    def inside(key: str) -> bool:
        return owner.get(key, "").startswith(group)

    for i, e in enumerate(evs):
        if isinstance(e, events.BackwardNode) and any(
            inside(b) and not inside(a) for a, b in model.state_at(i).grad_edges
        ):
            return i
    raise SystemExit(f"no gradient enters {group}")


def settle(app: QApplication, window: MainWindow, timeout_ms: int = 20000) -> None:
    """Wait for the pending layout and let the views repaint."""
    window.graph_view.wait_for_layout(timeout_ms)
    for _ in range(5):
        app.processEvents()


def save(window: MainWindow, path: Path | str, note: str = "") -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(path))
    print(f"{path}  {note}".rstrip())
