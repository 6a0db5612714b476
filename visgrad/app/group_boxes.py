"""An open module group's labelled box, and what is drawn over many boxes at once.

A box (``GroupBox``) frames an open group's contents; nested boxes draw over their parents and
its title stays readable when zoomed far out. Zoomed out further, ``BoxTitles`` draws every
title on a tab over the nodes, and ``BoxOverview`` the boxes alone. A closed group's card is in
``group_items``.
"""

from __future__ import annotations

import bisect

from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QStyleOptionGraphicsItem, QWidget

from visgrad.app.graph_items import SceneHost
from visgrad.app.theme import label_font

TITLE_BAND = 30.0  # the top of a box that holds its title (the layout's TITLE)
# Under this scale a box's title is taller than the band the layout keeps for it: BoxTitles then
# draws the titles over the nodes, instead of each box under its own first nodes.
TITLES_ABOVE_BELOW = 0.6

_NAME = label_font(12, bold=True)


class GroupBox(QGraphicsRectItem):
    """The frame of an open group, its title on top; nested boxes draw over their parents.

    A rect item for its C++ ``boundingRect``: the scene asks hundreds of boxes for it a frame.
    """

    def __init__(self, key: str, info: dict, host: SceneHost) -> None:
        super().__init__()
        self.key = key
        self.host = host
        self.info = info
        self._rect = QRectF()
        self.setPen(Qt.PenStyle.NoPen)
        self._elided: tuple[tuple, str] = ((), "")  # (px, width, label) -> title text
        self.setZValue(-1.0 + 0.01 * min(info.get("depth", 0), 50))
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        # Qt hands paint() the exposed part only with this flag (else the whole bounding rect),
        # and the culling below needs it.
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def set_rect(self, rect: QRectF, info: dict) -> None:
        self._rect = rect
        self.info = info
        self.setRect(rect.adjusted(-2, -2, 2, 2))
        self.update()

    @property
    def rect(self) -> QRectF:
        return self._rect

    def title_rect(self, scale: float) -> QRectF:
        """Where the title is drawn (and clicks close the box) at view scale ``scale``."""
        band = max(TITLE_BAND, self._title_px(scale) * 1.5 / max(scale, 1e-3))
        return QRectF(self._rect.left(), self._rect.top(), self._rect.width(), band)

    @staticmethod
    def _title_px(scale: float) -> float:
        """Title height in screen pixels: normal up close, larger when zoomed out to stay legible."""
        return 12.0 if scale >= 0.6 else 13.0

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        colors = self.host.colors
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        r = self._rect
        inside = self.key in self.host.current_boxes
        # Opaque tints, darker for deeper boxes: a plain fill of the exposed part is far cheaper
        # than blending a translucent rounded rectangle the size of the whole box.
        painter.fillRect(
            r.intersected(option.exposedRect), box_tint(colors, self.info.get("depth", 0))
        )
        edge = QColor(colors.current if inside else colors.group)
        edge.setAlpha(230 if inside else 150)
        pen = QPen(edge, 2.0 if inside else 1.2)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        near = option.exposedRect.adjusted(-40, -40, 40, 40)
        if near.contains(r):
            painter.drawRoundedRect(r, 10, 10)
        else:
            # Stroking a rounded outline far bigger than the screen (the model's box around
            # 20,000 nodes) cost a millisecond a box: draw only the sides in sight.
            painter.drawLines(_sides_in(r, near))
        self._paint_title(painter, lod)

    def _paint_title(self, painter: QPainter, lod: float) -> None:
        if lod < TITLES_ABOVE_BELOW and self.host.titles_above:
            return  # BoxTitles draws it over the nodes
        colors, r = self.host.colors, self._rect
        # A fixed size on screen: 12 px up close, 13 px far out, never wider than the box.
        px = max(1, round(self._title_px(lod) / max(lod, 1e-3)))
        font, fm = title_font(px)
        key = (px, r.width(), self.info.get("label", ""))
        if key != self._elided[0]:
            text = fm.elidedText("▾ " + key[2], Qt.TextElideMode.ElideRight, r.width() - 16)
            legible = fm.horizontalAdvance(text) >= fm.horizontalAdvance("▾ ab") or lod >= 0.6
            self._elided = (key, text if legible else "")
        text = self._elided[1]
        if not text:
            return  # too narrow to say anything at this zoom
        painter.setFont(font)
        painter.setPen(colors.group)
        band = QRectF(r.left() + 10, r.top() + 4, r.width() - 20, max(TITLE_BAND - 6, px * 1.3))
        painter.drawText(band, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, text)


def _sides_in(r: QRectF, near: QRectF) -> list[QLineF]:
    """The sides of ``r`` that cross ``near``, cut to it."""
    x0, x1 = max(r.left(), near.left()), min(r.right(), near.right())
    y0, y1 = max(r.top(), near.top()), min(r.bottom(), near.bottom())
    sides = []
    if x0 < x1:
        sides += [QLineF(x0, y, x1, y) for y in (r.top(), r.bottom()) if y0 <= y <= y1]
    if y0 < y1:
        sides += [QLineF(x, y0, x, y1) for x in (r.left(), r.right()) if x0 <= x <= x1]
    return sides


_TITLE_FONTS: dict[int, tuple[QFont, QFontMetricsF]] = {}
_BOX_TINTS: dict[tuple[int, int], QColor] = {}


def title_font(px: int) -> tuple[QFont, QFontMetricsF]:
    got = _TITLE_FONTS.get(px)
    if got is None:
        font = QFont(_NAME)
        font.setPixelSize(px)
        got = _TITLE_FONTS[px] = (font, QFontMetricsF(font))
    return got


def box_tint(colors, depth: int) -> QColor:
    """The background with the group colour mixed in, a little more per level of nesting."""
    key = (colors.background.rgba(), min(depth, 8))
    got = _BOX_TINTS.get(key)
    if got is None:
        a = 0.05 * (1 + key[1]) if key[1] < 4 else 0.05 * 4 + 0.02 * (key[1] - 3)
        bg, g = colors.background, colors.group
        got = _BOX_TINTS[key] = QColor(
            round(bg.red() + (g.red() - bg.red()) * a),
            round(bg.green() + (g.green() - bg.green()) * a),
            round(bg.blue() + (g.blue() - bg.blue()) * a),
        )
    return got


class BoxTitles(QGraphicsItem):
    """The open groups' titles on a tinted tab over everything, while zoomed out between the
    overview and a scale where they fit their band (see ``TITLES_ABOVE_BELOW``)."""

    def __init__(self, host: SceneHost) -> None:
        super().__init__()
        self.host = host
        # By the top of the box, for the rows in sight; ``_tops`` are those tops, for bisect.
        self._titled: list[tuple[QRectF, str, int]] = []
        self._tops: list[float] = []
        self._bounds = QRectF()
        self.setZValue(2.6)  # over the nodes (2), under the gradient's arrowheads (3)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        # Qt hands paint() the exposed part only with this flag (else the whole bounding rect),
        # and the culling below needs it.
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def set_boxes(self, boxes: list[GroupBox]) -> None:
        self.prepareGeometryChange()
        bounds = QRectF()
        for box in boxes:
            bounds = bounds.united(box.rect)
        self._titled = sorted(
            ((b.rect, "▾ " + b.info.get("label", ""), b.info.get("depth", 0)) for b in boxes),
            key=lambda t: t[0].top(),
        )
        self._tops = [t[0].top() for t in self._titled]
        self._bounds = bounds

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt virtual
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        colors = self.host.colors
        lod = max(option.levelOfDetailFromTransform(painter.worldTransform()), 1e-3)
        px = max(1, round(13.0 / lod))
        font, fm = title_font(px)
        painter.setFont(font)
        painter.setPen(colors.group)
        exposed = option.exposedRect
        least = fm.horizontalAdvance("▾ ab")
        # Only the boxes whose tab row is in sight: walking all of them (a model has thousands)
        # cost 10 ms a frame. Widest first, so where titles collide the outer box's wins.
        tab_h = px * 1.35 + 2 / lod
        lo = bisect.bisect_left(self._tops, exposed.top() - tab_h)
        hi = bisect.bisect_right(self._tops, exposed.bottom())
        left, right = exposed.left(), exposed.right()
        seen = [
            t
            for t in self._titled[lo:hi]
            if t[0].width() * lod >= 60 and t[0].left() < right and t[0].right() > left
        ]
        seen.sort(key=lambda t: -t[0].width())
        for rect, label, depth in seen:
            tab = QRectF(rect.left() + 4 / lod, rect.top() + 2 / lod, 0, px * 1.35)
            if not QRectF(tab.left(), tab.top(), rect.width(), tab.height()).intersects(exposed):
                continue
            text = fm.elidedText(label, Qt.TextElideMode.ElideRight, rect.width() - 20 / lod)
            width = fm.horizontalAdvance(text)
            if width < least:
                continue
            tab.setWidth(width + 12 / lod)
            painter.fillRect(tab, box_tint(colors, depth))
            painter.drawText(
                tab.adjusted(6 / lod, 0, 0, 0),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                text,
            )


class BoxOverview(QGraphicsItem):
    """Every open group's frame in a few C++ calls, for the zoomed-out picture: thousands of
    boxes painted one by one cost more than a frame. Titles are drawn where they fit."""

    def __init__(self, host: SceneHost) -> None:
        super().__init__()
        self.host = host
        self._by_depth: list[tuple[int, list[QRectF]]] = []
        self._titled: list[tuple[QRectF, str]] = []
        self._bounds = QRectF()
        self._pictured = False
        self.setZValue(-0.9)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        # Qt hands paint() the exposed part only with this flag (else the whole bounding rect),
        # and the culling below needs it.
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def set_pictured(self, pictured: bool) -> None:
        """True when the overview's picture already holds the boxes: then only the titles,
        drawn over that picture."""
        self._pictured = pictured
        self.setZValue(1.5 if pictured else -0.9)
        self.update()

    def set_boxes(self, boxes: list[GroupBox]) -> None:
        self.prepareGeometryChange()
        depths: dict[int, list[QRectF]] = {}
        bounds = QRectF()
        for box in boxes:
            depths.setdefault(min(box.info.get("depth", 0), 8), []).append(box.rect)
            bounds = bounds.united(box.rect)
        self._by_depth = sorted(depths.items())
        # Widest first: where titles would collide, the outer box's wins.
        self._titled = sorted(
            ((b.rect, "▾ " + b.info.get("label", "")) for b in boxes), key=lambda t: -t[0].width()
        )
        self._bounds = bounds

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt virtual
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        colors = self.host.colors
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        edge = QColor(colors.group)
        edge.setAlpha(150)
        pen = QPen(edge, 1.0)
        pen.setCosmetic(True)
        for depth, rects in [] if self._pictured else self._by_depth:
            painter.setPen(pen)
            painter.setBrush(box_tint(colors, depth))
            painter.drawRects(rects)
        px = max(1, round(13.0 / max(lod, 1e-3)))
        font, fm = title_font(px)
        painter.setFont(font)
        painter.setPen(colors.group)
        exposed = option.exposedRect
        for rect, label in self._titled:
            if rect.width() * lod < 110:
                break  # sorted by width: the rest are narrower still
            if not rect.intersects(exposed):
                continue
            text = fm.elidedText(label, Qt.TextElideMode.ElideRight, rect.width() - 16 / lod)
            band = QRectF(rect.left() + 8 / lod, rect.top() + 3 / lod, rect.width(), px * 1.4)
            painter.drawText(band, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, text)
