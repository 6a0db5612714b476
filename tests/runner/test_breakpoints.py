"""Each breakpoint kind stops the child where it should; matching rules checked in-process too."""

from __future__ import annotations

import numpy as np

from tests.runner.runner_helpers import Run, engine_events
from visgrad import events
from visgrad.demos import demo_path
from visgrad.runner.breakpoints import Breakpoint


def line_of(path, text: str) -> int:
    return next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if ln.startswith(text))


def last_engine_event(r: Run) -> events.Event:
    return engine_events(r.events)[-1]


def test_op_breakpoint_on_a_grad_fn_stops_in_forward_then_in_backward():
    bp = Breakpoint(1, "op", "AddBackward0")
    with Run("tutorial", demo=True, breakpoints=[bp], start_paused=False) as r:
        st = r.wait_stop()
        assert (st.reason, st.detail) == (
            "breakpoint",
            {"id": 1, "why": "forward add (AddBackward0)"},
        )
        ev = last_engine_event(r)
        assert isinstance(ev, events.ForwardOp) and ev.grad_fn == "AddBackward0"
        r.session.resume()
        st = r.wait_stop()
        assert st.detail["why"] == "backward AddBackward0"
        assert isinstance(last_engine_event(r), events.BackwardNode)


def test_op_breakpoint_on_an_op_name_and_set_while_paused():
    with Run("tutorial", demo=True) as r:
        r.wait_stop()
        r.session.set_breakpoints([Breakpoint(7, "op", "mm")])
        r.session.resume()
        st = r.wait_stop()
        assert st.detail == {"id": 7, "why": "forward mm (MmBackward0)"}
        assert last_engine_event(r).op == "mm"
        r.session.set_breakpoints([])
        r.session.resume()
        assert r.wait_stop().state == "finished"


def test_line_breakpoint_stops_once_on_entering_the_line():
    path = demo_path("tutorial")
    line = line_of(path, "z = torch.matmul(x, w) + b")  # two ops on this line
    bp = Breakpoint(2, "line", line, file=str(path))
    with Run("tutorial", demo=True, breakpoints=[bp], start_paused=False) as r:
        st = r.wait_stop()
        assert st.detail == {"id": 2, "why": f"line {line}"}
        evs = engine_events(r.events)
        assert evs[-1].source[1] == line
        assert all(getattr(e, "source", None) is None or e.source[1] != line for e in evs[:-1])
        r.session.resume()  # the add on the same line does not stop again
        assert r.wait_stop().state == "finished"


def test_tensor_breakpoint_stops_at_the_first_use_of_that_name():
    with Run(
        "tutorial", demo=True, breakpoints=[Breakpoint(3, "tensor", "w")], start_paused=False
    ) as r:
        st = r.wait_stop()
        assert st.detail["why"] == "forward touches w"
        ev = last_engine_event(r)
        w_id = next(
            e.tensor for e in r.events if isinstance(e, events.TensorNamed) and e.name == "w"
        )
        assert ev.op == "mm" and w_id in ev.inputs


def test_nan_breakpoint_stops_at_the_anomaly_in_backward():
    with Run("nan", demo=True, breakpoints=[Breakpoint(4, "nan")], start_paused=False) as r:
        st = r.wait_stop()
        assert st.reason == "breakpoint"
        ev = last_engine_event(r)
        assert isinstance(ev, events.Anomaly) and ev.where == "backward" and ev.nan == 1
        assert st.detail["why"] == ev.message and "SqrtBackward0" in ev.message


def test_grad_norm_breakpoint_stops_where_the_gradient_grows_past_the_threshold(script):
    code = "import torch\nx = torch.ones(3, requires_grad=True)\n(x * 10).sum().backward()\n"
    with Run(script(code), breakpoints=[Breakpoint(5, "grad_norm", 5.0)], start_paused=False) as r:
        st = r.wait_stop()
        ev = last_engine_event(r)
        assert isinstance(ev, events.BackwardNode) and ev.name == "MulBackward0"
        assert st.detail["why"] == "|grad| = 17.32 > 5 out of MulBackward0 (input 0)"


def test_disabled_breakpoints_never_match():
    ev = events.Anomaly(seq=1, name="SqrtBackward0", message="NaN")
    assert Breakpoint(1, "nan").matches(ev, {}) == "NaN"
    assert Breakpoint(1, "nan", enabled=False).matches(ev, {}) is None


def test_grad_norm_checks_accumulated_grads_by_name():
    ev = events.GradAccumulated(seq=1, tensor=9, grad=np.array([3.0, 4.0]))
    assert Breakpoint(1, "grad_norm", 4.5).matches(ev, {9: "w"}) == "|w.grad| = 5 > 4.5"
    assert Breakpoint(1, "grad_norm", 5.5).matches(ev, {9: "w"}) is None


def test_line_breakpoint_needs_the_same_file():
    ev = events.ForwardOp(seq=1, op="mul", source=("/a/prog.py", 3, "<module>"))
    assert Breakpoint(1, "line", 3, file="/a/prog.py").matches(ev, {}) == "line 3"
    assert Breakpoint(1, "line", 3, file="/b/prog.py").matches(ev, {}) is None
    assert Breakpoint(1, "line", 4, file="/a/prog.py").matches(ev, {}) is None


def test_breakpoints_round_trip_through_json():
    bp = Breakpoint(3, "line", 12, file="/x.py", enabled=False)
    assert Breakpoint.from_json(bp.to_json()) == bp
