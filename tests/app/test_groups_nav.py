"""Big models as a new user meets them: the tiny GPT opens collapsed to its modules, opens module
by module, and is searched and navigated with the search bar, the minimap and the breadcrumbs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolButton

from visgrad import events
from visgrad.app.group_items import GroupItem
from visgrad.app.main_window import MainWindow
from visgrad.graph.search import find_nodes
from visgrad.runner.session import run_headless


def _events(demo: str) -> list[events.Event]:
    evs: list[events.Event] = []
    assert run_headless(demo, demo=True, on_event=evs.append) == 0
    return [e for e in evs if not isinstance(e, events.RunState)]


@pytest.fixture(scope="module")
def gpt_events() -> list[events.Event]:
    """The gpt demo (4 blocks, two AdamW steps), recorded once by a real child process."""
    return _events("gpt")


def _open(qtbot, evs: list[events.Event], name: str) -> MainWindow:
    w = MainWindow(panels=False)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    w.graph_view.set_scope("iteration")
    w.controller.open_events(evs, name)
    assert w.graph_view.wait_for_layout(20000)
    return w


def _go(qtbot, w: MainWindow, tick: int) -> None:
    w.controller.go_to(tick)
    qtbot.waitUntil(lambda: not w.graph_view.layout_pending, timeout=20000)


def _first(evs: list[events.Event], kind: type) -> int:
    return next(i for i, e in enumerate(evs) if isinstance(e, kind))


@pytest.fixture
def gpt(qtbot, gpt_events) -> MainWindow:
    w = _open(qtbot, gpt_events, "gpt.vgtrace")
    _go(qtbot, w, _first(gpt_events, events.BackwardBegin) - 1)  # the forward pass done
    return w


def _cards(w: MainWindow) -> dict[str, GroupItem]:
    scene = w.graph_view.graph_scene
    return {
        k: i for k, i in scene.items_by_key.items() if isinstance(i, GroupItem) and scene.shown(i)
    }


def _settle(qtbot, w: MainWindow) -> None:
    qtbot.waitUntil(lambda: not w.graph_view.layout_pending, timeout=20000)


def test_the_gpt_opens_collapsed_to_its_modules_and_opens_module_by_module(qtbot, gpt):
    view = gpt.graph_view
    assert view.drawn.graph.number_of_nodes() > 300
    assert view.graph_scene.node_count() <= 36  # a few dozen items, not hundreds
    names = {view.tree.groups[k].label for k in _cards(gpt)}
    assert {"wte · Embedding", "wpe · Embedding", "blocks · Block ×4"} <= names
    assert {"ln_f · LayerNorm", "lm_head · Linear"} <= names
    view.toggle_group("g:GPT/blocks")
    _settle(qtbot, gpt)
    assert {"g:GPT/blocks/0", "g:GPT/blocks/3"} <= set(_cards(gpt))
    view.toggle_group("g:GPT/blocks/2")
    _settle(qtbot, gpt)
    inside = {view.tree.groups[k].label for k in _cards(gpt) if k.startswith("g:GPT/blocks/2/")}
    assert inside == {
        "ln_1 · LayerNorm",
        "attn · CausalSelfAttention",
        "ln_2 · LayerNorm",
        "mlp · MLP",
    }
    card = _cards(gpt)["g:GPT/blocks/2/attn"]
    card._refresh()
    assert card.texts["flow"] == "(2, 8, 16) → (2, 8, 16)"
    assert card.texts["facts"].startswith("1,088 params")  # c_attn 16x48+48, c_proj 16x16+16


def test_stepping_backward_collapsed_lights_the_group_and_its_gradient_edges(
    qtbot, gpt, gpt_events
):
    view, scene, model = gpt.graph_view, gpt.graph_view.graph_scene, gpt.controller.model
    owner = view.tree.owner

    def in_blocks(key: str) -> bool:
        return owner.get(key, "").startswith("g:GPT/blocks")

    # The gradient entering the blocks: an edge from a node outside to a node inside.
    tick = next(
        i
        for i, e in enumerate(gpt_events)
        if isinstance(e, events.BackwardNode)
        and any(in_blocks(b) != in_blocks(a) for a, b in model.state_at(i).grad_edges)
    )
    _go(qtbot, gpt, tick)
    assert scene.grad_edge_count() == 1  # drawn to the closed group, in the gradient colour
    # The next backward node runs inside the blocks: their card is the one highlighted.
    after = next(
        i
        for i, e in enumerate(gpt_events)
        if i > tick and isinstance(e, events.BackwardNode) and "Accumulate" not in e.name
    )
    _go(qtbot, gpt, after)
    assert scene.host.current == {"g:GPT/blocks"}
    blocks = _cards(gpt)["g:GPT/blocks"]
    blocks._refresh()
    assert blocks.texts["grad"].startswith("∇ ")
    assert not _cards(gpt)["g:GPT/wte"]._refresh()  # backward has not reached the embeddings


def _type(qtbot, w: MainWindow, text: str, mode: str = "substring") -> None:
    bar = w.search_bar
    bar.set_mode(mode)
    qtbot.keyClick(w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar.field.clear()
    qtbot.keyClicks(bar.field, text)
    qtbot.waitUntil(lambda: w.graph_view.search_text == text, timeout=2000)


def _enter(qtbot, w: MainWindow, backwards: bool = False) -> str:
    mod = Qt.KeyboardModifier.ShiftModifier if backwards else Qt.KeyboardModifier.NoModifier
    qtbot.keyClick(w.search_bar.field, Qt.Key.Key_Return, mod)
    _settle(qtbot, w)
    return w.graph_view.selected()


def test_search_counts_and_enter_shift_enter_cycle_through_the_matches(qtbot, gpt):
    view, bar = gpt.graph_view, gpt.search_bar
    _type(qtbot, gpt, "c_attn")
    expected = find_nodes(view.drawn.graph, "c_attn")
    n = len(expected)
    assert n >= 8 and bar.count.text() == f"{n} matches"
    assert view.graph_scene.host.matches  # lit up before any Enter (cards holding them)
    seen = [_enter(qtbot, gpt) for _ in range(3)]
    assert seen == expected[:3] and bar.count.text() == f"3 of {n}"
    assert _enter(qtbot, gpt, backwards=True) == expected[1]
    assert bar.count.text() == f"2 of {n}"
    _enter(qtbot, gpt, backwards=True)
    assert _enter(qtbot, gpt, backwards=True) == expected[-1]  # wraps around
    assert bar.count.text() == f"{n} of {n}"
    # The match is drawn (its groups opened) and marked in the graph and on the minimap.
    assert expected[-1] in view.graph_scene.host.matches
    assert view.minimap.isVisible() and view.match_positions()


def test_exact_substring_and_regex_modes_and_a_bad_pattern(qtbot, gpt):
    view, bar = gpt.graph_view, gpt.search_bar
    _type(qtbot, gpt, "ln_1.weight")
    assert len(view.matches) == 4  # blocks.0..3.ln_1.weight
    _type(qtbot, gpt, "ln_1.weight", "exact")
    assert view.matches == [] and bar.count.text() == "no match"
    _type(qtbot, gpt, "blocks.3.ln_1.weight", "exact")
    assert len(view.matches) == 1
    _type(qtbot, gpt, r"^blocks\.[12]\.ln_1\.weight$", "regex")
    names = [view.drawn.graph.nodes[k]["name"] for k in view.matches]
    assert names == ["blocks.1.ln_1.weight", "blocks.2.ln_1.weight"]
    _type(qtbot, gpt, "blocks.(", "regex")
    assert bar.count.text() == "bad regex"
    assert "bad regular expression" in bar.count.toolTip()
    assert _enter(qtbot, gpt) == ""  # Enter with a bad pattern goes nowhere, raises nothing
    assert not bar.next_button.isEnabled()


def test_breadcrumbs_follow_the_selection_and_a_crumb_closes_its_module(qtbot, gpt):
    view, crumbs = gpt.graph_view, gpt.breadcrumbs
    assert crumbs.isVisible() and crumbs.texts() == []
    _type(qtbot, gpt, "blocks.1.mlp.c_fc.weight", "exact")
    key = _enter(qtbot, gpt)
    assert crumbs.texts() == ["GPT", "blocks", "Block 1", "mlp", "c_fc", "blocks.1.mlp.c_fc.weight"]
    assert "g:GPT/blocks/1/mlp" in view.open_groups()
    mlp = next(b for b in crumbs.findChildren(QToolButton) if b.text() == "mlp")
    qtbot.mouseClick(mlp, Qt.MouseButton.LeftButton)
    _settle(qtbot, gpt)
    assert view.selected() == "g:GPT/blocks/1/mlp"
    assert "g:GPT/blocks/1/mlp" not in view.open_groups()
    assert "g:GPT/blocks/1" in view.open_groups()
    assert "g:GPT/blocks/1/mlp" in _cards(gpt)
    assert crumbs.texts() == ["GPT", "blocks", "Block 1", "mlp"]
    # Selecting another node moves the crumbs with it; a node in no module has no crumbs.
    outside = next(k for k in view.drawn.graph if k not in view.tree.owner)
    gpt.controller.select(outside)
    assert crumbs.texts() == [view.drawn.graph.nodes[outside]["name"]]
    gpt.controller.select(key)
    assert crumbs.texts()[-2:] == ["c_fc", "blocks.1.mlp.c_fc.weight"]


def test_a_click_or_a_drag_on_the_minimap_moves_the_view(qtbot, gpt):
    view = gpt.graph_view
    view.toggle_group("g:GPT/blocks")
    _settle(qtbot, gpt)
    view.zoom_by(1.0 / view.transform().m11())  # 100 %: the graph is bigger than the view
    mini = view.minimap
    qtbot.waitUntil(mini.isVisible, timeout=2000)
    image = mini._image_rect()
    for fx, fy in ((0.2, 0.1), (0.8, 0.9)):
        target = QPoint(
            image.left() + round(image.width() * fx), image.top() + round(image.height() * fy)
        )
        qtbot.mouseClick(mini, Qt.MouseButton.LeftButton, pos=target)
        centre = view.mapToScene(view.viewport().rect().center())
        want = mini.to_scene(QPointF(target))
        assert abs(centre.x() - want.x()) < 40 and abs(centre.y() - want.y()) < 40
        frame = mini.viewport_rect()
        assert frame.contains(QPointF(target)) or not view.sceneRect().contains(want)
    assert not view.auto_fit  # the user moved the view: stepping does not fit it back


def test_a_click_on_a_closed_module_shows_its_facts_in_the_inspector(qtbot, gpt_events):
    w = MainWindow()  # with the panels
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    c, view, ins = w.controller, w.graph_view, w.panels["inspector"]
    c.open_events(gpt_events, "gpt.vgtrace")
    _go(qtbot, w, len(gpt_events) - 1)  # both steps done: the gradient has reached every module
    view.toggle_group("g:GPT/blocks")
    _settle(qtbot, w)
    card = _cards(w)["g:GPT/blocks/2"]
    view.centerOn(card)
    QTest.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=view.mapFromScene(card.sceneBoundingRect().center()),
    )
    assert c.selection == "g:GPT/blocks/2"
    qtbot.waitUntil(lambda: ins.title.text() == "2 · Block · module", timeout=3000)
    facts = {
        ins.props.itemAt(i).widget().text(): ins.props.itemAt(i + 1).widget().text()
        for i in range(0, ins.props.count(), 2)
    }
    assert facts["module"] == "GPT › blocks › 2"
    assert facts["class"] == "Block"
    assert facts["inputs"] == facts["outputs"] == "(2, 8, 16)"
    assert facts["parameters"] == "3,280"
    assert facts["∇ outputs"] != "not reached yet"
    w.controller.shutdown()
