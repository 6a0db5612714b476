"""What every panel shares: a controller to read, lazy refresh, shared node marks, small helpers."""

from __future__ import annotations

import bisect
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QWidget

from visgrad.app.contain import ErrorLabel, contained
from visgrad.app.full_text import squeezable
from visgrad.app.panels.arrays import fmt
from visgrad.app.protocols import PanelController
from visgrad.trace.summary import ArraySummary, stats

WIDEST_LABEL = 480  # px a label may ask for; a wider one (a long name, one word) is squeezed


class Panel(QWidget):
    """A view of the controller's state at the cursor tick; refreshes only while visible."""

    def __init__(self, controller: PanelController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._dirty = True
        self._failure: ErrorLabel | None = None
        # Several signals often arrive together (tick + selection): refresh once, after them.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._refresh_now)
        controller.tick_changed.connect(self.invalidate)
        controller.selection_changed.connect(self.invalidate)
        controller.program_changed.connect(self.invalidate)

    def invalidate(self, *_: Any) -> None:
        self._dirty = True
        if self.isVisible():
            self._timer.start()

    def showEvent(self, ev: QShowEvent) -> None:  # noqa: N802
        super().showEvent(ev)
        if self._dirty:
            self._timer.start()

    def _refresh_now(self) -> None:
        self._dirty = False
        if contained(self.view_name, self.refresh, self.show_failure) and self._failure:
            self._failure.hide()
        # A long name in any label must not widen the dock, and with it the window.
        for lab in self.findChildren(QLabel):
            if lab.minimumSizeHint().width() > WIDEST_LABEL:
                squeezable(lab)

    @property
    def view_name(self) -> str:
        """The panel's name in error notes."""
        return self.windowTitle() or type(self).__name__

    def show_failure(self, text: str) -> None:
        """Say, over the panel, that its last refresh failed (hidden again once one succeeds)."""
        if self._failure is None:
            self._failure = ErrorLabel(self)
        self._failure.show_text(text)

    def refresh(self) -> None:
        """Re-read the controller and redraw (subclasses)."""


class Marks(QObject):
    """Graph marks from several panels, merged: ``graph_view.mark`` replaces all marks per call."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.by_owner: dict[str, dict[str, str]] = {}

    def set(self, owner: str, marks: dict[str, str]) -> None:
        self.by_owner[owner] = dict(marks)
        merged: dict[str, str] = {}
        for m in self.by_owner.values():
            merged.update(m)
        view = getattr(self.window, "graph_view", None)
        if view is not None and hasattr(view, "mark"):
            view.mark(merged)


def tick_of_seq(log: Any, seq: int) -> int:
    """Index of the event with ``seq`` in the log (events are in seq order)."""
    i = bisect.bisect_left(log, seq, key=lambda e: e.seq)
    return min(i, len(log) - 1)


def stats_row(a: np.ndarray | ArraySummary | None) -> list[str]:
    """min, max, mean, norm, NaN, Inf of an array as display texts."""
    if a is None:
        return ["—"] * 6
    if isinstance(a, np.ndarray) and a.dtype.kind not in "biuf":
        return ["—"] * 6
    if isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.size:
        lo, hi = float(a.min()), float(a.max())
        if np.isfinite(lo) and np.isfinite(hi):
            # All finite (the common case): no masking and no float64 copy for min/max.
            f = a.reshape(-1)
            if f.size <= 100_000:
                f = f.astype(np.float64)
            mean = float(f.mean(dtype=np.float64))
            norm = float(np.sqrt(np.dot(f, f)))
            return [fmt(lo), fmt(hi), fmt(mean), fmt(norm), "0", "0"]
    s = stats(a)
    return [fmt(s.min), fmt(s.max), fmt(s.mean), fmt(s.norm), str(s.nan), str(s.inf)]


def short_source(src: tuple[str, int, str] | None) -> str:
    if not src:
        return "—"
    name = src[0].replace("\\", "/").rsplit("/", 1)[-1]
    return f"{name}:{src[1]}" + (f" in {src[2]}" if src[2] not in ("<module>", "") else "")


def array_text(a: np.ndarray | ArraySummary | None, limit: int = 64) -> str:
    """Small arrays in full, large ones as statistics (for rich-text panels)."""
    if a is None:
        return "None"
    if isinstance(a, ArraySummary) or a.size > limit:
        s = stats(a)
        return (
            f"shape {tuple(s.shape)}: min {fmt(s.min)}, max {fmt(s.max)}, mean {fmt(s.mean)}, "
            f"norm {fmt(s.norm)}"
            + (f", {s.nan} NaN" if s.nan else "")
            + (f", {s.inf} Inf" if s.inf else "")
        )
    if a.ndim == 0:
        return fmt(float(a))
    return np.array2string(
        np.asarray(a),
        precision=4,
        separator=", ",
        suppress_small=False,
        max_line_width=72,
        formatter={"float_kind": lambda x: fmt(float(x))},
    )


def heading(text: str) -> QLabel:
    lab = QLabel(text)
    lab.setStyleSheet("font-weight:600; font-size:11pt; padding:2px 0;")
    lab.setWordWrap(True)
    return lab
