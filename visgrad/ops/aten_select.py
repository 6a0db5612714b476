"""Which index ATen's CPU ``kthvalue`` and ``mode`` report where values tie, or NaN is present.

Both answers are only fixed up to ties: ``kthvalue`` partitions each row with ATen's quickselect
(``quick_select_template``, NaN greatest), ``mode`` sorts each row of (value, index) pairs with
``std::sort`` and ``<`` (libstdc++'s introsort, unstable, and with NaN comparing false both ways
a NaN stays where the sort leaves it). These are those algorithms, step for step, on one row; the
ops call them only for the rows where the answer depends on them.
"""

from __future__ import annotations

import math

import numpy as np

_THRESHOLD = 16  # libstdc++'s _S_threshold


def _gt_or_nan(x: float, y: float) -> bool:
    return (math.isnan(x) and not math.isnan(y)) or x > y


def quick_select(row: np.ndarray, k: int) -> int:
    """The original index ATen's quickselect leaves at position ``k`` (from 0) of ``row``."""
    v = [float(x) for x in row]
    idx = list(range(len(v)))

    def swap(i: int, j: int) -> None:
        v[i], v[j] = v[j], v[i]
        idx[i], idx[j] = idx[j], idx[i]

    lo, hi = 0, len(v) - 1
    while hi > lo:
        if hi == lo + 1:
            if _gt_or_nan(v[lo], v[hi]):
                swap(lo, hi)
            break
        swap(lo + (hi - lo) // 2, lo + 1)  # the median of three becomes the pivot, at lo
        if _gt_or_nan(v[lo + 1], v[hi]):
            swap(lo + 1, hi)
        if _gt_or_nan(v[lo], v[hi]):
            swap(lo, hi)
        if _gt_or_nan(v[lo + 1], v[lo]):
            swap(lo + 1, lo)
        i, j, pivot = lo + 1, hi, v[lo]
        while True:
            i += 1
            while _gt_or_nan(pivot, v[i]):
                i += 1
            j -= 1
            while _gt_or_nan(v[j], pivot):
                j -= 1
            if j < i:
                break
            swap(i, j)
        swap(lo, j)
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1
    return idx[k]


class _Introsort:
    """libstdc++'s ``std::sort`` of a row's indices by value with ``<``."""

    def __init__(self, row: np.ndarray) -> None:
        self.v = [float(x) for x in row]
        self.a = list(range(len(self.v)))

    def less(self, i: int, j: int) -> bool:  # positions in ``a``
        return self.v[self.a[i]] < self.v[self.a[j]]

    def less_key(self, key: int, j: int) -> bool:
        return self.v[key] < self.v[self.a[j]]

    def swap(self, i: int, j: int) -> None:
        self.a[i], self.a[j] = self.a[j], self.a[i]

    def run(self) -> list[int]:
        n = len(self.a)
        if n > 1:
            self.introsort(0, n, 2 * (n.bit_length() - 1))
            if n > _THRESHOLD:
                self.insertion(0, _THRESHOLD)
                for i in range(_THRESHOLD, n):
                    self.linear_insert(i)
            else:
                self.insertion(0, n)
        return self.a

    def introsort(self, first: int, last: int, depth: int) -> None:
        while last - first > _THRESHOLD:
            if depth == 0:
                self.heap_sort(first, last)
                return
            depth -= 1
            cut = self.partition_pivot(first, last)
            self.introsort(cut, last, depth)
            last = cut

    def partition_pivot(self, first: int, last: int) -> int:
        mid = first + (last - first) // 2
        a, b, c = first + 1, mid, last - 1
        if self.less(a, b):
            med = b if self.less(b, c) else (c if self.less(a, c) else a)
        else:
            med = a if self.less(a, c) else (c if self.less(b, c) else b)
        self.swap(first, med)
        lo, hi = first + 1, last
        while True:
            while lo < last - 1 and self.less(lo, first):
                lo += 1
            hi -= 1
            while hi > first and self.less(first, hi):
                hi -= 1
            if not lo < hi:
                return lo
            self.swap(lo, hi)
            lo += 1

    def insertion(self, first: int, last: int) -> None:
        for i in range(first + 1, last):
            if self.less(i, first):
                key = self.a[i]
                self.a[first + 1 : i + 1] = self.a[first:i]
                self.a[first] = key
            else:
                self.linear_insert(i)

    def linear_insert(self, last: int) -> None:
        key = self.a[last]
        while last > 0 and self.less_key(key, last - 1):
            self.a[last] = self.a[last - 1]
            last -= 1
        self.a[last] = key

    def heap_sort(self, first: int, last: int) -> None:
        n = last - first
        for parent in range((n - 2) // 2, -1, -1):
            self.adjust(first, parent, n, self.a[first + parent])
        for end in range(n - 1, 0, -1):
            key = self.a[first + end]
            self.a[first + end] = self.a[first]
            self.adjust(first, 0, end, key)

    def adjust(self, first: int, hole: int, n: int, key: int) -> None:
        top, child = hole, hole
        while child < (n - 1) // 2:
            child = 2 * (child + 1)
            if self.less(first + child, first + child - 1):
                child -= 1
            self.a[first + hole] = self.a[first + child]
            hole = child
        if n % 2 == 0 and child == (n - 2) // 2:
            child = 2 * (child + 1)
            self.a[first + hole] = self.a[first + child - 1]
            hole = child - 1
        parent = (hole - 1) // 2
        while hole > top and self.v[self.a[first + parent]] < self.v[key]:
            self.a[first + hole] = self.a[first + parent]
            hole = parent
            parent = (hole - 1) // 2
        self.a[first + hole] = key


def std_sort_order(row: np.ndarray) -> list[int]:
    """The row's indices in the order libstdc++'s ``std::sort`` with ``<`` puts them."""
    return _Introsort(row).run()


def mode_index(row: np.ndarray) -> int:
    """ATen's CPU mode of one row: after the sort, the first longest run of equal values, and
    the index sorted last in it."""
    order = std_sort_order(row)
    v = [float(row[i]) for i in order]
    best, best_freq, freq = 0, 0, 0
    for i in range(len(v)):
        freq += 1
        if i == len(v) - 1 or v[i] != v[i + 1]:
            if freq > best_freq:
                best, best_freq = order[i], freq
            freq = 0
    return best
