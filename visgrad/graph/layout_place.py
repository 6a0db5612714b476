"""Coordinate assignment within layers: Brandes–Köpf.

Four alignments (upper/lower neighbours x left/right priority) each line vertices up with a median
neighbour into vertical blocks, never crossing an already-chosen alignment and never using a
segment that crosses an inner segment (dummy-to-dummy), so long edges and chains come out
straight. Each alignment is compacted by a longest-path pass over the "block A is left of block B"
constraints with the real separation (half widths plus gap), the four results are aligned to the
narrowest and every vertex takes the mean of its two median candidates. Order statistics are
monotone, so the balanced result keeps every separation that all four candidates kept.

Finally, leaves and dangling outputs (degree-1 real vertices) slide towards their one neighbour
inside the free space of their layer: BK leaves them at the far side of a compaction, while the
point of ALAP layering is that a weight sits right above the op that uses it.
"""

from __future__ import annotations

import numpy as np

from visgrad.graph.layout_order import ProperGraph


def _sorted_neighbours(
    n: int, key_vertex: np.ndarray, other: np.ndarray, pos: np.ndarray
) -> list[list[int]]:
    """For every vertex, its neighbours through the given segments, sorted by position."""
    order = np.lexsort((pos[other], key_vertex))
    out: list[list[int]] = [[] for _ in range(n)]
    for v, u in zip(key_vertex[order].tolist(), other[order].tolist(), strict=True):
        out[v].append(u)
    return out


def _mark_type1(
    layers: list[list[int]], pos: list[int], upn: list[list[int]], n_real: int
) -> set[int]:
    """Segments (keyed ``upper * N + lower``) that cross an inner segment: never aligned."""
    n = len(pos)
    marked: set[int] = set()
    for i in range(len(layers) - 1):
        upper, lower = layers[i], layers[i + 1]
        last = len(lower) - 1
        k0 = 0
        left = 0
        for l1, v in enumerate(lower):
            inner = -1
            if v >= n_real:
                for u in upn[v]:
                    if u >= n_real:
                        inner = u
            if l1 == last or inner >= 0:
                k1 = pos[inner] if inner >= 0 else len(upper) - 1
                while left <= l1:
                    w = lower[left]
                    for u in upn[w]:
                        pu = pos[u]
                        if pu < k0 or pu > k1:
                            marked.add(u * n + w)
                    left += 1
                k0 = k1
    return marked


def _align_compact(
    layers: list[list[int]],
    nbrs: list[list[int]],
    hpos: list[int],
    marked: set[int],
    neighbour_is_upper: bool,
    sep_of: list[float],
    half: list[float],
) -> list[float]:
    """One BK alignment in its own frame (layers in sweep order, each left to right)."""
    n = len(hpos)
    root = list(range(n))
    align = list(range(n))
    for layer in layers[1:]:
        r = -1
        for v in layer:
            nb = nbrs[v]
            d = len(nb)
            if not d:
                continue
            m_lo, m_hi = (d - 1) // 2, d // 2
            for m in (m_lo, m_hi) if m_lo != m_hi else (m_lo,):
                if align[v] != v:
                    break
                u = nb[m]
                key = u * n + v if neighbour_is_upper else v * n + u
                hu = hpos[u]
                if r < hu and key not in marked:
                    align[u] = v
                    root[v] = root[u]
                    align[v] = root[v]
                    r = hu
    # Compaction: longest path over "root(a) left of root(b)" constraints.
    out: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    indeg = [0] * n
    for layer in layers:
        prev = -1
        for v in layer:
            if prev >= 0:
                ra, rb = root[prev], root[v]
                out[ra].append((rb, half[prev] + half[v] + sep_of[prev] + sep_of[v]))
                indeg[rb] += 1
            prev = v
    x = [0.0] * n
    stack = [v for v in range(n) if root[v] == v and indeg[v] == 0]
    while stack:
        a = stack.pop()
        xa = x[a]
        for b, s in out[a]:
            if xa + s > x[b]:
                x[b] = xa + s
            indeg[b] -= 1
            if indeg[b] == 0:
                stack.append(b)
    return [x[root[v]] for v in range(n)]


def place_x(
    pg: ProperGraph, pos: np.ndarray, breadth: np.ndarray, node_gap: float
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Centre coordinate of every vertex along the layer (x for TB). Returns ``(x, layers)``.

    ``breadth`` is each vertex's extent along the layer (0 for dummies). Two real vertices are at
    least ``node_gap`` apart; a dummy keeps ``node_gap / 2`` from anything, so bundles of long
    edges stay compact.
    """
    n = pg.n
    rank = np.lexsort((pos, pg.layer))
    sizes = np.bincount(pg.layer, minlength=pg.n_layers)
    bounds = np.concatenate([[0], np.cumsum(sizes)]).tolist()
    rank_l = rank.tolist()
    layers = [rank_l[bounds[i] : bounds[i + 1]] for i in range(pg.n_layers)]
    layer_arrays = [rank[bounds[i] : bounds[i + 1]] for i in range(pg.n_layers)]
    if n == 0:
        return np.zeros(0), layer_arrays
    pos_l = pos.tolist()
    upn = _sorted_neighbours(n, pg.seg_lo, pg.seg_up, pos)
    downn = _sorted_neighbours(n, pg.seg_up, pg.seg_lo, pos)
    marked = _mark_type1(layers, pos_l, upn, pg.n_real)
    is_dummy = np.arange(n) >= pg.n_real
    half = (breadth / 2.0).tolist()
    # Each side contributes half its gap: real-real = node_gap, anything with a dummy = gap / 2.
    sep_of = np.where(is_dummy, node_gap / 4.0, node_gap / 2.0).tolist()
    mirrored = [(max(len(lay) - 1, 0)) for lay in layers]
    layer_of = pg.layer.tolist()
    hpos_right = [mirrored[layer_of[v]] - pos_l[v] for v in range(n)]
    candidates = []
    for upper in (True, False):
        nbrs = upn if upper else downn
        seq = layers if upper else layers[::-1]
        for left in (True, False):
            if left:
                xs = _align_compact(seq, nbrs, pos_l, marked, upper, sep_of, half)
                candidates.append(np.asarray(xs))
            else:
                seq_r = [lay[::-1] for lay in seq]
                nbrs_r = [nb[::-1] for nb in nbrs]
                xs = _align_compact(seq_r, nbrs_r, hpos_right, marked, upper, sep_of, half)
                candidates.append(-np.asarray(xs))
    xs = np.vstack(candidates)
    hb = breadth / 2.0
    lo = (xs - hb).min(axis=1)
    hi = (xs + hb).max(axis=1)
    ref = int(np.argmin(hi - lo))
    # Left-priority candidates (0, 2) align their left edge to the narrowest, the others the right.
    shift = np.where(np.arange(4) % 2 == 0, lo[ref] - lo, hi[ref] - hi)
    xs = np.sort(xs + shift[:, None], axis=0)
    x = (xs[1] + xs[2]) / 2.0
    _pull_leaves(pg, x, layers, upn, downn, breadth, sep_of)
    x -= (x - hb).min()
    return x, layer_arrays


def _pull_leaves(
    pg: ProperGraph,
    x: np.ndarray,
    layers: list[list[int]],
    upn: list[list[int]],
    downn: list[list[int]],
    breadth: np.ndarray,
    sep_of: list[float],
) -> None:
    """Slide degree-1 real vertices towards their neighbour, within their layer's free space."""
    xl = x.tolist()
    half = (breadth / 2.0).tolist()
    for layer in layers:
        k = len(layer)
        for i, v in enumerate(layer):
            if v >= pg.n_real:
                continue
            nb = upn[v] + downn[v]
            if len(nb) != 1:
                continue
            target = xl[nb[0]]
            lo = -np.inf if i == 0 else xl[layer[i - 1]] + half[layer[i - 1]] + half[v]
            hi = np.inf if i == k - 1 else xl[layer[i + 1]] - half[layer[i + 1]] - half[v]
            if i > 0:
                lo += sep_of[layer[i - 1]] + sep_of[v]
            if i < k - 1:
                hi -= sep_of[layer[i + 1]] + sep_of[v]
            if lo <= hi:
                xl[v] = min(max(target, lo), hi)
    x[:] = xl
