"""No crossings regressions: the layouts of seeded benchmark graphs stay within committed bounds.

The bounds are what the layouts gave when committed, plus 2 %: a change that makes either
engine cross more edges on these graphs fails here (the benchmark measures the 2,000-node
figures against Graphviz dot; this only guards them).
"""

from __future__ import annotations

import pytest

from benchmarks.bench_layout import synthetic_graph
from visgrad.graph.layout import count_crossings, grow_layout, layered_layout  # noqa: E402

BOUNDS = {  # (family, engine): crossings at ~600 nodes when committed (991, 1333, 22441, 38569)
    ("scalar_mlp", "full"): 1010,
    ("scalar_mlp", "online"): 1360,
    ("random", "full"): 22890,
    ("random", "online"): 39340,
}


@pytest.mark.parametrize(("family", "engine"), sorted(BOUNDS))
def test_crossings_of_a_seeded_graph_stay_within_the_committed_bound(family, engine):
    g = synthetic_graph(family, 600)
    lay = (layered_layout if engine == "full" else grow_layout)(g)
    crossings = count_crossings(g, lay)
    assert 0 < crossings <= BOUNDS[(family, engine)]
