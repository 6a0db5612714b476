"""Layered (Sugiyama) layout of the autograd DAG: pure NumPy + networkx, no Qt.

Two engines share one result type (:class:`Layout`):

* ``layered_layout(graph)`` — a full layout from scratch (:mod:`layout_full`): layers of
  near-minimum total edge span, crossing reduction, Brandes–Köpf placement, bends on long edges.
* ``grow_layout(graph, previous)`` — the online, stable layout (:mod:`layout_incremental`): nodes
  ``previous`` placed keep their exact places, each new node is placed once from the nodes before
  it, so growing a graph in any number of steps gives the same picture.
  ``layered_layout(graph, previous=...)`` is the same call.

The app runs them off the GUI thread (``visgrad/app/layout_job.py``); ``dot_layout`` is the
optional Graphviz pass; ``count_crossings`` measures any of them. Nothing here depends on hash seeds or object ids: the
result is a function of the graph's nodes and edges in their insertion order and of node sizes.
"""

from __future__ import annotations

import networkx as nx

from visgrad.graph.layout_crossings import count_crossings
from visgrad.graph.layout_dot import dot_available, dot_layout
from visgrad.graph.layout_full import full_layout
from visgrad.graph.layout_incremental import grow_layout
from visgrad.graph.layout_model import DEFAULT_SIZE, DIRECTIONS, Layout
from visgrad.trace.keys import GraphKey

__all__ = [
    "Layout",
    "count_crossings",
    "dot_available",
    "dot_layout",
    "grow_layout",
    "layered_layout",
]


def layered_layout(
    graph: nx.DiGraph[GraphKey],
    direction: str = "TB",
    previous: Layout | None = None,
    node_gap: float = 40.0,
    layer_gap: float = 60.0,
    default_size: tuple[float, float] = DEFAULT_SIZE,
    max_rounds: int = 8,
) -> Layout:
    """Lay out ``graph`` (edges in data-flow direction) in layers, top-to-bottom or left-to-right.

    ``node_gap`` is the free space between neighbours in a layer, ``layer_gap`` between layers;
    node sizes come from the ``size=(w, h)`` attribute (``default_size`` otherwise). With
    ``previous`` (a layout of an earlier state of the same graph, same direction) the layout is
    incremental: see :func:`visgrad.graph.layout_incremental.grow_layout` for the rule.
    Layers come near minimum total edge span (the biggest single win on crossings), in rounds of
    linear work (:mod:`visgrad.graph.layout_simplex`).
    ``max_rounds`` bounds the crossing-reduction sweeps (0 = initial DFS order only). Cycles are tolerated (back edges are drawn reversed) and self-loops ignored.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
    if previous is not None and previous.direction == direction and previous.positions:
        return grow_layout(graph, previous, default_size=default_size)
    return full_layout(graph, direction, node_gap, layer_gap, default_size, max_rounds)
