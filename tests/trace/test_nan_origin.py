"""The first NaN/Inf of a run, and the event marks and queries the trace model gives for it."""

from __future__ import annotations

import visgrad as torch
from visgrad import events
from visgrad.trace.index import MARK_NAN
from visgrad.trace.model import TraceModel


def _log(fn) -> list[events.Event]:
    with events.Recorder() as r:
        fn()
    return r.events


def first_anomaly(log, upto=None):
    return TraceModel(log).nan_origin(upto)


def test_backward_nan_names_the_node_and_the_forward_op_behind_it():
    def prog():
        x = torch.tensor([4.0, 0.0, 1.0], requires_grad=True)
        (torch.sqrt(x) * torch.tensor([1.0, 0.0, 1.0])).sum().backward()

    log = _log(prog)
    o = first_anomaly(log)
    assert o is not None and o.where == "backward" and o.name == "SqrtBackward0"
    assert o.forward_op == "sqrt" and o.nan == 1
    fwd = next(e for e in log if isinstance(e, events.ForwardOp) and e.op == "sqrt")
    assert o.select == f"f{fwd.node}"
    assert o.marks == {f"f{fwd.node}": "nan", f"t{fwd.outputs[0]}": "nan"}
    assert isinstance(log[o.tick], events.Anomaly)


def test_forward_inf_selects_the_bad_value():
    def prog():
        x = torch.tensor([1.0, 0.0], requires_grad=True)
        y = x * 2
        torch.log(y)

    o = first_anomaly(_log(prog))
    assert o is not None and o.where == "forward" and o.inf == 1
    assert o.select == f"t{o.tensor}" and o.marks[o.select] == "nan"
    assert "forward value made by log" in o.explanation


def test_a_clean_run_has_no_origin_and_upto_limits_the_search():
    log = _log(lambda: (torch.ones(2, requires_grad=True) * 3).sum().backward())
    assert first_anomaly(log) is None
    assert first_anomaly([], upto=5) is None


def test_nan_events_are_marked_and_origins_are_listed_in_order():
    def prog():
        x = torch.tensor([4.0, 0.0, 1.0], requires_grad=True)
        y = torch.log(x - 4)  # forward: NaN and -Inf
        (torch.sqrt(x) * torch.tensor([1.0, 0.0, 1.0])).sum().backward()
        return y

    log = _log(prog)
    m = TraceModel(log)
    origins = m.nan_origins()
    assert [o.where for o in origins] == ["forward", "backward"]
    assert m.nan_origin() == origins[0]
    assert m.nan_origins(origins[1].tick - 1) == origins[:1]
    marked = m.marked_ticks(MARK_NAN)
    log_op = next(i for i, e in enumerate(log) if isinstance(e, events.ForwardOp) and e.op == "log")
    sqrt_node = next(e.node for e in log if isinstance(e, events.ForwardOp) and e.op == "sqrt")
    bad_run = next(
        i for i, e in enumerate(log) if isinstance(e, events.BackwardNode) and e.node == sqrt_node
    )
    assert {origins[0].tick, origins[1].tick, log_op, bad_run} <= set(marked)
    assert MARK_NAN in m.marks(log_op) and m.marks(0) == ()
