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
from visgrad.app.protocols import PanelController
from visgrad.trace.keys import tensor_id
from visgrad.trace.state import LedgerEntry
from visgrad.trace.summary import ArraySummary

COLUMNS = (
    "#",
    "backward()",
    "change",
    "contribution",
    "running sum",
    "= .grad",
    "‖.grad‖",
    "from node",
    "path (root → node)",
)
KIND_TEXT = {"add": "+=", "zero": ".grad.zero_()", "none": ".grad = None", "set": ".grad = …"}
Index = QModelIndex | QPersistentModelIndex


def running_sums(entries: list[LedgerEntry]) -> list[Any]:
    """The ledger replayed: ``.grad`` after each entry."""
    out: list[Any] = []
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
        out.append(acc)
    return out


def agrees(acc: Any, recorded: Any) -> bool | None:
    """Whether a replayed sum equals the recorded ``.grad`` (None: cannot tell)."""
    if isinstance(acc, np.ndarray) and isinstance(recorded, np.ndarray):
        if acc.shape != recorded.shape:
            return False
        return bool(np.allclose(acc, recorded, rtol=1e-5, atol=1e-6, equal_nan=True))
    if acc is None and recorded is None:
        return True
    return None


def accumulation_warning(entries: list[LedgerEntry], name: str) -> str:
    """Words for a ``.grad`` that holds more than one backward pass (empty when it does not)."""
    passes: dict[int, None] = {}  # ordered set
    for e in entries:
        if e.kind in ("zero", "none", "set"):
            passes = {}
        else:
            passes[e.backward_index] = None
    if len(passes) < 2:
        return ""
    return (
        f"backward() call {list(passes)[-1]} accumulated on top of the previous backward's gradient: "
        f"{name}.grad is now the sum of {len(passes)} backward passes — call "
        f"{name}.grad.zero_() or optimizer.zero_grad() between them."
    )


class LedgerModel(QAbstractTableModel):
    """Ledger entries as rows; texts are made only for rows on screen."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.entries: list[LedgerEntry] = []
        self.sums: list[Any] = []
        self._ok: dict[int, bool | None] = {}
        self.names: dict[int, str] = {}
        self.current_seq = -1
        self._bold = QFont(MONO)
        self._bold.setBold(True)

    def set_entries(self, entries: list[LedgerEntry], names: dict[int, str], seq: int) -> None:
        self.beginResetModel()
        self.entries, self.names, self.current_seq = entries, names, seq
        self.sums = running_sums(entries)
        self._ok = {}
        self.endResetModel()

    def ok(self, row: int) -> bool | None:
        """Whether row ``row``'s running sum equals the recorded ``.grad`` (checked when shown)."""
        if row not in self._ok:
            self._ok[row] = agrees(self.sums[row], self.entries[row].grad_after)
        return self._ok[row]

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
            return preview(e.contribution) if e.kind == "add" else "—"
        if col == 4:
            return preview(self.sums[row])
        if col == 5:
            return {True: "✓", False: "✗ differs", None: "?"}[self.ok(row)]
        if col == 6:
            n = norm(e.grad_after)
            return "None" if n is None else fmt_num(n)
        if col == 7:
            return e.node_name or self._node(e.node)
        return " → ".join(self._node(n) for n in e.path) or "—"

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
            if c == 5 and self.ok(r) is False:
                return QColor("#ffd6d6")
        if role == Qt.ItemDataRole.FontRole and e.seq == self.current_seq:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole and c in (3, 4):
            return preview(e.contribution if c == 3 else self.sums[r], limit=32)
        return None


class GradLedger(Panel):
    """Every contribution to the selected leaf's ``.grad``, in order, up to the cursor tick."""

    def __init__(self, controller: PanelController, parent: QWidget | None = None) -> None:
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
        for col, w in enumerate((28, 74, 104, 150, 150, 54, 64, 150, 240)):
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
        ts = state.tensors.get(tensor_id(key))
        if ts is None:
            self.tensor = None
            self.title.setText("Grad ledger")
            self.summary.setText("Select a leaf tensor to see every contribution to its .grad.")
            self.warning.hide()
            self.model.set_entries([], {}, -1)
            return
        self.tensor = ts.id
        try:
            entries = self.controller.model.ledger(ts.id, state.tick)
        except KeyError:  # a tensor whose .grad never changed has no ledger yet
            entries = []
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
