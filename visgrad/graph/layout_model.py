"""Result type shared by every layout engine (layered, incremental, Graphviz dot).

Kept in its own module so the engines can build a :class:`Layout` without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from visgrad.trace.keys import GraphKey

# The graph's keys; the engines hash and compare them only, so any hashable works at run time.
Node = GraphKey
Point = tuple[float, float]
Edge = tuple[Node, Node]

DEFAULT_SIZE: tuple[float, float] = (120.0, 40.0)
DIRECTIONS = ("TB", "LR")


@dataclass
class Layout:
    """Positions of a drawn DAG.

    ``positions`` are node centres in pixels, y growing downwards (screen coordinates). ``bends``
    holds, for every edge that spans more than one layer, the points its polyline passes between
    the two node centres (one per skipped layer); edges between adjacent layers have no entry.

    ``layers``, ``sizes`` and ``layer_coords`` are the state an incremental call
    (``layered_layout(graph, previous=this)``) needs: the layer index of every node, the size it was
    placed with, and the coordinate of every layer's centre line along the layer axis (y for "TB",
    x for "LR"). ``bounds`` is ``(xmin, ymin, xmax, ymax)`` of all node boxes and bend points; a
    full layout starts at (0, 0), an incremental one may grow into negative coordinates because
    nodes already placed never move. ``layer_depths`` is the depth each layer reserves (its
    deepest node), so a layer stacked next to it later keeps the layer gap.
    """

    positions: dict[Node, Point]
    bends: dict[Edge, list[Point]]
    width: float
    height: float
    direction: str = "TB"
    layers: dict[Node, int] = field(default_factory=dict)
    sizes: dict[Node, tuple[float, float]] = field(default_factory=dict)
    layer_coords: dict[int, float] = field(default_factory=dict)
    bounds: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    node_gap: float = 40.0
    layer_gap: float = 60.0
    layer_depths: dict[int, float] = field(default_factory=dict)


def node_size(
    attrs: dict[str, Any], default: tuple[float, float] = DEFAULT_SIZE
) -> tuple[float, float]:
    """The ``size=(w, h)`` attribute of a node, or ``default`` when absent or malformed."""
    size = attrs.get("size")
    if size is None:
        return default
    try:
        w, h = size
        return float(w), float(h)
    except (TypeError, ValueError):
        return default


def compute_bounds(
    positions: dict[Node, Point],
    sizes: dict[Node, tuple[float, float]],
    bends: dict[Edge, list[Point]],
) -> tuple[float, float, float, float]:
    """Bounding box ``(xmin, ymin, xmax, ymax)`` of node boxes and bend points."""
    if not positions:
        return (0.0, 0.0, 0.0, 0.0)
    xmin = ymin = float("inf")
    xmax = ymax = float("-inf")
    # Comparisons, not min()/max() calls: a compound layout asks this of every level, three
    # times, and the calls were most of its cost (the results are the same).
    get = sizes.get
    for n, (x, y) in positions.items():
        w, h = get(n, DEFAULT_SIZE)
        a, b = x - w / 2, x + w / 2
        if a < xmin:
            xmin = a
        if b > xmax:
            xmax = b
        a, b = y - h / 2, y + h / 2
        if a < ymin:
            ymin = a
        if b > ymax:
            ymax = b
    for pts in bends.values():
        for x, y in pts:
            if x < xmin:
                xmin = x
            if x > xmax:
                xmax = x
            if y < ymin:
                ymin = y
            if y > ymax:
                ymax = y
    return (xmin, ymin, xmax, ymax)
