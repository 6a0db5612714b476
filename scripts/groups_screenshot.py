"""Make the README pictures of module groups: the tiny GPT demo collapsed mid-backward, with the
minimap and the breadcrumbs (docs/groups.png), and a search in it (docs/search.png). Offscreen.

    python scripts/groups_screenshot.py [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from visgrad import events  # noqa: E402
from visgrad.app.main import create_app  # noqa: E402
from visgrad.app.main_window import MainWindow  # noqa: E402
from visgrad.demos import demo_path  # noqa: E402
from visgrad.runner.session import run_headless  # noqa: E402


def _gpt_events() -> list[events.Event]:
    evs: list[events.Event] = []
    if run_headless("gpt", demo=True, on_event=evs.append) != 0:
        raise SystemExit("the gpt demo failed to run")
    return [e for e in evs if not isinstance(e, events.RunState)]


def _entering(window: MainWindow, evs: list[events.Event], block: str) -> int:
    """The first backward tick whose gradient flows into ``block`` from outside it."""
    owner = window.graph_view.tree.owner
    model = window.controller.model

    def inside(key: str) -> bool:
        return owner.get(key, "").startswith(block)

    for i, e in enumerate(evs):
        if isinstance(e, events.BackwardNode) and any(
            inside(b) and not inside(a) for a, b in model.state_at(i).grad_edges
        ):
            return i
    raise SystemExit(f"no gradient enters {block}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default="docs", help="folder for groups.png and search.png")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = create_app()
    evs = _gpt_events()
    window = MainWindow()
    window.resize(1600, 1000)
    window.show()
    c, view = window.controller, window.graph_view
    c.open_events(evs, str(demo_path("gpt")))
    c.program_path = str(demo_path("gpt"))
    view.wait_for_layout(20000)

    def settle() -> None:
        view.wait_for_layout(20000)
        app.processEvents()

    # Collapsed to the model's modules; open the blocks (x4) to see them one by one.
    c.go_to(next(i for i, e in enumerate(evs) if isinstance(e, events.BackwardBegin)) - 1)
    settle()
    view.toggle_group("g:GPT/blocks")
    settle()
    # Mid-backward: the gradient leaves block 3 and enters block 2.
    c.go_to(_entering(window, evs, "g:GPT/blocks/2"))
    settle()
    view.set_selection("g:GPT/blocks/3")
    view.zoom_by(1.0 / view.transform().m11())
    view.center_on("g:GPT/blocks/2")
    settle()
    window.grab().save(str(out / "groups.png"))
    print(out / "groups.png", f"(tick {c.tick})")

    # Search: every attention module's tensors and ops, the second match selected.
    window.focus_search()
    QTest.keyClicks(window.search_field, "attn.c_attn")
    window.search_bar.apply()
    for _ in range(2):
        QTest.keyClick(window.search_field, Qt.Key.Key_Return)
        settle()
    view.zoom_by(0.8 / view.transform().m11())
    view.center_on(view.selected())
    settle()
    window.grab().save(str(out / "search.png"))
    print(out / "search.png", f"({window.search_bar.count.text()})")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
