"""A closed module group's card.

A card (``GroupItem``) stands for a whole module call: its name and class, the shapes that go in
and come out, its parameter count and, once backward has reached it, the norm of the gradient
that arrived at its output. It reads the state at the cursor while painting, like the nodes. An
open group's box is in ``group_boxes``.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from visgrad.app import formatting as fmt
from visgrad.app.graph_items import LOD_BOXES, LOD_TITLE, NodeItem, SceneHost
from visgrad.app.group_boxes import title_font
from visgrad.app.theme import label_font, mono_font
from visgrad.trace.keys import tensor_id

GROUP_W, GROUP_H = 250.0, 78.0
FAR_PX = 12.0  # screen height of a closed group's name when zoomed out

_NAME = label_font(12, bold=True)
_SMALL = label_font(10)
_MONO = mono_font(10)
_PROXY = label_font(22, bold=True)
_FM_NAME = QFontMetricsF(_NAME)
_FM_SMALL = QFontMetricsF(_SMALL)
_FM_MONO = QFontMetricsF(_MONO)


def shapes_text(state: object, keys: list[str]) -> str:
    """The shapes of a group's first two inputs (or outputs), and how many more there are."""
    tensors = getattr(state, "tensors", {})
    found = [tensors.get(tensor_id(k)) for k in keys[:2]]
    shown = [fmt.shape_text(ts.shape) if ts is not None else "?" for ts in found]
    more = f" +{len(keys) - 2}" if len(keys) > 2 else ""
    return ", ".join(shown) + more if shown else "—"


def grad_reached(state: object, outputs: list[str]) -> float | None:
    """Norm of the gradient backward has sent to a group's outputs (None until it has)."""
    tensors = getattr(state, "tensors", {})
    total, seen = 0.0, False
    for k in outputs:
        ts = tensors.get(tensor_id(k))
        if ts is not None and ts.dloss is not None:
            n = fmt.norm(ts.dloss)
            if n is not None:
                total, seen = total + n * n, True
    return total**0.5 if seen else None


class GroupItem(NodeItem):
    """A closed module group: one card for everything the module call did."""

    def __init__(self, key: str, attrs: dict, host: SceneHost) -> None:
        super().__init__(key, (GROUP_W, GROUP_H), host)
        self.attrs = attrs
        self.texts: dict[str, str] = {}
        self._made: tuple = ()
        self._far: tuple[int, str] = (0, "")  # (font px, the label at that size)
        self.setZValue(2)

    def set_attrs(self, attrs: dict) -> None:
        """New facts from a newer layout (more nodes inside, other inputs)."""
        self.attrs = attrs
        self._made = ()
        self._far = (0, "")
        self.update()

    def _refresh(self) -> float | None:
        state = self.host.state
        if self._made and self._made[0] is state:
            return self._made[1]
        grad = grad_reached(state, self.attrs.get("outputs", []))
        self._made = (state, grad)
        a = self.attrs
        w = self._rect.width() - 24
        cls = a.get("cls", "")
        cls_w = min(_FM_SMALL.horizontalAdvance(cls), w * 0.55)
        repeat = a.get("repeat", 1)
        badge_w = 34.0 if repeat > 1 else 0.0
        flow = f"{shapes_text(state, a.get('inputs', []))} → {shapes_text(state, a.get('outputs', []))}"
        params = a.get("params", 0)
        facts = f"{params:,} params · {a.get('count', 0):,} nodes" if params else ""
        if not facts:
            facts = f"{a.get('count', 0):,} nodes"
        el = Qt.TextElideMode.ElideRight
        self.texts = {
            "name": _FM_NAME.elidedText("▸ " + a.get("name", ""), el, w - cls_w - badge_w - 8),
            "cls": _FM_SMALL.elidedText(cls, el, cls_w),
            "flow": _FM_MONO.elidedText(flow, Qt.TextElideMode.ElideMiddle, w),
            "facts": facts,
            "grad": f"∇ {fmt.fmt_num(grad, 3)}" if grad is not None else "",
            "repeat": f"×{repeat}" if repeat > 1 else "",
        }
        return grad

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        grad = self._refresh()
        colors = self.host.colors
        r = self._rect
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if lod < LOD_BOXES:
            painter.fillRect(r, colors.group)
            self._paint_far(painter, lod, colors.group_fill)
            return
        if self.texts["repeat"]:  # a stack of cards: the copies it stands for
            painter.setPen(QPen(colors.group, 1.2))
            painter.setBrush(colors.group_fill)
            for d in (8.0, 4.0):
                painter.drawRoundedRect(r.translated(d, -d), 8, 8)
        border = QPen(colors.grad if grad is not None else colors.group, 1.6)
        self._frame(painter, colors.group_fill, border, 8)
        if lod < LOD_TITLE:
            self._paint_far(painter, lod, colors.node_text)
            return
        self._paint_texts(painter, r)

    def _paint_far(self, painter: QPainter, lod: float, color: QColor) -> None:
        """The name (and ×N) alone, at least ``FAR_PX`` pixels high on screen whatever the zoom."""
        px = max(_PROXY.pixelSize(), round(FAR_PX / max(lod, 1e-3)))
        font, fm = title_font(px)
        width = self._rect.width() - 12 / max(lod, 1e-3)
        if self._far[0] != px:
            label = self.attrs.get("name", "")
            if self.attrs.get("repeat", 1) > 1:
                label += f" ×{self.attrs['repeat']}"
            text = fm.elidedText(label, Qt.TextElideMode.ElideRight, width)
            # A lone letter and an ellipsis say nothing: then the tint alone.
            readable = fm.horizontalAdvance(text) >= min(
                fm.horizontalAdvance(label), fm.horizontalAdvance("abc…")
            )
            self._far = (px, text if readable else "")
        if not self._far[1]:
            return
        painter.setFont(font)
        painter.setPen(color)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self._far[1])

    def _paint_texts(self, painter: QPainter, r: QRectF) -> None:
        colors, t = self.host.colors, self.texts
        left, right = Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignRight
        top = Qt.AlignmentFlag.AlignTop
        row = QRectF(r.left() + 12, r.top() + 7, r.width() - 24, 18)
        painter.setFont(_NAME)
        painter.setPen(colors.node_text)
        painter.drawText(row, left | top, t["name"])
        painter.setFont(_SMALL)
        painter.setPen(colors.muted_text)
        cls_row = row.adjusted(0, 2, -(38 if t["repeat"] else 0), 0)
        painter.drawText(cls_row, right | top, t["cls"])
        if t["repeat"]:
            badge = QRectF(r.right() - 44, r.top() + 6, 34, 18)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colors.group)
            painter.drawRoundedRect(badge, 9, 9)
            painter.setPen(colors.group_fill)
            painter.setFont(_NAME)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, t["repeat"])
        painter.setFont(_MONO)
        painter.setPen(colors.fn_text)
        painter.drawText(row.translated(0, 22), left | top, t["flow"])
        painter.setFont(_SMALL)
        painter.setPen(colors.muted_text)
        painter.drawText(row.translated(0, 43), left | top, t["facts"])
        if t["grad"]:
            painter.setPen(colors.grad)
            painter.drawText(row.translated(0, 43), right | top, t["grad"])
