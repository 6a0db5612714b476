"""Make the README picture of a CNN (docs/cnn.png): ``docs/examples/mnist_cnn.py`` mid-backward,
its ``features`` stage opened, a BatchNorm2d layer selected (the breadcrumbs name its path, the
Inspector its facts), the gradient come from the classifier and entering that layer. Offscreen.

    python scripts/cnn_screenshot.py [out.png]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from picture_setup import gradient_entering, save, settle  # first: offscreen Qt, this checkout
from PySide6.QtCore import QSize

from visgrad import events
from visgrad.app.main import create_app
from visgrad.app.main_window import MainWindow
from visgrad.app.window_size import fit_window
from visgrad.runner.session import run_headless

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "mnist_cnn.py"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", nargs="?", default="docs/cnn.png")
    args = ap.parse_args(argv)
    evs: list[events.Event] = []
    if run_headless(EXAMPLE, on_event=evs.append) != 0:
        raise SystemExit(f"{EXAMPLE.name} failed to run")
    evs = [e for e in evs if not isinstance(e, events.RunState)]
    app = create_app()
    window = MainWindow()
    window.show()
    fit_window(window, QSize(1600, 1000))
    c, view = window.controller, window.graph_view
    c.open_events(evs, str(EXAMPLE))
    c.program_path = str(EXAMPLE)
    # The first iteration, collapsed to its modules; the convolutions open.
    c.go_to(next(i for i, e in enumerate(evs) if isinstance(e, events.BackwardBegin)) - 1)
    settle(app, window)
    if "g:Net/features" not in view.open_groups():
        view.toggle_group("g:Net/features")
        settle(app, window)
    # Mid-backward: the gradient has crossed from the classifier into the second stage and
    # enters its BatchNorm2d.
    c.go_to(gradient_entering(window, evs, "g:Net/features/5"))
    settle(app, window)
    c.select("g:Net/features/5")  # as a click on its card: the Inspector tells its facts
    view.zoom_by(0.75 / view.transform().m11())
    view.center_on("g:Net/features/6")
    settle(app, window)
    save(window, args.out, f"(tick {c.tick})")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
