"""The first NaN/Inf of a run, found from the event log alone."""

from __future__ import annotations

import visgrad as torch
from visgrad import events
from visgrad.trace.nan_origin import first_anomaly


def _log(fn) -> list[events.Event]:
    with events.Recorder() as r:
        fn()
    return r.events


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
