"""The ordering primitives of visgrad.graph.layout_order against brute force."""

from __future__ import annotations

import numpy as np

from visgrad.graph.layout_order import (
    ProperGraph,
    _initial_positions,
    build_proper,
    crossings_of_order,
    sort_order,
)


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


def _preorder_through_every_vertex(pg: ProperGraph, from_sinks: bool) -> np.ndarray:
    """The initial order by its definition: DFS preorder over the proper graph, dummies and
    all, from its sinks upwards (or sources downwards), then each layer by visit."""
    near, far = (pg.seg_lo, pg.seg_up) if from_sinks else (pg.seg_up, pg.seg_lo)
    ups: list[list[int]] = [[] for _ in range(pg.n)]
    for a, b in zip(near.tolist(), far.tolist(), strict=True):
        ups[a].append(b)
    roots = sorted(set(range(pg.n)) - set(far.tolist()))
    visit, seen, count = [0] * pg.n, set(), 0
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [root]
        while stack:
            v = stack.pop()
            visit[v], count = count, count + 1
            for u in reversed(ups[v]):
                if u not in seen:
                    seen.add(u)
                    stack.append(u)
    pos = np.empty(pg.n, dtype=np.int64)
    for i in range(pg.n_layers):
        members = sorted(np.flatnonzero(pg.layer == i).tolist(), key=visit.__getitem__)
        pos[members] = np.arange(len(members))
    return pos


def test_the_initial_order_walks_long_edges_as_if_through_each_dummy():
    rng = np.random.default_rng(3)
    longs = 0
    for _ in range(120):
        n = int(rng.integers(2, 30))
        layer = rng.integers(0, int(rng.integers(2, 9)), n)
        src, dst = [], []
        for _ in range(int(rng.integers(1, 60))):
            a, b = rng.integers(0, n, 2)
            if layer[a] < layer[b]:
                src.append(int(a))
                dst.append(int(b))
        if not src:
            continue
        pg = build_proper(n, layer, np.array(src), np.array(dst))
        longs += int(pg.n_dummy.sum() > 0)
        for from_sinks in (True, False):
            want = _preorder_through_every_vertex(pg, from_sinks)
            assert np.array_equal(_initial_positions(pg, from_sinks), want)
    assert longs > 50
