"""The horizon: a trace over its memory budget forgets its oldest events, and says so."""

from __future__ import annotations

import visgrad as torch
from visgrad import events as ev
from visgrad.graph.build import graph_at
from visgrad.trace import budget, horizon
from visgrad.trace.model import TraceModel

BUDGET = 512 * 1024


def _train(model: TraceModel, steps: int) -> None:
    ev.reset_seq()
    detach = ev.subscribe(model.append)
    try:
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        x = torch.randn(20, 3)
        y = x.sum(dim=1, keepdim=True)
        for _ in range(steps):
            opt.zero_grad()
            torch.nn.functional.mse_loss(net(x), y).backward()
            opt.step()
    finally:
        detach()


def test_a_long_run_stays_within_its_budget_as_counted() -> None:
    m = TraceModel(memory_budget_bytes=BUDGET)
    _train(m, 120)
    assert m.forgotten > 0
    assert m.footprint_bytes <= BUDGET
    # The events kept fit in what the budget leaves them; the rest were forgotten.
    assert len(m.kept_events) * budget.EVENT_BYTES <= BUDGET // 2
    assert len(m) == m.forgotten + len(m.kept_events)


def test_forgetting_is_flagged_on_the_log_and_every_state() -> None:
    m = TraceModel(memory_budget_bytes=BUDGET)
    _train(m, 120)
    assert m.events[0] is horizon.FORGOTTEN and m.events[m.forgotten] is m.kept_events[0]
    assert list(m.events)[: m.forgotten] == [horizon.FORGOTTEN] * m.forgotten
    assert m.state_at(len(m) - 1).forgotten == m.forgotten
    note = horizon.note(m.forgotten, m.memory_budget_bytes, len(m.kept_events))
    assert note.startswith(f"{m.forgotten:,} earlier events were forgotten")
    assert "memory budget of 0.5 MB" in note and f"back to tick {m.forgotten:,}" in note
    assert f"keeps only the newest {len(m.kept_events):,} events" in note
    assert "budget of 40 MB" in horizon.note(5, 40 << 20, 9)
    assert "before this trace was saved" in horizon.note(5, None, 9)


def test_rewinding_before_the_horizon_gives_the_kept_world() -> None:
    m = TraceModel(memory_budget_bytes=BUDGET)
    _train(m, 120)
    early = m.state_at(0)
    assert early.tick == 0 and early.event is horizon.FORGOTTEN and early.forgotten == m.forgotten
    # The leaves were seeded: the world before the horizon still has the 2 weights and 2 biases.
    params = [t for t in early.tensors.values() if t.role in ("parameter", "leaf")]
    assert len(params) >= 4
    assert graph_at(early).number_of_nodes() == len(early.tensors)
    nodes, edges = m.graph_keys_at(0)
    assert len(nodes) == len(early.tensors) and not edges


def test_the_ticks_after_the_horizon_fold_as_before() -> None:
    whole, cut = TraceModel(), TraceModel(memory_budget_bytes=BUDGET)
    _train(whole, 120)
    _train(cut, 120)
    assert len(whole) == len(cut)
    last = len(cut) - 1
    for tick in (last, last - 7, cut.forgotten + 3):
        a, b = whole.state_at(tick), cut.state_at(tick)
        assert type(a.event) is type(b.event) and a.event.seq == b.event.seq
        assert a.iteration == b.iteration == whole.iteration_at(tick) == cut.iteration_at(tick)
        assert graph_at(b).number_of_nodes() > 0
    # The newest iteration's graph is whole: every function it ran is there, with its inputs.
    a, b = whole.state_at(last), cut.state_at(last)
    assert b.scope_keys() <= a.scope_keys() | set(graph_at(b).nodes)
    assert len(cut.training.iterations) == len(whole.training.iterations) == 120
    assert not cut.fold_errors


def test_without_a_budget_nothing_is_forgotten() -> None:
    m = TraceModel()
    _train(m, 30)
    assert m.forgotten == 0 and m.events[0] is m.kept_events[0]
    assert m.state_at(len(m) - 1).forgotten == 0
