"""Headless rendering of the graph scene to PNG or SVG (``visgrad export``, the window's exports)."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QGraphicsScene

from visgrad import events
from visgrad.app.graph_scene import GraphScene
from visgrad.app.layout_job import build_and_layout
from visgrad.app.theme import apply_app_style, graph_colors
from visgrad.trace.model import TraceModel

IMAGE_FORMATS = (".png", ".svg")
# A PNG of a big graph at full scale runs to gigapixels (an LSTM's 1,250 nodes: 19k x 50k scene
# units, 8 GB of pixels at 1.5x) and takes minutes to encode: the raster is scaled down to fit.
MAX_PIXELS = 64_000_000
MAX_SIDE = 32_000  # QPainter's coordinates on a QImage stay below 2**15


def raster_scale(width: float, height: float, scale: float = 1.5) -> float:
    """``scale``, or less so a ``width`` x ``height`` scene fits ``MAX_PIXELS``/``MAX_SIDE``."""
    w, h = max(width, 1.0), max(height, 1.0)
    return min(scale, math.sqrt(MAX_PIXELS / (w * h)), MAX_SIDE / w, MAX_SIDE / h)


def ensure_app() -> QApplication:
    """The running QApplication, or a new one (offscreen when there is no display)."""
    app = QApplication.instance()
    if app is None:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([])
        apply_app_style(app)
    return app  # type: ignore[return-value]


def save_scene(
    scene: QGraphicsScene,
    out_path: str | os.PathLike,
    scale: float = 1.5,
    note: Callable[[str], None] | None = None,
) -> Path:
    """Write the whole scene to ``out_path`` (.png raster at ``scale``, or smaller for a big
    scene, said through ``note``; .svg vector)."""
    path = Path(out_path)
    suffix = path.suffix.lower()
    if suffix not in IMAGE_FORMATS:
        raise ValueError(
            f"cannot export an image as {suffix or 'no extension'!r}; use .png or .svg"
        )
    src = scene.sceneRect()
    if src.isEmpty():
        src = QRectF(0, 0, 200, 100)
    if suffix == ".png":
        fit = raster_scale(src.width(), src.height(), scale)
        if fit < scale and note is not None:
            note(
                f"the graph is large: {path.name} is drawn at {fit / scale:.0%} of full size "
                f"({round(src.width() * fit):,} x {round(src.height() * fit):,} px); export "
                ".svg for every label"
            )
        scale = fit
    size = QSize(max(1, round(src.width() * scale)), max(1, round(src.height() * scale)))
    target = QRectF(0, 0, size.width(), size.height())
    # Drawn into memory and written by Python: a write failure (full disk, no permission) is an
    # OSError naming its cause, and an SVG cannot be silently lost (QSvgGenerator reports none).
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if suffix == ".png":
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(scene.backgroundBrush().color())
        painter = QPainter(image)
        painter.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
        )
        scene.render(painter, target, src, Qt.AspectRatioMode.KeepAspectRatio)
        painter.end()
        if not image.save(buffer, "PNG"):
            raise OSError(f"could not encode {path} as PNG")
    else:
        gen = QSvgGenerator()
        gen.setOutputDevice(buffer)
        gen.setSize(size)
        gen.setViewBox(target)
        gen.setTitle("visgrad graph")
        painter = QPainter(gen)
        painter.fillRect(target, scene.backgroundBrush())
        scene.render(painter, target, src, Qt.AspectRatioMode.KeepAspectRatio)
        painter.end()
    buffer.close()
    path.write_bytes(buffer.data().data())
    return path


def export_image(
    events_or_model: Iterable[events.Event] | TraceModel,
    out_path: str | os.PathLike,
    tick: int | None = None,
    direction: str = "TB",
    dark: bool = False,
    note: Callable[[str], None] | None = None,
) -> Path:
    """Render the graph at ``tick`` (default: the last event) to a .png or .svg file."""
    ensure_app()
    model = (
        events_or_model if isinstance(events_or_model, TraceModel) else TraceModel(events_or_model)
    )
    state = model.state_at(len(model) - 1 if tick is None else tick)
    scene = GraphScene(graph_colors(dark))
    scene.host.state = state
    graph, layout = build_and_layout(state, scene, direction, None)
    scene.apply_layout(graph, layout)
    return save_scene(scene, out_path, note=note)
