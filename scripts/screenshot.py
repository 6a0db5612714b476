"""Make the README screenshot: the tutorial demo mid-backward, every tensor that requires grad
showing its gradient (∂loss/∂tensor on the intermediates), close enough to read. Offscreen.

    python scripts/screenshot.py [out.png] [--all DIR]

``--all DIR`` also saves the start, mid-forward, mid-backward and end pictures into DIR.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from picture_setup import demo_window, save, settle  # first: offscreen Qt, this checkout
from PySide6.QtCore import QSize, Qt

from visgrad import events


def _moments(evs: list[events.Event]) -> dict[str, int]:
    """Ticks worth a picture: start, mid-forward, mid-backward (grads flowing), end of the first
    backward (still inside it: every gradient is in, the last reaching w)."""
    first_bwd = next(i for i, e in enumerate(evs) if isinstance(e, events.BackwardBegin))
    end_bwd = next(i for i, e in enumerate(evs) if isinstance(e, events.BackwardEnd))
    accs = [i for i in range(first_bwd, end_bwd) if isinstance(evs[i], events.GradAccumulated)]
    return {
        "start": 0,
        "mid_forward": first_bwd // 2,
        "mid_backward": (first_bwd + end_bwd) // 2,
        "all_gradients": accs[-1],
        "end": first_bwd + 14,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", nargs="?", default="docs/screenshot.png")
    ap.add_argument("--all", metavar="DIR", help="also save every moment into DIR")
    args = ap.parse_args(argv)
    app, window, evs = demo_window("tutorial", QSize(1500, 1160))
    # A short event list and a wide Inspector: the graph gets the height, the facts their width.
    window.resizeDocks([window.events_dock], [150], Qt.Orientation.Vertical)
    inspector_dock = window.panels["inspector"].parentWidget()
    window.resizeDocks([inspector_dock], [400], Qt.Orientation.Horizontal)
    c, view = window.controller, window.graph_view
    moments = _moments(evs)
    if args.all:
        for name, tick in moments.items():
            c.go_to(tick)
            settle(app, window)
            view.fit()
            save(window, Path(args.all) / f"{name}.png", f"(tick {tick})")

    # The README picture: the last gradient arriving at w, z selected with ∂loss/∂z in the
    # Inspector; the cards at full size from w down to loss.
    c.go_to(moments["all_gradients"])
    settle(app, window)
    state = c.state()
    names = {t.name: f"t{t.id}" for t in state.tensors.values() if t.name}
    missing = [
        n
        for n, t in ((t.name, t) for t in state.tensors.values())
        if t.requires_grad and (t.grad if t.is_leaf else t.dloss) is None
    ]
    if missing:
        raise SystemExit(f"no gradient yet on {missing} at tick {c.tick}")
    c.select(names["z"])
    settle(app, window)
    inspector = window.panels["inspector"]
    inspector.tabs.setCurrentIndex(
        next(i for i in range(inspector.tabs.count()) if inspector.tabs.tabText(i) == "Gradient")
    )
    # The whole span from w down to loss, as large as the view allows (cards stay at full detail
    # from a scale of 0.66).
    items = view.graph_scene.items_by_key
    span = items[names["w"]].sceneBoundingRect().united(items[names["loss"]].sceneBoundingRect())
    span.adjust(-40, -50, 40, 30)
    vp = view.viewport().rect()
    view.zoom_by(min(vp.height() / span.height(), 1.0) / view.transform().m11())
    view.centerOn(span.center())
    settle(app, window)
    save(window, args.out, f"(tick {c.tick})")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
