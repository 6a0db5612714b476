"""Behaviour of the layered DAG layout (visgrad.graph.layout)."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from benchmarks.bench_layout import synthetic_graph
from visgrad.graph.layout import (
    Layout,
    count_crossings,
    dot_available,
    dot_layout,
    layered_layout,
)
from visgrad.graph.layout_order import count_inversions


def tutorial_graph() -> nx.DiGraph:
    """The PyTorch tutorial program: z = x @ w + b; loss = bce_with_logits(z, y)."""
    g = nx.DiGraph()
    g.add_edges_from(
        [
            ("x", "mm"),
            ("w", "mm"),
            ("mm", "xw"),
            ("xw", "add"),
            ("b", "add"),
            ("add", "z"),
            ("z", "bce"),
            ("y", "bce"),
            ("bce", "loss"),
        ]
    )
    return g


def layer_axis(layout: Layout) -> int:
    return 1 if layout.direction == "TB" else 0


def assert_no_overlap(graph: nx.DiGraph, layout: Layout) -> None:
    """No two node boxes intersect (checked for every pair sharing a layer coordinate band)."""
    boxes = []
    for v in graph.nodes:
        x, y = layout.positions[v]
        w, h = layout.sizes[v]
        boxes.append((x - w / 2, y - h / 2, x + w / 2, y + h / 2, v))
    boxes.sort()
    # Sweep along x: only boxes whose x ranges intersect need the y test.
    active: list[tuple] = []
    for box in boxes:
        active = [a for a in active if a[2] > box[0] + 1e-9]
        for a in active:
            assert not (a[1] < box[3] - 1e-9 and box[1] < a[3] - 1e-9), (a[4], box[4])
        active.append(box)


def assert_edges_forward(graph: nx.DiGraph, layout: Layout) -> None:
    ax = layer_axis(layout)
    for u, v in graph.edges:
        pts = [layout.positions[u], *layout.bends.get((u, v), []), layout.positions[v]]
        for p, q in itertools.pairwise(pts):
            assert q[ax] > p[ax], (u, v, pts)


# --- layering -------------------------------------------------------------------------------


def test_weight_sits_in_layer_above_its_consumer():
    g = tutorial_graph()
    lay = layered_layout(g)
    assert lay.layers["w"] == lay.layers["mm"] - 1
    assert lay.layers["b"] == lay.layers["add"] - 1
    assert lay.layers["y"] == lay.layers["bce"] - 1
    # ... and beside it: within one node width of the op, not at the far side of the drawing.
    assert abs(lay.positions["b"][0] - lay.positions["add"][0]) <= 120


def test_dangling_output_sits_right_under_its_producer():
    g = tutorial_graph()
    g.add_edges_from([("mm", "unused_out")])  # an output nobody consumes
    lay = layered_layout(g)
    assert lay.layers["unused_out"] == lay.layers["mm"] + 1


def test_every_edge_points_down_in_tb_and_right_in_lr():
    g = synthetic_graph("scalar_mlp", 300)
    for direction in ("TB", "LR"):
        lay = layered_layout(g, direction=direction)
        assert lay.direction == direction
        assert_edges_forward(g, lay)


def test_lr_uses_node_width_along_the_layer_axis():
    g = nx.DiGraph([("a", "b")])
    g.nodes["a"]["size"] = (300, 20)
    g.nodes["b"]["size"] = (300, 20)
    lay = layered_layout(g, direction="LR", layer_gap=50)
    (xa, ya), (xb, yb) = lay.positions["a"], lay.positions["b"]
    assert ya == pytest.approx(yb)
    assert xb - xa == pytest.approx(300 + 50)


def test_no_two_nodes_overlap_with_mixed_sizes():
    g = synthetic_graph("random", 300)
    rng = np.random.default_rng(1)
    for v in g.nodes:
        g.nodes[v]["size"] = (float(rng.integers(20, 200)), float(rng.integers(20, 60)))
    for direction in ("TB", "LR"):
        lay = layered_layout(g, direction=direction)
        assert_no_overlap(g, lay)
        assert_edges_forward(g, lay)


def test_cycle_and_self_loop_are_tolerated():
    g = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "c")])
    lay = layered_layout(g)
    assert set(lay.positions) == {"a", "b", "c"}
    assert_no_overlap(g, lay)


def test_empty_and_single_node_graphs():
    assert layered_layout(nx.DiGraph()).positions == {}
    g = nx.DiGraph()
    g.add_node("only")
    lay = layered_layout(g)
    assert lay.width == pytest.approx(120) and lay.height == pytest.approx(40)


def test_bad_direction_is_rejected():
    with pytest.raises(ValueError):
        layered_layout(tutorial_graph(), direction="BT")


# --- crossings and straightness ----------------------------------------------------------


def test_tree_and_chain_have_zero_crossings():
    tree = nx.balanced_tree(3, 4, create_using=nx.DiGraph)
    in_tree = tree.reverse(copy=True)  # edges towards the root: the shape of a loss
    chain = nx.path_graph(50, create_using=nx.DiGraph)
    for g in (tree, in_tree, chain):
        assert count_crossings(g, layered_layout(g)) == 0


def test_chain_is_drawn_straight():
    g = nx.path_graph(30, create_using=nx.DiGraph)
    xs = {round(p[0], 6) for p in layered_layout(g).positions.values()}
    assert len(xs) == 1


def brute_force_optimum(graph: nx.DiGraph, layers: dict) -> int:
    """Fewest crossings over every ordering of every layer (edges between adjacent layers)."""
    rows: dict[int, list] = {}
    for v, lay in layers.items():
        rows.setdefault(lay, []).append(v)
    keys = sorted(rows)
    edges = list(graph.edges)
    best = None
    for perms in itertools.product(*(itertools.permutations(rows[k]) for k in keys)):
        p = {v: i for perm in perms for i, v in enumerate(perm)}
        c = sum(
            1
            for e, f in itertools.combinations(edges, 2)
            if layers[e[0]] == layers[f[0]] and (p[e[0]] - p[f[0]]) * (p[e[1]] - p[f[1]]) < 0
        )
        best = c if best is None else min(best, c)
    return best


def test_known_crossing_instance_is_reduced_to_its_optimum():
    # A 6-cycle on two layers: any order crosses, the optimum (by brute force) is 2.
    c6 = nx.DiGraph([("a", "z"), ("b", "y"), ("c", "x"), ("a", "y"), ("b", "x"), ("c", "z")])
    lay = layered_layout(c6)
    assert brute_force_optimum(c6, lay.layers) == 2
    assert count_crossings(c6, lay) == 2
    # Three layers (3, 4, 3 nodes) wired so that insertion order is far from optimal.
    g = nx.DiGraph()
    g.add_edges_from([("a", "s"), ("a", "p"), ("b", "q"), ("c", "r"), ("c", "s")])
    g.add_edges_from([("p", "z"), ("q", "x"), ("r", "y"), ("s", "x"), ("q", "z"), ("p", "y")])
    lay = layered_layout(g)
    assert sorted(lay.layers.values()).count(1) == 4
    assert count_crossings(g, lay) == brute_force_optimum(g, lay.layers)
    # Two twisted chains: the optimum is 0.
    twisted = nx.DiGraph([("a", "c"), ("b", "d"), ("c", "f"), ("d", "e"), ("e", "g"), ("f", "h")])
    twisted.add_edges_from([("g", "z"), ("h", "z")])
    assert count_crossings(twisted, layered_layout(twisted)) == 0


def test_crossing_reduction_beats_insertion_order_on_scalar_graph():
    g = synthetic_graph("scalar_mlp", 1000)
    lay = layered_layout(g)
    naive = layered_layout(g, max_rounds=0)
    assert count_crossings(g, lay) < count_crossings(g, naive)


def test_count_crossings_counts_a_single_x():
    g = nx.DiGraph([("a", "d"), ("b", "c")])
    lay = Layout(
        positions={"a": (0, 0), "b": (10, 0), "c": (0, 10), "d": (10, 10)},
        bends={},
        width=10,
        height=10,
    )
    assert count_crossings(g, lay) == 1
    # Sharing an endpoint is not a crossing.
    g2 = nx.DiGraph([("a", "c"), ("a", "d")])
    assert count_crossings(g2, lay) == 0


@pytest.mark.parametrize("n", [0, 1, 2, 7, 64, 200])
def test_count_inversions_matches_brute_force(n):
    rng = np.random.default_rng(n)
    a = rng.integers(0, 9, n)
    brute = sum(int(a[i] > a[j]) for i in range(n) for j in range(i + 1, n))
    assert count_inversions(a) == brute


@pytest.mark.parametrize("n", [0, 1, 2, 7, 64, 200])
def test_count_inversions_within_groups_counts_only_pairs_of_one_group(n):
    rng = np.random.default_rng(1000 + n)
    a = rng.integers(0, 1000, n)
    groups = np.sort(rng.integers(0, 4, n))
    brute = sum(
        int(a[i] > a[j] and groups[i] == groups[j]) for i in range(n) for j in range(i + 1, n)
    )
    assert count_inversions(a, groups) == brute


# --- bends ---------------------------------------------------------------------------------


def test_bends_exist_exactly_for_long_edges():
    g = synthetic_graph("resmlp", 200)
    lay = layered_layout(g)
    for u, v in g.edges:
        span = lay.layers[v] - lay.layers[u]
        assert len(lay.bends.get((u, v), [])) == span - 1
    assert lay.bends  # the skip connections are long
    # Each bend sits on the centre line of the layer it crosses.
    coords = set(np.round(list(lay.layer_coords.values()), 6))
    for pts in lay.bends.values():
        assert all(round(p[1], 6) in coords for p in pts)


def test_reversed_cycle_edge_keeps_bends_in_its_own_direction():
    g = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d"), ("d", "a")])
    lay = layered_layout(g)
    for (u, v), pts in lay.bends.items():
        full = [lay.positions[u], *pts, lay.positions[v]]
        ys = [p[1] for p in full]
        assert ys == sorted(ys) or ys == sorted(ys, reverse=True)


# --- scale -----------------------------------------------------------------------------------


def test_100k_chain_lays_out_without_recursion_error():
    g = nx.path_graph(100_000, create_using=nx.DiGraph)
    lay = layered_layout(g)
    assert len(lay.positions) == 100_000
    assert lay.layers[99_999] == 99_999


# --- incremental ------------------------------------------------------------------------------


def grow_tutorial() -> list[nx.DiGraph]:
    """The tutorial graph as the live debugger sees it, one forward op at a time."""
    steps = [
        [("x", "mm"), ("w", "mm"), ("mm", "xw")],
        [("xw", "add"), ("b", "add"), ("add", "z")],
        [("z", "bce"), ("y", "bce"), ("bce", "loss")],
    ]
    out, g = [], nx.DiGraph()
    for edges in steps:
        g = g.copy()
        g.add_edges_from(edges)
        out.append(g)
    return out


def test_incremental_growth_keeps_old_positions_exactly():
    prev = None
    for g in grow_tutorial():
        lay = layered_layout(g, previous=prev)
        if prev is not None:
            for v, p in prev.positions.items():
                assert lay.positions[v] == p
        assert_no_overlap(g, lay)
        assert_edges_forward(g, lay)
        prev = lay
    # The new op lands under its input, its new weight beside it one layer up.
    assert prev.layers["add"] == prev.layers["xw"] + 1
    assert prev.layers["b"] == prev.layers["add"] - 1


def test_incremental_growth_of_a_big_graph_keeps_positions_and_fits_new_nodes():
    g = synthetic_graph("scalar_mlp", 600)
    order = list(nx.topological_sort(g))
    first = g.subgraph(order[: len(order) // 2]).copy()
    lay0 = layered_layout(first)
    lay1 = layered_layout(g, previous=lay0)
    assert all(lay1.positions[v] == p for v, p in lay0.positions.items())
    assert_no_overlap(g, lay1)
    assert_edges_forward(g, lay1)
    for u, v in g.edges:  # bends still exactly for long edges
        assert len(lay1.bends.get((u, v), [])) == lay1.layers[v] - lay1.layers[u] - 1


def test_incremental_with_new_disconnected_component_goes_beside():
    g0 = tutorial_graph()
    lay0 = layered_layout(g0)
    g1 = g0.copy()
    g1.add_edges_from([("p", "q"), ("q", "r")])
    lay1 = layered_layout(g1, previous=lay0)
    assert all(lay1.positions[v] == p for v, p in lay0.positions.items())
    assert_no_overlap(g1, lay1)
    assert min(lay1.positions[v][0] for v in "pqr") > max(p[0] for p in lay0.positions.values())


def test_incremental_falls_back_to_full_layout_when_old_layers_cannot_hold():
    g0 = nx.DiGraph([("a", "b")])
    lay0 = layered_layout(g0)
    g1 = g0.copy()
    g1.add_edge("b", "a")  # now a cycle: no stable drawing keeps both edges downward
    lay1 = layered_layout(g1, previous=lay0)
    assert set(lay1.positions) == {"a", "b"}
    assert_no_overlap(g1, lay1)


def test_incremental_drops_removed_nodes_and_keeps_the_rest():
    g = tutorial_graph()
    lay0 = layered_layout(g)
    smaller = g.subgraph([v for v in g if v not in ("bce", "loss", "y")]).copy()
    lay1 = layered_layout(smaller, previous=lay0)
    assert set(lay1.positions) == set(smaller)
    assert all(lay1.positions[v] == lay0.positions[v] for v in smaller)


# --- dot -----------------------------------------------------------------------------------


@pytest.mark.skipif(not dot_available(), reason="Graphviz dot is not installed")
def test_dot_pass_returns_a_layout_of_the_same_type():
    g = tutorial_graph()
    for direction in ("TB", "LR"):
        lay = dot_layout(g, direction=direction)
        assert isinstance(lay, Layout)
        assert set(lay.positions) == set(g.nodes)
        assert_no_overlap(g, lay)
        ax = layer_axis(lay)
        assert all(lay.positions[v][ax] > lay.positions[u][ax] for u, v in g.edges)
        assert count_crossings(g, lay) == 0


def test_dot_pass_is_skipped_cleanly_when_too_big_or_absent(monkeypatch):
    g = synthetic_graph("resmlp", 200)
    assert dot_layout(g, max_nodes=10) is None
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert not dot_available()
    assert dot_layout(g) is None
