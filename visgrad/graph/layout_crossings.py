"""Edge crossings of a finished drawing, whatever engine produced it.

Every edge is the polyline centre(u) -> bends -> centre(v). The "levels" are the distinct node
centre coordinates along the layer axis (y for TB, x for LR). Each polyline is sampled where it
passes each level, and in every gap between two adjacent levels the pairs of edges whose order
swaps strictly are counted. Ties are not crossings, so edges sharing an endpoint never cross
there. A straight long edge is counted in every gap it passes, as a drawing shows it.

Counting is a vectorised merge count over all gaps at once (see ``count_inversions``), so it stays
fast at millions of crossings.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from visgrad.graph.layout_model import Layout
from visgrad.graph.layout_order import count_inversions
from visgrad.trace.keys import GraphKey


def count_crossings(graph: nx.DiGraph[GraphKey], layout: Layout) -> int:
    """Number of edge crossings of ``layout`` (drawn as polylines through its bends)."""
    tb = layout.direction != "LR"
    pos = layout.positions
    polylines: list[list[tuple[float, float]]] = []
    for u, v in graph.edges:
        if u == v or u not in pos or v not in pos:
            continue
        polylines.append([pos[u], *layout.bends.get((u, v), ()), pos[v]])
    if len(polylines) < 2:
        return 0
    lengths = np.fromiter((len(p) for p in polylines), dtype=np.int64, count=len(polylines))
    flat = np.array([pt for p in polylines for pt in p], dtype=float).reshape(-1, 2)
    t_all, s_all = (flat[:, 1], flat[:, 0]) if tb else (flat[:, 0], flat[:, 1])
    node_t = np.array([p[1] if tb else p[0] for p in pos.values()], dtype=float)
    levels = np.unique(np.round(node_t, 6))

    # Segments between consecutive points of the same polyline.
    ends = np.cumsum(lengths)
    is_first = np.zeros(flat.shape[0], dtype=bool)
    is_first[ends - lengths] = True
    a = np.flatnonzero(~is_first) - 1
    b = a + 1
    edge_of = np.repeat(np.arange(lengths.size), lengths - 1)
    t0, t1, s0, s1 = t_all[a], t_all[b], s_all[a], s_all[b]
    swap = t0 > t1
    t0, t1 = np.where(swap, t1, t0), np.where(swap, t0, t1)
    s0, s1 = np.where(swap, s1, s0), np.where(swap, s0, s1)
    eps = 1e-6
    lo = np.searchsorted(levels, t0 - eps, side="left")
    hi = np.searchsorted(levels, t1 + eps, side="right")
    cnt = np.maximum(hi - lo, 0)

    # One sample per (segment, level it touches), interpolated along the segment.
    seg = np.repeat(np.arange(t0.size), cnt)
    k = lo[seg] + (np.arange(seg.size) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    dt = t1[seg] - t0[seg]
    frac = np.where(dt > 0, (levels[k] - t0[seg]) / np.where(dt > 0, dt, 1.0), 0.0)
    s = s0[seg] + frac * (s1[seg] - s0[seg])
    e = edge_of[seg]
    # A level at a joint between two segments is sampled twice: keep one sample per (edge, level).
    order = np.lexsort((k, e))
    e, k, s = e[order], k[order], s[order]
    keep = np.ones(e.size, dtype=bool)
    keep[1:] = (e[1:] != e[:-1]) | (k[1:] != k[:-1])
    e, k, s = e[keep], k[keep], s[keep]
    # Consecutive levels of one edge form its piece in gap k.
    nxt = np.flatnonzero((e[1:] == e[:-1]) & (k[1:] == k[:-1] + 1))
    if nxt.size < 2:
        return 0
    gap = k[nxt]
    top = np.unique(np.round(s[nxt], 6), return_inverse=True)[1].reshape(-1)
    bot = np.unique(np.round(s[nxt + 1], 6), return_inverse=True)[1].reshape(-1)
    order = np.lexsort((bot, top, gap))
    return count_inversions(bot[order], gap[order])
