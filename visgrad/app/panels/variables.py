"""Variables: what the paused program holds, as a debugger lists it (locals, then the script's
globals); a tensor's row selects its node in the graph.

The rows come with the child's pause (``RunState.variables``, checked by the trace validator
like every frame); while the program runs, or once it ended, there is nothing to show.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from visgrad.app.protocols import PanelController
from visgrad.app.theme import graph_colors, mono_font
from visgrad.app.timeline import tick_name
from visgrad.trace.state import tkey

# Rows drawn at most: the child caps what it sends, this caps what a hostile one could.
MAX_SHOWN = 2000
TENSOR_ROLE = Qt.ItemDataRole.UserRole
SCOPE_TITLES = {"locals": "Locals", "globals": "Globals"}
_IDLE_NOTE = "Variables show while the program is paused (F10, F11 or a breakpoint)."


class VariablesPanel(QWidget):
    """A tree of the paused program's variables; clicking a tensor selects its node."""

    def __init__(
        self,
        controller: PanelController,
        center_on: Callable[[str], Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.center_on = center_on
        self.note = QLabel(_IDLE_NOTE)
        self.note.setWordWrap(True)
        self.tree = QTreeWidget()
        # Short is fine (it scrolls): on a 640-pixel screen its default minimum took the room
        # the Source above it needs.
        self.tree.setMinimumHeight(48)
        self.tree.setObjectName("variablesTree")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Name", "Value", "Type"])
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 90)
        header.resizeSection(2, 120)
        # The selected row in full (the columns of a narrow dock cut long texts).
        self.detail = QLabel()
        self.detail.setObjectName("variableDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setFont(mono_font(11))
        self.tree.currentItemChanged.connect(self._show_detail)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.itemActivated.connect(self._clicked)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.note)
        lay.addWidget(self.tree, 1)
        lay.addWidget(self.detail)
        self._expanded: set[tuple[str, ...]] = set()  # paths of open rows, kept across pauses
        self._previous: dict[tuple[str, ...], str] = {}  # values at the last pause shown
        self._baseline: dict[tuple[str, ...], str] = {}  # values at the pause before it
        self._pause: Any = None
        self.rows: tuple[Any, ...] = ()
        controller.paused_at.connect(self.refresh)
        controller.run_state_changed.connect(self.refresh)
        controller.program_changed.connect(self._new_program)
        self.refresh()

    def _new_program(self, *_: Any) -> None:
        self._expanded.clear()
        self._previous, self._baseline, self._pause = {}, {}, None
        self.refresh()

    # -- drawing -----------------------------------------------------------------------------------
    def refresh(self, *_: Any) -> None:
        """Show the variables of the pause the program is in (or say why there are none)."""
        pause = self.controller.pause
        paused = pause is not None and self.controller.run_state == "paused"
        self._remember_expanded()
        self.tree.clear()
        self.detail.clear()
        if not paused:
            self.rows = ()
            self.note.setText(_IDLE_NOTE)
            return
        if pause is not self._pause:  # a new pause: compare with the one before
            self._pause, self._baseline = pause, self._previous
        self.rows = tuple(pause.variables)
        self.note.setText(self._where(pause))
        self._fill(self.rows)

    def _where(self, pause: Any) -> str:
        stack = tuple(pause.stack)
        if not stack:
            return "Paused before the program's first line: no variables yet."
        file, line, func = stack[0][:3]
        where = f"{os.path.basename(file)}:{line}"
        if func != "<module>":
            where += f" in {func}()"
        return f"Paused at {where} · {tick_name(len(self.controller.model) - 1)}"

    def _fill(self, rows: tuple[Any, ...]) -> None:
        changed = QBrush(graph_colors().grad)
        bold = QFont(self.tree.font())
        bold.setBold(True)
        mono = mono_font(11)
        scopes: dict[str, QTreeWidgetItem] = {}
        items: list[QTreeWidgetItem | None] = []
        values: dict[tuple[str, ...], str] = {}
        for i, (parent, scope, name, kind, value, tid) in enumerate(rows):
            if i >= MAX_SHOWN:
                more = QTreeWidgetItem(["\u2026", f"{len(rows) - MAX_SHOWN:,} more rows not shown"])
                self.tree.addTopLevelItem(more)
                break
            if parent < 0:
                top = scopes.get(scope)
                if top is None:
                    top = scopes[scope] = QTreeWidgetItem([SCOPE_TITLES.get(scope, scope)])
                    top.setFont(0, bold)
                    top.setFirstColumnSpanned(True)
                    self.tree.addTopLevelItem(top)
                    top.setExpanded(True)
                holder, path = top, (scope, name)
            else:
                holder = items[parent]
                path = (scope, rows[parent][2], name)
            item = QTreeWidgetItem([name, value, kind])
            item.setToolTip(1, value)
            item.setToolTip(2, kind)
            item.setFont(1, mono)
            if tid is not None:
                item.setData(0, TENSOR_ROLE, tid)
                item.setToolTip(0, f"{name}: click to select its node in the graph")
            holder.addChild(item)
            items.append(item)
            values[path] = value
            old = self._baseline.get(path)
            if old is not None and old != value:
                item.setForeground(1, changed)  # changed since the last pause
        for item, row in zip(items, rows, strict=False):
            if item is not None and row[0] < 0 and item.childCount():
                item.setExpanded((row[1], row[2]) in self._expanded)
        self._previous = values

    def _remember_expanded(self) -> None:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            scope = next((k for k, t in SCOPE_TITLES.items() if t == top.text(0)), top.text(0))
            for j in range(top.childCount()):
                item = top.child(j)
                key = (scope, item.text(0))
                if item.isExpanded():
                    self._expanded.add(key)
                elif item.childCount():
                    self._expanded.discard(key)

    # -- finding ---------------------------------------------------------------------------------
    def item(self, name: str, scope: str | None = None) -> QTreeWidgetItem | None:
        """The first row named ``name`` (in ``scope`` when given), children included."""
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if scope is not None and top.text(0) != SCOPE_TITLES.get(scope, scope):
                continue
            stack = [top.child(j) for j in range(top.childCount())]
            while stack:
                it = stack.pop(0)
                if it.text(0) == name:
                    return it
                stack.extend(it.child(j) for j in range(it.childCount()))
        return None

    def _show_detail(self, item: QTreeWidgetItem | None, *_: Any) -> None:
        if item is None or not item.text(2):
            self.detail.clear()
            return
        self.detail.setText(f"{item.text(0)}: {item.text(2)}\n{item.text(1)}")

    # -- clicking --------------------------------------------------------------------------------
    def _clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        tid = item.data(0, TENSOR_ROLE)
        owner = item.parent()
        state = self.controller.state() if len(self.controller.model) else None
        tensors = state.tensors if state is not None else {}
        if tid is not None and tid not in tensors and owner is not None:
            # A tensor's .grad has no node of its own: its tensor's node shows it.
            up = owner.data(0, TENSOR_ROLE)
            tid = up if up is not None else tid
        if tid is None:
            return
        if tid not in tensors:
            self.note.setText(f"{item.text(0)} is not in the graph at this tick.")
            return
        key = tkey(tid)
        self.controller.select(key)
        if self.center_on is not None:
            self.center_on(key)
