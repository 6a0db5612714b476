"""Make the README pictures of module groups: the tiny GPT demo collapsed mid-backward, with the
minimap and the breadcrumbs (docs/groups.png), and a search in it (docs/search.png). Offscreen.

    python scripts/groups_screenshot.py [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from picture_setup import (
    demo_window,
    gradient_entering,
    save,
    settle,
)  # first: offscreen Qt, this checkout
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from visgrad import events


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default="docs", help="folder for groups.png and search.png")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app, window, evs = demo_window("gpt")
    c, view = window.controller, window.graph_view

    # Collapsed to the model's modules; open the blocks (x4) to see them one by one.
    c.go_to(next(i for i, e in enumerate(evs) if isinstance(e, events.BackwardBegin)) - 1)
    settle(app, window)
    view.toggle_group("g:GPT/blocks")
    settle(app, window)
    # Mid-backward: the gradient leaves block 3 and enters block 2.
    c.go_to(gradient_entering(window, evs, "g:GPT/blocks/2"))
    settle(app, window)
    view.set_selection("g:GPT/blocks/3")
    view.zoom_by(1.0 / view.transform().m11())
    view.center_on("g:GPT/blocks/2")
    settle(app, window)
    save(window, out / "groups.png", f"(tick {c.tick})")

    # Search: every attention module's tensors and ops, the second match selected.
    window.focus_search()
    QTest.keyClicks(window.search_field, "attn.c_attn")
    window.search_bar.apply()
    for _ in range(2):
        QTest.keyClick(window.search_field, Qt.Key.Key_Return)
        settle(app, window)
    view.zoom_by(0.8 / view.transform().m11())
    view.center_on(view.selected())
    settle(app, window)
    save(window, out / "search.png", f"({window.search_bar.count.text()})")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
