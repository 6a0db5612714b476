"""A PNG of a big graph is drawn smaller, within a pixel budget, and says so."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QGraphicsScene

from visgrad.app import render


def test_raster_scale_keeps_small_scenes_and_fits_big_ones() -> None:
    assert render.raster_scale(800, 600) == 1.5
    big = render.raster_scale(18_817, 49_840)  # an LSTM's 1,250-node graph
    assert 0.2 < big < 0.3
    assert 18_817 * big * 49_840 * big <= render.MAX_PIXELS * 1.0001
    thin = render.raster_scale(100, 1_000_000)  # a long chain: the long side decides
    assert 1_000_000 * thin <= render.MAX_SIDE * 1.0001


def test_a_big_scene_is_written_within_the_budget_with_a_note(qapp, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(render, "MAX_PIXELS", 200_000)
    scene = QGraphicsScene()
    scene.addRect(QRectF(0, 0, 4_000, 2_000))
    notes: list[str] = []
    out = render.save_scene(scene, tmp_path / "big.png", note=notes.append)
    image = QImage(str(out))
    assert not image.isNull()
    assert image.width() * image.height() <= 200_000 * 1.01
    assert abs(image.width() / image.height() - 2.0) < 0.02
    assert len(notes) == 1 and "big.png" in notes[0] and ".svg" in notes[0]
    small: list[str] = []
    scene2 = QGraphicsScene()
    scene2.addRect(QRectF(0, 0, 100, 50))
    out2 = render.save_scene(scene2, tmp_path / "small.png", note=small.append)
    assert abs(QImage(str(out2)).width() - 150) <= 3 and small == []  # the pen adds a pixel
