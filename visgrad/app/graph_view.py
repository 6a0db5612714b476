"""The DAG view: shows the state at the cursor, lays out off the GUI thread, zooms, pans, searches.

Building the networkx graph, laying it out and building the edge paths and overview boxes all run
on a one-thread ``QThreadPool``; the GUI thread only turns the result into items, a slice of new
items per event-loop turn when there are thousands. While a layout is computing, nodes that left the graph are
already hidden and the highlight already moved, so stepping never waits for the layout.

Module groups: the graph the layout and the scene see is the *view graph* of the open groups
(:mod:`visgrad.graph.grouped`); a closed group is one card. Until the user opens or closes one,
the groups open to a depth that fits (``auto_expanded``); opening or closing keeps the group where
it is on screen, and re-lays out only the levels that changed (:mod:`layout_compound`).

``scope`` chooses what is drawn: ``"iteration"`` (the default) the graph of the cursor's training
iteration only, as PyTorch builds a new graph each step; ``"all"`` the whole history.

Layouts are online (``grow_layout``): within one drawing (a scope, an iteration, a direction) each
node is placed once from the nodes made before it, and any earlier or later layout of the same
drawing may serve as ``previous`` with the same result. So the picture depends only on the
program, never on which states the worker thread happened to lay out; and iterations of the same
structure look the same, with their shared parameters in the same places.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QMouseEvent, QPainter, QPen, QResizeEvent
from PySide6.QtWidgets import QApplication, QGraphicsView, QWidget

from visgrad.app.graph_geometry import grid_rows
from visgrad.app.graph_items import NodeItem
from visgrad.app.graph_scene import GraphScene
from visgrad.app.group_boxes import GroupBox
from visgrad.app.group_items import GroupItem
from visgrad.app.layout_job import Drawn, LayoutJob, Relay
from visgrad.app.minimap import Minimap
from visgrad.app.theme import GraphColors, graph_colors
from visgrad.app.view_groups import ViewGroups
from visgrad.app.view_navigation import ViewNavigation
from visgrad.app.view_search import ViewSearch
from visgrad.graph.build import SCOPES
from visgrad.graph.layout import Layout
from visgrad.trace.state import State

ITEMS_PER_SLICE = 600  # new items made per event-loop turn (about 10 ms)


class GraphView(ViewGroups, ViewNavigation, ViewSearch, QGraphicsView):
    """QGraphicsView over a :class:`GraphScene`, fed with states by the window."""

    node_clicked = Signal(str)
    group_clicked = Signal(str)  # a closed group's card was clicked (it is selected)
    scene_updated = Signal()  # a layout was applied
    layout_failed = Signal(str)
    search_changed = Signal()  # the matches or the current match changed
    selection_moved = Signal(str)  # the selected node's or group's key ("" for none)

    def __init__(self, colors: GraphColors | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.colors = colors or graph_colors()
        self.graph_scene = GraphScene(self.colors, self)
        self.setScene(self.graph_scene)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        # Full updates: scattered per-item updates were measured 12x slower with Minimal/Smart.
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        # Pan by dragging; scrollbars only take room from the graph.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setObjectName("graphView")
        self.direction = "TB"
        self.scope = "iteration"
        self.auto_fit = True
        self._press: QPointF | None = None  # where a left press on the empty canvas began
        self._state: State | None = None
        self._signature: tuple[int, int, int, int] | None = None
        # The drawing (scope, iteration, direction) of the newest job and of the applied layout.
        self._drawing: tuple[str, int, str] | None = None
        self._applied_drawing: tuple[str, int, str] | None = None
        self._gen = 0
        self._applied_gen = 0
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = Relay(self)
        self._relay.done.connect(self._on_layout)
        self._relay.failed.connect(self._on_failed)
        self._init_search()
        self.fit_narrow = False
        # Open groups: None until the user opens or closes one (then the depth that fits).
        self.expanded: set[str] | None = None
        self.drawn: Drawn | None = None  # the applied job's
        self._anchor: tuple[str, QPointF] | None = None  # keep this group here on screen
        self._grid_pen = QPen(self.colors.grid, 1.0)
        self._grid_pen.setCosmetic(True)
        self._grid_pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        self.minimap = Minimap(self)
        self.search_changed.connect(self.minimap.update)

    # -- feeding states --------------------------------------------------------------------------
    @property
    def layout_pending(self) -> bool:
        """True while a layout for the newest graph is still being computed."""
        return self._applied_gen != self._gen

    def show_state(self, state: State | None) -> None:
        """Render ``state``; a changed node set is re-laid out in the background."""
        self._state = state
        if state is None:
            self.clear()
            return
        scoped = self.scope == "iteration"
        sig = self._signature_of(state)
        if sig != self._signature:
            old = self._signature
            shrinking = old is not None and (sig[0] + sig[1] < old[0] + old[1] or sig[3] != old[3])
            self._signature = sig
            self._submit(state, self.graph_scene.layout)
            if shrinking:
                # Going back in time or into another iteration: drop the vanished nodes now
                # instead of after the layout.
                self.graph_scene.hide_missing(state, state.scope_keys() if scoped else None)
        self.graph_scene.set_state(state)
        self._follow_current(state)
        self.minimap.update()

    def _signature_of(self, state: State) -> tuple[int, int, int, int]:
        """Changes when the drawn graph does: its size, or (per iteration) the iteration."""
        start = state.scope_start_seq if self.scope == "iteration" else 0
        return (len(state.tensors), len(state.functions), len(state.edges), start)

    def clear(self) -> None:
        """Forget the graph (new program or trace)."""
        self._gen += 1
        self._applied_gen = self._gen
        self._signature = None
        self._drawing = self._applied_drawing = None
        self._pool.clear()
        self.graph_scene.clear_graph()
        self.auto_fit = True
        self.expanded = None
        self.drawn = None
        self._anchor = None
        self._init_search()
        self.minimap.set_picture(None)
        self.viewport().update()

    def _submit(self, state: State, previous: Layout | None, same_graph: bool = False) -> None:
        start = state.scope_start_seq if self.scope == "iteration" else 0
        self._drawing = (self.scope, start, self.direction)
        if self._drawing != self._applied_drawing:
            previous = None  # another iteration, scope or direction: a drawing of its own
            same_graph = False
        drawn = self.drawn
        base = (drawn.graph, drawn.tree) if same_graph and drawn is not None else None
        expanded = "auto" if self.expanded is None else frozenset(self.expanded)
        self._gen += 1
        self._pool.clear()  # only the newest graph matters
        self._pool.start(
            LayoutJob(
                self._relay,
                self._gen,
                state,
                self.graph_scene,
                self.direction,
                previous,
                self.scope,
                expanded,
                base,
            )
        )

    def _on_layout(self, gen: int, drawn: Drawn) -> None:
        if gen != self._gen:
            return
        scene = self.graph_scene
        graph, layout = drawn.view, drawn.layout
        missing = [k for k in layout.positions if k not in scene.items_by_key]
        if len(missing) > ITEMS_PER_SLICE:
            # Thousands of new items: create them a slice per event-loop turn, so the GUI thread
            # never stalls for long, then place them all at once.
            scene.host.state = self._state
            scene.create_items(graph, layout, missing[:ITEMS_PER_SLICE])
            QTimer.singleShot(0, lambda: self._on_layout(gen, drawn))
            return
        self._applied_gen = gen
        redrawn = self._applied_drawing not in (None, self._drawing)
        self._applied_drawing = self._drawing  # gen is the newest job's
        self.drawn = drawn
        anchor = self._anchor_point()
        scene.graph = graph  # the highlight maps the state's keys through the new view graph
        scene.set_state(self._state)
        scene.apply_layout(graph, layout, drawn.geometry)
        # Scroll room around the graph, so any node can be centred (the scene's rect stays tight).
        room = max(self.viewport().width(), self.viewport().height()) / max(self._scale(), 0.05)
        self.setSceneRect(scene.sceneRect().adjusted(-room, -room, room, room))
        self._update_lod()
        self._refresh_matches()
        self.minimap.set_picture(drawn.minimap)
        if anchor is not None:
            self._keep_anchor(*anchor)
        elif self.auto_fit:
            self.fit()
        elif redrawn:
            self._keep_in_sight()
        self._after_layout()
        self.scene_updated.emit()

    def _on_failed(self, gen: int, message: str) -> None:
        if gen == self._gen:
            self._applied_gen = gen
            self.layout_failed.emit(message)

    def shutdown(self) -> None:
        """Drop queued layouts and wait for the running one (window closing)."""
        self._pool.clear()
        self._pool.waitForDone(2000)

    def wait_for_layout(self, timeout_ms: int = 5000) -> bool:
        """Block until the pending layout is applied (tests, exports, benchmarks only)."""
        from PySide6.QtCore import QCoreApplication, QElapsedTimer

        timer = QElapsedTimer()
        timer.start()
        while self.layout_pending and timer.elapsed() < timeout_ms:
            self._pool.waitForDone(10)
            QCoreApplication.processEvents()
        return not self.layout_pending

    # -- decorations the panels drive ------------------------------------------------------------
    def mark(self, keys: dict[str, str]) -> None:
        """Outline ``keys`` in their role colours ("nan", "gradcheck-bad", ...); replaces all marks."""
        self.graph_scene.host.marks = dict(keys)
        self.graph_scene.update()

    def set_selection(self, key: str) -> None:
        self.graph_scene.host.selection = key
        self.graph_scene.update()
        self.selection_moved.emit(key)

    def selected(self) -> str:
        """The selected node's or group's key ("" for none)."""
        return self.graph_scene.host.selection

    def center_on(self, key: str) -> bool:
        """Scroll so ``key`` (a node, a closed group's card or an open group's box) is in the
        middle; False when it is not drawn."""
        scene = self.graph_scene
        item = scene.items_by_key.get(key)
        if item is not None and scene.shown(item):
            rect = item.sceneBoundingRect()
        elif key in scene.boxes:
            rect = scene.boxes[key].rect
        else:
            return False
        self.auto_fit = False
        if self.transform().m11() < 0.6 and rect.width() * 0.9 < self.viewport().width():
            self._set_scale(0.9)
        self.centerOn(rect.center())
        return True

    def pan_to(self, point: QPointF) -> None:
        """Centre the view on a scene point (the minimap's click), keeping the zoom."""
        self.auto_fit = False
        self.fit_narrow = False
        self.centerOn(point)

    def current_positions(self) -> list[tuple[float, float]]:
        """Scene positions of the drawn nodes standing for the current event's (the minimap's)."""
        scene = self.graph_scene
        items = scene.items_by_key
        shown = [items[k] for k in scene.host.current if k in items]
        return [(i.x(), i.y()) for i in shown if scene.shown(i)]

    def view_moved(self) -> None:
        self.minimap.follow()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt virtual
        super().scrollContentsBy(dx, dy)
        self.minimap.follow()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt virtual
        super().resizeEvent(event)
        self.minimap.place()

    def _follow_current(self, state: State) -> None:
        if (self.auto_fit and not self.fit_narrow) or not state.current:
            return
        key = next(iter(self.graph_scene.host.current), None)
        item = self.graph_scene.items_by_key.get(key) if key else None
        if item is not None and self.graph_scene.shown(item):
            self.ensureVisible(item, 60, 60)

    def set_direction(self, direction: str) -> None:
        """Top-to-bottom ("TB") or left-to-right ("LR"); a full layout, then fit."""
        if direction == self.direction:
            return
        self.direction = direction
        self.auto_fit = True
        if self._state is not None:
            self._submit(self._state, None)

    def set_scope(self, scope: str) -> None:
        """Draw the cursor's iteration ("iteration") or the whole history ("all"); a full layout."""
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {SCOPES}, not {scope!r}")
        if scope == self.scope:
            return
        self.scope = scope
        self.auto_fit = True
        self._search = ("", [], -1)
        state = self._state
        if state is None:
            return
        # A full layout: the other scope's positions would leave holes or crowd this one.
        self._signature = self._signature_of(state)
        self._submit(state, None)
        if scope == "iteration":
            self.graph_scene.hide_missing(state, state.scope_keys())

    # -- picking ---------------------------------------------------------------------------------
    def node_at(self, pos: QPointF) -> NodeItem | None:
        """The node under a viewport position (bounding boxes only: no path hit tests)."""
        p = self.mapToScene(pos.toPoint())
        hits = self.graph_scene.items(
            QRectF(p.x() - 1, p.y() - 1, 2, 2), Qt.ItemSelectionMode.IntersectsItemBoundingRect
        )
        for item in hits:
            if (
                isinstance(item, NodeItem)
                and item.isVisible()
                and item.rect.contains(item.mapFromScene(p))
            ):
                return item
        return None

    def box_at(self, pos: QPointF) -> GroupBox | None:
        """The innermost open group whose title is under a viewport position."""
        p = self.mapToScene(pos.toPoint())
        scale = self._scale()
        best = None
        for box in self.graph_scene.boxes.values():
            if box.title_rect(scale).contains(p) and (best is None or box.zValue() > best.zValue()):
                best = box
        return best

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt virtual
        if event.button() == Qt.MouseButton.LeftButton:
            item = self.node_at(event.position())
            if isinstance(item, GroupItem):
                self.set_selection(item.key)
                self.group_clicked.emit(item.key)
                event.accept()
                return
            if item is not None:
                self.node_clicked.emit(item.key)
                event.accept()
                return
            box = self.box_at(event.position())
            if box is not None:  # a click on an open group's title closes it
                self.toggle_group(box.key)
                event.accept()
                return
            self._press = event.position()  # a click keeps the fit on; a drag that pans ends it
        else:
            self._hold_view()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt virtual
        press, drag = self._press, QApplication.startDragDistance()
        if press is not None and (event.position() - press).manhattanLength() >= drag:
            self._press = None
            self._hold_view()
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt virtual
        self._press = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt virtual
        item = self.node_at(event.position())
        if isinstance(item, GroupItem) and event.button() == Qt.MouseButton.LeftButton:
            self.toggle_group(item.key)  # a double click on a closed group opens it
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    # -- background ------------------------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 - Qt virtual
        painter.fillRect(rect, self.colors.background)
        scale = self.transform().m11()
        if scale < 0.45:
            return
        # One dot per 24 scene units along each row: a dotted line, 1 px on, the rest off.
        self._grid_pen.setDashPattern([1.0, 24.0 * scale - 1.0])
        painter.setPen(self._grid_pen)
        painter.drawLines(grid_rows(rect))
