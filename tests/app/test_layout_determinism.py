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
