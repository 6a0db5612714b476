"""The graph view per iteration: the mlp demo's training loop shows one step's graph at a time."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from visgrad import events
from visgrad.app.main_window import MainWindow
from visgrad.graph.build import graph_at
from visgrad.runner.session import run_headless


@pytest.fixture(scope="module")
def mlp_events() -> list[events.Event]:
    """The mlp demo's events (5 SGD steps), recorded once by a real child process."""
    evs: list[events.Event] = []
    assert run_headless("mlp", demo=True, on_event=evs.append) == 0
    return [e for e in evs if not isinstance(e, events.RunState)]


@pytest.fixture
def saved_scope():
    """Put the user's saved scope back after a test that changes it."""
    s = QSettings("visgrad", "visgrad")
    had, old = s.contains("graph_scope"), s.value("graph_scope")
    yield
    if had:
        s.setValue("graph_scope", old)
    else:
        s.remove("graph_scope")


@pytest.fixture
def mlp(qtbot, mlp_events, saved_scope) -> MainWindow:
    w = MainWindow(panels=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.set_graph_scope("iteration", remember=False)
    w.controller.open_events(mlp_events, "mlp.vgtrace")
    assert w.graph_view.wait_for_layout()
    return w


def _go(qtbot, w: MainWindow, tick: int) -> None:
    w.controller.go_to(tick)
    qtbot.waitUntil(lambda: not w.graph_view.layout_pending, timeout=5000)


def _backward_ends(w: MainWindow) -> list[int]:
    return [i for i, e in enumerate(w.controller.model.events) if isinstance(e, events.BackwardEnd)]


def _shown_ops(w: MainWindow) -> set[str]:
    return {k for k in w.graph_view.graph_scene.visible_keys() if k.startswith("f")}


def _param_keys(w: MainWindow) -> set[str]:
    s = w.controller.state()
    return {f"t{t.id}" for t in s.tensors.values() if t.role == "parameter"}


def test_the_toggle_switches_between_one_iteration_and_the_whole_history(qtbot, mlp):
    c, scene = mlp.controller, mlp.graph_view.graph_scene
    _go(qtbot, mlp, _backward_ends(mlp)[2])  # iteration 3, after its backward
    state = c.state()
    per_iteration = graph_at(state, "iteration")
    assert scene.node_count() == per_iteration.number_of_nodes() == 18
    assert scene.edge_count() == per_iteration.number_of_edges()
    assert mlp.status_counts.text().startswith("iteration 3 · 18 nodes")
    mlp.actions_by_name["scope_all"].trigger()
    qtbot.waitUntil(lambda: not mlp.graph_view.layout_pending, timeout=5000)
    whole = graph_at(state)
    # The history opens with the model's three identical calls folded into one card, x3.
    folded = [k for k in scene.items_by_key if k in mlp.graph_view.drawn.view]
    assert [mlp.graph_view.drawn.view.nodes[k]["repeat"] for k in folded if k.startswith("g:")] == [
        3
    ]
    assert scene.node_count() < whole.number_of_nodes()
    mlp.graph_view.expand_all()
    qtbot.waitUntil(lambda: not mlp.graph_view.layout_pending, timeout=5000)
    assert scene.node_count() == whole.number_of_nodes() > 2 * 18
    assert scene.edge_count() == whole.number_of_edges()
    assert mlp.status_counts.text().startswith(f"history · {whole.number_of_nodes()} nodes")
    assert QSettings("visgrad", "visgrad").value("graph_scope") == "all"
    mlp.actions_by_name["scope_iteration"].trigger()
    qtbot.waitUntil(lambda: not mlp.graph_view.layout_pending, timeout=5000)
    assert scene.node_count() == 18
    assert QSettings("visgrad", "visgrad").value("graph_scope") == "iteration"


def test_a_new_window_opens_with_the_saved_scope(qtbot, saved_scope):
    QSettings("visgrad", "visgrad").setValue("graph_scope", "all")
    w = MainWindow(panels=False)
    qtbot.addWidget(w)
    assert w.graph_view.scope == "all"
    assert w.actions_by_name["scope_all"].isChecked()


def test_stepping_into_the_next_iteration_replaces_its_ops_and_keeps_the_parameters(qtbot, mlp):
    c, scene = mlp.controller, mlp.graph_view.graph_scene
    _go(qtbot, mlp, _backward_ends(mlp)[1] + 3)  # iteration 2's optimizer step
    assert c.state().iteration == 2
    old_ops = _shown_ops(mlp)
    params = _param_keys(mlp)
    assert len(old_ops) == 6 and len(params) == 4
    where = {k: scene.items_by_key[k].pos() for k in params}
    start = c.model.iteration_starts[1]
    _go(qtbot, mlp, start)  # iteration 3's first op: t(fc1.weight)
    assert _shown_ops(mlp) & old_ops == set()
    first = params & c.state().scope_keys()
    assert len(first) == 1  # fc1.weight, read by the first op
    # It is drawn, inside fc1's box (which grows, and moves what follows it, as fc1 runs).
    (weight,) = first
    assert scene.shown(scene.items_by_key[weight])
    fc1 = [b for k, b in scene.boxes.items() if k.endswith("/fc1")]
    assert fc1 and fc1[0].rect.contains(scene.items_by_key[weight].pos())
    # Once iteration 3 has grown to its full graph, the parameters are where they were.
    _go(qtbot, mlp, _backward_ends(mlp)[2])
    new_ops = _shown_ops(mlp)
    assert len(new_ops) == 6 and new_ops & old_ops == set()
    assert {k: scene.items_by_key[k].pos() for k in params} == where
    # Back in iteration 2, its own ops come back.
    _go(qtbot, mlp, start - 1)
    assert _shown_ops(mlp) == old_ops


def test_search_and_center_on_see_only_the_current_iteration(qtbot, mlp):
    c, view = mlp.controller, mlp.graph_view
    _go(qtbot, mlp, _backward_ends(mlp)[0])
    first_ops = _shown_ops(mlp)
    _go(qtbot, mlp, _backward_ends(mlp)[3])
    found = {view.search("addmm") for _ in range(4)}
    scope = c.state().scope_keys()
    assert len(found) == 2 and found <= scope
    assert not view.center_on(sorted(first_ops)[0])
    assert view.center_on(sorted(found)[0])
