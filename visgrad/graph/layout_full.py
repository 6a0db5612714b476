"""A full layered (Sugiyama) layout of a graph, from scratch.

1. layering — sink-anchored longest path plus balancing (:mod:`layout_rank`: a weight sits one
   layer above the op that uses it, a dangling output right under its producer), refined towards
   minimum total edge span by subtree moves (:mod:`layout_simplex`);
2. dummy nodes on long edges and crossing reduction by median/barycenter sweeps with
   transposition, keeping the best order seen (:mod:`layout_order`);
3. x by Brandes–Köpf with real node widths (:mod:`layout_place`), y from layer depths;
4. bend points per long edge = the dummy positions.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from visgrad.graph.layout_model import DEFAULT_SIZE, Layout, Point, node_size
from visgrad.graph.layout_order import build_proper, order_layers
from visgrad.graph.layout_place import place_x
from visgrad.graph.layout_rank import adjacency, alap_layers, break_cycles, index_graph
from visgrad.graph.layout_simplex import refine_layers
from visgrad.trace.keys import GraphKey


def anchored_layers(
    n: int, succ: list[list[int]], pred: list[list[int]], topo: list[int]
) -> np.ndarray:
    """Longest-path layers anchored at the side with fewer ends: the sinks for an autograd graph
    (one loss, many parameters: a weight right above its op), the sources for a graph with more
    sinks than sources (ALAP would drop every sink to the bottom row)."""
    sinks = sum(1 for v in range(n) if not succ[v] and pred[v])
    sources = sum(1 for v in range(n) if not pred[v] and succ[v])
    if sinks <= sources:
        return alap_layers(n, succ, pred, topo)
    mirrored = alap_layers(n, pred, succ, topo[::-1])
    return mirrored.max() - mirrored


def _bounds(pts: np.ndarray, wh: np.ndarray, n: int) -> tuple[float, float, float, float]:
    """``compute_bounds`` of the result from its arrays: the boxes of the ``n`` real vertices
    (``pts[:n]``, screen sizes ``wh``) and the points of the dummies (every dummy is a bend)."""
    lo = np.minimum((pts[:n] - wh / 2).min(axis=0), pts[n:].min(axis=0, initial=np.inf))
    hi = np.maximum((pts[:n] + wh / 2).max(axis=0), pts[n:].max(axis=0, initial=-np.inf))
    return (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))


def full_layout(
    graph: nx.DiGraph[GraphKey],
    direction: str = "TB",
    node_gap: float = 40.0,
    layer_gap: float = 60.0,
    default_size: tuple[float, float] = DEFAULT_SIZE,
    max_rounds: int = 8,
) -> Layout:
    """Lay out ``graph`` from scratch; see :func:`visgrad.graph.layout.layered_layout`."""
    nodes, _, src, dst = index_graph(graph)
    n = len(nodes)
    edges = [(u, v) for u, v in graph.edges if u != v]
    sizes = {v: node_size(graph.nodes[v], default_size) for v in nodes}
    if n == 0:
        return Layout({}, {}, 0.0, 0.0, direction, node_gap=node_gap, layer_gap=layer_gap)
    src, dst, flipped, topo = break_cycles(n, src, dst)
    succ, pred = adjacency(n, src, dst)
    layer = refine_layers(n, src, dst, anchored_layers(n, succ, pred, topo))
    pg = build_proper(n, layer, src, dst)
    pos = order_layers(pg, max_rounds=max_rounds)

    wh = np.array([sizes[v] for v in nodes], dtype=float).reshape(n, 2)
    b_axis, d_axis = (0, 1) if direction == "TB" else (1, 0)
    breadth = np.zeros(pg.n)
    breadth[:n] = wh[:, b_axis]
    x, _ = place_x(pg, pos, breadth, node_gap)

    depth = np.zeros(pg.n_layers)
    np.maximum.at(depth, layer, wh[:, d_axis])
    starts = np.concatenate([[0.0], np.cumsum(depth + layer_gap)[:-1]])
    centre = starts + depth / 2.0
    y = centre[pg.layer]

    pts = np.stack([x, y], axis=1) if direction == "TB" else np.stack([y, x], axis=1)
    # Points as tuples in one zip: a bend per dummy makes this most of the output's cost.
    pts_t = list(zip(pts[:, 0].tolist(), pts[:, 1].tolist(), strict=True))
    positions = dict(zip(nodes, pts_t[:n], strict=True))
    bends: dict[tuple[GraphKey, GraphKey], list[Point]] = {}
    nd = pg.n_dummy.tolist()
    ds = pg.dummy_start.tolist()
    flip = flipped.tolist()
    for e, (key, k) in enumerate(zip(edges, nd, strict=True)):
        if k:
            b = n + ds[e]
            chain = pts_t[b : b + k]
            if flip[e]:
                chain.reverse()
            bends[key] = chain
    bounds = _bounds(pts, wh, n)
    return Layout(
        positions=positions,
        bends=bends,
        width=bounds[2] - bounds[0],
        height=bounds[3] - bounds[1],
        direction=direction,
        layers=dict(zip(nodes, layer.tolist(), strict=True)),
        sizes=sizes,
        layer_coords=dict(enumerate(centre.tolist())),
        bounds=bounds,
        node_gap=node_gap,
        layer_gap=layer_gap,
        layer_depths=dict(enumerate(depth.tolist())),
    )
