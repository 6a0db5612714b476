"""The scene: a projection of (graph, layout, state) into items. No Qt widget, so exports use it too.

``hide_missing`` hides nodes that do not exist yet at an earlier tick (or are out of scope); ``apply_layout`` places nodes (new ones
appear here, old ones keep their position) and swaps in the edge paths the layout worker built;
``set_state`` moves the highlight and redraws the gradient edges of the current backward step.
The scene mirrors which items it placed and showed in plain dicts and sets, so applying the layout
of a 17,000-node graph touches only the items that changed.
"""

from __future__ import annotations

import math

import networkx as nx
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsScene

from visgrad.app import formatting as fmt
from visgrad.app.grad_edges import GradHeads, GradLines
from visgrad.app.graph_geometry import (
    Geometry,
    add_curve,
    arrow_head,
    batch_edges,
    build_geometry,
    edge_points,
)
from visgrad.app.graph_items import (
    FunctionItem,
    NodeItem,
    OverviewItem,
    SceneHost,
    TensorItem,
    card_size,
)
from visgrad.app.group_boxes import BoxOverview, BoxTitles, GroupBox
from visgrad.app.group_items import GROUP_H, GROUP_W, GroupItem
from visgrad.app.theme import GraphColors, overview_color
from visgrad.events import BackwardNode, GradAccumulated
from visgrad.graph.grouped import representative
from visgrad.graph.groups import is_group
from visgrad.graph.layout import Layout
from visgrad.trace.keys import key_kind, node_id
from visgrad.trace.state import State

MARGIN = 60.0


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
        self._placed: dict[str, tuple[float, float]] = {}  # where each item was put
        self._shown: set[str] = set()  # keys whose items are visible (the layer aside)
        self._edge_items: list[QGraphicsPathItem] = []
        self.grad_lines = GradLines(colors.grad)
        self.grad_heads = GradHeads(colors.grad)
        self.addItem(self.grad_lines)
        self.addItem(self.grad_heads)
        self.boxes: dict[str, GroupBox] = {}  # open groups' frames
        self._edge_total = 0
        # Node items are top-level items, so the scene's index culls them: under a parent item
        # (to hide them all at once for the zoomed-out overview) 20,000 of them cost 4-8 ms a
        # frame however few were on screen. The overview hides them one by one instead (25 ms,
        # once, when the zoom crosses the threshold).
        self._nodes_visible = True
        # The overview's picture (big graphs) holds the edges too: while it stands in for the
        # nodes their paths are hidden, as 40,000 curves cost 20 ms a frame to stroke.
        self._edges_pictured = False
        self.overview = OverviewItem()
        self.overview.setVisible(False)
        self.addItem(self.overview)
        self.box_overview = BoxOverview(self.host)
        self.box_overview.setVisible(False)
        self.addItem(self.box_overview)
        self.box_titles = BoxTitles(self.host)
        self.box_titles.setVisible(False)
        self.addItem(self.box_titles)
        self.setBackgroundBrush(colors.background)
        self._edge_pen = QPen(colors.edge, 1.3)
        self._edge_pen.setCosmetic(True)

    # -- graph and layout ------------------------------------------------------------------------
    def prepare_graph(self, graph: nx.DiGraph, state: State) -> None:
        """Give every node the fixed box size the layout must use."""
        for key, attrs in graph.nodes(data=True):
            role = label = ""
            if attrs.get("kind") == "group":
                attrs["size"] = (GROUP_W, GROUP_H)
                continue
            if key_kind(key) == "tensor":
                ts = state.tensors.get(node_id(key))
                role = ts.role if ts is not None else attrs.get("role", "")
            else:
                fs = state.functions.get(node_id(key))
                label = fs.grad_fn if fs is not None else ""
            attrs["size"] = card_size(key_kind(key), role, label)

    def hide_missing(self, state: State, keep: set[str] | None = None) -> None:
        """Hide the items of nodes that do not exist yet at ``state`` (time travel backwards).

        With ``keep`` (the keys to draw, e.g. the current iteration's), every other item too.
        """
        if keep is not None:
            gone = [k for k in self._shown if k not in keep]
        else:
            gone = [
                k
                for k in self._shown
                if not is_group(k)
                and node_id(k)
                not in (state.functions if key_kind(k) == "function" else state.tensors)
            ]
        self._show(gone, False)
        if self.layout is not None and gone:
            self._rebuild_edges()

    def apply_layout(
        self, graph: nx.DiGraph, layout: Layout, geometry: Geometry | None = None
    ) -> None:
        """Place nodes per ``layout`` (creating items for new ones) and draw the edges.

        ``geometry`` is the worker's :func:`build_geometry` of the same graph and layout; without
        it the edges are built here.
        """
        self.graph = graph
        self.layout = layout
        self.direction = layout.direction
        if geometry is None:
            geometry = build_geometry(graph, layout, self.host.state)
        placed, items = self._placed, self.items_by_key
        for key, xy in layout.positions.items():
            item = items.get(key)
            if isinstance(item, GroupItem) and key in graph:
                item.set_attrs(graph.nodes[key])
            if placed.get(key) == xy:
                continue
            if item is None:
                item = self._make_item(key, graph.nodes[key] if key in graph else {})
                items[key] = item
                self._shown.add(key)
            item.setPos(*xy)
            placed[key] = xy
        wanted = {k for k in layout.positions if k in graph}
        self._show([k for k in self._shown if k not in wanted], False)
        self._show([k for k in wanted if k not in self._shown], True)
        self._clear(self._edge_items)
        self._edges_pictured = geometry.overview_picture is not None
        for path in geometry.edge_paths:
            self._add_edge_item(path)
        self._edge_total = geometry.edge_total
        x0, y0, x1, y1 = layout.bounds if layout.positions else (0.0, 0.0, 0.0, 0.0)
        self.setSceneRect(
            QRectF(x0 - MARGIN, y0 - MARGIN, x1 - x0 + 2 * MARGIN, y1 - y0 + 2 * MARGIN)
        )
        self._set_overview(geometry.overview)
        self.overview.set_picture(geometry.overview_picture)
        self.box_overview.set_pictured(geometry.overview_picture is not None)
        self._set_boxes(graph, layout)
        self.set_state(self.host.state)

    def create_items(self, graph: nx.DiGraph, layout: Layout, keys: list[str]) -> None:
        """Make and place items for ``keys`` ahead of ``apply_layout`` (big graphs come in slices)."""
        for key in keys:
            if key not in self.items_by_key:
                item = self._make_item(key, graph.nodes[key] if key in graph else {})
                xy = layout.positions[key]
                item.setPos(*xy)
                self._placed[key] = xy
                self.items_by_key[key] = item
                self._shown.add(key)

    def clear_graph(self) -> None:
        """Forget every item (a new program or trace)."""
        for item in self.items_by_key.values():
            self.removeItem(item)
        self.items_by_key.clear()
        self._placed.clear()
        self._shown.clear()
        self._clear(self._edge_items)
        self.grad_lines.set_edges([])
        self.grad_heads.set_heads([])
        for box in self.boxes.values():
            self.removeItem(box)
        self.boxes.clear()
        self.box_overview.set_boxes([])
        self.box_titles.set_boxes([])
        self._edge_total = 0
        self.graph = nx.DiGraph()
        self.layout = None
        self.host.state = None
        self.overview.set_groups([], QRectF())
        self.overview.set_picture(None)

    def show_nodes(self, visible: bool) -> None:
        """Show the node items, or hide them all while the overview stands in for them."""
        if visible == self._nodes_visible:
            return
        self._nodes_visible = visible
        items = self.items_by_key
        for key in self._shown:
            items[key].setVisible(visible)
        for box in self.boxes.values():
            box.setVisible(visible)
        for edge in self._edge_items:
            edge.setVisible(self._edge_shown())
        self.box_overview.setVisible(not visible)

    def _edge_shown(self) -> bool:
        """Edge paths are drawn unless the overview's picture, which holds them, is up."""
        return self._nodes_visible or not self._edges_pictured

    def _make_item(self, key: str, attrs: dict) -> NodeItem:
        if is_group(key):
            item: NodeItem = GroupItem(key, attrs, self.host)
        elif key_kind(key) == "function":
            fs = self.host.state.functions.get(node_id(key)) if self.host.state else None
            label = fs.grad_fn if fs is not None else ""
            item = FunctionItem(key, node_id(key), label, self.host)
        else:
            ts = self.host.state.tensors.get(node_id(key)) if self.host.state else None
            role = ts.role if ts is not None else attrs.get("role", "intermediate")
            item = TensorItem(key, node_id(key), role, self.host)
        item.setVisible(self._nodes_visible)
        self.addItem(item)
        return item

    def _endpoints(self, u: str, v: str) -> list[tuple[float, float]] | None:
        a, b = self.items_by_key.get(u), self.items_by_key.get(v)
        if a is None or b is None or u not in self._shown or v not in self._shown:
            return None
        ra, rb = a.rect, b.rect
        bends = self.layout.bends.get((u, v), []) if self.layout else []
        return edge_points(
            (a.x(), a.y()),
            (ra.width(), ra.height()),
            (b.x(), b.y()),
            (rb.width(), rb.height()),
            bends,
            self.direction,
        )

    def _rebuild_edges(self) -> None:
        self._clear(self._edge_items)
        edges = [pts for u, v in self.graph.edges if (pts := self._endpoints(u, v)) is not None]
        for path in batch_edges(edges, self.direction):
            self._add_edge_item(path)
        self._edge_total = len(edges)

    def _show(self, keys: list[str], visible: bool) -> None:
        items = self.items_by_key
        for key in keys:
            items[key].setVisible(visible and self._nodes_visible)
        if visible:
            self._shown.update(keys)
        else:
            self._shown.difference_update(keys)

    def _add_edge_item(self, path: QPainterPath) -> None:
        item = QGraphicsPathItem(path)
        item.setPen(self._edge_pen)
        item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        item.setZValue(0)
        item.setVisible(self._edge_shown())
        self.addItem(item)
        self._edge_items.append(item)

    def _set_overview(self, boxes: dict[str, list[QRectF]]) -> None:
        groups: list[tuple[QColor, list[QRectF]]] = []
        for group, rects in boxes.items():
            groups.append((overview_color(self.colors, group), rects))
        self.overview.set_groups(groups, self.sceneRect())

    def _set_boxes(self, graph: nx.DiGraph, layout: Layout) -> None:
        """Frames of the open groups, made once per group and moved when the layout moves them."""
        rects = getattr(layout, "boxes", {})
        info = graph.graph.get("boxes", {})
        for key in [k for k in self.boxes if k not in rects]:
            self.removeItem(self.boxes.pop(key))
        for key, (x0, y0, x1, y1) in rects.items():
            box = self.boxes.get(key)
            if box is None:
                box = self.boxes[key] = GroupBox(key, info.get(key, {}), self.host)
                box.setVisible(self._nodes_visible)
                self.addItem(box)
            box.set_rect(QRectF(x0, y0, x1 - x0, y1 - y0), info.get(key, {}))
        self.box_overview.set_boxes(list(self.boxes.values()))
        self.box_titles.set_boxes(list(self.boxes.values()))

    def _clear(self, items: list[QGraphicsItem]) -> None:
        for item in items:
            self.removeItem(item)
        items.clear()

    # -- state at the cursor ---------------------------------------------------------------------
    def set_state(self, state: State | None) -> None:
        """Show ``state``: contents, the highlighted nodes and this step's gradient edges."""
        self.host.state = state
        current = state.current if state is not None else ()
        self.host.current = frozenset(representative(self.graph, k) for k in current)
        tree = self.graph.graph.get("tree")
        self.host.current_boxes = frozenset(
            g
            for k in current
            for g in (tree.chain_of(k) if tree is not None else ())
            if g in self.boxes
        )
        lines: list[tuple[QPainterPath, float]] = []
        heads: list[QPolygonF] = []
        if state is not None and state.grad_edges and self.layout is not None:
            mags = _edge_magnitudes(state)
            drawn: set[tuple[str, str]] = set()
            for a, b in state.grad_edges:
                ra, rb = representative(self.graph, a), representative(self.graph, b)
                if ra == rb or (ra, rb) in drawn:
                    continue  # inside one closed group: the group's highlight says it
                drawn.add((ra, rb))
                self._add_grad_edge(ra, rb, mags.get((a, b)), lines, heads)
        if lines or self.grad_lines.count():
            self.grad_lines.set_edges(lines)
            self.grad_heads.set_heads(heads)
        self.update()

    def _add_grad_edge(
        self,
        sender: str,
        receiver: str,
        magnitude: float | None,
        lines: list[tuple[QPainterPath, float]],
        heads: list[QPolygonF],
    ) -> None:
        # A gradient edge runs against a data-flow edge: receiver -> sender in the graph.
        pts = self._endpoints(receiver, sender)
        if pts is None:
            return
        path = QPainterPath()
        add_curve(path, pts, self.direction)
        width = grad_width(magnitude)
        lines.append((path, width))
        heads.append(arrow_head(pts[0], True, self.direction, 8 + width))

    # -- queries ---------------------------------------------------------------------------------
    def shown(self, item: QGraphicsItem) -> bool:
        """In the graph now (whether or not the zoomed-out overview stands in for it)."""
        return getattr(item, "key", None) in self._shown

    def node_count(self) -> int:
        """Nodes drawn now."""
        return len(self._shown)

    def edge_count(self) -> int:
        """Edges drawn now."""
        return self._edge_total

    def visible_keys(self) -> list[str]:
        return [k for k in self.items_by_key if k in self._shown]

    def grad_edge_count(self) -> int:
        return self.grad_lines.count()


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
