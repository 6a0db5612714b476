"""Call Stack: the program's frames where it is paused or where it failed, innermost first.

The frames come from the child (a pause's ``RunState.stack``, a failure's ``ProgramError.stack``).
The program's own frames are rows to click (the Source panel goes to that line); frames of the
standard library and packages between them fold into one collapsed row, as an IDE shows them;
visgrad's own frames never reach the window.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from visgrad.app.panels.base import Panel
from visgrad.app.protocols import PanelController
from visgrad.app.theme import graph_colors
from visgrad.events import StackFrame

FRAME_ROLE = Qt.ItemDataRole.UserRole
_IDLE_NOTE = "The call stack shows while the program is paused, and where it failed."


def frame_text(file: str, line: int, func: str) -> str:
    where = f"{os.path.basename(file)}:{line}"
    return f"{where}" if func == "<module>" else f"{func}()  ·  {where}"


def stack_at(controller: PanelController) -> tuple[str, tuple[StackFrame, ...]]:
    """("error" | "paused" | "", frames innermost first) of what the cursor shows."""
    state = controller.state()
    if state.error is not None and state.error.stack:
        return "error", tuple(state.error.stack)
    pause = controller.pause
    if pause is not None and controller.run_state == "paused" and controller.live:
        return "paused", tuple(pause.stack)
    return "", ()


class CallStackPanel(Panel):
    """The frames of the pause or failure at the cursor; clicking one shows its line."""

    def __init__(
        self,
        controller: PanelController,
        go_to_line: Callable[[str, int], Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(controller, parent)
        self.go_to_line = go_to_line
        self.note = QLabel(_IDLE_NOTE)
        self.note.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setObjectName("callStack")
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setRootIsDecorated(True)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.itemActivated.connect(self._clicked)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.note)
        lay.addWidget(self.tree, 1)
        self.frames: tuple[StackFrame, ...] = ()
        controller.paused_at.connect(self.invalidate)
        controller.run_state_changed.connect(self.invalidate)

    def refresh(self) -> None:
        kind, frames = stack_at(self.controller)
        if frames == self.frames and self.tree.topLevelItemCount():
            return
        self.frames = frames
        self.tree.clear()
        if not frames:
            self.note.setText(_IDLE_NOTE)
            return
        error = self.controller.state().error if kind == "error" else None
        self.note.setText(
            f"Raised {error.exc_type} here"
            if error is not None
            else "Paused here (innermost first)"
        )
        colors = graph_colors()
        muted = QBrush(colors.muted_text)
        folded: QTreeWidgetItem | None = None
        first = True
        for frame in frames:
            file, line, func, own = frame
            item = QTreeWidgetItem([frame_text(file, line, func)])
            item.setToolTip(0, f"{file}:{line}")
            item.setData(0, FRAME_ROLE, (file, int(line)))
            if own:
                folded = None
                if first:
                    item.setForeground(0, QBrush(colors.marks["nan"] if error else colors.current))
                    f = item.font(0)
                    f.setBold(True)
                    item.setFont(0, f)
                    first = False
                self.tree.addTopLevelItem(item)
                continue
            item.setForeground(0, muted)
            if folded is None:
                folded = QTreeWidgetItem([""])
                folded.setForeground(0, muted)
                folded.setData(0, FRAME_ROLE, None)
                self.tree.addTopLevelItem(folded)
            folded.addChild(item)
            n = folded.childCount()
            folded.setText(0, f"{n} library frame{'s' if n != 1 else ''}")
        own_items = [
            self.tree.topLevelItem(i)
            for i in range(self.tree.topLevelItemCount())
            if self.tree.topLevelItem(i).data(0, FRAME_ROLE) is not None
        ]
        if own_items:
            self.tree.setCurrentItem(own_items[0])

    def rows(self) -> list[str]:
        """The top-level rows' texts (library frames folded), innermost first."""
        return [self.tree.topLevelItem(i).text(0) for i in range(self.tree.topLevelItemCount())]

    def _clicked(self, item: QTreeWidgetItem, *_: Any) -> None:
        where = item.data(0, FRAME_ROLE)
        if where is None:
            item.setExpanded(not item.isExpanded())
            return
        if self.go_to_line is not None:
            self.go_to_line(*where)
