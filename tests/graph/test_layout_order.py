"""The ordering primitives of visgrad.graph.layout_order against brute force."""

from __future__ import annotations

import numpy as np

from visgrad.graph.layout_order import ProperGraph, crossings_of_order, sort_order


def test_sort_order_is_lexsort_with_the_first_key_most_significant():
    rng = np.random.default_rng(0)
    for n in (0, 1, 5, 300):
        a, b, c = rng.integers(-3, 4, n), rng.integers(0, 50, n), rng.integers(0, 2, n)
        assert np.array_equal(sort_order(a, b, c), np.lexsort((c, b, a)))


def test_sort_order_falls_back_to_lexsort_when_keys_do_not_fit_one_int64():
    rng = np.random.default_rng(1)
    a, b = rng.integers(0, 1 << 40, 100), rng.integers(0, 1 << 40, 100)
    a[:50] = 7  # equal first keys: the second one must decide
    assert np.array_equal(sort_order(a, b), np.lexsort((b, a)))


def _random_proper(rng: np.random.Generator) -> tuple[ProperGraph, np.ndarray]:
    n = int(rng.integers(2, 40))
    layer = np.sort(rng.integers(0, int(rng.integers(1, 5)), n))
    up, lo = [], []
    for _ in range(int(rng.integers(2, 80))):
        a = int(rng.integers(0, n))
        below = np.flatnonzero(layer == layer[a] + 1)
        if below.size:
            up.append(a)
            lo.append(int(rng.choice(below)))
    none = np.zeros(0, dtype=np.int64)
    ups, los = np.array(up, dtype=np.int64), np.array(lo, dtype=np.int64)
    pg = ProperGraph(n, layer, ups, los, none, none, int(layer.max()) + 1)
    pos = np.zeros(n, dtype=np.int64)
    for i in range(pg.n_layers):
        members = np.flatnonzero(layer == i)
        pos[members] = rng.permutation(members.size)
    return pg, pos


def test_crossings_of_order_matches_brute_force():
    rng = np.random.default_rng(2)
    seen = 0
    for _ in range(150):
        pg, pos = _random_proper(rng)
        up, lo = pg.seg_up.tolist(), pg.seg_lo.tolist()
        brute = sum(
            1
            for i in range(len(up))
            for j in range(len(up))
            if pg.layer[up[i]] == pg.layer[up[j]]
            and pos[up[i]] < pos[up[j]]
            and pos[lo[i]] > pos[lo[j]]
        )
        seen += brute
        assert crossings_of_order(pg, pos) == brute
    assert seen > 0  # the instances do cross
