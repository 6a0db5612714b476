"""Layered (Sugiyama) layout of the autograd DAG: pure NumPy + networkx, no Qt.

Pipeline of a full layout (``layered_layout(graph)``):

1. layering — sink-anchored longest path plus balancing (:mod:`layout_rank`): a weight sits one
   layer above the op that uses it, a dangling output right under its producer;
2. dummy nodes on long edges and crossing reduction by barycenter sweeps that keep the best order
   seen (:mod:`layout_order`);
3. x by Brandes–Köpf with real node widths (:mod:`layout_place`), y from layer heights;
4. bend points per long edge = the dummy positions.

With ``previous=`` the call is incremental (:mod:`layout_incremental`): nodes already placed keep
their exact position and new ones are fitted around them. ``LayoutWorker`` runs either kind on a
background thread; ``dot_layout`` is the optional Graphviz pass; ``count_crossings`` measures any
of them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import networkx as nx
import numpy as np

from visgrad.graph.layout_crossings import count_crossings
from visgrad.graph.layout_dot import dot_available, dot_layout
from visgrad.graph.layout_model import (
    DEFAULT_SIZE,
    DIRECTIONS,
    Layout,
    compute_bounds,
    node_size,
)
from visgrad.graph.layout_order import build_proper, order_layers
from visgrad.graph.layout_place import place_x
from visgrad.graph.layout_rank import (
    adjacency,
    alap_layers,
    break_cycles,
    index_graph,
    simplex_layers,
)

__all__ = [
    "Layout",
    "LayoutWorker",
    "count_crossings",
    "dot_available",
    "dot_layout",
    "layered_layout",
]


def layered_layout(
    graph: nx.DiGraph,
    direction: str = "TB",
    previous: Layout | None = None,
    node_gap: float = 40.0,
    layer_gap: float = 60.0,
    default_size: tuple[float, float] = DEFAULT_SIZE,
    max_rounds: int = 8,
    simplex_max_nodes: int = 25_000,
) -> Layout:
    """Lay out ``graph`` (edges in data-flow direction) in layers, top-to-bottom or left-to-right.

    ``node_gap`` is the free space between neighbours in a layer, ``layer_gap`` between layers;
    node sizes come from the ``size=(w, h)`` attribute (``default_size`` otherwise). With
    ``previous`` (a layout of an earlier state of the same graph, same direction) the layout is
    incremental: see :func:`visgrad.graph.layout_incremental.extend_layout` for the rule.
    Graphs up to ``simplex_max_nodes`` whose ALAP layering has more dummy nodes than edges get
    minimum-total-span layers (network simplex, the biggest single win on crossings); the others
    keep the linear-time ALAP layering.
    ``max_rounds`` bounds the crossing-reduction sweeps (0 = initial DFS order only). Cycles are tolerated (back edges are drawn reversed) and self-loops ignored.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
    if previous is not None and previous.direction == direction and previous.positions:
        from visgrad.graph.layout_incremental import extend_layout

        result = extend_layout(graph, previous, default_size)
        if result is not None:
            return result
    return _full_layout(
        graph, direction, node_gap, layer_gap, default_size, max_rounds, simplex_max_nodes
    )


def _full_layout(
    graph: nx.DiGraph,
    direction: str,
    node_gap: float,
    layer_gap: float,
    default_size: tuple[float, float],
    max_rounds: int,
    simplex_max_nodes: int,
) -> Layout:
    nodes, _, src, dst = index_graph(graph)
    n = len(nodes)
    edges = [(u, v) for u, v in graph.edges if u != v]
    sizes = {v: node_size(graph.nodes[v], default_size) for v in nodes}
    if n == 0:
        return Layout({}, {}, 0.0, 0.0, direction, node_gap=node_gap, layer_gap=layer_gap)
    src, dst, flipped, topo = break_cycles(n, src, dst)
    succ, pred = adjacency(n, src, dst)
    layer = alap_layers(n, succ, pred, topo)
    # Network simplex costs ~0.1 s per 3,000 nodes; it only pays when ALAP skips many layers
    # (scalar graphs: 6 dummies per edge), not on chain-like graphs it cannot improve (resmlp).
    if n <= simplex_max_nodes and int(np.maximum(layer[dst] - layer[src] - 1, 0).sum()) > len(src):
        layer = simplex_layers(n, succ, pred, layer)
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
    pts_l = pts.tolist()
    positions = {v: (pts_l[i][0], pts_l[i][1]) for i, v in enumerate(nodes)}
    bends: dict = {}
    nd = pg.n_dummy.tolist()
    ds = pg.dummy_start.tolist()
    flip = flipped.tolist()
    for e, (key, k) in enumerate(zip(edges, nd, strict=True)):
        if k:
            b = n + ds[e]
            chain = [(p[0], p[1]) for p in pts_l[b : b + k]]
            if flip[e]:
                chain.reverse()
            bends[key] = chain
    layers = dict(zip(nodes, layer.tolist(), strict=True))
    layer_coords = dict(enumerate(centre.tolist()))
    bounds = compute_bounds(positions, sizes, bends)
    return Layout(
        positions=positions,
        bends=bends,
        width=bounds[2] - bounds[0],
        height=bounds[3] - bounds[1],
        direction=direction,
        layers=layers,
        sizes=sizes,
        layer_coords=layer_coords,
        bounds=bounds,
        node_gap=node_gap,
        layer_gap=layer_gap,
    )


class LayoutWorker:
    """Runs layouts on one background thread (``concurrent.futures``), never on the caller's.

    ``submit`` snapshots the graph on the caller's thread (so the caller may keep mutating its
    graph) and returns a ``Future[Layout]``; ``callback``, if given, is called with the layout on
    the worker thread — a Qt caller should forward it to the GUI thread with a queued signal. A
    submission still waiting in the queue when a newer one arrives is cancelled: for a live view
    only the latest graph matters.
    """

    def __init__(self, layout_fn: Callable[..., Layout] = layered_layout) -> None:
        self._fn = layout_fn
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="visgrad-layout")
        self._lock = threading.Lock()
        self._pending: Future[Layout] | None = None

    def submit(
        self,
        graph: nx.DiGraph,
        callback: Callable[[Layout], Any] | None = None,
        **kwargs: Any,
    ) -> Future[Layout]:
        """Queue a layout of a copy of ``graph``; kwargs go to the layout function."""
        snapshot = graph.copy()
        with self._lock:
            if self._pending is not None:
                self._pending.cancel()  # no-op once it is running
            future = self._pool.submit(self._fn, snapshot, **kwargs)
            self._pending = future
        if callback is not None:

            def _deliver(f: Future[Layout]) -> None:
                if not f.cancelled() and f.exception() is None:
                    callback(f.result())

            future.add_done_callback(_deliver)
        return future

    def shutdown(self, wait: bool = True) -> None:
        """Stop the thread; pending layouts are cancelled."""
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def __enter__(self) -> LayoutWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
