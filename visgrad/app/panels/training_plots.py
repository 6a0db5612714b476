"""The Training panel's plots: curves over iterations and histograms, drawn with pyqtgraph.

pyqtgraph paints straight into Qt's scene graph and downsamples long curves to what the plot's
width can show, so 10,000 iterations redraw within a frame; every method here only sets data the
trace model already computed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QGraphicsItem

from visgrad.app.theme import graph_colors
from visgrad.trace.training import RATIO_GUIDE, LayerStats, Marker

# Distinct in light and dark mode (Tableau 10, which is made for lines on white and black).
SERIES = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#b07aa1",
    "#76b7b2",
    "#edc948",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
MARKER_STYLE = {  # kind -> (symbol, colour, what the legend says)
    "nan_loss": ("x", "#dc2626", "NaN/Inf loss"),
    "exploding": ("t1", "#dc2626", "exploding gradient"),
    "vanishing": ("t", "#7c3aed", "vanishing gradient"),
    "unzeroed": ("d", "#d97706", ".grad summed across iterations"),
}


def series_color(i: int) -> QColor:
    return QColor(SERIES[i % len(SERIES)])


def _small_font() -> QFont:
    f = QFont()
    f.setPixelSize(10)
    return f


def cache_axis(ax: pg.AxisItem) -> None:
    """Paint an axis into a pixmap kept until its ticks change: replaying its text on every
    frame cost ~7 ms per axis, more than all the curves."""
    ax.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def _finite_positive(y: np.ndarray) -> np.ndarray:
    """Log-scale plots skip what a logarithm cannot show (0, negatives, NaN, Inf)."""
    out = np.array(y, dtype=np.float64)
    out[~(np.isfinite(out) & (out > 0))] = np.nan
    return out


class DecadeAxis(pg.AxisItem):
    """A log axis labelled at whole decades only (pyqtgraph also labels 2×, 3×, ... which
    crowd a short plot)."""

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph's name
        out = []
        for v in values:
            k = round(v)
            if abs(v - k) > 1e-6:
                out.append("")
            else:
                out.append(f"{10.0**k:g}" if -2 <= k <= 2 else f"1e{k}")
        return out


def decade_range(y: np.ndarray, include: float | None = None) -> tuple[float, float]:
    """log10 range covering the positive finite ``y`` (and ``include``), whole decades."""
    ok = y[np.isfinite(y) & (y > 0)]
    logs = list(np.log10(ok[[ok.argmin(), ok.argmax()]])) if ok.size else []
    if include is not None:
        logs.append(np.log10(include))
    if not logs:
        return -3.0, 0.0
    lo, hi = math.floor(min(logs) + 1e-9), math.ceil(max(logs) - 1e-9)
    return (lo, hi) if hi > lo else (lo, lo + 1)


class IterationPlot:
    """One plot over iterations with a line per series, the cursor's iteration, and clicks."""

    def __init__(
        self,
        layout: pg.GraphicsLayoutWidget,
        row: int,
        col: int,
        title: str,
        *,
        log: bool,
        on_click: Callable[[float], None],
    ) -> None:
        colors = graph_colors()
        axes = {"left": DecadeAxis("left")} if log else {}
        self.plot: pg.PlotItem = layout.addPlot(row=row, col=col, axisItems=axes)
        self.title = ""
        self.set_title(title)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setLogMode(x=False, y=log)
        self.plot.setMenuEnabled(False)
        self.plot.getViewBox().setMouseEnabled(x=True, y=False)
        for name in ("left", "bottom"):
            ax = self.plot.getAxis(name)
            cache_axis(ax)
            ax.setStyle(tickFont=_small_font())
            ax.setTextPen(colors.muted_text)
            ax.setPen(colors.border)
        self.plot.getAxis("left").setWidth(46)
        self.log = log
        self.curves: dict[object, pg.PlotDataItem] = {}
        self._spare: list[pg.PlotDataItem] = []
        self._styles: dict[object, tuple] = {}  # key -> (colour, width, dotted) drawn with
        self.cursor = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen(colors.current, width=1)
        )
        self.cursor.setZValue(20)
        self.plot.addItem(self.cursor, ignoreBounds=True)
        self._on_click = on_click
        self.plot.scene().sigMouseClicked.connect(self._clicked)

    def set_title(self, title: str) -> None:
        """Set the title only when it changes: each set re-lays out the plot's text."""
        if title != self.title:
            self.title = title
            self.plot.setTitle(title, size="9pt", justify="left")

    def _clicked(self, ev: object) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
            return
        pos = ev.scenePos()  # type: ignore[attr-defined]
        vb = self.plot.getViewBox()
        if not vb.sceneBoundingRect().contains(pos):
            return
        self._on_click(vb.mapSceneToView(QPointF(pos)).x())

    def set_series(
        self,
        key: object,
        x: np.ndarray,
        y: np.ndarray,
        color: QColor,
        name: str = "",
        width: float = 1.0,
    ) -> None:
        """Draw (or redraw) the line ``key``; gaps where the value is unknown.

        Lines are one pixel wide unless asked otherwise: Qt paints a wider line by stroking its
        outline, which made 10 curves of 10,000 iterations take 16 ms to paint instead of 3.
        """
        y = _finite_positive(y) if self.log else y
        curve = self.curves.get(key)
        if curve is None:
            # Reuse a hidden line before making one: an item taken out of the scene would be
            # left to Python's garbage collector, which may run on the runner's reader thread
            # and must never delete a Qt object there.
            curve = self._spare.pop() if self._spare else self.plot.plot()
            curve.setDownsampling(auto=True, method="peak")
            # Two samples per pixel (pyqtgraph's default is five): the peak method keeps each
            # pixel column's minimum and maximum, so the drawn envelope is the same, with 60 %
            # fewer points to map and stroke.
            curve.opts["autoDownsampleFactor"] = 2.0
            curve.setClipToView(True)
            curve.setVisible(True)
            self.curves[key] = curve
        style = (color.rgba(), width, len(x) < 3)
        if self._styles.get(key) != style:  # a new pen or symbol restyles the item
            self._styles[key] = style
            curve.setPen(pg.mkPen(color, width=width))
            # A single point has no line to draw: show it as a dot.
            curve.setSymbol("o" if len(x) < 3 else None)
            curve.setSymbolSize(4)
            curve.setSymbolBrush(color)
        if len(x) < 3:
            # Dots, and only where the value is known: pyqtgraph takes the range of the dots
            # it shows, and warns when those are all NaN (an update ratio before the first step).
            ok = np.isfinite(y)
            x, y = np.asarray(x)[ok], np.asarray(y)[ok]
        curve.setData(x, y, connect="finite")

    def drop_missing(self, keep: Sequence[object]) -> None:
        """Hide the lines not in ``keep`` (kept for reuse, see ``set_series``)."""
        for key in [k for k in self.curves if k not in keep]:
            curve = self.curves.pop(key)
            self._styles.pop(key, None)
            curve.setData([], [])
            curve.setVisible(False)
            self._spare.append(curve)

    def fit_decades(self, ys: Sequence[np.ndarray], include: float | None = None) -> None:
        """Show whole decades around every series (log plots), so the axis has labels."""
        both = [y for y in ys if len(y)]
        y = np.concatenate(both) if both else np.array([])
        lo, hi = decade_range(y, include)
        self.plot.setYRange(lo, hi, padding=0.04)

    def set_cursor(self, iteration: int) -> None:
        self.cursor.setVisible(iteration > 0)
        self.cursor.setValue(iteration)


class MarkerLayer:
    """Markers drawn on the loss plot: one symbol per marked iteration and kind."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.items: dict[str, pg.ScatterPlotItem] = {}
        for kind, (symbol, color, _) in MARKER_STYLE.items():
            item = pg.ScatterPlotItem(
                symbol=symbol, size=9, brush=pg.mkBrush(color), pen=pg.mkPen(color)
            )
            item.setZValue(30)
            plot.addItem(item)
            self.items[kind] = item

    def set_markers(self, markers: Sequence[Marker], loss: np.ndarray, top: float) -> None:
        by_kind: dict[str, list[int]] = {k: [] for k in self.items}
        for m in markers:
            if m.kind in by_kind:
                by_kind[m.kind].append(m.iteration)
        for kind, its in by_kind.items():
            x = np.unique(np.array(its, dtype=np.float64))
            # On the loss curve where it has a value, else along the top of the plot.
            y = np.full(len(x), top)
            if len(x):
                got = loss[(x - 1).astype(int)]
                ok = np.isfinite(got)
                y[ok] = got[ok]
            if len(x):
                self.items[kind].setData(x, y)
            else:
                self.items[kind].clear()


class HistogramPlot:
    """Per-layer histograms of one iteration, one stepped outline per layer (density scale)."""

    def __init__(self, layout: pg.GraphicsLayoutWidget, row: int, title: str) -> None:
        colors = graph_colors()
        self.plot: pg.PlotItem = layout.addPlot(row=row, col=0)
        self.plot.setTitle(title, size="9pt", justify="left")
        self.plot.setMenuEnabled(False)
        # No grid: the histograms' range changes with every iteration, and repainting grid lines
        # across the plot cost more than the outlines themselves; the ticks below give the scale.
        self.plot.getAxis("left").setStyle(showValues=False)
        self.plot.getAxis("left").setWidth(8)
        bottom = self.plot.getAxis("bottom")
        cache_axis(bottom)
        cache_axis(self.plot.getAxis("left"))
        bottom.setStyle(tickFont=_small_font())
        bottom.setTextPen(colors.muted_text)
        self.curves: list[pg.PlotDataItem] = []  # the ones drawn now
        self._pool: list[pg.PlotDataItem] = []  # every outline made, reused (see set_series)
        self.empty = pg.TextItem("", color=colors.muted_text, anchor=(0.5, 0.5))
        self.plot.addItem(self.empty, ignoreBounds=True)

    def set_layers(self, layers: Sequence[LayerStats], which: str) -> None:
        """Draw ``layer.activation`` or ``layer.gradient`` (``which``) of every layer."""
        drawn: list[pg.PlotDataItem] = []
        for i, layer in enumerate(layers):
            h = getattr(layer, which)
            if h is None or not h.counts.sum():
                continue
            if len(drawn) == len(self._pool):
                self._pool.append(self.plot.plot(stepMode="center"))
            c = self._pool[len(drawn)]
            edges = h.edges
            density = h.counts / (h.counts.sum() * (edges[1] - edges[0]))
            c.setPen(pg.mkPen(series_color(i), width=1.4))
            c.setData(edges, density, stepMode="center")
            c.setVisible(True)
            drawn.append(c)
        for c in self._pool[len(drawn) :]:
            c.setData([], [])
            c.setVisible(False)
        self.curves = drawn
        self.empty.setText("" if drawn else "no tanh / sigmoid / relu layer in this iteration")
        if not drawn:
            self.plot.setRange(xRange=(0, 1), yRange=(0, 1))
            self.empty.setPos(0.5, 0.5)
        else:
            self.plot.enableAutoRange()


def guide_line(plot: pg.PlotItem) -> pg.InfiniteLine:
    """The usual update-to-data ratio guide, 1e-3, as a dashed horizontal line (log scale)."""
    line = pg.InfiniteLine(
        pos=np.log10(RATIO_GUIDE),
        angle=0,
        movable=False,
        pen=pg.mkPen(graph_colors().muted_text, width=1, style=Qt.PenStyle.DashLine),
        label="1e-3",
        labelOpts={
            "position": 0.96,
            "color": graph_colors().muted_text,
            "anchors": [(1, 1), (1, 1)],
        },
    )
    plot.addItem(line, ignoreBounds=True)
    return line
