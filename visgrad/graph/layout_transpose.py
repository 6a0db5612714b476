"""Adjacent transposition for the crossing reduction of :mod:`layout_order`, vectorised.

A phase compares disjoint pairs of neighbours in every layer of one parity at once (layers of one
parity are never adjacent, so their swaps are independent); a pass is four phases, and a pass
only re-examines pairs near the last pass's swaps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from visgrad.graph.layout_order import ProperGraph


def _gather(
    start: np.ndarray, deg: np.ndarray, nbr: np.ndarray, pos: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated neighbour positions of several vertices, with the index of each owner."""
    total = int(deg.sum())
    owner = np.repeat(np.arange(deg.size), deg)
    k = np.arange(total) - np.repeat(np.cumsum(deg) - deg, deg)
    return owner, pos[nbr[start[owner] + k]]


class Transposer:
    """Adjacent-swap refinement, vectorised: in one phase every layer of one parity swaps the
    disjoint pairs (0,1), (2,3)... (or (1,2), (3,4)...) that strictly lose crossings. Layers of
    the same parity are never neighbours, so all those swaps are independent of each other."""

    def __init__(self, pg: ProperGraph) -> None:
        n = pg.n
        self.pg = pg
        self.sides = []
        # Per side, the one neighbour of a vertex of degree 1 (-1 otherwise): most vertices of a
        # graph with long edges are dummies, and a pair of those needs no search (see below).
        self.single = []
        for key, other in ((pg.seg_lo, pg.seg_up), (pg.seg_up, pg.seg_lo)):
            o = np.argsort(key, kind="stable")
            start = np.searchsorted(key[o], np.arange(n + 1))
            deg = np.diff(start)
            self.sides.append((start[:-1], deg, other[o]))
            one = np.full(n, -1, dtype=np.int64)
            one[key[deg[key] == 1]] = other[deg[key] == 1]
            self.single.append(one)
        self.sizes = np.bincount(pg.layer, minlength=pg.n_layers)
        self.layer_start = np.cumsum(self.sizes) - self.sizes
        # Pairs are (slot r, slot r + 1) of the layers in order; which slots a phase compares
        # never changes, only the vertices in them.
        slot_layer = np.repeat(np.arange(pg.n_layers), self.sizes)
        slot_pos = np.arange(n) - self.layer_start[slot_layer]
        has_right = slot_pos + 1 < self.sizes[slot_layer]
        self.phase_slots = [
            np.flatnonzero(has_right & (slot_layer % 2 == p) & (slot_pos % 2 == q))
            for p in (0, 1)
            for q in (0, 1)
        ]

    def _pair_crossings(
        self, v: np.ndarray, w: np.ndarray, pos: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Crossings between the edges of ``v`` and of ``w`` (same side) with v left of w, and
        with w left of v. A pair of single edges is one comparison; for the others every
        neighbour of v counts the neighbours of w on its wrong side by a binary search among
        them, so a pair costs O(dv + dw) rather than O(dv * dw)."""
        c_vw = np.zeros(v.size, dtype=np.int64)
        c_wv = np.zeros(v.size, dtype=np.int64)
        span = int(pos.max()) + 2 if pos.size else 2
        for (start, deg, nbr), one in zip(self.sides, self.single, strict=True):
            dv, dw = deg[v], deg[w]
            simple = (dv <= 1) & (dw <= 1)
            pair = np.flatnonzero(simple & (dv == 1) & (dw == 1))
            if pair.size:
                a, b = pos[one[v[pair]]], pos[one[w[pair]]]
                c_vw[pair] += a > b
                c_wv[pair] += a < b
            rest = np.flatnonzero(~simple & (dv > 0) & (dw > 0))
            if rest.size == 0:
                continue
            a_pair, a_pos = _gather(start[v[rest]], dv[rest], nbr, pos)
            b_pair, b_pos = _gather(start[w[rest]], dw[rest], nbr, pos)
            b_key = np.sort(b_pair * span + b_pos)
            k = rest.size
            b_lo = np.searchsorted(b_key, np.arange(k) * span)
            b_hi = np.searchsorted(b_key, np.arange(1, k + 1) * span)
            q = a_pair * span + a_pos
            below = np.searchsorted(b_key, q, side="left") - b_lo[a_pair]
            above = b_hi[a_pair] - np.searchsorted(b_key, q, side="right")
            c_vw[rest] += np.bincount(a_pair, weights=below, minlength=k).astype(np.int64)
            c_wv[rest] += np.bincount(a_pair, weights=above, minlength=k).astype(np.int64)
        return c_vw, c_wv

    def _touch(self, v: np.ndarray, mark: np.ndarray) -> None:
        """Mark ``v`` and its neighbours in both adjacent layers: the only pairs whose
        crossing counts a swap of ``v`` can change."""
        mark[v] = True
        for (start, deg, nbr), one in zip(self.sides, self.single, strict=True):
            d = deg[v]
            mark[one[v[d == 1]]] = True
            many = v[d > 1]
            d = d[d > 1]
            if d.size:
                owner = np.repeat(np.arange(many.size), d)
                k = np.arange(int(d.sum())) - np.repeat(np.cumsum(d) - d, d)
                mark[nbr[start[many][owner] + k]] = True

    def run(self, pos: np.ndarray, max_passes: int, ties: bool = False) -> int:
        """Swap until a pass gains no crossing or ``max_passes`` passes; returns the number of
        swaps. With ``ties``, pairs whose swap neither gains nor loses crossings swap too.

        A pass only looks at pairs with a vertex the last pass touched (swapped, or the
        neighbour of one swapped): any other pair's counts are what they were when it last
        declined to swap. Tie swaps gain nothing, so they never buy another pass (as in dot)."""
        pg = self.pg
        lay = pg.layer
        rank = np.empty(pg.n, dtype=np.int64)
        rank[self.layer_start[lay] + pos] = np.arange(pg.n)
        swaps = 0
        dirty = np.ones(pg.n, dtype=bool)
        for _ in range(max_passes):
            touched = np.zeros(pg.n, dtype=bool)
            gain = 0
            for slots in self.phase_slots:
                v, w = rank[slots], rank[slots + 1]
                live = dirty[v] | dirty[w] | touched[v] | touched[w]
                v, w = v[live], w[live]
                if v.size == 0:
                    continue
                c_vw, c_wv = self._pair_crossings(v, w, pos)
                sw = (c_wv < c_vw) | (ties & (c_wv == c_vw) & (c_vw > 0))
                if not sw.any():
                    continue
                gain += int((c_vw - c_wv)[sw].sum())
                v, w = v[sw], w[sw]
                pv = pos[v].copy()
                pos[v] = pos[w]
                pos[w] = pv
                rank[self.layer_start[lay[v]] + pos[v]] = v
                rank[self.layer_start[lay[w]] + pos[w]] = w
                self._touch(np.concatenate([v, w]), touched)
                swaps += int(sw.sum())
            dirty = touched
            if gain <= 0:
                break
        return swaps
