"""Brandes-Koepf alignment decided for every layer at once gives the roots of the layer walk."""

from __future__ import annotations

import numpy as np
import pytest

from visgrad.graph import layout_place as lp
from visgrad.graph.layout_order import build_proper, order_layers
from visgrad.graph.layout_rank import adjacency, alap_layers, break_cycles


def _proper_of(seed: int):
    """A random DAG of a few hundred edges, long ones included, as the full layout layers it."""
    rng = np.random.default_rng(seed)
    n = 120
    src = rng.integers(0, n - 1, 300)
    dst = np.minimum(src + rng.integers(1, 12, 300), n - 1)
    src, dst, _, topo = break_cycles(n, src, dst)
    succ, pred = adjacency(n, src, dst)
    return build_proper(n, alap_layers(n, succ, pred, topo), src, dst)


def _walked(frame, median, blocked, hpos, layers, n):
    """The alignment as Brandes and Koepf state it: layer by layer, left to right."""
    root = np.arange(n)
    for i in layers:
        vs = frame.layer(i)
        vs = vs[np.argsort(hpos[vs], kind="stable")]
        seen = -1
        for v in vs.tolist():
            u = int(median[v])
            if u >= 0 and not blocked[v] and hpos[u] > seen:
                root[v] = root[u]
            if u >= 0 and not blocked[v]:
                seen = max(seen, int(hpos[u]))
    return root


@pytest.mark.parametrize("seed", range(6))
def test_every_alignment_has_the_roots_of_the_layer_walk(seed, monkeypatch):
    pg = _proper_of(seed)
    pos = order_layers(pg)
    seen = []
    real = lp._align

    def both(frame, median, blocked, hpos, layers, n):
        got = real(frame, median, blocked, hpos, layers, n)
        seen.append(np.array_equal(got, _walked(frame, median, blocked, hpos, layers, n)))
        return got

    monkeypatch.setattr(lp, "_align", both)
    lp.place_x(pg, pos, np.where(np.arange(pg.n) < pg.n_real, 80.0, 0.0), 40.0)
    assert seen == [True] * 4
