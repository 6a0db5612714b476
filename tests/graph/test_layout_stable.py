"""The same program gives the same picture: online growth in any steps, hash seeds, ids."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

import visgrad as torch
from visgrad import events
from visgrad.graph.build import graph_at
from visgrad.graph.layout import grow_layout, layered_layout
from visgrad.trace.files import save_trace
from visgrad.trace.model import TraceModel

ROOT = Path(__file__).resolve().parents[2]


@st.composite
def programs(draw) -> nx.DiGraph:
    """A graph in the order a program makes it: leaves, and ops reading earlier tensors, each op
    a function node followed by its outputs; sizes vary as the app's boxes do."""
    g = nx.DiGraph()
    tensors: list[str] = []
    for i in range(draw(st.integers(1, 40))):
        if not tensors or draw(st.integers(0, 3)) == 0:
            v = f"leaf{i}"
            g.add_node(v, size=(220.0, 68.0))
            tensors.append(v)
            continue
        f = f"op{i}"
        g.add_node(f, size=(draw(st.sampled_from([150.0, 190.0])), 28.0))
        k = draw(st.integers(1, min(3, len(tensors))))
        for u in draw(st.permutations(tensors))[:k]:
            g.add_edge(u, f)
        for j in range(draw(st.integers(1, 2))):
            out = f"out{i}_{j}"
            g.add_node(out, size=(220.0, 50.0))
            g.add_edge(f, out)
            tensors.append(out)
    return g


def _prefix(g: nx.DiGraph, k: int) -> nx.DiGraph:
    """The first ``k`` nodes, edges in the same relative order (inputs keep their order)."""
    keep = set(list(g.nodes)[:k])
    h = nx.DiGraph()
    h.add_nodes_from((v, g.nodes[v]) for v in list(g.nodes)[:k])
    h.add_edges_from((u, v) for u, v in g.edges if u in keep and v in keep)
    return h


def _same(a, b) -> None:
    assert a.positions == b.positions
    assert a.bends == b.bends
    assert a.layers == b.layers


@settings(max_examples=60, deadline=None)
@given(programs(), st.lists(st.integers(0, 200), max_size=6), st.sampled_from(["TB", "LR"]))
def test_growing_in_any_steps_gives_the_one_shot_picture(g, cuts, direction):
    n = g.number_of_nodes()
    g = _prefix(g, n)
    one_shot = grow_layout(g, direction=direction)
    prev = None
    for k in [*sorted(c % (n + 1) for c in cuts), n]:
        prev = grow_layout(_prefix(g, k), prev, direction=direction)
        if prev.positions:
            # Every node placed so far sits where the one-shot layout puts it.
            for v in prev.layers:
                assert prev.positions[v] == one_shot.positions[v]
    _same(prev, one_shot)


@settings(max_examples=40, deadline=None)
@given(programs(), st.integers(0, 200), st.integers(0, 200))
def test_going_back_and_forth_in_time_gives_the_same_pictures(g, a, b):
    n = g.number_of_nodes()
    g = _prefix(g, n)
    lo, hi = sorted((a % (n + 1), b % (n + 1)))
    later = grow_layout(_prefix(g, hi))
    back = grow_layout(_prefix(g, lo), later)
    _same(back, grow_layout(_prefix(g, lo)))
    _same(grow_layout(g, back), grow_layout(g))


def test_placed_nodes_keep_their_places_and_edges_point_down():
    g = nx.DiGraph()
    g.add_edges_from([("x", "mm"), ("w", "mm"), ("mm", "xw"), ("xw", "add"), ("b", "add")])
    g.add_edges_from([("add", "z"), ("z", "bce"), ("y", "bce"), ("bce", "loss")])
    lay = grow_layout(g)
    for u, v in g.edges:
        assert lay.layers[v] > lay.layers[u]
    assert lay.layers["w"] == lay.layers["mm"] - 1  # a weight sits above its first consumer
    assert lay.layers["b"] == lay.layers["add"] - 1
    assert lay.layers["xw"] == lay.layers["mm"] + 1


def test_an_unused_leaf_waits_in_a_row_above_and_moves_once_when_read():
    g = nx.DiGraph([("x", "f"), ("f", "y")])
    g.add_node("w")
    staged = grow_layout(g)
    assert "w" not in staged.layers
    assert staged.positions["w"][1] < min(
        p[1] for p in staged.positions.values() if p != staged.positions["w"]
    )
    g2 = g.copy()
    g2.add_edges_from([("y", "g"), ("w", "g"), ("g", "z")])
    grown = grow_layout(g2, staged)
    assert grown.layers["w"] == grown.layers["g"] - 1
    assert all(grown.positions[v] == staged.positions[v] for v in ("x", "f", "y"))


def test_a_full_layout_does_not_depend_on_node_names():
    g = nx.DiGraph()
    g.add_edges_from([(0, 2), (1, 2), (2, 3), (3, 5), (4, 5), (1, 5), (5, 6)])
    renamed = nx.relabel_nodes(g, {v: f"t{1000 - v}" for v in g}, copy=True)
    for fn in (layered_layout, grow_layout):
        a, b = fn(g), fn(renamed)
        assert [a.positions[v] for v in g] == [b.positions[f"t{1000 - v}"] for v in g]


def _training_program() -> list[events.Event]:
    """A small learner's program: two SGD steps of a one-hidden-layer net."""
    torch.manual_seed(0)
    x = torch.randn(4, 3)
    y = torch.randn(4, 1)
    w1 = torch.randn(3, 5, requires_grad=True)
    w2 = torch.randn(5, 1, requires_grad=True)
    with events.Recorder() as rec:
        for _ in range(2):
            loss = ((torch.tanh(x @ w1) @ w2 - y) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                for p in (w1, w2):
                    p -= 0.1 * p.grad
                    p.grad.zero_()
    return rec.events


def _pictures(model: TraceModel) -> list[list]:
    """Every node's place, in creation order, at a few ticks, for each engine and scope."""
    out = []
    ticks = sorted({len(model) // 3, len(model) // 2, len(model) - 1})
    for tick in ticks:
        state = model.state_at(tick)
        for scope in ("all", "iteration"):
            g = graph_at(state, scope)
            for lay in (grow_layout(g), layered_layout(g)):
                # Unnamed tensors are called by their id (t12), which differs between runs.
                out.append(
                    [
                        (
                            g.nodes[v]["label"] if v[0] == "f" else g.nodes[v]["role"],
                            lay.positions[v],
                        )
                        for v in g
                    ]
                )
    return out


def test_the_same_program_traced_twice_gives_the_same_layout():
    first = TraceModel(_training_program())
    second = TraceModel(_training_program())  # new tensor and node ids: keys differ
    keys = [set(graph_at(m.state_at(len(m) - 1))) for m in (first, second)]
    assert keys[0] != keys[1]
    assert _pictures(first) == _pictures(second)


_CHILD = """
import json, sys
from visgrad.trace.files import load_trace
from visgrad.trace.model import TraceModel
from tests.graph.test_layout_stable import _pictures
print(json.dumps(_pictures(TraceModel(load_trace(sys.argv[1])))))
"""


def test_two_processes_with_different_hash_seeds_lay_out_a_trace_identically(tmp_path):
    path = tmp_path / "run.vgtrace"
    save_trace(path, _training_program())
    code = _CHILD
    outs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        run = subprocess.run(
            [sys.executable, "-c", code, str(path)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        outs.append(json.loads(run.stdout))
    assert outs[0] == outs[1]
    assert len(outs[0]) == 12 and all(outs[0])
