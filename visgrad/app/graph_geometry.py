"""Edge paths and overview rectangles of a laid-out graph, computed from the layout alone.

No QGraphicsItem here, only QPainterPath and QRectF (plain values that may be built on any
thread), so the layout worker builds them and the GUI thread only hands them to a few items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import networkx as nx
from PySide6.QtCore import QLineF, QRectF
from PySide6.QtGui import QImage, QPainterPath

from visgrad.app.graph_items import edge_path
from visgrad.graph.layout import Layout
from visgrad.trace.state import State

EDGE_BATCH = 256  # edges per path item: one C++ paint call for many edges

Point = tuple[float, float]


@dataclass(slots=True)
class Geometry:
    """What the scene draws besides the node items: batched edge paths and overview rectangles."""

    edge_paths: list[QPainterPath] = field(default_factory=list)
    edge_total: int = 0
    overview: dict[str, list[QRectF]] = field(default_factory=dict)  # "f" or a role -> boxes
    # The overview pre-painted for big graphs: (the image and its halvings, the scene rect they
    # cover); None: paint the rectangles.
    overview_picture: tuple[list[QImage], QRectF] | None = None


def edge_points(
    a: Point, a_size: Point, b: Point, b_size: Point, bends: list[Point], direction: str
) -> list[Point]:
    """Start on ``a``'s box edge, through the layout's bends, to ``b``'s box edge."""
    (ax, ay), (bx, by) = a, b
    if direction == "TB":
        start, end = (ax, ay + a_size[1] / 2), (bx, by - b_size[1] / 2)
    else:
        start, end = (ax + a_size[0] / 2, ay), (bx - b_size[0] / 2, by)
    return [start, *bends, end]


def batch_edges(edges: list[list[Point]], direction: str) -> list[QPainterPath]:
    """One path per ``EDGE_BATCH`` edges (each edge given as its points)."""
    out: list[QPainterPath] = []
    for i in range(0, len(edges), EDGE_BATCH):
        path = QPainterPath()
        for pts in edges[i : i + EDGE_BATCH]:
            path.addPath(edge_path(pts, direction))
        out.append(path)
    return out


def build_geometry(graph: nx.DiGraph, layout: Layout, state: State | None) -> Geometry:
    """Edges and overview boxes of every node ``layout`` places (sizes from the graph's nodes)."""
    pos = layout.positions
    nodes = graph.nodes
    placed_with = layout.sizes
    sizes = {
        k: placed_with.get(k) or (nodes[k].get("size", (0.0, 0.0)) if k in nodes else (0.0, 0.0))
        for k in pos
    }
    edges = [
        edge_points(
            pos[u], sizes[u], pos[v], sizes[v], layout.bends.get((u, v), []), layout.direction
        )
        for u, v in graph.edges
        if u in pos and v in pos
    ]
    overview: dict[str, list[QRectF]] = {}
    tensors = state.tensors if state is not None else {}
    for key, (x, y) in pos.items():
        if key not in nodes:
            continue
        if key.startswith("f"):
            group = "f"
        elif key.startswith("g:"):
            group = "g"
        else:
            ts = tensors.get(int(key[1:]))
            group = ts.role if ts is not None else "intermediate"
        w, h = sizes[key]
        overview.setdefault(group, []).append(QRectF(x - w / 2, y - h / 2, w, h))
    return Geometry(batch_edges(edges, layout.direction), len(edges), overview)


def grid_rows(rect: QRectF, step: float = 24.0) -> list[QLineF]:
    """The background grid's rows inside ``rect`` (scene units), each starting on a grid column:
    drawn with a dotted pen whose period is one step, they are the grid's dots in a few calls."""
    x0 = math.floor(rect.left() / step) * step
    y = math.floor(rect.top() / step) * step
    rows = []
    while y < rect.bottom():
        rows.append(QLineF(x0, y, rect.right() + step, y))
        y += step
    return rows
