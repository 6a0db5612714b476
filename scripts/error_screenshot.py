"""Make the README's error screenshot: a program with a shape bug, where it failed (offscreen).

    python scripts/error_screenshot.py [out.png]

Runs ``docs/examples/shape_bug.py`` in a child as ``visgrad`` does and shows the run as the
window does after F5: the failed matmul in red with its inputs, the banner, the failing line in
the Source panel and the Call Stack.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from picture_setup import save, settle  # first: offscreen Qt, this checkout
from PySide6.QtCore import QSize, Qt

from visgrad import events
from visgrad.app.main import create_app
from visgrad.app.main_window import MainWindow
from visgrad.app.window_size import fit_window
from visgrad.runner.session import run_headless

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "shape_bug.py"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", nargs="?", default="docs/error.png")
    args = ap.parse_args(argv)
    evs: list[events.Event] = []
    if run_headless(EXAMPLE, on_event=evs.append) != 1:
        raise SystemExit(f"{EXAMPLE.name} was meant to fail, and did not")
    error = next(e for e in evs if isinstance(e, events.ProgramError))
    app = create_app()
    window = MainWindow()
    window.show()
    fit_window(window, QSize(1600, 900))
    c = window.controller
    c.open_events(evs, str(EXAMPLE))
    c.program_path = str(EXAMPLE)
    c._set_run_state("error")  # as a live run that raised ends
    window.docks["call_stack"].raise_()
    window.docks["source"].raise_()
    window.resizeDocks([window.docks["source"]], [440], Qt.Orientation.Horizontal)
    window.actions_by_name["minimap"].trigger()  # off: the picture is small enough to see whole
    settle(app, window)
    view = window.graph_view
    # Close enough to read the cards: the failed call and the layer that fed it.
    view.zoom_by(1.0 / view.transform().m11())
    failed = view.graph_scene.items_by_key[f"f{-error.seq}"].pos()
    view.centerOn(failed.x(), failed.y() - 170)
    window._update_status()
    settle(app, window)
    save(window, args.out)
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
