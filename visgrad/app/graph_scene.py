"""The scene: a projection of (graph, layout, state) into items. No Qt widget, so exports use it too.

``hide_missing`` hides nodes that do not exist yet at an earlier tick; ``apply_layout`` places nodes (new ones
appear here, old ones keep their position) and rebuilds the edge paths; ``set_state`` moves the
highlight and redraws the gradient edges of the current backward step.
"""

from __future__ import annotations

import math

import networkx as nx
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsRectItem, QGraphicsScene

from visgrad.app import formatting as fmt
from visgrad.app.graph_items import (
    FunctionItem,
    NodeItem,
    OverviewItem,
    SceneHost,
    TensorItem,
    add_curve,
    arrow_head,
    edge_path,
    grad_pen,
    node_size,
)
from visgrad.app.theme import GraphColors, role_color
from visgrad.events import BackwardNode, GradAccumulated
from visgrad.graph.layout import Layout
from visgrad.trace.state import State

EDGE_BATCH = 256  # edges per path item: one C++ paint call for many edges
MARGIN = 60.0


def key_kind(key: str) -> str:
    return "function" if key.startswith("f") else "tensor"


def key_id(key: str) -> int:
    return int(key[1:])


def grad_width(magnitude: float | None) -> float:
    """Line width of a gradient edge: grows with the log of the gradient's norm."""
    m = 0.0 if magnitude is None or not math.isfinite(magnitude) else magnitude
    return 2.0 + min(6.0, 1.6 * math.log10(1.0 + 10.0 * m))


class GraphScene(QGraphicsScene):
    """Items for every node of the graph at the cursor, positioned by the latest layout."""

    def __init__(self, colors: GraphColors, parent: object = None) -> None:
        super().__init__(parent)
        self.colors = colors
        self.host = SceneHost(colors)
        self.graph: nx.DiGraph = nx.DiGraph()
        self.layout: Layout | None = None
        self.direction = "TB"
        self.items_by_key: dict[str, NodeItem] = {}
        self._edge_items: list[QGraphicsPathItem] = []
        self._grad_items: list[QGraphicsItem] = []
        self._edge_total = 0
        self.nodes_layer = QGraphicsRectItem()
        self.nodes_layer.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.addItem(self.nodes_layer)
        self.overview = OverviewItem()
        self.overview.setVisible(False)
        self.addItem(self.overview)
        self.setBackgroundBrush(colors.background)
        self._edge_pen = QPen(colors.edge, 1.3)
        self._edge_pen.setCosmetic(True)

    # -- graph and layout ------------------------------------------------------------------------
    def prepare_graph(self, graph: nx.DiGraph, state: State) -> None:
        """Give every node the fixed box size the layout must use."""
        for key, attrs in graph.nodes(data=True):
            role = label = ""
            if key_kind(key) == "tensor":
                ts = state.tensors.get(key_id(key))
                role = ts.role if ts is not None else attrs.get("role", "")
            else:
                fs = state.functions.get(key_id(key))
                label = fs.grad_fn if fs is not None else ""
            attrs["size"] = node_size(key_kind(key), role, label)

    def hide_missing(self, state: State) -> None:
        """Hide the items of nodes that do not exist yet at ``state`` (time travel backwards)."""
        for key, item in self.items_by_key.items():
            table = state.functions if key_kind(key) == "function" else state.tensors
            item.setVisible(self.shown(item) and key_id(key) in table)
        if self.layout is not None:
            self._rebuild_edges()

    def apply_layout(self, graph: nx.DiGraph, layout: Layout) -> None:
        """Place nodes per ``layout`` (creating items for new ones) and redraw edges."""
        self.graph = graph
        self.layout = layout
        self.direction = layout.direction
        for key, (x, y) in layout.positions.items():
            item = self.items_by_key.get(key)
            if item is None:
                item = self._make_item(key, graph.nodes[key] if key in graph else {})
                self.items_by_key[key] = item
            item.setPos(x, y)
        for key, item in self.items_by_key.items():
            item.setVisible(key in graph and key in layout.positions)
        self._rebuild_edges()
        self._rebuild_overview()
        x0, y0, x1, y1 = layout.bounds if layout.positions else (0.0, 0.0, 0.0, 0.0)
        self.setSceneRect(
            QRectF(x0 - MARGIN, y0 - MARGIN, x1 - x0 + 2 * MARGIN, y1 - y0 + 2 * MARGIN)
        )
        self.set_state(self.host.state)

    def create_items(self, graph: nx.DiGraph, layout: Layout, keys: list[str]) -> None:
        """Make and place items for ``keys`` ahead of ``apply_layout`` (big graphs come in slices)."""
        for key in keys:
            if key not in self.items_by_key:
                item = self._make_item(key, graph.nodes[key] if key in graph else {})
                item.setPos(*layout.positions[key])
                self.items_by_key[key] = item

    def clear_graph(self) -> None:
        """Forget every item (a new program or trace)."""
        for item in self.items_by_key.values():
            self.removeItem(item)
        self.items_by_key.clear()
        self._clear(self._edge_items)
        self._clear(self._grad_items)
        self._edge_total = 0
        self.graph = nx.DiGraph()
        self.layout = None
        self.host.state = None
        self.overview.set_groups([], QRectF())

    def _make_item(self, key: str, attrs: dict) -> NodeItem:
        if key_kind(key) == "function":
            fs = self.host.state.functions.get(key_id(key)) if self.host.state else None
            label = fs.grad_fn if fs is not None else ""
            item: NodeItem = FunctionItem(key, key_id(key), label, self.host)
        else:
            ts = self.host.state.tensors.get(key_id(key)) if self.host.state else None
            role = ts.role if ts is not None else attrs.get("role", "intermediate")
            item = TensorItem(key, key_id(key), role, self.host)
        item.setParentItem(self.nodes_layer)
        return item

    def _endpoints(self, u: str, v: str) -> list[tuple[float, float]] | None:
        a, b = self.items_by_key.get(u), self.items_by_key.get(v)
        if a is None or b is None or not self.shown(a) or not self.shown(b):
            return None
        ax, ay, bx, by = a.x(), a.y(), b.x(), b.y()
        ra, rb = a.rect, b.rect
        if self.direction == "TB":
            start, end = (ax, ay + ra.height() / 2), (bx, by - rb.height() / 2)
        else:
            start, end = (ax + ra.width() / 2, ay), (bx - rb.width() / 2, by)
        bends = self.layout.bends.get((u, v), []) if self.layout else []
        return [start, *bends, end]

    def _rebuild_edges(self) -> None:
        self._clear(self._edge_items)
        path = QPainterPath()
        count = total = 0
        for u, v in self.graph.edges:
            pts = self._endpoints(u, v)
            if pts is None:
                continue
            path.addPath(edge_path(pts, self.direction))
            count += 1
            total += 1
            if count == EDGE_BATCH:
                self._add_edge_item(path)
                path, count = QPainterPath(), 0
        if count:
            self._add_edge_item(path)
        self._edge_total = total

    def _add_edge_item(self, path: QPainterPath) -> None:
        item = QGraphicsPathItem(path)
        item.setPen(self._edge_pen)
        item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        item.setZValue(0)
        self.addItem(item)
        self._edge_items.append(item)

    def _rebuild_overview(self) -> None:
        groups: dict[str, tuple[QColor, list[QRectF]]] = {}
        state = self.host.state
        for key, item in self.items_by_key.items():
            if not self.shown(item):
                continue
            if key_kind(key) == "function":
                name, color = "f", self.colors.fn_border
            else:
                ts = state.tensors.get(key_id(key)) if state else None
                role = ts.role if ts is not None else "intermediate"
                color = role_color(self.colors, role) or self.colors.border
                name = role
            groups.setdefault(name, (color, []))[1].append(item.rect.translated(item.pos()))
        self.overview.set_groups(list(groups.values()), self.sceneRect())

    def _clear(self, items: list[QGraphicsItem]) -> None:
        for item in items:
            self.removeItem(item)
        items.clear()

    # -- state at the cursor ---------------------------------------------------------------------
    def set_state(self, state: State | None) -> None:
        """Show ``state``: contents, the highlighted nodes and this step's gradient edges."""
        self.host.state = state
        self.host.current = frozenset(state.current) if state is not None else frozenset()
        self._clear(self._grad_items)
        if state is not None and state.grad_edges and self.layout is not None:
            mags = _edge_magnitudes(state)
            for a, b in state.grad_edges:
                self._add_grad_edge(a, b, mags.get((a, b)))
        self.update()

    def _add_grad_edge(self, sender: str, receiver: str, magnitude: float | None) -> None:
        # A gradient edge runs against a data-flow edge: receiver -> sender in the graph.
        pts = self._endpoints(receiver, sender)
        if pts is None:
            return
        path = QPainterPath()
        add_curve(path, pts, self.direction)
        width = grad_width(magnitude)
        glow, core = grad_pen(self.colors.grad, width + 6, 55), grad_pen(self.colors.grad, width)
        for pen, z in ((glow, 0.5), (core, 0.6)):
            item = QGraphicsPathItem(path)
            item.setPen(pen)
            item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            item.setZValue(z)
            self.addItem(item)
            self._grad_items.append(item)
        head = self.addPolygon(
            arrow_head(pts[0], True, self.direction, 8 + width),
            QPen(Qt.PenStyle.NoPen),
            self.colors.grad,
        )
        head.setZValue(3)
        self._grad_items.append(head)

    # -- queries ---------------------------------------------------------------------------------
    def shown(self, item: QGraphicsItem) -> bool:
        """In the graph now (whether or not the zoomed-out overview stands in for it)."""
        return item.isVisibleTo(self.nodes_layer)

    def node_count(self) -> int:
        """Nodes drawn now."""
        return sum(1 for item in self.items_by_key.values() if self.shown(item))

    def edge_count(self) -> int:
        """Edges drawn now."""
        return self._edge_total

    def visible_keys(self) -> list[str]:
        return [k for k, item in self.items_by_key.items() if self.shown(item)]

    def grad_edge_count(self) -> int:
        return sum(1 for i in self._grad_items if isinstance(i, QGraphicsPathItem)) // 2


def _edge_magnitudes(state: State) -> dict[tuple[str, str], float]:
    """Norm of the gradient each of this step's gradient edges carries."""
    out: dict[tuple[str, str], float] = {}
    ev = state.event
    if isinstance(ev, BackwardNode):
        fs = state.functions.get(ev.node)
        if fs is not None:
            for i, g in enumerate(ev.grads_out):
                if g is not None and i < len(fs.inputs) and fs.inputs[i] is not None:
                    n = fmt.norm(g)
                    out[(f"f{ev.node}", f"t{fs.inputs[i]}")] = n if n is not None else 0.0
        elif ev.tensor is not None and ev.grads_in:
            n = fmt.norm(ev.grads_in[0])
            for a, b in state.grad_edges:
                out[(a, b)] = n or 0.0
    elif isinstance(ev, GradAccumulated):
        n = fmt.norm(ev.contribution)
        for a, b in state.grad_edges:
            out[(a, b)] = n or 0.0
    return out
