"""Make the README's Training panel picture: the makemore demo after its 300 steps (offscreen).

    python scripts/training_screenshot.py [out.png] [--demo NAME] [--iteration N] [--panel P.png]

The window shows the Training panel docked at the bottom; ``--panel`` also saves the panel alone.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import Qt  # noqa: E402

from visgrad import events  # noqa: E402
from visgrad.app.main import create_app  # noqa: E402
from visgrad.app.main_window import MainWindow  # noqa: E402
from visgrad.demos import demo_path  # noqa: E402
from visgrad.runner.session import run_headless  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", nargs="?", default="docs/training.png")
    ap.add_argument("--demo", default="makemore")
    ap.add_argument("--iteration", type=int, default=None, help="the cursor's iteration")
    ap.add_argument("--panel", help="also save the panel alone here")
    args = ap.parse_args(argv)
    app = create_app()
    evs: list[events.Event] = []
    if run_headless(args.demo, demo=True, on_event=evs.append) != 0:
        raise SystemExit(f"the {args.demo} demo failed to run")
    evs = [e for e in evs if not isinstance(e, events.RunState)]
    window = MainWindow()
    window.resize(1600, 1000)
    window.show()
    c = window.controller
    c.open_events(evs, str(demo_path(args.demo)))
    c.program_path = str(demo_path(args.demo))
    dock = next(
        d for d in window.findChildren(type(window.events_dock)) if d.windowTitle() == "Training"
    )
    dock.raise_()
    window.resizeDocks([dock], [430], Qt.Orientation.Vertical)
    panel = window.panels["training"]
    its = c.model.training.iterations
    n = args.iteration or max(1, len(its) - 1)
    panel.travel_to(n)
    window.graph_view.wait_for_layout()
    window.graph_view.fit()
    for _ in range(5):
        app.processEvents()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out))
    print(f"{out}  (iteration {panel.iteration} of {len(its)})")
    if args.panel:
        panel.grab().save(args.panel)
        print(args.panel)
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
