"""Coordinate assignment within layers: Brandes–Köpf, one NumPy pass per layer.

Four alignments (upper/lower neighbours x left/right priority) each line vertices up with a median
neighbour into vertical blocks, never crossing an already-chosen alignment and never using a
segment that crosses an inner segment (dummy-to-dummy), so long edges and chains come out
straight. Each alignment is compacted to the least coordinates that keep the real separation
(half widths plus gap) between neighbours in every layer; the four results are aligned to the
narrowest and every vertex takes the mean of its two median candidates. Order statistics are
monotone, so the balanced result keeps every separation that all four candidates kept.

What BK does vertex by vertex is done here per layer with prefix maxima:

* alignment — a vertex may join its median neighbour's block only if that neighbour sits right of
  every neighbour joined before it in the layer; the ones that were refused never stood further
  right than the ones accepted, so "right of all accepted" is "right of the running maximum of
  all candidates", one ``maximum.accumulate``;
* compaction — with lower bounds ``L`` (the blocks' current places) and prefix separations ``S``,
  the least packing of a layer is ``S + cummax(L - S)``; sweeping the layers down and up until no
  block moves gives the least solution of all the constraints.

Finally, leaves and dangling outputs (degree-1 real vertices) slide towards their one neighbour
inside the free space of their layer: BK leaves them at the far side of a compaction, while the
point of ALAP layering is that a weight sits right above the op that uses it.
"""

from __future__ import annotations

import numpy as np

from visgrad.graph.layout_order import ProperGraph, sort_order


class _Frame:
    """Vertices in layer order: ``order[start[l] : start[l + 1]]`` is layer ``l`` left to right."""

    def __init__(self, pg: ProperGraph, pos: np.ndarray) -> None:
        self.order = sort_order(pg.layer, pos)
        sizes = np.bincount(pg.layer, minlength=pg.n_layers)
        self.start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.bounds = self.start.tolist()
        self.n_layers = pg.n_layers

    def layer(self, i: int) -> np.ndarray:
        return self.order[self.bounds[i] : self.bounds[i + 1]]


def _medians(n: int, key: np.ndarray, nbr: np.ndarray, pos: np.ndarray, upper: bool) -> np.ndarray:
    """For every vertex: its lower (``upper=False``: upper) median neighbour through the
    segments ``key -> nbr``, or -1."""
    out = np.full(n, -1, dtype=np.int64)
    if key.size == 0:
        return out
    o = sort_order(key, pos[nbr])
    k, nb = key[o], nbr[o]
    cnt = np.bincount(k, minlength=n)
    first = np.cumsum(cnt) - cnt
    has = cnt > 0
    idx = first + (cnt // 2 if upper else (cnt - 1) // 2)
    out[has] = nb[idx[has]]
    return out


def _type1(pg: ProperGraph, pos: np.ndarray) -> np.ndarray:
    """Segments that cross an inner (dummy-to-dummy) segment: never aligned."""
    up, lo = pg.seg_up, pg.seg_lo
    marked = np.zeros(up.size, dtype=bool)
    inner = (up >= pg.n_real) & (lo >= pg.n_real)
    if not inner.any() or up.size == 0:
        return marked
    gap = pg.layer[up]
    width = int(pos.max()) + 2
    ig, ipu, ipl = gap[inner], pos[up[inner]], pos[lo[inner]]
    o = sort_order(ig, ipl)
    keys = ig[o] * width + ipl[o]
    # Upper ends of inner segments, offset per gap so prefix maxima never mix gaps.
    val = ig[o] * width + ipu[o]
    pre_max = np.maximum.accumulate(val)
    suf_min = np.minimum.accumulate(val[::-1])[::-1]
    q = gap * width + pos[lo]
    gu = gap * width + pos[up]
    j = np.searchsorted(keys, q, side="left") - 1  # the inner segment just left of ``lo``
    k = np.searchsorted(keys, q, side="right")  # and just right of it
    left = np.where(j >= 0, pre_max[np.maximum(j, 0)], -1)
    left_ok = left >= gap * width  # an inner segment of this gap lies left
    right = np.where(k < keys.size, suf_min[np.minimum(k, keys.size - 1)], np.iinfo(np.int64).max)
    right_ok = right < (gap + 1) * width
    crosses = (left_ok & (gu < left)) | (right_ok & (gu > right))
    return crosses & ~inner


def _align(
    frame: _Frame,
    median: np.ndarray,
    blocked: np.ndarray,
    hpos: np.ndarray,
    layers: list[int],
    n: int,
) -> np.ndarray:
    """Block roots of one alignment: layers visited in ``layers`` order, each left to right in
    the frame's positions ``hpos``; ``median[v]`` is v's candidate in the previous layer.

    Whether v joins its candidate's block depends on its own layer only (the running maximum of
    the candidates' places left of it), so every layer is decided at once, the running maxima
    kept apart by an offset per layer; a block's root is then the top of its chain of joins,
    found by pointer jumping. The same roots as visiting the layers one by one, without a
    NumPy call per layer (a deep graph has thousands).
    """
    root = np.arange(n, dtype=np.int64)
    if not layers:
        return root
    sizes = np.diff(frame.start)
    slot_layer = np.repeat(np.arange(frame.n_layers, dtype=np.int64), sizes)
    visited = np.zeros(frame.n_layers, dtype=bool)
    visited[layers] = True
    order = sort_order(slot_layer, hpos[frame.order])
    seg = slot_layer[order]
    keep_slots = visited[seg]
    vs, seg = frame.order[order][keep_slots], seg[keep_slots]
    if vs.size == 0:
        return root
    u = median[vs]
    ok = (u >= 0) & ~blocked[vs]
    q = np.where(ok, hpos[np.maximum(u, 0)], -1) + 1  # >= 0; 0 for no candidate
    big = int(q.max()) + 1
    qq = q + seg * big
    # The running maximum before each slot; a layer's first slot sees only lower layers, below
    # its own offset, as if it saw -1.
    before = np.empty_like(qq)
    before[0] = -1
    before[1:] = np.maximum.accumulate(qq)[:-1]
    keep = ok & (qq > before)
    root[vs[keep]] = u[keep]
    while True:
        up = root[root]
        if np.array_equal(up, root):
            return root
        root = up


def _compact(
    frame: _Frame, root: np.ndarray, hpos: np.ndarray, sep: np.ndarray, max_sweeps: int = 12
) -> np.ndarray:
    """Least block coordinates with ``x[b] >= x[a] + sep[a] + sep[b]`` for neighbours a, b (to
    within ``max_sweeps`` sweeps; see the end)."""
    x_root = np.zeros(root.size)
    lays = list(range(frame.n_layers))
    per_layer: list[tuple[np.ndarray, np.ndarray, np.ndarray] | None] = []
    for i in lays:
        vs = frame.layer(i)
        vs = vs[np.argsort(hpos[vs], kind="stable")]
        if vs.size == 0:
            per_layer.append(None)
            continue
        s = np.concatenate([[0.0], sep[vs[:-1]] + sep[vs[1:]]])
        per_layer.append((vs, root[vs], np.cumsum(s)))
    for sweep in range(max_sweeps):
        moved = False
        for i in lays if sweep % 2 == 0 else lays[::-1]:
            item = per_layer[i]
            if item is None:
                continue
            _, r, cs = item
            cur = x_root[r]
            x = cs + np.maximum.accumulate(cur - cs)
            grew = x > cur + 1e-6  # not rounding noise of the subtraction
            if grew.any():
                np.maximum.at(x_root, r[grew], x[grew])
                moved = True
        if not moved:
            return x_root[root]
    # Not settled: constraints that zig-zag across many blocks need more sweeps than they are
    # worth. Pack every layer once more vertex by vertex, so no two vertices overlap even where
    # a block had to give up being straight.
    x = x_root[root]
    for item in per_layer:
        if item is not None:
            vs, _, cs = item
            x[vs] = cs + np.maximum.accumulate(x[vs] - cs)
    return x


def place_x(
    pg: ProperGraph, pos: np.ndarray, breadth: np.ndarray, node_gap: float
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Centre coordinate of every vertex along the layer (x for TB). Returns ``(x, layers)``.

    ``breadth`` is each vertex's extent along the layer (0 for dummies). Two real vertices are at
    least ``node_gap`` apart; a dummy keeps ``node_gap / 2`` from anything, so bundles of long
    edges stay compact.
    """
    n = pg.n
    frame = _Frame(pg, pos)
    layer_arrays = [frame.layer(i) for i in range(pg.n_layers)]
    if n == 0:
        return np.zeros(0), layer_arrays
    is_dummy = np.arange(n) >= pg.n_real
    hb = breadth / 2.0
    # Each side contributes half its gap: real-real = node_gap, anything with a dummy = gap / 2.
    sep = hb + np.where(is_dummy, node_gap / 4.0, node_gap / 2.0)
    sizes = np.diff(frame.start)
    mirrored = sizes[pg.layer] - 1 - pos
    marked = _type1(pg, pos)
    # A segment's mark as seen from either end: blocked[v] for the median v would align with.
    candidates = []
    for upper in (True, False):
        key, nbr = (pg.seg_lo, pg.seg_up) if upper else (pg.seg_up, pg.seg_lo)
        layers = list(range(1, pg.n_layers)) if upper else list(range(pg.n_layers - 2, -1, -1))
        for left in (True, False):
            hpos = pos if left else mirrored
            # Left priority takes the lower median in its own frame, right the upper one.
            med = _medians(n, key, nbr, pos, upper=not left)
            blocked = _blocked(n, key, nbr, med, marked)
            root = _align(frame, med, blocked, hpos, layers, n)
            xs = _compact(frame, root, hpos, sep)
            candidates.append(xs if left else -xs)
    xs = np.vstack(candidates)
    lo = (xs - hb).min(axis=1)
    hi = (xs + hb).max(axis=1)
    ref = int(np.argmin(hi - lo))
    # Left-priority candidates (0, 2) align their left edge to the narrowest, the others the right.
    shift = np.where(np.arange(4) % 2 == 0, lo[ref] - lo, hi[ref] - hi)
    xs = np.sort(xs + shift[:, None], axis=0)
    x = (xs[1] + xs[2]) / 2.0
    _pull_leaves(pg, frame, x, pos, hb, sep - hb)
    x -= (x - hb).min()
    return x, layer_arrays


def _blocked(
    n: int, key: np.ndarray, nbr: np.ndarray, med: np.ndarray, marked: np.ndarray
) -> np.ndarray:
    """``blocked[v]``: the segment from v to its median candidate is type-1 marked."""
    out = np.zeros(n, dtype=bool)
    hit = marked & (med[key] == nbr)
    out[key[hit]] = True
    return out


def _pull_leaves(
    pg: ProperGraph,
    frame: _Frame,
    x: np.ndarray,
    pos: np.ndarray,
    half: np.ndarray,
    pad: np.ndarray,
) -> None:
    """Slide degree-1 real vertices towards their neighbour, within their layer's free space.
    Even positions move first, then odd ones, so two neighbours never move into each other."""
    n = pg.n
    deg = np.bincount(pg.seg_up, minlength=n) + np.bincount(pg.seg_lo, minlength=n)
    nb = np.full(n, -1, dtype=np.int64)
    nb[pg.seg_lo] = pg.seg_up
    nb[pg.seg_up] = pg.seg_lo
    leaf = (np.arange(n) < pg.n_real) & (deg == 1)
    if not leaf.any():
        return
    order = frame.order
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    first = frame.start[pg.layer]
    last = frame.start[pg.layer + 1] - 1
    for parity in (0, 1):
        v = np.flatnonzero(leaf & (pos % 2 == parity))
        if v.size == 0:
            continue
        target = x[nb[v]]
        r = rank[v]
        has_l = r > first[v]
        has_r = r < last[v]
        left = order[np.maximum(r - 1, 0)]
        right = order[np.minimum(r + 1, n - 1)]
        lo = np.where(has_l, x[left] + half[left] + pad[left] + half[v] + pad[v], -np.inf)
        hi = np.where(has_r, x[right] - half[right] - pad[right] - half[v] - pad[v], np.inf)
        ok = lo <= hi
        x[v[ok]] = np.minimum(np.maximum(target[ok], lo[ok]), hi[ok])
