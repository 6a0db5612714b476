"""The minimap: the whole graph in a corner of the view, with the part the view shows framed.

It steps aside while the view shows the whole graph. The picture (open groups' boxes, edges, one rectangle per node) is painted into a ``QImage`` by
the layout worker, once per layout (:func:`render_minimap`), so a frame or a step only draws that
image, the viewport rectangle and a few dots: the current op and every search match. A click or a
drag centres the view on the point under the pointer.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from visgrad.app.graph_geometry import Geometry
from visgrad.app.group_boxes import box_tint
from visgrad.app.theme import GraphColors, overview_color
from visgrad.app.view_navigation import OVERVIEW_BELOW
from visgrad.graph.layout import Layout

if TYPE_CHECKING:
    from visgrad.app.graph_view import GraphView

MAX_SIDE = 210  # the picture's longer side in pixels
MIN_SIDE = 56  # the widget's shorter side: a long thin graph still gets a target to click
VIEW_SHARE = 0.42  # at most this share of the view's shorter side (a small window keeps its graph)
PAD = 6
MARGIN = 12  # from the view's corner
EDGES_UP_TO = 6000  # more edges than this: nodes and boxes only (a grey smudge adds nothing)
FAR_RECTS = 3000  # nodes from which the zoomed-out overview is one picture
FAR_SIDE, FAR_PIXELS = 8192, 6_000_000  # that picture's limits
MIP_SIDE = 512  # its smallest halving's longer side


def render_minimap(
    layout: Layout, geometry: Geometry, colors: GraphColors
) -> tuple[QImage, QRectF] | None:
    """The picture of the whole graph and the scene rectangle it covers (None for no graph).

    Plain QImage painting, so it runs on the layout worker's thread.
    """
    if not layout.positions:
        return None
    x0, y0, x1, y1 = layout.bounds
    pad = 20.0
    area = QRectF(x0 - pad, y0 - pad, max(x1 - x0, 1.0) + 2 * pad, max(y1 - y0, 1.0) + 2 * pad)
    scale = MAX_SIDE / max(area.width(), area.height())
    size = QSize(max(1, math.ceil(area.width() * scale)), max(1, math.ceil(area.height() * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(scale, scale)
    p.translate(-area.left(), -area.top())
    boxes = getattr(layout, "boxes", {})
    if boxes:
        edge = QColor(colors.group)
        edge.setAlpha(140)
        pen = QPen(edge, 1.0)
        pen.setCosmetic(True)
        p.setPen(pen)
        fill = QColor(colors.group)
        fill.setAlpha(16)
        p.setBrush(fill)
        p.drawRects([QRectF(a, b, c - a, d - b) for a, b, c, d in boxes.values()])
    if geometry.edge_total <= EDGES_UP_TO:
        edge = QColor(colors.edge)
        edge.setAlpha(150)
        pen = QPen(edge, 0.6)
        pen.setCosmetic(True)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        for path in geometry.edge_paths:
            p.drawPath(path)
    p.setPen(Qt.PenStyle.NoPen)
    for group, rects in geometry.overview.items():
        p.setBrush(overview_color(colors, group))
        p.drawRects(rects)
    p.end()
    return image, area


def render_overview(
    layout: Layout, geometry: Geometry, colors: GraphColors, depths: dict[str, int]
) -> tuple[list[QImage], QRectF] | None:
    """The zoomed-out overview's rectangles (open groups' boxes by their ``depths``, then the
    edges and the nodes) as one picture, for graphs with more than ``FAR_RECTS`` nodes (None for smaller ones:
    their rectangles are drawn as they are).

    Its resolution is the overview's largest scale, within a pixel budget, and it comes with its
    halvings down to ``MIP_SIDE`` pixels, so a frame far out scales a small image, not a 6 Mpx
    one. On the layout thread.
    """
    count = sum(len(rects) for rects in geometry.overview.values())
    if count < FAR_RECTS or not layout.positions:
        return None
    x0, y0, x1, y1 = layout.bounds
    area = QRectF(x0 - 4, y0 - 4, max(x1 - x0, 1.0) + 8, max(y1 - y0, 1.0) + 8)
    scale = min(
        OVERVIEW_BELOW,
        FAR_SIDE / max(area.width(), area.height()),
        math.sqrt(FAR_PIXELS / (area.width() * area.height())),
    )
    size = QSize(max(1, math.ceil(area.width() * scale)), max(1, math.ceil(area.height() * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.scale(size.width() / area.width(), size.height() / area.height())
    p.translate(-area.left(), -area.top())
    by_depth: dict[int, list[QRectF]] = {}
    for key, (a, b, c, d) in getattr(layout, "boxes", {}).items():
        by_depth.setdefault(min(depths.get(key, 0), 8), []).append(QRectF(a, b, c - a, d - b))
    edge = QColor(colors.group)
    edge.setAlpha(150)
    pen = QPen(edge, 1.0)
    pen.setCosmetic(True)
    p.setPen(pen)
    for depth, rects in sorted(by_depth.items()):
        p.setBrush(box_tint(colors, depth))
        p.drawRects(rects)
    # The edges too: the scene hides its edge paths while this picture stands in for the nodes.
    edge_pen = QPen(colors.edge, 1.0)
    edge_pen.setCosmetic(True)
    p.setPen(edge_pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    for path in geometry.edge_paths:
        p.drawPath(path)
    p.setPen(Qt.PenStyle.NoPen)
    for group, rects in geometry.overview.items():
        p.setBrush(overview_color(colors, group))
        p.drawRects(rects)
    p.end()
    levels = [image]
    while max(levels[-1].width(), levels[-1].height()) > MIP_SIDE:
        last = levels[-1]
        levels.append(
            last.scaled(
                max(1, last.width() // 2),
                max(1, last.height() // 2),
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
    return levels, area


class Minimap(QWidget):
    """The overlay in the graph view's bottom-right corner."""

    def __init__(self, view: GraphView) -> None:
        super().__init__(view)
        self.setObjectName("minimap")
        self.view = view
        self.enabled_by_user = True
        self._image: QImage | None = None
        self._area = QRectF()
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Minimap: click or drag to move the view")
        self.hide()

    # -- picture ---------------------------------------------------------------------------------
    def set_picture(self, picture: tuple[QImage, QRectF] | None) -> None:
        """A new layout's picture (None: no graph, nothing to show)."""
        if picture is None:
            self._image, self._area = None, QRectF()
        else:
            self._image, self._area = picture
        self.place()
        self.update()

    def set_enabled_by_user(self, on: bool) -> None:
        """View ▸ Minimap."""
        self.enabled_by_user = on
        self.place()

    def wanted(self) -> bool:
        """Shown when there is a graph, the user wants it and the view does not show it whole."""
        if self._image is None or not self.enabled_by_user:
            return False
        graph = self._area.adjusted(20, 20, -20, -20)  # the nodes, without the picture's pad
        return not self.view.visible_scene_rect().contains(graph)

    def place(self) -> None:
        """Size to the picture and sit in the view's bottom-right corner (or hide)."""
        if not self.wanted():
            self.hide()
            return
        size = self._shown_size()
        w = max(size.width(), MIN_SIDE) + 2 * PAD
        h = max(size.height(), MIN_SIDE) + 2 * PAD
        vp = self.view.viewport().geometry()
        self.setGeometry(vp.right() - w - MARGIN, vp.bottom() - h - MARGIN, w, h)
        self.show()
        self.raise_()

    def follow(self) -> None:
        """The view moved or zoomed: redraw the frame, appear or step aside."""
        if self.wanted() != self.isVisible():
            self.place()
        elif self.isVisible():
            self.update()

    def _shown_size(self) -> QSize:
        """The picture's size on screen: its own, or less in a small view."""
        img = self._image
        if img is None:
            return QSize()
        vp = self.view.viewport()
        cap = max(MIN_SIDE, VIEW_SHARE * min(vp.width(), vp.height()))
        k = min(1.0, cap / max(img.width(), img.height()))
        return QSize(max(1, round(img.width() * k)), max(1, round(img.height() * k)))

    def _image_rect(self) -> QRect:
        size = self._shown_size()
        if size.isEmpty():
            return QRect()
        return QRect(
            (self.width() - size.width()) // 2,
            (self.height() - size.height()) // 2,
            size.width(),
            size.height(),
        )

    # -- mapping ---------------------------------------------------------------------------------
    def to_minimap(self, p: QPointF) -> QPointF:
        """Scene point -> widget point."""
        r, a = self._image_rect(), self._area
        if a.isEmpty():
            return QPointF()
        return QPointF(
            r.left() + (p.x() - a.left()) * r.width() / a.width(),
            r.top() + (p.y() - a.top()) * r.height() / a.height(),
        )

    def to_scene(self, p: QPointF) -> QPointF:
        """Widget point -> scene point (clamped to the graph)."""
        r, a = self._image_rect(), self._area
        fx = min(max((p.x() - r.left()) / max(r.width(), 1), 0.0), 1.0)
        fy = min(max((p.y() - r.top()) / max(r.height(), 1), 0.0), 1.0)
        return QPointF(a.left() + fx * a.width(), a.top() + fy * a.height())

    def viewport_rect(self) -> QRectF:
        """The view's visible part, in widget coordinates."""
        seen = self.view.visible_scene_rect()
        return QRectF(self.to_minimap(seen.topLeft()), self.to_minimap(seen.bottomRight()))

    # -- painting and mouse ----------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt virtual
        colors = self.view.colors
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        panel = QColor(colors.node_fill)
        p.setPen(QPen(colors.group, 1.0))
        p.setBrush(panel)
        p.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        if self._image is None:
            return
        p.drawImage(self._image_rect(), self._image)
        p.setClipRect(self.rect().adjusted(1, 1, -1, -1))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colors.search)
        for x, y in self.view.match_positions():
            p.drawEllipse(self.to_minimap(QPointF(x, y)), 3.0, 3.0)
        p.setBrush(colors.current)
        for x, y in self.view.current_positions():
            p.drawEllipse(self.to_minimap(QPointF(x, y)), 3.5, 3.5)
        seen = self.viewport_rect()
        if seen.width() < 4 or seen.height() < 4:  # zoomed far in: a visible target anyway
            seen = QRectF(seen.center().x() - 3, seen.center().y() - 3, 6, 6)
        fill = QColor(colors.current)
        fill.setAlpha(22)
        p.setBrush(fill)
        p.setPen(QPen(colors.current, 1.5))
        p.drawRect(seen)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt virtual
        if event.button() == Qt.MouseButton.LeftButton:
            self._move_view(event.position())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt virtual
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._move_view(event.position())
        event.accept()

    def _move_view(self, pos: QPointF) -> None:
        if self._image is None:
            return
        self.view.pan_to(self.to_scene(pos))
