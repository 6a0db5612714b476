"""Edge paths and overview rectangles of a laid-out graph, computed from the layout alone.

No QGraphicsItem here, only QPainterPath, QRectF and pens (plain values that may be built on any
thread), so the layout worker builds them and the GUI thread only hands them to a few items.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainterPath, QPen, QPolygonF

from visgrad.graph.layout import Layout
from visgrad.trace.keys import key_kind, tensor_id
from visgrad.trace.state import State

EDGE_BATCH = 256  # edges per path item: one C++ paint call for many edges
BAND = 3000.0  # the deepest band of edges (scene units along the layers) one path item holds

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


def edge_batches(edges: list[list[Point]], direction: str) -> list[list[int]]:
    """Which edges share a path item: indices into ``edges``, at most ``EDGE_BATCH`` a batch.

    Batches are bands along the layer axis (y for TB) at most ``BAND`` deep, so a frame strokes
    the edges near the screen only: batches in graph order reached across a tall model, and
    the two a frame met held 500 curves for the dozen in sight (7 ms). Edges longer than a band
    are batched among themselves, by where they start.
    """
    axis = 1 if direction == "TB" else 0
    spans = []
    for i, pts in enumerate(edges):
        cs = [p[axis] for p in pts]
        spans.append((min(cs), max(cs), i))
    spans.sort()
    batches: list[list[int]] = []
    long: list[int] = []
    cur: list[int] = []
    top = 0.0
    for lo, hi, i in spans:
        if hi - lo > BAND:
            long.append(i)
            continue
        if cur and (len(cur) >= EDGE_BATCH or hi - top > BAND):
            batches.append(cur)
            cur = []
        if not cur:
            top = lo
        cur.append(i)
    if cur:
        batches.append(cur)
    batches.extend(long[k : k + EDGE_BATCH] for k in range(0, len(long), EDGE_BATCH))
    return batches


def batch_edges(edges: list[list[Point]], direction: str) -> list[QPainterPath]:
    """One path per batch of ``edge_batches`` (each edge given as its points)."""
    out: list[QPainterPath] = []
    for batch in edge_batches(edges, direction):
        path = QPainterPath()
        for i in batch:
            add_edge(
                path, edges[i], direction
            )  # into the batch: a path per edge cost as much again
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
        kind = key_kind(key)
        if kind == "function":
            group = "f"
        elif kind == "group":
            group = "g"
        else:
            ts = tensors.get(tensor_id(key))
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


def edge_path(
    points: list[tuple[float, float]], direction: str, arrow: float = 6.0
) -> QPainterPath:
    """A smooth path through ``points`` (start, bends..., end) with an open arrowhead at the end."""
    path = QPainterPath()
    add_edge(path, points, direction, arrow)
    return path


def add_edge(
    path: QPainterPath, points: list[tuple[float, float]], direction: str, arrow: float = 6.0
) -> None:
    """``edge_path``'s curve and arrowhead, added to ``path``."""
    add_curve(path, points, direction)
    if arrow > 0:
        ex, ey = points[-1]
        if direction == "TB":
            path.moveTo(ex - arrow * 0.6, ey - arrow)
            path.lineTo(ex, ey)
            path.lineTo(ex + arrow * 0.6, ey - arrow)
        else:
            path.moveTo(ex - arrow, ey - arrow * 0.6)
            path.lineTo(ex, ey)
            path.lineTo(ex - arrow, ey + arrow * 0.6)


def add_curve(path: QPainterPath, points: Iterable[tuple[float, float]], direction: str) -> None:
    """Cubic segments with tangents along the layer axis, so edges leave and enter nodes straight."""
    pts = list(points)
    path.moveTo(*pts[0])
    for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
        if direction == "TB":
            d = (y1 - y0) * 0.5
            path.cubicTo(x0, y0 + d, x1, y1 - d, x1, y1)
        else:
            d = (x1 - x0) * 0.5
            path.cubicTo(x0 + d, y0, x1 - d, y1, x1, y1)


def arrow_head(
    tip: tuple[float, float], towards_up: bool, direction: str, size: float
) -> QPolygonF:
    """A filled triangle at ``tip`` pointing against the data flow (gradients flow backward)."""
    x, y = tip
    s, h = size, size * 0.65
    if direction == "TB":
        sign = -1 if towards_up else 1
        pts = [(x, y), (x - h, y - sign * s), (x + h, y - sign * s)]
    else:
        sign = -1 if towards_up else 1
        pts = [(x, y), (x - sign * s, y - h), (x - sign * s, y + h)]
    return QPolygonF([QPointF(a, b) for a, b in pts])


def grad_pen(color: QColor, width: float, alpha: int = 255) -> QPen:
    c = QColor(color)
    c.setAlpha(alpha)
    pen = QPen(c, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setCosmetic(True)  # device pixels: a gradient stays visible at any zoom
    return pen
