"""The scene's items: tensor and function nodes that paint themselves from the state at the cursor,
edge paths with bends, and the overview that stands in for every node when zoomed far out.

Nodes read their data in ``paint()`` (from the scene's current state) instead of copying it in on
every tick, so a step only repaints what is visible. Texts are formatted once per state object.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetricsF,
    QImage,
    QPainter,
    QPen,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QStyleOptionGraphicsItem, QWidget

from visgrad.app import formatting as fmt
from visgrad.app.theme import GraphColors, label_font, mono_font, role_color

# Every tensor card has a gradient row: ``.grad`` on leaves, d(loss)/d(tensor) on the others.
TENSOR_W, TENSOR_H = 220.0, 68.0
FN_W, FN_H = 150.0, 28.0
FN_MAX_W = 3 * TENSOR_W  # a longer grad_fn name is elided: boxes (and renders) stay bounded
# Below these levels of detail text would be unreadable: draw boxes only / the title only.
LOD_BOXES, LOD_TITLE = 0.26, 0.66
GRAD_ROLES = ("parameter", "leaf")
LEAF_ROLES = ("parameter", "leaf", "input")  # their row shows .grad (an input may become a leaf)

_TITLE = label_font(11, bold=True)
_SMALL = label_font(10)
_MONO = mono_font(10)
_MONO_BOLD = mono_font(10, bold=True)
_PROXY = label_font(21, bold=True)  # names drawn large when zoomed out, so they stay readable
_FM_PROXY = QFontMetricsF(_PROXY)
_PROXY_GRAD = mono_font(17, bold=True)  # and the gradient under the name, as large as fits
_FM_PROXY_GRAD = QFontMetricsF(_PROXY_GRAD)
_FM_TITLE = QFontMetricsF(_TITLE)
_FM_SMALL = QFontMetricsF(_SMALL)
_FM_MONO = QFontMetricsF(_MONO)
_FM_MONO_BOLD = QFontMetricsF(_MONO_BOLD)


def card_size(kind: str, role: str, label: str = "") -> tuple[float, float]:
    """Size of a node box in scene units; fixed per node so incremental layout stays valid."""
    if kind == "function":
        wide = round(_FM_MONO_BOLD.horizontalAdvance(label[:200])) + 44.0
        return min(FN_MAX_W, max(FN_W, wide)), FN_H
    return TENSOR_W, TENSOR_H


class NodeItem(QGraphicsRectItem):
    """Common part of tensor and function nodes: key, box, highlight, selection and mark.

    A rect item only for its C++ ``boundingRect`` (the box plus a margin): drawing a frame makes
    Qt ask every child of the nodes layer for it, and 20,000 calls into Python cost 50 ms.
    """

    def __init__(self, key: str, size: tuple[float, float], host: SceneHost) -> None:
        super().__init__()
        self.key = key
        self.host = host
        w, h = size
        self._rect = QRectF(-w / 2, -h / 2, w, h)
        # A margin for the highlight halo and anti-aliasing.
        self._bounds = self._rect.adjusted(-6, -6, 6, 6)
        self.setPen(Qt.PenStyle.NoPen)
        self.setRect(self._bounds)
        self._seen: object = None  # the state object the cached texts were made from
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setCacheMode(QGraphicsItem.CacheMode.NoCache)

    @property
    def rect(self) -> QRectF:
        return self._rect

    def _frame(self, painter: QPainter, fill: QColor, border: QPen, radius: float) -> None:
        colors = self.host.colors
        key = self.key
        halo = None
        if key in self.host.current:
            halo = colors.current
        elif key == self.host.selection:
            halo = colors.selected
        if key in self.host.matches:
            painter.setPen(QPen(colors.search, 3.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(self._rect.adjusted(-8, -8, 8, 8), radius + 6, radius + 6)
        mark = self.host.marks.get(key)
        if mark is not None:
            painter.setPen(QPen(colors.marks.get(mark, colors.current), 3.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(self._rect.adjusted(-5, -5, 5, 5), radius + 4, radius + 4)
        if halo is not None:
            glow = QColor(halo)
            glow.setAlpha(60)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(glow)
            painter.drawRoundedRect(self._rect.adjusted(-4, -4, 4, 4), radius + 3, radius + 3)
            border = QPen(halo, 2.2)
        painter.setPen(border)
        painter.setBrush(fill)
        painter.drawRoundedRect(self._rect, radius, radius)


class TensorItem(NodeItem):
    """A tensor: name, shape, value preview, and its gradient (``.grad`` on a leaf)."""

    def __init__(self, key: str, tensor_id: int, role: str, host: SceneHost) -> None:
        super().__init__(key, card_size("tensor", role), host)
        self.tensor_id = tensor_id
        self.role = role
        self.texts: dict[str, str] = {}
        self.setZValue(2)

    def _refresh(self) -> object:
        ts = self.host.state.tensors.get(self.tensor_id) if self.host.state else None
        if ts is self._seen:
            return ts
        self._seen = ts
        if ts is None:
            self.texts = {}
            return ts
        w = self._rect.width() - 20
        shape = fmt.shape_text(ts.shape)
        name_w = w - _FM_SMALL.horizontalAdvance(shape) - 8
        self.texts = {
            "name": _FM_TITLE.elidedText(ts.name, Qt.TextElideMode.ElideRight, name_w),
            "shape": shape,
            "value": _FM_MONO.elidedText(fmt.preview(ts.value), Qt.TextElideMode.ElideRight, w),
        }
        self.texts["proxy"] = _FM_PROXY.elidedText(ts.name, Qt.TextElideMode.ElideRight, w)
        if self._rect.height() >= TENSOR_H:
            if ts.is_leaf:
                line, meta = fmt.grad_line(ts.grad, ts.grad_contributions)
            else:
                line, meta = fmt.grad_line(ts.dloss, 0)
                if ts.dloss is None:
                    line = "∇ not computed yet"
            if not ts.requires_grad and ts.grad is None:
                line = "requires_grad=False"
            meta_w = _FM_MONO.horizontalAdvance(meta)
            if (ts.grad if ts.is_leaf else ts.dloss) is not None:
                self.texts["proxy_grad"] = _FM_PROXY_GRAD.elidedText(
                    line, Qt.TextElideMode.ElideRight, w
                )
            self.texts["grad_meta"] = meta
            self.texts["grad"] = _FM_MONO_BOLD.elidedText(
                line, Qt.TextElideMode.ElideRight, w - meta_w - 8
            )
        return ts

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        ts = self._refresh()
        if ts is None:
            return
        colors = self.host.colors
        role = ts.role
        accent = role_color(colors, role)
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        r = self._rect
        if lod < LOD_BOXES:
            painter.fillRect(r, accent if accent is not None else colors.border)
            return
        if accent is not None and role in GRAD_ROLES:
            border = QPen(accent, 2.0)
        elif accent is not None:
            border = QPen(accent, 1.4, Qt.PenStyle.DashLine if role == "input" else Qt.SolidLine)
        else:
            border = QPen(colors.border, 1.0)
        self._frame(painter, colors.node_fill, border, 7.0)
        if accent is not None:
            strip = QRectF(r.left() + 1.5, r.top() + 6, 3.5, r.height() - 12)
            painter.fillRect(strip, accent)
        x0, w = r.left() + 11, r.width() - 20
        painter.setPen(colors.node_text)
        if lod < LOD_TITLE:
            self._paint_proxy(painter, colors)
            return
        painter.setFont(_TITLE)
        painter.drawText(
            QRectF(x0, r.top() + 4, w, 17), Qt.AlignmentFlag.AlignVCenter, self.texts["name"]
        )
        painter.setFont(_SMALL)
        painter.setPen(colors.muted_text)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(QRectF(x0, r.top() + 4, w, 17), right, self.texts["shape"])
        painter.setFont(_MONO)
        painter.setPen(colors.node_text)
        painter.drawText(
            QRectF(x0, r.top() + 24, w, 16), Qt.AlignmentFlag.AlignVCenter, self.texts["value"]
        )
        grad = self.texts.get("grad")
        if grad is not None:
            has = (ts.grad if ts.is_leaf else ts.dloss) is not None
            if has and ts.grad_contributions and ts.role in GRAD_ROLES:
                # A soft band under the grad row: the leaf's gradient is the point of the run.
                band = QColor(colors.grad)
                band.setAlpha(26)
                painter.fillRect(QRectF(r.left() + 6, r.top() + 44, r.width() - 12, 16), band)
            painter.setPen(colors.grad if has else colors.muted_text)
            painter.setFont(_MONO_BOLD if has else _MONO)
            row = QRectF(x0, r.top() + 44, w, 16)
            painter.drawText(row, Qt.AlignmentFlag.AlignVCenter, grad)
            painter.setFont(_MONO)
            painter.drawText(row, right, self.texts["grad_meta"])

    def _paint_proxy(self, painter: QPainter, colors: GraphColors) -> None:
        """Zoomed out: the name large, and under it the gradient once there is one (a fitted
        graph of a dozen nodes is drawn at this level; the gradient is what a learner looks for)."""
        r = self._rect
        grad = self.texts.get("proxy_grad")
        painter.setFont(_PROXY)
        if grad is None:
            painter.drawText(
                r.adjusted(10, 0, -8, 0), Qt.AlignmentFlag.AlignCenter, self.texts["proxy"]
            )
            return
        half = r.height() / 2
        painter.drawText(
            QRectF(r.left() + 10, r.top() + 3, r.width() - 18, half - 1),
            Qt.AlignmentFlag.AlignCenter,
            self.texts["proxy"],
        )
        painter.setFont(_PROXY_GRAD)
        painter.setPen(colors.grad)
        painter.drawText(
            QRectF(r.left() + 10, r.top() + half, r.width() - 18, half - 4),
            Qt.AlignmentFlag.AlignCenter,
            grad,
        )


class FunctionItem(NodeItem):
    """A function node: the grad_fn's name; tinted once backward has executed it."""

    def __init__(self, key: str, node_id: int, label: str, host: SceneHost) -> None:
        super().__init__(key, card_size("function", "", label), host)
        self.node_id = node_id
        self.text = self.proxy = ""
        self.setZValue(2)

    def _refresh(self) -> object:
        fs = self.host.state.functions.get(self.node_id) if self.host.state else None
        if fs is not self._seen:
            self._seen = fs
            if fs is not None:
                self.text = _FM_MONO_BOLD.elidedText(
                    fs.grad_fn, Qt.TextElideMode.ElideMiddle, self._rect.width() - 30
                )
                short = fs.grad_fn.removesuffix("Backward0").removesuffix("Backward1")
                self.proxy = _FM_PROXY.elidedText(
                    short, Qt.TextElideMode.ElideRight, self._rect.width() - 16
                )
        return fs

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        fs = self._refresh()
        if fs is None:
            return
        colors = self.host.colors
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        r = self._rect
        if fs.failed:
            self._paint_failed(painter, fs, lod)
            return
        if lod < LOD_BOXES:
            painter.fillRect(r, colors.grad if fs.executed else colors.fn_border)
            return
        no_grad = fs.grad_fn == fs.op and not fs.grad_fn.endswith("Backward0")
        fill = colors.fn_fill
        style = Qt.PenStyle.DashLine if no_grad else Qt.PenStyle.SolidLine
        border = QPen(colors.grad if fs.executed else colors.fn_border, 1.2, style)
        self._frame(painter, fill, border, r.height() / 2)
        if fs.executed:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colors.executed)
            painter.drawRoundedRect(r, r.height() / 2, r.height() / 2)
        if lod < LOD_TITLE:
            painter.setFont(_PROXY)
            painter.setPen(colors.muted_text if no_grad else colors.fn_text)
            painter.drawText(r.adjusted(8, -6, -8, 6), Qt.AlignmentFlag.AlignCenter, self.proxy)
            return
        painter.setFont(_MONO_BOLD)
        painter.setPen(colors.muted_text if no_grad else colors.fn_text)
        painter.drawText(r.adjusted(10, 0, -14, 0), Qt.AlignmentFlag.AlignCenter, self.text)
        if fs.executed:
            painter.setPen(colors.grad)
            painter.setFont(_SMALL)
            tag = "✓" if fs.executed == 1 else f"×{fs.executed}"
            painter.drawText(
                r.adjusted(0, 0, -9, 0),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                tag,
            )

    def _paint_failed(self, painter: QPainter, fs: Any, lod: float) -> None:
        """The call the program failed in: red, a cross, the shapes it was given."""
        colors = self.host.colors
        bad = colors.marks["error"]
        r = self._rect
        if lod < LOD_BOXES:
            painter.fillRect(r, bad)
            return
        fill = QColor(bad)
        fill.setAlpha(48)
        self._frame(painter, fill, QPen(bad, 2.2), r.height() / 2)
        painter.setPen(bad)
        if lod < LOD_TITLE:
            painter.setFont(_PROXY)
            painter.drawText(r.adjusted(8, -6, -8, 6), Qt.AlignmentFlag.AlignCenter, "✕ " + fs.op)
            return
        painter.setFont(_MONO_BOLD)
        painter.drawText(r.adjusted(10, 0, -14, 0), Qt.AlignmentFlag.AlignCenter, self.text)
        painter.drawText(
            r.adjusted(0, 0, -9, 0),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            "✕",
        )


class OverviewItem(QGraphicsItem):
    """Every node as a plain rectangle, in a handful of C++ calls: the far-zoomed-out picture."""

    def __init__(self) -> None:
        super().__init__()
        self._groups: list[tuple[QColor, list[QRectF]]] = []
        self._bounds = QRectF()
        self._picture: tuple[list[QImage], QRectF] | None = None
        self.setZValue(1)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        # The picture is drawn for the exposed part only, which Qt tells with this flag.
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def set_groups(self, groups: list[tuple[QColor, list[QRectF]]], bounds: QRectF) -> None:
        self.prepareGeometryChange()
        self._groups = groups
        self._bounds = bounds

    def set_picture(self, picture: tuple[list[QImage], QRectF] | None) -> None:
        """The same rectangles pre-painted by the layout worker (big graphs): the image and its
        halvings, and the scene rect they cover; or None."""
        self._picture = picture
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt virtual
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if self._picture is not None:
            # 20,000 rectangles cost 12 ms a frame to hand to Qt; their picture, a fraction.
            levels, area = self._picture
            lod = option.levelOfDetailFromTransform(painter.worldTransform())
            # The smallest halving that still has a pixel per screen pixel.
            image = next(
                (im for im in reversed(levels) if im.width() / area.width() >= lod), levels[0]
            )
            part = option.exposedRect.intersected(area)
            if part.isEmpty():
                return
            sx, sy = image.width() / area.width(), image.height() / area.height()
            source = QRectF(
                (part.left() - area.left()) * sx,
                (part.top() - area.top()) * sy,
                part.width() * sx,
                part.height() * sy,
            )
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(part, image, source)
            return
        painter.setPen(Qt.PenStyle.NoPen)
        for color, rects in self._groups:
            painter.setBrush(color)
            painter.drawRects(rects)


class SceneHost:
    """What node items read while painting: the state at the cursor and the view's decorations."""

    def __init__(self, colors: GraphColors) -> None:
        self.colors = colors
        self.state = None
        self.current: frozenset[str] = frozenset()
        self.selection = ""
        self.marks: dict[str, str] = {}
        self.current_boxes: frozenset[str] = frozenset()  # open groups holding the current op
        self.matches: frozenset[str] = frozenset()  # drawn nodes matching the search
        self.titles_above = False  # the view shows BoxTitles (zoomed out): boxes skip their own
