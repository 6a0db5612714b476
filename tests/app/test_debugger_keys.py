"""The debugger's keys are VS Code's: F10 over a line, F11 into one event, Shift+F11 out of a
pass, F5 on, Shift+F5 stop; F7 / F8 for the next forward op / backward node."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from visgrad import events
from visgrad.app.main_window import MainWindow
from visgrad.runner.session import run_headless
from visgrad.trace.lines import next_line_tick
from visgrad.trace.model import TraceModel

PROGRAM = """\
import visgrad as torch
w = torch.ones(3, requires_grad=True)
def f(a):
    return (a * 2).sum()
x = f(w)
print("after f")
x.backward()
y = (w * w).sum()
"""
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    yield w
    w.controller.shutdown()


@pytest.fixture
def live(qtbot, window, tmp_path):
    script = tmp_path / "prog.py"
    script.write_text(PROGRAM)
    c = window.controller
    with qtbot.waitSignal(c.paused_at, timeout=20_000):
        c.open_script(str(script))
    return window


def _at(c):
    """The engine event the cursor stands on (names the runner sends after it are skipped)."""
    t = c.tick
    while c.model.events[t].kind in ("named", "output"):
        t -= 1
    return c.model.events[t]


def _press(qtbot, w, key, mod=Qt.KeyboardModifier.NoModifier):
    c = w.controller
    with qtbot.waitSignal(
        c.run_state_changed, timeout=20_000, check_params_cb=lambda s: s != "running"
    ):
        qtbot.keyClick(w, key, mod)
    c.drain()


def test_f10_steps_over_lines_and_the_source_and_status_follow(qtbot, live):
    c, src = live.controller, live.panels["source"]
    seen = []
    for _ in range(5):
        _press(qtbot, live, Qt.Key.Key_F10)
        line = c.pause_line()
        seen.append(line[1])
        assert f"Paused at line {line[1]}" in live.status_line()
        qtbot.waitUntil(lambda line=line: src.code.current_line == line[1], timeout=3000)
    assert seen == [1, 2, 3, 5, 6]
    # f(w) ran under F10 at line 5: its mul and sum are in the graph before line 6 runs.
    assert [e.op for e in c.model.events if isinstance(e, events.ForwardOp)] == ["mul", "sum"]


def test_f11_runs_exactly_one_event(qtbot, live):
    c = live.controller
    before = len(c.model)
    _press(qtbot, live, Qt.Key.Key_F11)
    _press(qtbot, live, Qt.Key.Key_F11)
    engine = [e for e in c.model.events[before:] if e.kind not in ("output", "named")]
    assert len(engine) == 2


def test_shift_f11_steps_out_of_forward_then_out_of_backward(qtbot, live):
    c = live.controller
    _press(qtbot, live, Qt.Key.Key_F11, SHIFT)  # forward: to the backward() call
    assert isinstance(_at(c), events.BackwardBegin)
    _press(qtbot, live, Qt.Key.Key_F11)  # into backward
    _press(qtbot, live, Qt.Key.Key_F11, SHIFT)  # out of it
    assert isinstance(_at(c), events.BackwardEnd)


def test_f7_f8_go_to_the_next_forward_op_and_backward_node(qtbot, live):
    c = live.controller
    _press(qtbot, live, Qt.Key.Key_F7)
    assert isinstance(_at(c), events.ForwardOp)
    _press(qtbot, live, Qt.Key.Key_F8)
    assert isinstance(_at(c), events.BackwardNode)


def test_f5_runs_to_the_end_and_shift_f5_is_stop(qtbot, live):
    c = live.controller
    assert live.actions_by_name["stop"].shortcut().toString() == "Shift+F5"
    _press(qtbot, live, Qt.Key.Key_F5)
    assert c.run_state == "finished"


def test_step_over_in_the_recorded_past_skips_the_called_function(qtbot, tmp_path):
    script = tmp_path / "p.py"
    script.write_text(PROGRAM)
    evs: list = []
    assert run_headless(script, on_event=evs.append) == 0
    model = TraceModel([e for e in evs if e.kind != "run"])
    lines = []
    tick = -1
    while (tick := next_line_tick(model, tick)) is not None:
        lines.append(model.events[tick].source[1])
    # The module's lines that made events; f's body (line 4) is stepped over with line 5.
    assert lines == [2, 7, 8]


def test_tooltips_and_help_name_the_keys(qtbot, window):
    a = window.actions_by_name
    for name, key in (
        ("step_over", "F10"),
        ("step_into", "F11"),
        ("step_out", "Shift+F11"),
        ("continue", "F5"),
        ("stop", "Shift+F5"),
        ("step_forward", "F7"),
        ("step_backward", "F8"),
    ):
        assert a[name].toolTip().endswith(f"({key})"), a[name].toolTip()
    window.show_shortcuts()
    text = window.help_dialog.text.toPlainText()
    for key, what in (("F10", "Step over"), ("F11", "Step into"), ("Shift+F11", "Step out")):
        assert f"{key}\t{what}" in text or f"{key} {what}" in text.replace("\n", " "), text
    window.help_dialog.close()
    window.show_tour()
    tour = window.help_dialog
    pages = set()
    for _ in range(10):
        pages.add(tour.title.text())
        tour.next.click()
    assert len(pages) >= 4
    tour.close()
