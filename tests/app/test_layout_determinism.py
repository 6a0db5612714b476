"""The graph view draws the same picture however fast the cursor moved and the worker kept up."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication

import visgrad as torch
from visgrad import events
from visgrad.app.main_window import MainWindow


def _program() -> list[events.Event]:
    """Three SGD steps of a small net (a few hundred events)."""
    torch.manual_seed(0)
    x, y = torch.randn(6, 3), torch.randn(6, 1)
    w1 = torch.randn(3, 4, requires_grad=True)
    w2 = torch.randn(4, 1, requires_grad=True)
    with events.Recorder() as rec:
        for _ in range(3):
            loss = ((torch.relu(x @ w1) @ w2 - y) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                for p in (w1, w2):
                    p -= 0.1 * p.grad
                    p.grad.zero_()
    return rec.events


@pytest.fixture
def window(qtbot, monkeypatch) -> MainWindow:
    w = MainWindow(panels=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def _picture(w: MainWindow) -> dict[str, tuple[float, float]]:
    assert w.graph_view.wait_for_layout()
    scene = w.graph_view.graph_scene
    return {k: (scene.items_by_key[k].x(), scene.items_by_key[k].y()) for k in scene.visible_keys()}


@pytest.mark.parametrize("scope", ["iteration", "all"])
def test_stepping_jumping_and_racing_the_worker_end_on_the_same_picture(qtbot, window, scope):
    evs = _program()
    w, c = window, window.controller
    w.set_graph_scope(scope, remember=False)
    c.open_events(evs, "run.vgtrace")
    head = c.head
    jumped = _picture(w)  # opened at the end
    c.go_to(-1)
    for tick in range(head + 1):  # every tick, each laid out before the next
        c.go_to(tick)
        assert w.graph_view.wait_for_layout()
    stepped = _picture(w)
    for tick in range(head + 1):  # every tick, far faster than the worker lays them out
        c.go_to(tick)
        if tick % 7 == 0:
            QCoreApplication.processEvents()
    raced = _picture(w)
    c.go_to(head // 2)  # back in time, then forward again
    assert w.graph_view.wait_for_layout()
    c.go_to(head)
    again = _picture(w)
    assert len(jumped) > 10
    assert jumped == stepped == raced == again


def test_iterations_of_the_same_structure_are_drawn_alike(qtbot, window):
    evs = _program()
    w, c = window, window.controller
    w.set_graph_scope("iteration", remember=False)
    c.open_events(evs, "run.vgtrace")
    ends = [i for i, e in enumerate(c.model.events) if isinstance(e, events.BackwardEnd)]
    shapes = []
    for tick in ends:
        c.go_to(tick)
        pic = _picture(w)
        shapes.append(sorted(pic.values()))
    assert len(shapes) == 3
    assert shapes[1] == shapes[2]


def _module_program() -> list[events.Event]:
    """Two Adam steps of a small nn.Module stack: module groups, folded repeats, two iterations."""
    import visgrad.nn as nn

    events.reset_seq()
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 1))
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    x, y = torch.randn(6, 3), torch.randn(6, 1)
    with events.Recorder() as rec:
        for _ in range(2):
            opt.zero_grad()
            nn.functional.mse_loss(net(x), y).backward()
            opt.step()
    return rec.events


# The app's own layout job (card sizes from the scene, compound layout of the open groups), each
# drawing grown through earlier ticks as the worker may have seen them, and laid out afresh.
_CHILD = """
import json, sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from visgrad.app.graph_scene import GraphScene
from visgrad.app.layout_job import draw
from visgrad.app.theme import graph_colors
from visgrad.trace.files import load_trace
from visgrad.trace.model import TraceModel
model = TraceModel(load_trace(sys.argv[1]))
scene = GraphScene(graph_colors(False))
end = len(model) - 1
out = []
for scope in ("all", "iteration"):
    for expanded in ("auto", "all", ()):
        prev = None
        for tick in (end - 12, end - 5, end):
            grown = draw(model.state_at(tick), scene, "TB", prev, scope, expanded)
            prev = grown.layout
        fresh = draw(model.state_at(end), scene, "TB", None, scope, expanded)
        pic = [
            [k, fresh.layout.positions[k], fresh.layout.sizes[k]] for k in fresh.view.nodes
        ]
        bends = sorted([list(e), b] for e, b in fresh.layout.bends.items())
        boxes = sorted(getattr(fresh.layout, "boxes", {}).items())
        grown_pic = [[k, grown.layout.positions[k], grown.layout.sizes[k]] for k in grown.view.nodes]
        name = expanded if isinstance(expanded, str) else "none"
        out.append([scope, name, pic, bends, boxes, grown_pic == pic])
print(json.dumps(out))
"""


def test_two_processes_with_different_hash_seeds_draw_a_module_program_identically(tmp_path):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from visgrad.trace.files import save_trace

    root = Path(__file__).resolve().parents[2]
    path = tmp_path / "run.vgtrace"
    save_trace(path, _module_program())
    outs = []
    for seed in ("1", "2"):
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "PYTHONPATH": str(root),
            "QT_QPA_PLATFORM": "offscreen",
        }
        run = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        outs.append(json.loads(run.stdout))
    assert outs[0] == outs[1]
    assert len(outs[0]) == 6
    for scope, expanded, pic, _, _, grown_same in outs[0]:
        assert len(pic) > 3, (scope, expanded)
        assert grown_same, (scope, expanded)  # growing through earlier ticks: the same picture
    drawn = {(s, e): (len(p), len(b)) for s, e, p, _, b, _ in outs[0]}
    # Closed, the stack is fewer cards than open; open, it draws its group boxes.
    assert drawn[("all", "none")][0] < drawn[("all", "all")][0]
    assert drawn[("all", "all")][1] > 0
