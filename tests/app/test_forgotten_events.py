"""A run that forgot its oldest events for the memory budget: the window says so, saves a
truncated file and reopens it as one."""

from __future__ import annotations

import pytest

from tests.trace.test_horizon import BUDGET, _train
from visgrad.app.controller import Controller
from visgrad.app.main_window import MainWindow
from visgrad.trace.files import first_tick_of, save_trace
from visgrad.trace.model import TraceModel


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
