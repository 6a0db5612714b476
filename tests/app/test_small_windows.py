"""The window at 1280×720 and 1024×640: it fits, the graph keeps its room, the slider is usable,
cards show their gradients, and selecting a node does not move the panels."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QDockWidget

from visgrad import events
from visgrad.app.main_window import MainWindow
from visgrad.app.minimap import PAD, VIEW_SHARE
from visgrad.app.window_size import PREFERRED, dock_sizes, first_size, fit_window
from visgrad.demos import demo_path
from visgrad.runner.session import run_headless

SIZES = [QSize(1280, 720), QSize(1024, 640)]


@pytest.fixture(scope="module")
def tutorial_events() -> list:
    evs: list = []
    assert run_headless("tutorial", demo=True, on_event=evs.append) == 0
    return [e for e in evs if not isinstance(e, events.RunState)]


def _window(qtbot, size: QSize, evs: list) -> MainWindow:
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    fit_window(w, size)
    c = w.controller
    c.open_events(evs, str(demo_path("tutorial")))
    # The end of the first backward: every tensor that requires grad has its gradient.
    c.go_to(next(i for i, e in enumerate(evs) if isinstance(e, events.BackwardEnd)) - 1)
    assert w.graph_view.wait_for_layout()
    qtbot.waitUntil(lambda: w.graph_view.graph_scene.node_count() == 14)
    return w


def _geometry(w: MainWindow) -> dict[str, QRect]:
    shown = {
        d.windowTitle(): d.geometry()
        for d in w.findChildren(QDockWidget)
        if not d.visibleRegion().isEmpty()
    }
    return shown | {"graph": w.graph_view.geometry(), "timeline": w.timeline.geometry()}


def test_first_size_fits_the_screen():
    assert first_size(None) == PREFERRED
    assert first_size(QSize(3840, 2160)) == PREFERRED
    small = first_size(QSize(1280, 720))
    assert small.width() <= 1280 and small.height() <= 720
    assert dock_sizes(QSize(1024, 640)) == (230, 134)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s.width()}x{s.height()}")
def test_the_window_fits_and_the_graph_and_slider_keep_their_room(qtbot, tutorial_events, size):
    w = _window(qtbot, size, tutorial_events)
    try:
        assert w.size() == size
        view, slider = w.graph_view, w.timeline.slider
        # The graph keeps half the width and half the height of the window.
        assert view.width() >= size.width() // 2 and view.height() >= size.height() // 2
        assert slider.width() >= 150, slider.width()
        for name, rect in _geometry(w).items():
            assert QRect(0, 0, size.width(), size.height()).contains(rect), (name, rect)
        # The minimap leaves most of a small view to the graph.
        mini = view.minimap
        if mini.isVisible():
            vp = view.viewport()
            cap = VIEW_SHARE * min(vp.width(), vp.height()) + 2 * PAD + 1
            assert max(mini.width(), mini.height()) <= cap
    finally:
        w.controller.shutdown()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s.width()}x{s.height()}")
def test_selecting_nodes_does_not_resize_the_panels(qtbot, tutorial_events, size):
    w = _window(qtbot, size, tutorial_events)
    try:
        c = w.controller
        before = _geometry(w)
        keys = [f"t{t.id}" for t in c.state().tensors.values()]
        keys += [f"f{f}" for f in c.state().functions]
        for key in keys:
            c.select(key)
            qtbot.wait(5)
            assert _geometry(w) == before, key
    finally:
        w.controller.shutdown()


def _grad_pixels(w: MainWindow, key: str) -> int:
    """Pixels in the gradient colour inside the lower half of ``key``'s card, on screen."""
    view = w.graph_view
    item = view.graph_scene.items_by_key[key]
    rect = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
    rect.setTop(rect.center().y())
    image = view.viewport().grab().toImage()
    grad = view.colors.grad
    hits = 0
    for y in range(max(rect.top(), 0), min(rect.bottom(), image.height() - 1)):
        for x in range(max(rect.left(), 0), min(rect.right(), image.width() - 1)):
            c = image.pixelColor(x, y)
            near = abs(c.red() - grad.red()) + abs(c.green() - grad.green())
            if near + abs(c.blue() - grad.blue()) < 90:
                hits += 1
    return hits


@pytest.mark.parametrize("scale", [0.9, 0.45], ids=["full-card", "zoomed-out"])
def test_cards_show_their_gradient_at_a_fitted_scale(qtbot, tutorial_events, scale):
    w = _window(qtbot, SIZES[0], tutorial_events)
    try:
        view, state = w.graph_view, w.controller.state()
        view.zoom_by(scale / view.transform().m11())
        with_grad = {
            t.name: f"t{t.id}"
            for t in state.tensors.values()
            if (t.grad if t.is_leaf else t.dloss) is not None
        }
        assert {"w", "b", "z", "loss"} <= set(with_grad)
        items = view.graph_scene.items_by_key
        assert abs(view.transform().m11() - scale) < 1e-6
        for name, key in with_grad.items():
            view.centerOn(items[key])  # QGraphicsView's: keeps the zoom
            qtbot.wait(10)
            assert _grad_pixels(w, key) > 6, name
        # A tensor that does not require grad has no gradient row to paint.
        x = next(f"t{t.id}" for t in state.tensors.values() if t.name == "x")
        view.centerOn(items[x])
        qtbot.wait(10)
        assert _grad_pixels(w, x) == 0
    finally:
        w.controller.shutdown()


def test_the_source_gets_most_of_the_left_column(qtbot, tutorial_events):
    w = _window(qtbot, SIZES[1], tutorial_events)
    try:
        source = w.panels["source"].parentWidget()
        variables = w.panels["variables"].parentWidget()
        assert source.height() > 1.3 * variables.height(), (source.height(), variables.height())
    finally:
        w.controller.shutdown()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s.width()}x{s.height()}")
def test_inspector_facts_keep_readable_values_in_a_narrow_dock(qtbot, tutorial_events, size):
    w = _window(qtbot, size, tutorial_events)
    try:
        c, ins = w.controller, w.panels["inspector"]
        c.select(next(f"t{t.id}" for t in c.state().tensors.values() if t.name == "w"))
        qtbot.waitUntil(lambda: ins.props.count() > 0, timeout=3000)
        pairs = 1 if ins.width() < 340 else 2
        columns = {ins.props.getItemPosition(i)[1] for i in range(ins.props.count())}
        assert columns == ({0, 1} if pairs == 1 else {0, 1, 2, 3})
        # Every value is given at least its own text's width, or wraps within a useful one.
        for i in range(ins.props.count()):
            label = ins.props.itemAt(i).widget()
            if ins.props.getItemPosition(i)[1] % 2 and label.text() in ("float32", "True"):
                assert label.width() >= label.fontMetrics().horizontalAdvance(label.text())
    finally:
        w.controller.shutdown()


def test_help_dialogs_fit_a_small_window(qtbot, tutorial_events):
    w = _window(qtbot, SIZES[1], tutorial_events)
    try:
        w.show_shortcuts()
        dialog = w.help_dialog
        assert dialog.height() <= w.height() and dialog.width() <= w.width()
        dialog.close()
    finally:
        w.controller.shutdown()


def test_the_slider_keeps_its_width_while_the_cursor_moves(qtbot, tutorial_events):
    w = _window(qtbot, SIZES[1], tutorial_events)
    try:
        c, slider = w.controller, w.timeline.slider
        widths = set()
        for tick in (-1, 0, 9, 10, len(c.model) - 1):
            c.go_to(tick)
            qtbot.wait(5)
            widths.add(slider.width())
        assert len(widths) == 1, widths
        # The position label is sized to this run, not to a fixed 120 pixels.
        assert w.timeline.position.minimumWidth() < 120
    finally:
        w.controller.shutdown()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s.width()}x{s.height()}")
def test_the_search_field_stays_on_the_toolbar(qtbot, tutorial_events, size):
    w = _window(qtbot, size, tutorial_events)
    try:
        bar, field = w.search_bar, w.search_field
        qtbot.waitUntil(lambda: not bar.visibleRegion().isEmpty())
        # On the toolbar itself, whole, not in its overflow menu; the query keeps a usable width.
        top_left = bar.mapTo(w, bar.rect().topLeft())
        assert QRect(top_left, bar.size()).right() <= w.width()
        assert field.width() >= 90 and not field.visibleRegion().isEmpty()
        assert bar.mode.isVisible()
        # Narrow, the previous / next buttons make way (Enter and Shift+Enter still go).
        assert bar.next_button.isVisible() == (not bar.compact), bar.width()
        if size.width() >= 1280:
            assert not bar.compact and bar.width() >= 400
    finally:
        w.controller.shutdown()


def test_at_1024x640_the_source_shows_more_than_a_few_lines(qtbot, tutorial_events):
    w = _window(qtbot, SIZES[1], tutorial_events)
    try:
        code = w.panels["source"].code
        lines = code.viewport().height() // code.fontMetrics().lineSpacing()
        assert lines >= 8, lines
        variables = w.panels["variables"].parentWidget()
        # The code itself (not its dock with title and tabs) outgrows the Variables dock.
        assert code.viewport().height() >= 1.25 * variables.height(), (lines, variables.height())
    finally:
        w.controller.shutdown()
