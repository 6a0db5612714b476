"""The DAG view: shows the state at the cursor, lays out off the GUI thread, zooms, pans, searches.

Building the networkx graph, laying it out and building the edge paths and overview boxes all run
on a one-thread ``QThreadPool``; the GUI thread only turns the result into items, a slice of new
items per event-loop turn when there are thousands. While a layout is computing, nodes that left the graph are
already hidden and the highlight already moved, so stepping never waits for the layout.

``scope`` chooses what is drawn: ``"iteration"`` (the default) the graph of the cursor's training
iteration only, as PyTorch builds a new graph each step; ``"all"`` the whole history.

Layouts are online (``grow_layout``): within one drawing (a scope, an iteration, a direction) each
node is placed once from the nodes made before it, and any earlier or later layout of the same
drawing may serve as ``previous`` with the same result. So the picture depends only on the
program, never on which states the worker thread happened to lay out; and iterations of the same
structure look the same, with their shared parameters in the same places.
"""

from __future__ import annotations

import networkx as nx
from PySide6.QtCore import QObject, QPointF, QRectF, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import QGraphicsView, QWidget

from visgrad.app.graph_geometry import Geometry, build_geometry, grid_points
from visgrad.app.graph_items import NodeItem
from visgrad.app.graph_scene import GraphScene, key_id, key_kind
from visgrad.app.theme import GraphColors, graph_colors
from visgrad.graph.build import SCOPES, graph_at
from visgrad.graph.layout import Layout, grow_layout
from visgrad.trace.state import State

MIN_SCALE, MAX_SCALE, FIT_MAX = 0.02, 4.0, 1.0
OVERVIEW_BELOW = 0.16  # scale under which every node is drawn by the one overview item
ZOOM_STEP = 1.25
NODE_GAP, LAYER_GAP = 32.0, 38.0
ITEMS_PER_SLICE = 600  # new items made per event-loop turn (about 10 ms)


def build_and_layout(
    state: State,
    scene: GraphScene,
    direction: str,
    previous: Layout | None,
    scope: str = "all",
) -> tuple[nx.DiGraph, Layout]:
    """The graph at ``state`` with box sizes, laid out online; ``previous`` is a layout of the
    same drawing at another tick (its nodes keep their places) or None."""
    graph = graph_at(state, scope)
    scene.prepare_graph(graph, state)
    if previous is not None and previous.direction != direction:
        previous = None
    return graph, grow_layout(
        graph, previous, direction=direction, node_gap=NODE_GAP, layer_gap=LAYER_GAP
    )


class _Relay(QObject):
    done = Signal(int, object, object, object)  # generation, graph, layout, geometry
    failed = Signal(int, str)


class _LayoutJob(QRunnable):
    def __init__(
        self,
        relay: _Relay,
        gen: int,
        state: State,
        scene: GraphScene,
        direction: str,
        previous: Layout | None,
        scope: str,
    ) -> None:
        super().__init__()
        self.args = (state, scene, direction, previous, scope)
        self.relay, self.gen = relay, gen

    def run(self) -> None:
        try:
            graph, layout = build_and_layout(*self.args)
            # Paths here, not on the GUI thread: 17,000 edges took 120 ms to build there.
            geometry = build_geometry(graph, layout, self.args[0])
        except Exception as e:  # a layout bug must not kill the worker thread silently
            self.relay.failed.emit(self.gen, f"{type(e).__name__}: {e}")
            return
        self.relay.done.emit(self.gen, graph, layout, geometry)


class GraphView(QGraphicsView):
    """QGraphicsView over a :class:`GraphScene`, fed with states by the window."""

    node_clicked = Signal(str)
    scene_updated = Signal()  # a layout was applied
    layout_failed = Signal(str)

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
        self._state: State | None = None
        self._signature: tuple[int, int, int, int] | None = None
        # The drawing (scope, iteration, direction) of the newest job and of the applied layout.
        self._drawing: tuple[str, int, str] | None = None
        self._applied_drawing: tuple[str, int, str] | None = None
        self._gen = 0
        self._applied_gen = 0
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_layout)
        self._relay.failed.connect(self._on_failed)
        self._search: tuple[str, list[str], int] = ("", [], -1)
        self._grid_pen = QPen(self.colors.grid, 1.0)
        self._grid_pen.setCosmetic(True)

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
        self.viewport().update()

    def _submit(self, state: State, previous: Layout | None) -> None:
        start = state.scope_start_seq if self.scope == "iteration" else 0
        self._drawing = (self.scope, start, self.direction)
        if self._drawing != self._applied_drawing:
            previous = None  # another iteration, scope or direction: a drawing of its own
        self._gen += 1
        self._pool.clear()  # only the newest graph matters
        self._pool.start(
            _LayoutJob(
                self._relay,
                self._gen,
                state,
                self.graph_scene,
                self.direction,
                previous,
                self.scope,
            )
        )

    def _on_layout(self, gen: int, graph: nx.DiGraph, layout: Layout, geometry: Geometry) -> None:
        if gen != self._gen:
            return
        scene = self.graph_scene
        missing = [k for k in layout.positions if k not in scene.items_by_key]
        if len(missing) > ITEMS_PER_SLICE:
            # Thousands of new items: create them a slice per event-loop turn, so the GUI thread
            # never stalls for long, then place them all at once.
            scene.host.state = self._state
            scene.create_items(graph, layout, missing[:ITEMS_PER_SLICE])
            QTimer.singleShot(0, lambda: self._on_layout(gen, graph, layout, geometry))
            return
        self._applied_gen = gen
        self._applied_drawing = self._drawing  # gen is the newest job's
        self.graph_scene.set_state(self._state)
        self.graph_scene.apply_layout(graph, layout, geometry)
        # Scroll room around the graph, so any node can be centred (the scene's rect stays tight).
        room = max(self.viewport().width(), self.viewport().height()) / max(self._scale(), 0.05)
        self.setSceneRect(self.graph_scene.sceneRect().adjusted(-room, -room, room, room))
        self._update_lod()
        if self.auto_fit:
            self.fit()
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

    def center_on(self, key: str) -> bool:
        """Scroll so ``key`` is in the middle; False when it is not drawn."""
        item = self.graph_scene.items_by_key.get(key)
        if item is None or not self.graph_scene.shown(item):
            return False
        self.auto_fit = False
        if self.transform().m11() < 0.6:
            self._set_scale(0.9)
        self.centerOn(item)
        return True

    def _follow_current(self, state: State) -> None:
        if self.auto_fit or not state.current:
            return
        item = self.graph_scene.items_by_key.get(state.current[0])
        if item is not None and self.graph_scene.shown(item):
            self.ensureVisible(item, 60, 60)

    # -- zoom, pan, fit, direction ---------------------------------------------------------------
    def zoom_by(self, factor: float) -> None:
        self.auto_fit = False
        self._set_scale(self.transform().m11() * factor)

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    def _scale(self) -> float:
        return self.transform().m11()

    def _set_scale(self, s: float) -> None:
        s = max(MIN_SCALE, min(MAX_SCALE, s))
        cur = self.transform().m11()
        if cur > 0:
            self.scale(s / cur, s / cur)
        self._update_lod()

    def fit(self) -> None:
        """Show the whole graph (never magnified beyond 100 %)."""
        self.auto_fit = True
        rect = self.graph_scene.sceneRect()
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.transform().m11() > FIT_MAX:
            self.resetTransform()
            self.centerOn(rect.center())
        self._update_lod()

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

    def _update_lod(self) -> None:
        far = self.transform().m11() < OVERVIEW_BELOW
        scene = self.graph_scene
        if scene.overview.isVisible() != far:
            scene.overview.setVisible(far)
            scene.nodes_layer.setVisible(not far)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt virtual
        delta = event.angleDelta().y()
        if delta:
            self.zoom_by(1.0015**delta)
        event.accept()

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

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt virtual
        if event.button() == Qt.MouseButton.LeftButton:
            item = self.node_at(event.position())
            if item is not None:
                self.node_clicked.emit(item.key)
                event.accept()
                return
        self.auto_fit = False
        super().mousePressEvent(event)

    # -- search ----------------------------------------------------------------------------------
    def search(self, text: str) -> str | None:
        """Next node whose name, op or grad_fn contains ``text``; selected and centred."""
        text = text.strip().lower()
        state = self._state
        if not text or state is None:
            return None
        last_text, matches, i = self._search
        if text != last_text:
            matches = [k for k in self.graph_scene.visible_keys() if text in self._label(state, k)]
            matches.sort(
                key=lambda k: (
                    self.graph_scene.items_by_key[k].y(),
                    self.graph_scene.items_by_key[k].x(),
                )
            )
            i = -1
        if not matches:
            self._search = (text, [], -1)
            return None
        i = (i + 1) % len(matches)
        self._search = (text, matches, i)
        key = matches[i]
        self.node_clicked.emit(key)
        self.set_selection(key)
        self.center_on(key)
        return key

    @staticmethod
    def _label(state: State, key: str) -> str:
        if key_kind(key) == "function":
            fs = state.functions.get(key_id(key))
            return f"{fs.grad_fn} {fs.op}".lower() if fs else ""
        ts = state.tensors.get(key_id(key))
        return f"{ts.name} {key}".lower() if ts else ""

    # -- background ------------------------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 - Qt virtual
        painter.fillRect(rect, self.colors.background)
        if self.transform().m11() < 0.45:
            return
        pts = grid_points(rect)
        if len(pts) < 20000:
            painter.setPen(self._grid_pen)
            painter.drawPoints(pts)

    def background_color(self) -> QColor:
        return self.colors.background
