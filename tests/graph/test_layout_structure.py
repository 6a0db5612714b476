"""Structural properties of both layout engines on the benchmark's graph families: nodes do not
overlap, every node sits on its layer's line, every edge is drawn through one bend per layer it
skips, and the result does not change from one call to the next."""

from __future__ import annotations

import itertools

import pytest

from benchmarks.bench_layout import synthetic_graph
from visgrad.graph.layout import Layout, grow_layout, layered_layout
from visgrad.graph.layout_model import DIRECTIONS

ENGINES = {"full": layered_layout, "online": grow_layout}
CASES = [
    (family, engine, direction)
    for family in ("scalar_mlp", "random", "resmlp")
    for engine in sorted(ENGINES)
    for direction in DIRECTIONS
]


def lay_out(family: str, engine: str, direction: str) -> tuple[object, Layout]:
    g = synthetic_graph(family, 400)
    return g, ENGINES[engine](g, direction=direction)


def axes(layout: Layout) -> tuple[int, int]:
    """(breadth axis, layer axis) of the drawing."""
    return (0, 1) if layout.direction == "TB" else (1, 0)


def boxes_by_layer(g, layout: Layout) -> dict[int, list[tuple[float, float]]]:
    """Each layer's nodes as (start, end) intervals along the breadth axis."""
    b, _ = axes(layout)
    boxes: dict[int, list[tuple[float, float]]] = {}
    for v in g.nodes:
        half = layout.sizes[v][b] / 2
        boxes.setdefault(layout.layers[v], []).append(
            (layout.positions[v][b] - half, layout.positions[v][b] + half)
        )
    return boxes


@pytest.mark.parametrize(("family", "engine", "direction"), CASES)
def test_nodes_of_a_layer_keep_the_node_gap_between_them(family, engine, direction):
    g, lay = lay_out(family, engine, direction)
    for boxes in boxes_by_layer(g, lay).values():
        boxes.sort()
        for (_, right), (left, _) in itertools.pairwise(boxes):
            assert left - right >= lay.node_gap - 1e-6


@pytest.mark.parametrize(("family", "engine", "direction"), CASES)
def test_every_node_sits_on_its_layer_line_and_edges_go_down_the_layers(family, engine, direction):
    g, lay = lay_out(family, engine, direction)
    _, d = axes(lay)
    for v in g.nodes:
        assert lay.positions[v][d] == pytest.approx(lay.layer_coords[lay.layers[v]])
    for u, v in g.edges:
        assert lay.layers[u] < lay.layers[v]
    lines = sorted(lay.layer_coords.items())
    for (_, c0), (_, c1) in itertools.pairwise(lines):
        assert c1 > c0


@pytest.mark.parametrize(("family", "engine", "direction"), CASES)
def test_every_edge_bends_once_on_each_layer_it_skips_clear_of_the_nodes(family, engine, direction):
    g, lay = lay_out(family, engine, direction)
    b, d = axes(lay)
    boxes = boxes_by_layer(g, lay)
    for u, v in g.edges:
        skipped = range(lay.layers[u] + 1, lay.layers[v])
        pts = lay.bends.get((u, v), [])
        assert len(pts) == len(skipped), (u, v)
        for layer, p in zip(skipped, pts, strict=True):
            assert p[d] == pytest.approx(lay.layer_coords[layer])
            assert not any(lo < p[b] < hi for lo, hi in boxes.get(layer, ())), (u, v, layer)
    assert set(lay.bends) <= set(g.edges)


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_the_same_graph_gives_the_same_layout_every_time(engine):
    first = lay_out("random", engine, "TB")[1]
    again = lay_out("random", engine, "TB")[1]
    assert first.positions == again.positions
    assert first.bends == again.bends
