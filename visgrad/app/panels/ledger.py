"""The grad ledger of a leaf: every ``+=`` into ``.grad``, resets, and the running sum."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from visgrad.app.formatting import fmt_num, norm, preview
from visgrad.app.panels.arrays import MONO
from visgrad.app.panels.base import Panel, heading
from visgrad.trace.codec import ArraySummary
from visgrad.trace.state import LedgerEntry

COLUMNS = (
    "#",
    "backward()",
    "change",
    "from node",
    "path (root → node)",
    "contribution",
    "running sum",
    "‖.grad‖",
    "= .grad",
)
KIND_TEXT = {"add": "+=", "zero": ".grad.zero_()", "none": ".grad = None", "set": ".grad = …"}
Index = QModelIndex | QPersistentModelIndex


def running_sums(entries: list[LedgerEntry]) -> list[tuple[Any, bool | None]]:
    """The ledger replayed: ``.grad`` after each entry, and whether it equals the recorded one."""
    out: list[tuple[Any, bool | None]] = []
    acc: Any = None
    for e in entries:
        if e.kind == "none":
            acc = None
        elif e.kind == "zero":
            acc = None if acc is None else np.zeros_like(acc)
        elif e.kind == "set":
            acc = e.grad_after
        else:
            c = e.contribution
            if isinstance(c, ArraySummary) or isinstance(acc, ArraySummary):
                acc = e.grad_after  # too large to have been kept: trust the recorded sum
            elif c is not None:
                acc = c.astype(np.float64) if acc is None else acc + c
        ok: bool | None = None
        g = e.grad_after
        if isinstance(acc, np.ndarray) and isinstance(g, np.ndarray) and acc.shape == g.shape:
            ok = bool(np.allclose(acc, g, rtol=1e-5, atol=1e-6, equal_nan=True))
        elif acc is None and g is None:
            ok = True
        out.append((acc, ok))
    return out


def accumulation_warning(entries: list[LedgerEntry], name: str) -> str:
    """Words for a ``.grad`` that holds more than one backward pass (empty when it does not)."""
    passes: list[int] = []
    for e in entries:
        if e.kind in ("zero", "none", "set"):
            passes = []
        elif e.kind == "add" and e.backward_index not in passes:
            passes.append(e.backward_index)
    if len(passes) < 2:
        return ""
    return (
        f"backward() call {passes[-1]} accumulated on top of the previous backward's gradient: "
        f"{name}.grad is now the sum of {len(passes)} backward passes — call "
        f"{name}.grad.zero_() or optimizer.zero_grad() between them."
    )


class LedgerModel(QAbstractTableModel):
    """Ledger entries as rows; texts are made only for rows on screen."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.entries: list[LedgerEntry] = []
        self.sums: list[tuple[Any, bool | None]] = []
        self.names: dict[int, str] = {}
        self.current_seq = -1
        self._bold = QFont(MONO)
        self._bold.setBold(True)

    def set_entries(self, entries: list[LedgerEntry], names: dict[int, str], seq: int) -> None:
        self.beginResetModel()
        self.entries, self.names, self.current_seq = entries, names, seq
        self.sums = running_sums(entries)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def _node(self, node: int | None) -> str:
        if node is None:
            return "—"
        return self.names.get(node, f"node {node}")

    def text(self, row: int, col: int) -> str:
        e = self.entries[row]
        if col == 0:
            return str(row + 1)
        if col == 1:
            return str(e.backward_index) if e.backward_index else "—"
        if col == 2:
            return KIND_TEXT.get(e.kind, e.kind)
        if col == 3:
            return e.node_name or self._node(e.node)
        if col == 4:
            return " → ".join(self._node(n) for n in e.path) or "—"
        if col == 5:
            return preview(e.contribution) if e.kind == "add" else "—"
        acc, ok = self.sums[row]
        if col == 6:
            return preview(acc)
        if col == 7:
            n = norm(e.grad_after)
            return "None" if n is None else fmt_num(n)
        return {True: "✓", False: "✗ differs", None: "?"}[ok]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(r, c)
        e = self.entries[r]
        if role == Qt.ItemDataRole.BackgroundRole:
            if e.kind != "add":
                return QColor("#eef2ff")
            if c == 8 and self.sums[r][1] is False:
                return QColor("#ffd6d6")
        if role == Qt.ItemDataRole.FontRole and e.seq == self.current_seq:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole and c in (5, 6):
            return preview(e.contribution if c == 5 else self.sums[r][0], limit=32)
        return None


class GradLedger(Panel):
    """Every contribution to the selected leaf's ``.grad``, in order, up to the cursor tick."""

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.title = heading("Grad ledger")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(
            "background:#fff4e5; color:#7a4100; border:1px solid #f3c98b; padding:4px;"
        )
        self.warning.hide()
        self.model = LedgerModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setFont(MONO)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(20)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, w in enumerate((28, 74, 110, 140, 240, 130, 130, 64, 60)):
            self.table.setColumnWidth(col, w)
        hh.setStretchLastSection(True)
        self.table.doubleClicked.connect(self._jump)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.title)
        lay.addWidget(self.summary)
        lay.addWidget(self.warning)
        lay.addWidget(self.table, 1)
        self.tensor: int | None = None

    def _jump(self, index: QModelIndex) -> None:
        """Double-click an entry: move the cursor to the event that made it."""
        e = self.model.entries[index.row()]
        self.controller.go_to(self.controller.model.tick_of_seq(e.seq))

    def refresh(self) -> None:
        key = self.controller.selection or ""
        state = self.controller.state()
        ts = state.tensors.get(int(key[1:])) if key.startswith("t") else None
        if ts is None:
            self.tensor = None
            self.title.setText("Grad ledger")
            self.summary.setText("Select a leaf tensor to see every contribution to its .grad.")
            self.warning.hide()
            self.model.set_entries([], {}, -1)
            return
        self.tensor = ts.id
        entries = self.controller.model.ledger(ts.id, state.tick)
        names = {f.id: f.grad_fn for f in state.functions.values()}
        self.model.set_entries(entries, names, state.seq)
        adds = sum(1 for e in entries if e.kind == "add")
        self.title.setText(f"Grad ledger of {ts.name}")
        if not entries:
            self.summary.setText(
                f"{ts.name}.grad is None: no backward pass has reached it yet."
                if ts.requires_grad
                else f"{ts.name} does not require grad: it has no .grad."
            )
        else:
            self.summary.setText(
                f"{adds} contribution(s) and {len(entries) - adds} reset(s) up to tick "
                f"{state.tick}; the running sum is checked against the recorded .grad (✓). "
                "Double-click a row to go to that moment."
            )
        text = accumulation_warning(entries, ts.name)
        self.warning.setText(text)
        self.warning.setVisible(bool(text))
        if entries:
            self.table.scrollToBottom()
