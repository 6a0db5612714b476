"""Iterations and the current iteration's scope: one graph per training step, as PyTorch builds."""

from __future__ import annotations

import json

import pytest

import visgrad as torch
import visgrad.nn as nn
import visgrad.nn.functional as F
from visgrad import events as ev
from visgrad.graph.build import graph_at
from visgrad.graph.export import export_graph
from visgrad.trace.model import TraceModel
from visgrad.trace.state import fkey, tkey


def _tutorial() -> tuple[TraceModel, dict]:
    """The autograd tutorial demo in full: main graph, no_grad, detach, Jacobian products."""
    torch.manual_seed(0)
    with ev.Recorder() as rec:
        x = torch.ones(5)
        y = torch.zeros(3)
        w = torch.randn(5, 3, requires_grad=True)
        b = torch.randn(3, requires_grad=True)
        z = torch.matmul(x, w) + b
        loss = F.binary_cross_entropy_with_logits(z, y)
        loss.backward()
        z = torch.matmul(x, w) + b
        with torch.no_grad():
            z = torch.matmul(x, w) + b
        z = torch.matmul(x, w) + b
        z.detach()
        inp = torch.eye(4, 5, requires_grad=True)
        out = (inp + 1).pow(2).t()
        out.backward(torch.ones_like(out), retain_graph=True)
        out.backward(torch.ones_like(out), retain_graph=True)
        inp.grad.zero_()
        out.backward(torch.ones_like(out), retain_graph=True)
    return TraceModel(rec.events), {"w": w, "b": b, "inp": inp, "out": out, "loss": loss}


def _mlp(steps: int = 5) -> TraceModel:
    """The mlp demo's loop: forward, BCE loss, backward, SGD step, then a no_grad evaluation."""
    torch.manual_seed(0)
    with ev.Recorder() as rec:
        inputs = torch.randn(32, 2)
        targets = (inputs.sum(dim=1, keepdim=True) > 0).float()
        fc1, fc2 = nn.Linear(2, 8), nn.Linear(8, 1)
        opt = torch.optim.SGD([*fc1.parameters(), *fc2.parameters()], lr=0.5)
        loss_fn = nn.BCEWithLogitsLoss()
        for _ in range(steps):
            opt.zero_grad()
            loss = loss_fn(fc2(torch.relu(fc1(inputs))), targets)
            loss.backward()
            opt.step()
        with torch.no_grad():
            fc2(torch.relu(fc1(inputs)))
    return TraceModel(rec.events)


def _ids(keys: set[str]) -> set[int]:
    return {int(k[1:]) for k in keys if k.startswith("t")}


def _ticks(m: TraceModel, kind: type) -> list[int]:
    return [i for i, e in enumerate(m.events) if isinstance(e, kind)]


def _recorded_fns(keys: set[str]) -> set[str]:
    return {k for k in keys if k.startswith("f") and not k.startswith("f-")}


def test_tutorial_has_two_iterations_the_second_begins_at_the_second_recorded_matmul() -> None:
    m, _ = _tutorial()
    ends = _ticks(m, ev.BackwardEnd)
    assert len(ends) == 4
    (start,) = m.iteration_starts
    first_end = ends[0]
    # The next recorded op after the first backward is the second z's mm (x.unsqueeze before
    # it ran without recording).
    recorded = [i for i in _ticks(m, ev.ForwardOp) if m.events[i].node is not None]
    assert start == next(i for i in recorded if i > first_end)
    assert m.events[start].op == "mm"
    assert [m.iteration_at(t) for t in (-1, 0, first_end, start - 1, start, len(m) - 1)] == [
        0, 1, 1, 1, 2, 2,
    ]  # fmt: skip
    s = m.state_at(first_end)
    assert (s.iteration, s.scope_start_seq) == (1, 0)
    assert m.state_at(start).scope_start_seq == m.events[start].seq


def test_tutorial_first_iteration_scope_is_the_whole_graph_until_the_second_begins() -> None:
    m, _ = _tutorial()
    tick = m.iteration_starts[0] - 1
    nodes, _ = m.graph_keys_at(tick)
    assert m.scope_at(tick) == nodes
    assert graph_at(m.state_at(tick), "iteration").number_of_nodes() == len(nodes) == 16


def test_tutorial_second_iteration_drops_the_first_loss_but_keeps_w_and_b() -> None:
    m, t = _tutorial()
    start = m.iteration_starts[0]
    first_loss = m.state_at(start - 1).tensors[t["loss"]._id]
    keys = m.scope_at(start)
    # The new mm, its output, its inputs w and x.unsqueeze (and the unsqueeze op feeding it).
    assert tkey(t["w"]._id) in keys
    assert tkey(first_loss.id) not in keys
    assert fkey(first_loss.producer) not in keys
    fns = {m.state_at(start).functions[int(k[1:])].grad_fn for k in keys if k.startswith("f")}
    assert fns == {"MmBackward0", "unsqueeze"}
    g_all, g_it = graph_at(m.state_at(start)), graph_at(m.state_at(start), "iteration")
    assert (g_all.number_of_nodes(), g_it.number_of_nodes()) == (18, 6)
    assert g_it.number_of_edges() == 5  # x -> unsqueeze -> x' -> mm -> out, w -> mm
    assert all(u in g_it and v in g_it for u, v in g_it.edges)
    with pytest.raises(ValueError, match="scope must be one of"):
        graph_at(m.state_at(start), "everything")


def test_the_jacobian_parts_three_backward_calls_share_one_scope() -> None:
    m, t = _tutorial()
    begins = _ticks(m, ev.BackwardBegin)[1:]
    assert len(begins) == 3
    scopes = [m.scope_at(b) for b in begins]
    assert len({m.state_at(b).scope_start_seq for b in begins}) == 1
    assert {m.iteration_at(b) for b in begins} == {2}
    # The scope only grows (by each call's ones_like gradient); its ops stay the same.
    assert scopes[0] <= scopes[1] <= scopes[2]
    assert _recorded_fns(scopes[0]) == _recorded_fns(scopes[2])
    assert {tkey(t["inp"]._id), tkey(t["out"]._id)} <= scopes[0]
    # Every op of the Jacobian part is in it: add, pow, t.
    s = m.state_at(begins[2])
    names = {s.functions[int(k[1:])].grad_fn for k in _recorded_fns(scopes[2])}
    assert {"AddBackward0", "PowBackward0", "TBackward0"} <= names


def test_mlp_has_five_iterations_each_with_the_same_six_recorded_ops() -> None:
    m = _mlp()
    assert len(m.iteration_starts) == 4
    ends = _ticks(m, ev.BackwardEnd)
    counts, params = [], []
    for end in ends:
        s = m.state_at(end)
        keys = s.scope_keys()
        counts.append(len(_recorded_fns(keys)))
        params.append({t.id for t in s.tensors.values() if t.role == "parameter"} & _ids(keys))
    assert counts == [6, 6, 6, 6, 6]
    # The same four parameters appear in every iteration's graph.
    assert all(len(p) == 4 and p == params[0] for p in params)
    assert [m.iteration_at(e) for e in ends] == [1, 2, 3, 4, 5]


def test_mlp_optimizer_step_stays_in_its_iteration_until_the_next_forward() -> None:
    m = _mlp(steps=2)
    end = _ticks(m, ev.BackwardEnd)[0]
    start = m.iteration_starts[0]
    between = [type(e) for e in m.events[end + 1 : start]]
    assert ev.InplaceUpdate in between and ev.GradReset in between
    assert {m.iteration_at(k) for k in range(end, start)} == {1}
    assert m.scope_at(start - 1) == m.scope_at(end)


def test_export_graph_exports_the_whole_history_unless_asked_for_the_iteration(tmp_path) -> None:
    m = _mlp(steps=3)
    whole, it = tmp_path / "all.json", tmp_path / "it.json"
    export_graph(m, whole)
    export_graph(m, it, scope="iteration")
    n_all = len(json.loads(whole.read_text())["nodes"])
    n_it = len(json.loads(it.read_text())["nodes"])
    assert n_all == graph_at(m.state_at(len(m) - 1)).number_of_nodes()
    assert n_it == len(m.scope_at(len(m) - 1)) < n_all
