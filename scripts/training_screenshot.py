"""Make the README's Training panel picture: the makemore demo after its 300 steps (offscreen).

    python scripts/training_screenshot.py [out.png] [--demo NAME] [--iteration N] [--panel P.png]

The window shows the Training panel docked at the bottom; ``--panel`` also saves the panel alone.
"""

from __future__ import annotations

import argparse

from picture_setup import demo_window, save, settle  # first: offscreen Qt, this checkout
from PySide6.QtCore import Qt


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", nargs="?", default="docs/training.png")
    ap.add_argument("--demo", default="makemore")
    ap.add_argument("--iteration", type=int, default=None, help="the cursor's iteration")
    ap.add_argument("--panel", help="also save the panel alone here")
    args = ap.parse_args(argv)
    app, window, _ = demo_window(args.demo)
    c = window.controller
    dock = next(
        d for d in window.findChildren(type(window.events_dock)) if d.windowTitle() == "Training"
    )
    dock.raise_()
    window.resizeDocks([dock], [430], Qt.Orientation.Vertical)
    panel = window.panels["training"]
    its = c.model.training.iterations
    n = args.iteration or max(1, len(its) - 1)
    panel.travel_to(n)
    settle(app, window)
    window.graph_view.fit()
    settle(app, window)
    save(window, args.out, f"(iteration {panel.iteration} of {len(its)})")
    if args.panel:
        panel.grab().save(args.panel)
        print(args.panel)
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
