"""A run that forgot its oldest events for the memory budget: the window says so, saves a
truncated file and reopens it as one."""

from __future__ import annotations

import pytest

import visgrad as torch
from tests.app.panel_harness import StaticController
from tests.trace.test_horizon import BUDGET, _train
from visgrad import events as ev
from visgrad.app import timeline
from visgrad.app.controller import Controller
from visgrad.app.main_window import MainWindow
from visgrad.app.panels.inspector import Inspector
from visgrad.trace.files import first_tick_of, save_trace
from visgrad.trace.model import TraceModel
from visgrad.trace.state import tkey


def _run() -> list:
    m = TraceModel()
    _train(m, 120)
    return list(m.events)


@pytest.fixture
def window(qtbot) -> MainWindow:
    w = MainWindow(Controller(memory_budget_bytes=BUDGET))
    qtbot.addWidget(w)
    w.resize(1280, 720)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.controller.shutdown()


def test_saving_after_events_were_forgotten_writes_a_truncated_file(qtbot, window, tmp_path):
    c = window.controller
    c.open_events(_run(), "run.vgtrace")
    assert c.model.forgotten > 0
    out = tmp_path / "cut.vgtrace"
    with qtbot.waitSignal(c.message, timeout=10_000) as said:
        c.save_trace(str(out))
    assert first_tick_of(out) == c.model.forgotten
    assert f"truncated: ticks {c.model.forgotten:,} on" in said.args[0]


def test_opening_a_truncated_file_says_so_in_one_line(qtbot, tmp_path):
    cut = TraceModel(memory_budget_bytes=BUDGET)
    _train(cut, 120)
    path = tmp_path / "cut.vgtrace"
    save_trace(path, cut)
    c = Controller(memory_budget_bytes=None)
    with qtbot.waitSignal(c.message, timeout=10_000) as said:
        c.open_trace(str(path))
    assert c.model.forgotten == cut.forgotten and len(c.model) == len(cut)
    note = said.args[0]
    assert "\n" not in note and f"first {cut.forgotten:,} events were forgotten" in note
    c.shutdown()


def test_a_notice_above_the_graph_says_how_many_events_were_forgotten(qtbot, window):
    c = window.controller
    c.open_events(_run(), "run.vgtrace")
    n = c.model.forgotten
    banner = window.banners.visible()["forgotten"]
    assert banner.level == "info"
    text = banner.text.text()
    assert f"{n:,} earlier events were forgotten" in text and "memory budget of 0.5 MB" in text
    assert f"keeps only the newest {len(c.model.kept_events):,} events" in text
    assert f"({n:,} forgotten)" in window.status_counts.text()
    c.go_to(len(c.model) - 1)
    banner.buttons["Go to first kept"].click()
    assert c.tick == n


def test_a_closed_notice_stays_closed_as_more_events_are_forgotten(qtbot, window):
    c = window.controller
    evs = _run()
    c.open_events(evs[: len(evs) // 2], "run.vgtrace")
    before = c.model.forgotten
    assert before > 0
    window.banners.visible()["forgotten"].close_button.click()
    c._append(evs[len(evs) // 2 :])
    c.events_appended.emit(len(c.model))
    assert c.model.forgotten > before
    assert "forgotten" not in window.banners.visible()
    assert f"{c.model.forgotten:,} earlier" in window.banners.banners["forgotten"].text.text()


def test_a_run_that_forgot_nothing_has_no_notice(qtbot):
    w = MainWindow(Controller(memory_budget_bytes=None))
    qtbot.addWidget(w)
    w.controller.open_events(_run(), "run.vgtrace")
    assert "forgotten" not in w.banners.banners and "forgotten" not in w.status_counts.text()
    assert w.timeline.slider.horizon_x() is None
    w.controller.shutdown()


def test_the_timeline_marks_where_the_kept_ticks_begin(qtbot, window):
    c = window.controller
    c.open_events(_run(), "run.vgtrace")
    n = c.model.forgotten
    slider = window.timeline.slider
    qtbot.waitUntil(lambda: slider.width() > 100)
    assert slider.horizon == n and f"before {n:,} were forgotten" in slider.toolTip()
    x = slider.horizon_x()
    assert x is not None and 0 < x < slider.width()
    image = slider.grab().toImage()
    ratio = image.width() / slider.width()
    line = image.pixelColor(round(x * ratio), image.height() // 2)
    assert line.name() == timeline.HORIZON_COLOR
    c.go_to(n - 1)
    assert window.timeline.position.text().endswith("· forgotten")
    c.go_to(n)
    assert "forgotten" not in window.timeline.position.text()


def test_forgotten_rows_of_the_event_list_say_so(qtbot, window):
    c = window.controller
    c.open_events(_run(), "run.vgtrace")
    rows = window.findChild(timeline.EventList).model()
    first = rows.data(rows.index(0, 0))
    assert "forgotten" in first and "memory budget" in first
    assert "forgotten" not in rows.data(rows.index(c.model.forgotten, 0))


def _wide_run() -> TraceModel:
    """A run whose 12,000-float weight is too big to carry past the horizon of a 0.5 MB budget:
    later events reach tensors the cut trace has no record of."""
    whole = TraceModel()
    ev.reset_seq()
    detach = ev.subscribe(whole.append)
    try:
        torch.manual_seed(0)
        net = torch.nn.Sequential(
            torch.nn.Linear(120, 100), torch.nn.Tanh(), torch.nn.Linear(100, 1)
        )
        opt = torch.optim.SGD(net.parameters(), lr=0.01)
        x, y = torch.randn(4, 120), torch.randn(4, 1)
        for _ in range(40):
            opt.zero_grad()
            torch.nn.functional.mse_loss(net(x), y).backward()
            opt.step()
    finally:
        detach()
    return TraceModel(list(whole.events), memory_budget_bytes=BUDGET)


def test_the_inspector_says_a_value_was_forgotten_rather_than_show_garbage(qtbot):
    cut = _wide_run()
    c = StaticController(cut)
    state = c.state()
    unknown = [t for t in state.tensors.values() if t.value is None and not t.dtype]
    assert cut.forgotten > 0 and unknown
    insp = Inspector(c)
    qtbot.addWidget(insp)
    insp.resize(560, 640)
    insp.show()
    c.select(tkey(unknown[0].id))
    qtbot.waitUntil(lambda: insp.shown == ("t", unknown[0].id))
    props = {k.text(): v.text() for k, v in insp._prop_cells}
    assert props["value"].startswith(f"value forgotten: made before tick {cut.forgotten:,}")
    assert props["shape"] == "unknown" and props["dtype"] == "unknown"
    assert insp.views["Value"].note.text() == props["value"]
    assert [insp.stats.item(i, 0).text() for i in range(6)] == ["—"] * 6
    # A tensor the trace knows shows its facts as ever.
    known = next(t for t in state.tensors.values() if t.role == "parameter")
    c.select(tkey(known.id))
    qtbot.waitUntil(lambda: insp.shown == ("t", known.id))
    props = {k.text(): v.text() for k, v in insp._prop_cells}
    assert "value" not in props and props["shape"] == str(tuple(known.shape))
    assert "forgotten" not in insp.views["Value"].note.text()
