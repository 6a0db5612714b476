"""The breakpoints panel: list, add, enable/disable, delete; says why a run stopped at one."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from visgrad.app.protocols import PanelController
from visgrad.runner.breakpoints import Breakpoint

KIND_LABELS = {
    "line": "line",
    "op": "op / grad_fn",
    "tensor": "tensor name",
    "nan": "NaN / Inf",
    "grad_norm": "gradient norm >",
}
PLACEHOLDERS = {
    "line": "line number, e.g. 20",
    "op": "mul or MulBackward0",
    "tensor": "w or fc1.weight",
    "nan": "(no value needed)",
    "grad_norm": "threshold, e.g. 10",
}


def describe(bp: Breakpoint) -> str:
    """A breakpoint in words, as the list and the status bar show it."""
    if bp.kind == "line":
        where = os.path.basename(bp.file) + ":" if bp.file else "line "
        return f"{where}{bp.value}"
    if bp.kind == "op":
        return f"op {bp.value}"
    if bp.kind == "tensor":
        return f"tensor {bp.value}"
    if bp.kind == "nan":
        return "any NaN/Inf"
    return f"gradient norm > {bp.value}"


def parse_value(kind: str, text: str) -> Any:
    """The typed value for ``kind`` from the entry box; ValueError with a readable message."""
    text = text.strip()
    if kind == "nan":
        return None
    if not text:
        raise ValueError(f"a {KIND_LABELS[kind]} breakpoint needs a value ({PLACEHOLDERS[kind]})")
    if kind == "line":
        try:
            n = int(text)
        except ValueError:
            raise ValueError(f"line must be a whole number, not {text!r}") from None
        if n < 1:
            raise ValueError("line numbers start at 1")
        return n
    if kind == "grad_norm":
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"the threshold must be a number, not {text!r}") from None
    return text


class BreakpointsPanel(QWidget):
    """Edits ``controller.breakpoints`` through ``controller.set_breakpoints``."""

    def __init__(
        self, controller: PanelController, window: Any = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller, self.window = controller, window
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["on", "breakpoint", "id"])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemChanged.connect(self._toggled)
        self.kind = QComboBox()
        for k, label in KIND_LABELS.items():
            self.kind.addItem(label, k)
        # Sized to a few letters, not its longest entry, so the docks fit a 1024-pixel window.
        self.kind.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kind.setMinimumContentsLength(4)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.value = QLineEdit()
        self.value.returnPressed.connect(self.add_from_inputs)
        self.add_btn = QPushButton("Add")
        self.add_btn.clicked.connect(self.add_from_inputs)
        self.del_btn = QPushButton("Delete")
        self.del_btn.clicked.connect(self.delete_selected)
        for b in (self.add_btn, self.del_btn):
            b.setMinimumWidth(56)  # below the style's 80: the left docks fit a small window
        self.error = QLabel()
        self.error.setStyleSheet("color:#b91c1c;")
        self.error.hide()
        self.stopped = QLabel()
        self.stopped.setWordWrap(True)
        self.stopped.setStyleSheet(
            "background:#fdecea; color:#8a1c1c; border:1px solid #f5c2c0; padding:4px;"
        )
        self.stopped.hide()
        row = QHBoxLayout()
        row.addWidget(self.kind)
        row.addWidget(self.value, 1)
        row.addWidget(self.add_btn)
        row.addWidget(self.del_btn)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(row)
        lay.addWidget(self.error)
        lay.addWidget(self.stopped)
        lay.addWidget(self.table, 1)
        self._kind_changed()
        self._hit: int | None = None
        controller.breakpoints_changed.connect(self.refresh)
        controller.paused_at.connect(self.on_paused)
        controller.run_state_changed.connect(self._run_state)
        self.refresh()

    def _kind_changed(self, *_: Any) -> None:
        k = self.kind.currentData()
        self.value.setPlaceholderText(PLACEHOLDERS[k])
        self.value.setEnabled(k != "nan")

    def refresh(self) -> None:
        bps = list(self.controller.breakpoints)
        self.table.blockSignals(True)
        self.table.setRowCount(len(bps))
        for r, bp in enumerate(bps):
            on = QTableWidgetItem()
            on.setFlags(
                Qt.ItemFlag.ItemIsUserCheckable
                | Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
            )
            on.setCheckState(Qt.CheckState.Checked if bp.enabled else Qt.CheckState.Unchecked)
            on.setData(Qt.ItemDataRole.UserRole, bp.id)
            text = QTableWidgetItem(describe(bp))
            ident = QTableWidgetItem(str(bp.id))
            if not bp.enabled:
                text.setForeground(QColor("#9ca3af"))
            if bp.id == self._hit:
                for it in (on, text, ident):
                    it.setBackground(QColor("#fde2e1"))
            self.table.setItem(r, 0, on)
            self.table.setItem(r, 1, text)
            self.table.setItem(r, 2, ident)
        self.table.blockSignals(False)

    def add(self, kind: str, value: Any, file: str | None = None) -> Breakpoint:
        bps = list(self.controller.breakpoints)
        if kind == "line" and file is None:
            file = self.controller.program_path
        bp = Breakpoint(
            id=max((b.id for b in bps), default=0) + 1, kind=kind, value=value, file=file
        )
        self.controller.set_breakpoints(bps + [bp])
        return bp

    def add_from_inputs(self) -> None:
        kind = self.kind.currentData()
        try:
            value = parse_value(kind, self.value.text())
        except ValueError as e:
            self.error.setText(str(e))
            self.error.show()
            return
        self.error.hide()
        self.add(kind, value)
        self.value.clear()

    def set_enabled(self, bp_id: int, enabled: bool) -> None:
        self.controller.set_breakpoints(
            [
                replace(b, enabled=enabled) if b.id == bp_id else b
                for b in self.controller.breakpoints
            ]
        )

    def delete(self, bp_id: int) -> None:
        self.controller.set_breakpoints([b for b in self.controller.breakpoints if b.id != bp_id])

    def delete_selected(self) -> None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        ids = {self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows}
        if ids:
            self.controller.set_breakpoints(
                [b for b in self.controller.breakpoints if b.id not in ids]
            )

    def _toggled(self, item: QTableWidgetItem) -> None:
        if item.column() == 0:
            self.set_enabled(
                item.data(Qt.ItemDataRole.UserRole), item.checkState() == Qt.CheckState.Checked
            )

    def on_paused(self, reason: str, detail: dict) -> None:
        """A pause at a breakpoint: say which one and why, here and in the status bar."""
        if reason != "breakpoint":
            return
        bp_id = detail.get("id")
        bp = next((b for b in self.controller.breakpoints if b.id == bp_id), None)
        what = describe(bp) if bp is not None else f"breakpoint {bp_id}"
        why = detail.get("why", "")
        msg = f"Paused at breakpoint {bp_id} ({what})"
        if why and why not in what:
            msg += f": {why}"
        self._hit = bp_id
        self.stopped.setText(msg)
        self.stopped.show()
        self.refresh()
        bar = getattr(self.window, "statusBar", None)
        if callable(bar):
            bar().showMessage(msg)

    def _run_state(self, state: str) -> None:
        if state != "paused":
            self._hit = None
            self.stopped.hide()
            self.refresh()
