"""Titles of open groups drawn over the nodes when zoomed out: the ones in sight, and only those."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem

from visgrad.app.graph_items import SceneHost
from visgrad.app.group_boxes import BoxTitles, GroupBox
from visgrad.app.theme import graph_colors


class _Recording(QPainter):
    """Records the texts ``paint()`` draws."""

    def __init__(self, image: QImage) -> None:
        super().__init__(image)
        self.texts: list[str] = []

    def drawText(self, *args):  # noqa: N802 - Qt's name
        self.texts.append(args[-1])
        return super().drawText(*args)


def test_titles_are_drawn_for_the_boxes_in_sight_widest_first(qapp):
    host = SceneHost(graph_colors(False))
    boxes = []
    for i in range(400):  # a tall model: a column of blocks, each with a wider frame every 10
        box = GroupBox(f"g:{i}", {"label": f"b{i}", "depth": 1}, host)
        wide = i % 10 == 0
        box.set_rect(QRectF(-600 if wide else 0, i * 900.0, 1800 if wide else 700, 850), {})
        box.info = {"label": f"b{i}", "depth": 0 if wide else 1}
        boxes.append(box)
    titles = BoxTitles(host)
    titles.set_boxes(boxes)
    image = QImage(800, 600, QImage.Format.Format_ARGB32)
    lod = 0.3
    for exposed in (QRectF(-100, 152_000, 2000, 3000), QRectF(900, 152_500, 2000, 3000)):
        painter = _Recording(image)
        painter.scale(lod, lod)
        option = QStyleOptionGraphicsItem()
        option.exposedRect = exposed
        titles.paint(painter, option, None)
        painter.end()
        # The rule, box by box: a box's tab is its title's row at its top left.
        tab_h = round(13.0 / lod) * 1.35
        want = [
            b
            for b in sorted(boxes, key=lambda b: -b.rect.width())
            if QRectF(
                b.rect.left() + 4 / lod, b.rect.top() + 2 / lod, b.rect.width(), tab_h
            ).intersects(exposed)
        ]
        assert want and len(want) < 10
        assert painter.texts == ["▾ " + b.info["label"] for b in want]
