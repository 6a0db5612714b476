"""Problems the trace model finds for the window to raise: stale gradients, every tensor's grad."""

from __future__ import annotations

import numpy as np
import pytest

import visgrad as torch
from visgrad import events as ev
from visgrad.trace.index import MARK_UNZEROED
from visgrad.trace.model import TraceModel


def _train(zero: str, steps: int = 3) -> tuple[TraceModel, torch.Tensor]:
    torch.manual_seed(0)
    with ev.Recorder() as rec:
        lin = torch.nn.Linear(2, 1)
        opt = torch.optim.SGD(lin.parameters(), lr=0.1)
        x = torch.randn(4, 2)
        for _ in range(steps):
            if zero == "zero_grad":
                opt.zero_grad()
            elif zero == "data":
                for p in lin.parameters():
                    if p.grad is not None:
                        p.grad.data.zero_()
            loss = lin(x).pow(2).mean()
            loss.backward()
            opt.step()
    return TraceModel(rec.events), lin.weight


def test_a_loop_without_zero_grad_is_found_once_per_parameter_and_iteration() -> None:
    m, w = _train("none")
    found = m.unzeroed_grads()
    mine = [u for u in found if u.tensor == w._id]
    assert [(u.iteration, u.since_iteration) for u in mine] == [(2, 1), (3, 1)]
    for u in found:
        assert MARK_UNZEROED in m.marks(u.tick)
        assert isinstance(m.events[u.tick], ev.GradAccumulated)
    assert len(found) == 4  # weight and bias, iterations 2 and 3
    assert m.unzeroed_grads(found[0].tick - 1) == []


@pytest.mark.parametrize("zero", ["zero_grad", "data"])
def test_zeroing_each_iteration_raises_nothing(zero: str) -> None:
    m, _ = _train(zero)
    assert m.unzeroed_grads() == []
    assert m.marked_ticks(MARK_UNZEROED) == []


def test_retain_graph_backward_twice_in_one_iteration_is_not_stale() -> None:
    with ev.Recorder() as rec:
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
    assert TraceModel(rec.events).unzeroed_grads() == []


def test_every_intermediate_has_its_gradient_once_its_grad_fn_ran() -> None:
    with ev.Recorder() as rec:
        w = torch.tensor(2.0, requires_grad=True)
        a = w * 3
        b = a + w * 4
        loss = b * b
        loss.backward()
    m = TraceModel(rec.events)
    before = next(i for i, e in enumerate(rec.events) if isinstance(e, ev.BackwardBegin))
    assert m.gradient_at(a._id, before) is None
    end = len(m) - 1
    assert float(m.gradient_at(loss._id, end)) == 1.0
    assert float(m.gradient_at(b._id, end)) == 2 * 14.0
    assert float(m.gradient_at(a._id, end)) == 28.0
    assert float(m.gradient_at(w._id, end)) == 28.0 * 7 == float(w.grad)


def test_memory_budget_never_changes_a_state_already_handed_out() -> None:
    with ev.Recorder() as rec:
        x = torch.ones(64, requires_grad=True)
        y = x
        for _ in range(30):
            y = y * 1.5
        y.sum().backward()
    m = TraceModel(keyframe_every=4)
    m.extend(rec.events[:20])
    s = m.state_at(10)
    held = {tid: t.value for tid, t in s.tensors.items()}
    m.memory_budget_bytes = 2000
    m.extend(rec.events[20:])
    assert m.dropped_payloads > 0
    assert {tid: t.value for tid, t in s.tensors.items()} == held  # same objects, untouched
    assert all(isinstance(v, np.ndarray) for v in held.values() if v is not None)
    later = m.state_at(10)
    assert any(not isinstance(t.value, np.ndarray) for t in later.tensors.values())
