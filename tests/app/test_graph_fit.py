"""Fit and zoomed-out labels: a long thin graph stays readable, group names stay legible far out."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

import visgrad as torch
from visgrad import events
from visgrad.app.group_boxes import TITLES_ABOVE_BELOW
from visgrad.app.group_items import FAR_PX, GroupItem
from visgrad.app.main_window import MainWindow
from visgrad.app.view_navigation import READABLE


def _chain_events(blocks: int) -> list[events.Event]:
    """A residual chain: each block a mul, a tanh and an add; about 8 nodes a block."""
    events.reset_seq()
    with events.Recorder() as rec:
        h = torch.ones(4, requires_grad=True)
        for _ in range(blocks):
            w = torch.randn(4, requires_grad=True)
            h = (h * w).tanh() + h
        h.sum().backward()
    return rec.events


@pytest.fixture
def window(qtbot) -> MainWindow:
    w = MainWindow(panels=False)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    w.graph_view.set_scope("iteration")
    return w


def test_fit_of_a_long_thin_graph_fills_its_width_and_starts_at_the_top(qtbot, window):
    c, view = window.controller, window.graph_view
    c.open_events(_chain_events(60), "chain.vgtrace")
    assert view.wait_for_layout(20000)
    view.fit()
    rect = view.graph_scene.sceneRect()
    assert rect.height() > 10 * rect.width()  # long and thin, top to bottom
    scale = view.transform().m11()
    assert view.fit_narrow and scale >= READABLE  # not the 1:100 sliver of a whole fit
    seen = view.visible_scene_rect()
    assert seen.width() >= rect.width() * 0.99 or scale == 1.0  # the narrow side fits
    assert seen.top() <= rect.top() + 1 and seen.bottom() < rect.bottom()  # the start, scrolled
    # A graph that fits readably is shown whole.
    c.open_events(_chain_events(1), "short.vgtrace")
    assert view.wait_for_layout(20000)
    view.fit()
    assert not view.fit_narrow and view.visible_scene_rect().contains(view.graph_scene.sceneRect())


def test_closed_groups_keep_legible_names_when_zoomed_out(qtbot, window):
    import visgrad.nn as nn

    events.reset_seq()
    with events.Recorder() as rec:
        net = nn.Sequential(*[nn.Sequential(nn.Linear(4, 4), nn.Tanh()) for _ in range(3)])
        net(torch.ones(2, 4)).sum().backward()
    c, view = window.controller, window.graph_view
    c.open_events(rec.events, "net.vgtrace")
    assert view.wait_for_layout(20000)
    view.set_expanded({"g:Sequential"})
    assert view.wait_for_layout(20000)
    scene = view.graph_scene
    cards = [i for i in scene.items_by_key.values() if isinstance(i, GroupItem) and scene.shown(i)]
    assert [c.attrs["name"] for c in cards] == ["0", "1", "2"]
    for scale in (0.5, 0.3, 0.2):
        view.zoom_by(scale / view.transform().m11())
        for card in cards:
            view.centerOn(card)
            window.grab()  # paint it at this zoom
            px, label = card._far
            assert label.startswith(card.attrs["name"][:3])
            assert px * scale >= FAR_PX - 0.5  # at least 12 px high on screen
        # The open model's title is drawn over the nodes once it outgrows its band.
        assert scene.box_titles.isVisible() == (scale < TITLES_ABOVE_BELOW)
    view.zoom_by(1.0 / view.transform().m11())
    assert not scene.box_titles.isVisible() and not scene.host.titles_above


def _empty_point(view) -> QPoint:
    """A viewport point over no node and no group box."""
    vp = view.viewport().rect()
    for y in range(5, vp.height(), 20):
        for x in range(5, vp.width(), 20):
            p = QPoint(x, y)
            if view.node_at(QPointF(p)) is None and view.box_at(QPointF(p)) is None:
                return p
    raise AssertionError("no empty point in the viewport")


def test_a_click_on_empty_canvas_keeps_fitting_a_growing_graph(qtbot, window):
    c, view = window.controller, window.graph_view
    evs = _chain_events(12)
    c.open_events(evs, "chain.vgtrace")
    c.go_to(12)
    assert view.wait_for_layout(20000)
    qtbot.wait(20)
    # Clicked to focus the graph (or to clear a selection): the view did not move, so it
    # still fits the graph as the program makes it.
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_empty_point(view))
    assert view.auto_fit
    c.go_to(len(evs) - 1)
    assert view.wait_for_layout(20000)
    qtbot.wait(20)
    seen, rect = view.visible_scene_rect(), view.graph_scene.sceneRect()
    assert seen.intersects(rect)
    assert seen.top() <= rect.top() + 1 and (view.fit_narrow or seen.contains(rect))
    # A drag pans: then the user holds the view.
    start = _empty_point(view)
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    QTest.mouseMove(view.viewport(), start + QPoint(40, 40))
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=start + QPoint(40, 40))
    assert not view.auto_fit


def _two_iterations() -> list[events.Event]:
    events.reset_seq()
    with events.Recorder() as rec:
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
        x = torch.randn(4, 3)
        for _ in range(2):
            net.zero_grad()
            net(x).pow(2).mean().backward()
    return rec.events


def _nodes_in_sight(view) -> int:
    scene = view.graph_scene
    return sum(scene.shown(item) for item in scene.items(view.visible_scene_rect()))


def test_time_travel_to_another_iteration_never_leaves_the_view_on_empty_canvas(qtbot, window):
    c, view = window.controller, window.graph_view
    evs = _two_iterations()
    c.open_events(evs, "two.vgtrace")
    c.go_to(len(evs) - 1)
    assert view.wait_for_layout(20000)
    # The user took the view somewhere (here: off the drawing, as a search or a pan can leave it).
    view.zoom_by(1.0 / view.transform().m11())
    view.pan_to(view.graph_scene.sceneRect().bottomRight() + QPointF(3000, 3000))
    assert _nodes_in_sight(view) == 0
    first = next(i for i, e in enumerate(evs) if isinstance(e, events.BackwardNode))
    c.go_to(first)  # the first iteration: another drawing replaces this one
    assert view.wait_for_layout(20000)
    qtbot.wait(20)
    assert _nodes_in_sight(view) > 0
    assert abs(view.transform().m11() - 1.0) < 1e-6  # its zoom kept: centred on the current op
