"""The Training panel: the loss, gradient norms, update ratios and learning rate over iterations,
with per-layer histograms of the cursor's iteration and markers for what looks wrong.

Everything drawn comes from ``TraceModel.training`` (folded as events arrive); the panel only picks
what to show. Curves are redrawn when the log grew, histograms when the cursor's iteration (or
what it holds) changed. While the program runs the panel redraws at most every ``LIVE_REDRAW_S``
(or four times what its last redraw took): each redraw repaints every plot, and drawing must not
compete with the run for the CPU. A click on
any curve travels to that iteration's ``backward()``.
"""

from __future__ import annotations

import math
import time
from html import escape

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from visgrad.app.formatting import fmt_num
from visgrad.app.panels.base import Panel
from visgrad.app.panels.training_plots import (
    MARKER_STYLE,
    HistogramPlot,
    IterationPlot,
    MarkerLayer,
    guide_line,
    series_color,
)
from visgrad.app.protocols import PanelController
from visgrad.app.theme import graph_colors
from visgrad.trace.caps import clip
from visgrad.trace.training import RATIO_GUIDE, LayerStats, Marker, TrainingStats
from visgrad.trace.training_table import lr_names, parameter_names

LIVE_REDRAW_S = 0.4  # the longest a live plot waits to show what arrived
LEGEND_NAME = 40  # characters of a parameter's name in the legend (the tooltip has them whole)


def running_mean(y: np.ndarray, window: int) -> np.ndarray:
    """Mean of the last ``window`` finite values at each point (NaN where there are none)."""
    ok = np.isfinite(y)
    sums = np.concatenate(([0.0], np.cumsum(np.where(ok, y, 0.0))))
    counts = np.concatenate(([0], np.cumsum(ok)))
    i = np.arange(1, len(y) + 1)
    lo = np.maximum(i - window, 0)
    n = counts[i] - counts[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, (sums[i] - sums[lo]) / n, np.nan)


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """The opaque colour ``t`` of the way from ``b`` to ``a``."""
    return QColor.fromRgbF(
        a.redF() * t + b.redF() * (1 - t),
        a.greenF() * t + b.greenF() * (1 - t),
        a.blueF() * t + b.blueF() * (1 - t),
    )


def marker_legend(markers: list[Marker]) -> str:
    """`` · ⚠ 3 × .grad summed across iterations`` per kind present (empty when none)."""
    counts: dict[str, int] = {}
    for m in markers:
        counts[m.kind] = counts.get(m.kind, 0) + 1
    parts = [
        f"<span style='color:{MARKER_STYLE[k][1]}'>⚠ {n} × {MARKER_STYLE[k][2]}</span>"
        for k, n in counts.items()
    ]
    return ("&nbsp;&nbsp;·&nbsp;&nbsp;" + "&nbsp;&nbsp;".join(parts)) if parts else ""


def _pct(x: float) -> str:
    return "—" if math.isnan(x) else f"{100 * x:.0f}%"


def layer_caption(layer: LayerStats) -> str:
    """``tanh 1 · line 54: 3% saturated, 0% dead`` (relu: ``zero`` rather than saturated)."""
    what = "zero" if layer.op == "relu" else "saturated"
    dead = "" if math.isnan(layer.dead) else f", {_pct(layer.dead)} dead"
    return f"{layer.label}: {_pct(layer.saturated)} {what}{dead}"


class TrainingPanel(Panel):
    """Training curves over iterations and the cursor iteration's layer histograms."""

    def __init__(self, controller: PanelController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        colors = graph_colors()
        # Antialiased paths cost about twice as much to draw; thin lines read well without.
        pg.setConfigOptions(antialias=False)
        self.header = QLabel()
        self.header.setObjectName("trainingHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.curves_view = pg.GraphicsLayoutWidget()
        self.curves_view.setBackground(colors.background)
        self.curves_view.ci.setSpacing(2)
        go = self.travel_to
        view = self.curves_view
        self.loss = IterationPlot(view, 0, 0, "loss", log=False, on_click=go)
        self.ratio = IterationPlot(view, 0, 1, "update / data  ‖Δθ‖ / ‖θ‖", log=True, on_click=go)
        self.grad = IterationPlot(view, 1, 0, "gradient norm ‖∇θ‖", log=True, on_click=go)
        self.lr = IterationPlot(view, 1, 1, "learning rate", log=False, on_click=go)
        for p in (self.grad, self.ratio, self.lr):
            p.plot.setXLink(self.loss.plot)
        self.legend = QLabel()
        self.legend.setObjectName("trainingLegend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        guide_line(self.ratio.plot)
        self.markers = MarkerLayer(self.loss.plot)
        self.hist_view = pg.GraphicsLayoutWidget()
        self.hist_view.setBackground(colors.background)
        self.act_hist = HistogramPlot(self.hist_view, 0, "activations")
        self.grad_hist = HistogramPlot(self.hist_view, 1, "their gradients")
        self.layers_text = QLabel()
        self.layers_text.setObjectName("trainingLayers")
        self.layers_text.setTextFormat(Qt.TextFormat.RichText)
        self.layers_text.setWordWrap(True)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.hist_view, 1)
        rl.addWidget(self.layers_text)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.curves_view)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.addWidget(self.header)
        lay.addWidget(self.legend)
        lay.addWidget(split, 1)
        self._curves_key: tuple = ()
        self._hist_key: tuple = ()
        self._due = 0.0  # perf_counter() before which a live redraw waits
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.timeout.connect(self.invalidate)
        controller.run_state_changed.connect(self.invalidate)
        self.iteration = 0  # the cursor's iteration, as drawn

    # -- refreshing --------------------------------------------------------------------------------
    def refresh(self) -> None:
        if not self._now_or_later():
            return
        t0 = time.perf_counter()
        self._redraw()
        t1 = time.perf_counter()
        self._due = t1 + max(LIVE_REDRAW_S, 4 * (t1 - t0))

    def _now_or_later(self) -> bool:
        """Whether to redraw now; if not (a live run drew moments ago), come back when due."""
        wait = self._due - time.perf_counter()
        if wait <= 0 or self.controller.run_state != "running":
            return True
        if not self._later.isActive():
            self._later.start(math.ceil(1e3 * wait))
        return False

    def _redraw(self) -> None:
        model = self.controller.model
        st = model.training
        tick = self.controller.tick
        self.iteration = model.iteration_at(tick) if len(model) and tick >= 0 else 0
        key = (id(model), len(model))
        if key != self._curves_key:
            self._curves_key = key
            self._draw_curves(st, model.names)
        for p in (self.loss, self.grad, self.ratio, self.lr):
            p.set_cursor(self.iteration)
        it = st.iterations[self.iteration - 1] if self.iteration else None
        # The newest iteration still grows: redraw when a layer or a layer's gradient arrives.
        grown = (len(it.layers), sum(x.gradient is not None for x in it.layers)) if it else ()
        hkey = (id(model), self.iteration, grown)
        if hkey != self._hist_key:
            self._hist_key = hkey
            self._draw_layers(it.layers if it is not None else [])
        self._draw_header(st)

    def _draw_curves(self, st: TrainingStats, names: dict[int, str]) -> None:
        n = len(st.iterations)
        x = np.arange(1, n + 1, dtype=np.float64)
        loss = st.column(st.losses)
        colors = graph_colors()
        accent = colors.current
        # The raw losses' faint line, mixed with the background rather than translucent: an
        # opaque line of thousands of segments paints without blending each pixel.
        faint = mix(accent, colors.background, 0.35)
        # Minibatch losses are noisy: the raw values faint, a running mean over them strong. The
        # mean is smooth over n/40 iterations, so a point every n/800 loses nothing and keeps its
        # thick line (the costly kind to paint) short.
        self.loss.set_series("loss", x, loss, faint)
        step = max(1, n // 800)
        mean = running_mean(loss, max(1, n // 40))
        keep = np.unique(np.r_[np.arange(0, n, step), n - 1]) if n else np.arange(0)
        self.loss.set_series("mean", x[keep], mean[keep], accent, width=2.0)
        pnames = parameter_names(st, names)
        grads, ratios, swatches = [], [], []
        for i, (tid, name) in enumerate(pnames.items()):
            color = series_color(i)
            grads.append(st.column(st.grad_norm[tid]))
            ratios.append(st.column(st.update_ratio[tid]))
            self.grad.set_series(tid, x, grads[-1], color)
            self.ratio.set_series(tid, x, ratios[-1], color)
            short = escape(clip(name, LEGEND_NAME))
            swatches.append(f"<span style='color:{color.name()}'>■</span>&nbsp;{short}")
        for p in (self.grad, self.ratio):
            p.drop_missing(list(pnames))
        self.grad.fit_decades(grads)
        self.ratio.fit_decades(ratios, include=RATIO_GUIDE)
        lrs = lr_names(st)
        cols = [st.column(st.lr[k]) for k in lrs]
        for i, k in enumerate(lrs):
            self.lr.set_series(k, x, cols[i], series_color(i))
        self.lr.drop_missing(list(lrs))
        known = [c[np.isfinite(c)] for c in cols]
        top = max((float(c.max()) for c in known if c.size), default=1.0)
        self.lr.plot.setYRange(0, top if top > 0 else 1.0, padding=0.08)
        title = " · ".join(lrs.values()) if len(lrs) > 1 else "learning rate"
        self.lr.set_title(title if lrs else "learning rate (no optimizer step seen)")
        finite = loss[np.isfinite(loss)]
        top = float(finite.max()) if finite.size else 1.0
        markers = st.all_markers()
        self.markers.set_markers(markers, loss, top)
        self.legend.setText("&nbsp;&nbsp; ".join(swatches) + marker_legend(markers))
        self.legend.setToolTip("\n".join(pnames.values()))

    def _draw_layers(self, layers: list[LayerStats]) -> None:
        self.act_hist.set_layers(layers, "activation")
        self.grad_hist.set_layers(layers, "gradient")
        rows = [
            f"<span style='color:{series_color(i).name()}'>■</span>&nbsp;"
            + escape(clip(layer_caption(layer), LEGEND_NAME * 2))
            for i, layer in enumerate(layers)
        ]
        self.layers_text.setText("<br>".join(rows) if rows else "")

    def _draw_header(self, st: TrainingStats) -> None:
        if not st.trained:
            self.header.setText("No training iteration yet: statistics appear after a backward().")
            return
        parts = [f"<b>iteration {self.iteration}</b> of {len(st.iterations)}"]
        if self.iteration:
            it = st.iterations[self.iteration - 1]
            if it.backward:
                parts.append(f"loss {fmt_num(it.loss, 5)}")
            for k, name in lr_names(st).items():
                col = st.lr[k]
                if len(col) >= self.iteration and not math.isnan(col[self.iteration - 1]):
                    parts.append(f"{name} {fmt_num(col[self.iteration - 1])}")
            for m in st.markers(self.iteration):
                color = MARKER_STYLE[m.kind][1]
                parts.append(f"<span style='color:{color}'>⚠ {m.text}</span>")
        self.header.setText(" · ".join(parts))

    # -- commands ----------------------------------------------------------------------------------
    def travel_to(self, x: float) -> None:
        """Go to the ``backward()`` of the iteration nearest ``x`` (its first event if none)."""
        its = self.controller.model.training.iterations
        if not its or not math.isfinite(x):
            return
        i = min(max(int(round(x)), 1), len(its))
        it = its[i - 1]
        self.controller.go_to(it.loss_tick if it.loss_tick >= 0 else it.start_tick)
