"""Generated learner programs, run through the real runner: every view replays, nothing is stale.

For each program (see ``learner_programs``) the test checks that every tick's state, graph (whole
history and iteration), grad ledger, inspector data and chain-rule step can be built, that a
trace re-folded from dense keyframes and one under a memory budget agree with it, that the JSON,
GraphML and DOT exports can be written, and that every tensor the program holds has, at the end,
the value and ``.grad`` the program itself sees (through ``.data``, ``detach()``, views and
``.grad.data`` too), and each ``autograd.grad`` result is its input's gradient.

Cost: about one second per program (a child process starts for each), 12 programs.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings

from tests.trace.learner_programs import programs, read_dump
from visgrad import events
from visgrad.app.panels.base import stats_row
from visgrad.app.panels.chain_rule import render
from visgrad.app.panels.inspector import saved_names
from visgrad.graph.build import graph_at
from visgrad.graph.export import export_graph
from visgrad.runner.session import run_headless
from visgrad.trace.chain_step import chain_step
from visgrad.trace.keys import node_id, tensor_id
from visgrad.trace.model import TraceModel
from visgrad.trace.state import State


def _same(a, b) -> None:
    assert (a is None) == (b is None)
    if isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)


def _views_of_tick(model: TraceModel, s: State) -> None:
    """What the window builds at a tick: graphs, and the inspector / chain rule of its nodes."""
    graph_at(s)
    graph_at(s, "iteration")
    for key in s.current:
        tid = tensor_id(key)
        if tid is not None:
            ts = s.tensors[tid]
            for a in (ts.value, ts.grad, ts.dloss):
                stats_row(a)
            model.previous_change(ts.id, s.tick)
            entries = model.ledger(ts.id, s.tick)
            if entries and ts.is_leaf:
                _same(entries[-1].grad_after, ts.grad)
        else:
            fs = s.functions[node_id(key)]
            saved_names(fs)
            if fs.grads_in is not None:
                render(chain_step(s, fs))


def _check_replay(evs: list[events.Event], d: Path) -> TraceModel:
    model = TraceModel(evs)
    assert model.fold_errors == []
    dense = TraceModel(evs, keyframe_every=5)
    budget = TraceModel(evs, keyframe_every=8, memory_budget_bytes=model.payload_bytes // 3)
    for k in range(-1, len(model)):
        s = model.state_at(k)
        _views_of_tick(model, s)
        other = dense.state_at(k)
        assert other.tensors.keys() == s.tensors.keys()
        for tid, ts in s.tensors.items():
            o = other.tensors[tid]
            _same(ts.value, o.value)
            _same(ts.grad, o.grad)
            _same(ts.dloss, o.dloss)
        graph_at(budget.state_at(k))
    assert budget.fold_errors == []
    last = len(model) - 1
    for name in ("g.json", "g.graphml", "g.dot"):
        export_graph(model, d / name)
    export_graph(budget, d / "b.json", tick=last, scope="iteration")
    json.loads((d / "g.json").read_text())
    return model


def _check_values(model: TraceModel, want: dict) -> None:
    end = model.state_at(len(model) - 1)
    for name, rec in want["tensors"].items():
        leaf = model.grad_leaf_of(rec["id"])
        node = model.node_id(rec["id"])
        if node not in end.tensors and leaf is not None:
            got, grad = end.tensors[leaf].grad, None  # a .grad (alias) with no node of its own
        elif node not in end.tensors:
            # A former .grad (``g = w.grad.data`` kept past ``w.grad = None``) that no op read:
            # the trace shows it nowhere, so nothing there can be stale.
            assert node in model._shared["grad_owner"], name
            continue
        else:
            ts = end.tensors[model.node_id(rec["id"])]
            got, grad = ts.value, ts.grad
        assert got is not None, name
        np.testing.assert_array_equal(np.asarray(got, dtype=np.float64), rec["value"], name)
        if grad is not None or rec["grad"] is not None:
            assert grad is not None and rec["grad"] is not None, name
            np.testing.assert_array_equal(np.asarray(grad, dtype=np.float64), rec["grad"], name)
    ends = []
    api = None
    for k, e in enumerate(model.events):
        if isinstance(e, events.BackwardBegin):
            api = e.api
        elif isinstance(e, events.BackwardEnd) and api == "grad":
            ends.append(k)
    assert len(ends) == len(want["results"])
    for k, rec in zip(ends, want["results"], strict=True):
        ts = model.state_at(k).tensors[model.node_id(rec["id"])]
        np.testing.assert_array_equal(np.asarray(ts.dloss, dtype=np.float64), rec["value"])


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(src=programs())
def test_a_generated_learner_program_replays_everywhere_and_matches_itself(src: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "prog.py").write_text(src)
        evs: list[events.Event] = []
        rc = run_headless(d / "prog.py", on_event=evs.append, argv=[str(d / "dump.json")])
        errors = [f"{e.exc_type}: {e.message}" for e in evs if isinstance(e, events.ProgramError)]
        assert rc == 0 and not errors, errors
        model = _check_replay(evs, d)
        _check_values(model, read_dump(d / "dump.json"))
