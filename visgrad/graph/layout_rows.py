"""Occupied intervals of the online layout's layers (:mod:`layout_incremental`)."""

from __future__ import annotations

import bisect


class Row:
    """Occupied intervals of one layer along the breadth axis, sorted and disjoint.

    ``min_gap`` is the narrowest free space any request can use (twice the smallest half-extent
    ``fit`` is asked for): a gap narrower than that is filled, which changes no answer of ``fit``
    but keeps a row crossed by many long edges from splitting into thousands of useless slivers
    that every search would step over one by one.
    """

    def __init__(self, min_gap: float = 0.0) -> None:
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.min_gap = min_gap

    def add(self, lo: float, hi: float) -> None:
        """Occupy [lo, hi] (free space, as ``fit`` returns). Touching intervals, and intervals
        closer than ``min_gap``, merge, so a packed run is one interval and ``fit`` steps over it
        at once."""
        i = bisect.bisect_left(self.lo, lo)
        m = self.min_gap
        if i > 0 and (lo - self.hi[i - 1] <= 0 or lo - self.hi[i - 1] < m):
            i -= 1
            lo = self.lo[i]
            hi = max(hi, self.hi[i])
            del self.lo[i], self.hi[i]
        while i < len(self.lo) and (self.lo[i] - hi <= 0 or self.lo[i] - hi < m):
            hi = max(hi, self.hi[i])
            del self.lo[i], self.hi[i]
        self.lo.insert(i, lo)
        self.hi.insert(i, hi)

    def fit(self, want: float, r: float) -> float:
        """Centre nearest ``want`` for an interval of half-extent ``r`` that overlaps nothing."""
        lo, hi = self.lo, self.hi
        k = len(lo)
        if k == 0:
            return want
        i = bisect.bisect_right(lo, want)
        if (i == 0 or hi[i - 1] <= want - r) and (i == k or want + r <= lo[i]):
            return want  # the free gap around ``want`` holds it: most requests stop here
        best, best_d = want, float("inf")
        # Free gap j lies between interval j-1 and interval j; search outwards from the gap that
        # contains ``want`` and stop once a gap's near edge is farther than the best slot found.
        for step in range(k + 1):
            done = True
            for j in (i - step, i + step) if step else (i,):
                if j < 0 or j > k:
                    continue
                g_lo = hi[j - 1] if j > 0 else float("-inf")
                g_hi = lo[j] if j < k else float("inf")
                near = 0.0 if g_lo <= want <= g_hi else min(abs(want - g_lo), abs(want - g_hi))
                if near >= best_d:
                    continue
                done = False
                if g_hi - g_lo >= 2 * r:
                    x = min(max(want, g_lo + r), g_hi - r)
                    d = abs(x - want)
                    if d < best_d:
                        best, best_d = x, d
            if done and step:
                break
        return best
