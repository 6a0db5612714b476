"""The inspector: the selected node at the cursor tick, as numbers, a heatmap and its facts."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from visgrad import events
from visgrad.app.full_text import show_full_text, squeezable
from visgrad.app.panels.arrays import ArrayView
from visgrad.app.panels.base import Panel, heading, short_source, stats_row
from visgrad.app.protocols import PanelController
from visgrad.trace.caps import clip, was_cut
from visgrad.trace.formula_text import lookup
from visgrad.trace.keys import function_id, tensor_id
from visgrad.trace.state import FunctionState, State, TensorState
from visgrad.trace.summary import ArraySummary

STAT_COLUMNS = ("min", "max", "mean", "norm", "NaN", "Inf")
PROP = 300  # characters of one fact shown; longer ones get a "show full" link
TITLE = 120
TWO_COLUMNS_FROM = 340  # the Inspector's width from which its facts sit in two columns


def _unknown_value(state: State, ts: TensorState) -> str:
    """What the Inspector says of a tensor the trace holds no record of (empty when it has one):
    made before the horizon whose events the memory budget let go, or before recording began."""
    if ts.value is not None or ts.dtype:
        return ""
    if state.forgotten:
        return (
            f"value forgotten: made before tick {state.forgotten:,}, whose events were let go "
            "to stay within the memory budget"
        )
    return "value not recorded: made before recording began"


def saved_names(fs: FunctionState) -> tuple[tuple[str, ...], bool]:
    """The node's saved tensors and whether backward has released them by the state's tick."""
    return fs.saved, fs.saved_released


class Inspector(Panel):
    """Value and gradient of the selected tensor or function node at the cursor tick."""

    def __init__(self, controller: PanelController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.title = squeezable(heading("Nothing selected"))
        # A closed module group's (title, facts) by its key; the window sets the graph view's.
        self.describe_group: Callable[[str], tuple[str, list[tuple[str, str]]] | None]
        self.describe_group = lambda key: None
        self.props = QGridLayout()
        self._prop_cells: list[tuple[QLabel, QLabel]] = []
        self._prop_pairs = 0
        self.props.setHorizontalSpacing(12)
        self.props.setVerticalSpacing(2)
        self.stats = QTableWidget(len(STAT_COLUMNS), 0)
        self.stats.setVerticalHeaderLabels(STAT_COLUMNS)
        self.stats.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.stats.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.stats.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.stats.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.stats.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.stats.verticalHeader().setDefaultSectionSize(19)
        self.stats.setFixedHeight(24 + 19 * len(STAT_COLUMNS))
        self.alert = QLabel()
        self.alert.setWordWrap(True)
        self.alert.setStyleSheet(
            "background:#fdecea; color:#8a1c1c; border:1px solid #f5c2c0; padding:4px;"
        )
        self.alert.hide()
        self.tabs = QTabWidget()
        self.tabs.currentChanged.connect(self._fill_current)
        self.views: dict[str, ArrayView] = {}
        # Arrays of each tab; only the tab in front is drawn (a 1,000×1,000 heatmap costs time).
        self._pending: dict[str, tuple[Any, np.ndarray | None]] = {}
        self._missing: dict[str, str] = {}  # what a tab without an array says, when not the usual
        props_box = QWidget()
        props_box.setLayout(self.props)
        # In a scroll area: what a node shows never makes the dock (or the window) taller; a
        # short dock scrolls instead.
        body = QWidget()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.title)
        lay.addWidget(props_box)
        lay.addWidget(self.stats)
        lay.addWidget(self.alert)
        lay.addWidget(self.tabs, 1)
        lay.addStretch(0)  # takes the room while the tables are hidden (nothing selected)
        self.shown: tuple[str, int] | None = None
        self.full_window: QWidget | None = None

    # -- building blocks ------------------------------------------------------------------------
    def _set_props(self, rows: list[tuple[str, str]]) -> None:
        while self.props.count():
            w = self.props.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self._prop_cells = []
        for k, v in rows:
            key = QLabel(k)
            key.setStyleSheet("color:#6b7280;")
            val = squeezable(QLabel())
            if len(v) > PROP or was_cut(v):
                val.setTextFormat(Qt.TextFormat.RichText)
                val.setText(f"{escape(clip(v, PROP))} <a href='full'>show full</a>")
                val.linkActivated.connect(lambda _, k=k, v=v: self.show_full(k, v))
            else:
                val.setTextFormat(Qt.TextFormat.PlainText)
                val.setText(v)
            val.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.LinksAccessibleByMouse
            )
            val.setWordWrap(True)
            self._prop_cells.append((key, val))
        self._arrange_props()

    def _arrange_props(self) -> None:
        """Facts in two columns of pairs, or in one when the dock is narrow (each value then
        keeps a readable width instead of being cut to a few letters)."""
        pairs = 2 if self.width() >= TWO_COLUMNS_FROM else 1
        self._prop_pairs = pairs
        for key, val in self._prop_cells:
            self.props.removeWidget(key)
            self.props.removeWidget(val)
        half = (len(self._prop_cells) + pairs - 1) // pairs
        for i, (key, val) in enumerate(self._prop_cells):
            r, c = (i, 0) if i < half else (i - half, 2)
            self.props.addWidget(key, r, c)
            self.props.addWidget(val, r, c + 1)
        self.props.setColumnStretch(1, 1)
        self.props.setColumnStretch(3, 1 if pairs == 2 else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt virtual
        super().resizeEvent(event)
        if (self.width() >= TWO_COLUMNS_FROM) != (self._prop_pairs == 2):
            self._arrange_props()

    def show_full(self, what: str, text: str) -> QWidget:
        """A window with the whole of ``text`` (as the trace holds it), to read and copy."""
        whole = self.controller.model.full_texts.full(text)
        self.full_window = show_full_text(self, f"{what} — {self.title.text()}", whole)
        return self.full_window

    def _set_stats(self, rows: list[tuple[str, np.ndarray | ArraySummary | None]]) -> None:
        """One column per array (value, grad, Δ …), one row per statistic: fits a narrow dock."""
        self.stats.setColumnCount(len(rows))
        self.stats.setHorizontalHeaderLabels([r for r, _ in rows])
        for j, (_, a) in enumerate(rows):
            for i, text in enumerate(stats_row(a)):
                it = QTableWidgetItem(text)
                it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if i >= 4 and text not in ("0", "—"):
                    it.setBackground(QColor("#ffd6d6"))
                    it.setForeground(QColor("#a00000"))
                self.stats.setItem(i, j, it)

    def _set_tabs(self, arrays: list[tuple[str, Any, np.ndarray | None]]) -> None:
        current = self.tabs.tabText(self.tabs.currentIndex()) if self.tabs.count() else ""
        names = [n for n, _, _ in arrays]
        if [self.tabs.tabText(i) for i in range(self.tabs.count())] != names:
            self.tabs.clear()
            old, self.views = self.views, {}
            for n in names:
                v = old.pop(n, None) or ArrayView()
                self.views[n] = v
                self.tabs.addTab(v, n)
            for v in old.values():
                v.deleteLater()
        self._pending = {n: (a, changed) for n, a, changed in arrays}
        if current in names:
            self.tabs.setCurrentIndex(names.index(current))
        self._fill_current()

    def _fill_current(self, *_: Any) -> None:
        name = self.tabs.tabText(self.tabs.currentIndex()) if self.tabs.count() else ""
        if name in self._pending:
            a, changed = self._pending.pop(name)
            self.views[name].set_array(a, changed, self._missing.get(name, "not computed"))

    # -- refresh --------------------------------------------------------------------------------
    def refresh(self) -> None:
        key = self.controller.selection or ""
        state: State = self.controller.state()
        self.alert.hide()
        ts, fs = state.tensors.get(tensor_id(key)), state.functions.get(function_id(key))
        group = self.describe_group(key) if key.startswith("g:") else None
        if ts is not None:
            self._show_tensor(state, ts)
        elif fs is not None:
            self._show_function(state, fs)
        elif group is not None:  # a closed module's card: what the card says, in full
            self.shown = None
            self.title.setText(group[0])
            self._set_props(group[1])
        else:
            self.shown = None
            self.title.setText(
                "Select a node in the graph"
                if not key
                else f"{key} does not exist yet at tick {state.tick}"
            )
            self._set_props([])
            self._set_stats([])
            self._set_tabs([])
        # Empty statistics rows and an empty array pane under "Select a node" looked broken.
        self.stats.setVisible(self.shown is not None)
        self.tabs.setVisible(self.shown is not None)

    def _show_tensor(self, state: State, ts: TensorState) -> None:
        self.shown = ("t", ts.id)
        fn = state.functions.get(ts.producer) if ts.producer is not None else None
        self.title.setText(f"{clip(ts.name, TITLE)}  ·  tensor t{ts.id}  ·  {ts.role}")
        # A leaf shows its .grad; any other tensor d(loss)/d(tensor), which backward computed
        # whether or not the program called retain_grad().
        grad = ts.grad if ts.is_leaf or ts.grad is not None else ts.dloss
        grad_note = "" if grad is not None or not ts.requires_grad else " (not computed yet)"
        if ts.is_leaf:
            grad_row = ("grad", f"{ts.grad_contributions} contribution(s){grad_note}")
        else:
            what = f"∂loss/∂{ts.name}, no retain_grad() needed" if grad is not None else "—"
            grad_row = ("gradient", f"{what}{grad_note}")
        unknown = _unknown_value(state, ts)
        self._missing = {"Value": unknown} if unknown else {}
        self._set_props(
            _long_one("name", ts.name)
            + ([("value", unknown)] if unknown else [])
            + [
                ("shape", "unknown" if unknown else str(tuple(ts.shape))),
                ("dtype", ts.dtype or "unknown"),
                ("requires_grad", str(ts.requires_grad)),
                ("is_leaf", str(ts.is_leaf)),
                ("grad_fn", fn.grad_fn if fn else "None"),
                ("version", str(ts.version)),
                ("made at", short_source(ts.source)),
                grad_row,
            ]
        )
        change = self._change(state, ts)
        rows: list[tuple[str, Any]] = [("value", ts.value), ("grad", grad)]
        tabs: list[tuple[str, Any, np.ndarray | None]] = [
            ("Value", ts.value, None),
            ("Gradient", grad, None),
        ]
        if change is not None:
            label, delta, mask = change
            rows.append((label, delta))
            tabs.append((label, delta, None))
            if label.startswith("Δ grad"):
                tabs[1] = ("Gradient", grad, mask)
            else:
                tabs[0] = ("Value", ts.value, mask)
        self._set_stats(rows)
        self._set_tabs(tabs)
        self._point_at_bad([("Value", ts.value), ("Gradient", grad)])

    def _change(self, state: State, ts: TensorState) -> tuple[str, np.ndarray, np.ndarray] | None:
        model = self.controller.model
        found = model.previous_change(ts.id, state.tick)
        if found is None:
            return None
        what, i = found
        before = model.state_at(i - 1).tensors.get(ts.id)
        now, prev = (
            (ts.value, before.value if before else None)
            if what == "value"
            else (ts.grad, before.grad if before else None)
        )
        if not isinstance(now, np.ndarray):
            return None
        if not isinstance(prev, np.ndarray) or prev.shape != now.shape:
            prev = np.zeros_like(now)
        with np.errstate(all="ignore"):
            delta = now.astype(np.float64) - prev.astype(np.float64)
        return f"Δ {what} (tick {i})", delta, delta != 0

    def _show_function(self, state: State, fs: FunctionState) -> None:
        self.shown = ("f", fs.id)
        self._missing = {}
        entry = lookup(fs.grad_fn)
        names = entry[1] if entry else ()
        ins = []
        for i, tid in enumerate(fs.inputs):
            nm = names[i] if i < len(names) else f"input {i}"
            t = state.tensors.get(tid) if tid is not None else None
            ins.append(f"{nm}={t.name if t else 'constant'}")
        outs = [state.tensors[o].name for o in fs.outputs if o in state.tensors]
        saved, released = saved_names(fs)
        saved_text = ", ".join(saved) or "nothing"
        if saved:
            saved_text += " — released after backward" if released else " — kept"
        attrs = ", ".join(f"{k}={v}" for k, v in fs.attrs.items() if k != "constants") or "—"
        self.title.setText(
            f"{clip(fs.grad_fn, TITLE)}  ·  function f{fs.id}  ·  forward {clip(fs.op, TITLE)}"
        )
        self._set_props(
            _long_one("grad_fn", fs.grad_fn)
            + _long_one("forward op", fs.op)
            + [
                ("inputs", ", ".join(ins) or "—"),
                ("outputs", ", ".join(outs) or "—"),
                ("attributes", attrs),
                ("backward ran", f"{fs.executed} time(s)"),
                ("saved values", saved_text),
                ("made at", short_source(fs.source)),
            ]
        )
        rows: list[tuple[str, Any]] = []
        tabs: list[tuple[str, Any, np.ndarray | None]] = []
        for i, g in enumerate(fs.grads_in or ()):
            rows.append((f"grad in {i}" if len(fs.grads_in or ()) > 1 else "upstream", g))
            tabs.append((rows[-1][0].capitalize(), g, None))
        for i, g in enumerate(fs.grads_out or ()):
            nm = names[i] if i < len(names) else str(i)
            rows.append((f"→ {nm}", g))
            tabs.append((f"Grad → {nm}", g, None))
        if not tabs:
            for o in fs.outputs:
                t = state.tensors.get(o)
                if t is not None:
                    tabs.append((f"Output {t.name}", t.value, None))
                    rows.append((f"output {t.name}", t.value))
        self._set_stats(rows)
        self._set_tabs(tabs)
        self._point_at_bad([(n, a) for n, a, _ in tabs])
        ev = state.event
        if isinstance(ev, events.Anomaly) and ev.node == fs.id and ev.where == "backward":
            # The engine reports the anomaly just before the node's own event: its numbers
            # arrive with the next event.
            self.alert.setText(
                f"{ev.message}. Its gradients are recorded with the next event: "
                "step once (F11) to see the offending entries."
            )
            self.alert.show()

    def _point_at_bad(self, arrays: list[tuple[str, Any]]) -> None:
        """Bring the first array holding NaN/Inf to the front, scrolled to the first bad entry."""
        for name, a in arrays:
            bad = _bad_count(a)
            if bad:
                self.tabs.setCurrentWidget(self.views[name])
                self._fill_current()
                idx = self.views[name].first_bad()
                where = f" first at index {list(idx)}" if idx is not None else ""
                self.alert.setText(
                    f"{name}: {bad} NaN/Inf entr{'y' if bad == 1 else 'ies'}"
                    f"{where} (highlighted in red)."
                )
                self.alert.show()
                return


def _long_one(key: str, text: str) -> list[tuple[str, str]]:
    """A row for a text the title shows cut (its "show full" link has it whole)."""
    return [(key, text)] if len(text) > TITLE or was_cut(text) else []


def _bad_count(a: Any) -> int:
    if isinstance(a, ArraySummary):
        return a.nan + a.inf
    if isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.size:
        if np.isfinite(a.min()) and np.isfinite(a.max()):
            return 0
        return int((~np.isfinite(a)).sum())
    return 0
