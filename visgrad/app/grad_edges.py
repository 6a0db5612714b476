"""The gradient edges of the current backward step, drawn by two items that stay in the scene.

Adding and removing items in a scene of 20,000 costs about a millisecond each, and every step
changes the gradient edges: so the lines (under the nodes) and their arrowheads (over them) are
each one item whose contents are replaced.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from visgrad.app.graph_geometry import grad_pen


class GradLines(QGraphicsItem):
    """The lines: a translucent glow under a solid core, widths by magnitude."""

    def __init__(self, color: QColor) -> None:
        super().__init__()
        self.color = color
        self._edges: list[tuple[QPainterPath, float]] = []
        self._bounds = QRectF()
        self.setZValue(0.55)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def set_edges(self, edges: list[tuple[QPainterPath, float]]) -> None:
        self.prepareGeometryChange()
        self._edges = edges
        bounds = QRectF()
        for path, width in edges:
            bounds = bounds.united(
                path.boundingRect().adjusted(-width - 6, -width - 6, width + 6, width + 6)
            )
        self._bounds = bounds
        self.update()

    def count(self) -> int:
        return len(self._edges)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt virtual
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for path, width in self._edges:
            painter.setPen(grad_pen(self.color, width + 6, 55))
            painter.drawPath(path)
            painter.setPen(grad_pen(self.color, width))
            painter.drawPath(path)


class GradHeads(QGraphicsItem):
    """The arrowheads, over the nodes they point at."""

    def __init__(self, color: QColor) -> None:
        super().__init__()
        self.color = color
        self._heads: list[QPolygonF] = []
        self._bounds = QRectF()
        self.setZValue(3)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def set_heads(self, heads: list[QPolygonF]) -> None:
        self.prepareGeometryChange()
        self._heads = heads
        bounds = QRectF()
        for h in heads:
            bounds = bounds.united(h.boundingRect())
        self._bounds = bounds
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt virtual
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.color)
        for h in self._heads:
            painter.drawPolygon(h)
