"""Make the README screenshot: the app mid-backward on the tutorial demo (offscreen).

    python scripts/screenshot.py [out.png] [--all DIR]

``--all DIR`` also saves the start, mid-forward, mid-backward and end pictures into DIR.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from visgrad import events  # noqa: E402
from visgrad.app.main import create_app  # noqa: E402
from visgrad.app.main_window import MainWindow  # noqa: E402
from visgrad.runner.session import run_headless  # noqa: E402


def _tutorial_events() -> list[events.Event]:
    evs: list[events.Event] = []
    if run_headless("tutorial", demo=True, on_event=evs.append) != 0:
        raise SystemExit("the tutorial demo failed to run")
    return [e for e in evs if not isinstance(e, events.RunState)]


def _moments(evs: list[events.Event]) -> dict[str, int]:
    """Ticks worth a picture: start, mid-forward, mid-backward (grads flowing), end."""
    first_bwd = next(i for i, e in enumerate(evs) if isinstance(e, events.BackwardBegin))
    accs = [i for i, e in enumerate(evs) if isinstance(e, events.GradAccumulated) and i > first_bwd]
    mm = next(
        i
        for i, e in enumerate(evs)
        if isinstance(e, events.BackwardNode) and e.name == "MmBackward0" and i > first_bwd
    )
    return {
        "start": 0,
        "mid_forward": first_bwd // 2,
        "mid_backward": mm if accs and mm > accs[0] else accs[0],
        "end": first_bwd + 14,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", nargs="?", default="docs/screenshot.png")
    ap.add_argument("--all", metavar="DIR", help="also save every moment into DIR")
    args = ap.parse_args(argv)
    app = create_app()
    evs = _tutorial_events()
    window = MainWindow()
    window.resize(1600, 1000)
    window.show()
    c = window.controller
    from visgrad.demos import demo_path

    c.open_events(evs, str(demo_path("tutorial")))
    c.program_path = str(demo_path("tutorial"))
    window.graph_view.wait_for_layout()
    moments = _moments(evs)

    def shoot(tick: int, path: Path, focus: bool = False) -> None:
        c.go_to(tick)
        view = window.graph_view
        view.wait_for_layout()
        view.fit()
        current = c.state().current
        if focus and current:
            # Close enough to read values and gradients, centred where the gradient flows.
            view.zoom_by(0.95 / view.transform().m11())
            items = view.graph_scene.items_by_key
            sender, receiver = c.state().grad_edges[0]
            c.select(receiver)
            a, b = items[sender].pos(), items[receiver].pos()
            view.centerOn((a + b) / 2)
        app.processEvents()
        path.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(path))
        print(f"{path}  (tick {tick})")

    if args.all:
        for name, tick in moments.items():
            shoot(tick, Path(args.all) / f"{name}.png")
    # The README picture: b has its gradient, w's is arriving through MmBackward0.
    shoot(moments["mid_backward"], Path(args.out), focus=True)
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
