"""The program's source: current line highlighted, node ↔ line links, gutter breakpoints."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QTextCursor, QTextFormat
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

from visgrad.app.panels.arrays import MONO
from visgrad.app.panels.base import Panel
from visgrad.app.protocols import PanelController
from visgrad.app.theme import is_dark
from visgrad.runner.breakpoints import Breakpoint
from visgrad.trace.caps import clip_lines
from visgrad.trace.keys import function_id, tensor_id
from visgrad.trace.state import State

LINE = 1_000  # characters of one source line shown (a longer one ends in an ellipsis)
# Line and gutter colours per palette: the light ones behind the dark palette's light text made
# the current line unreadable.
_LIGHT = {
    "current": QColor("#fff1b8"),
    "failed": QColor("#fecaca"),
    "selected": QColor("#dbeafe"),
    "gutter": QColor("#f1f3f6"),
    "number": QColor("#8b95a5"),
    "number_current": QColor("#1d2330"),
}
_DARK = {
    "current": QColor("#4a3d12"),
    "failed": QColor("#6b1d1d"),
    "selected": QColor("#1e3a5f"),
    "gutter": QColor("#25272c"),
    "number": QColor("#6b7280"),
    "number_current": QColor("#e5e7eb"),
}


def line_colors() -> dict[str, QColor]:
    """Highlight and gutter colours matching the application's light or dark palette."""
    return _DARK if is_dark() else _LIGHT


class _Gutter(QWidget):
    def __init__(self, editor: CodeView) -> None:
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, ev: QPaintEvent) -> None:  # noqa: N802
        self.editor.paint_gutter(ev)

    def mousePressEvent(self, ev: QMouseEvent) -> None:  # noqa: N802
        block = self.editor.cursorForPosition(ev.position().toPoint()).block()
        self.editor.gutter_clicked.emit(block.blockNumber() + 1)


class CodeView(QPlainTextEdit):
    """Read-only code with line numbers; the gutter shows and toggles breakpoints."""

    gutter_clicked = Signal(int)
    line_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setFont(MONO)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.breakpoint_lines: set[int] = set()
        self.current_line = 0
        self.selected_line = 0
        self.failed_line = 0
        self.gutter = _Gutter(self)
        self.blockCountChanged.connect(self._update_width)
        self.updateRequest.connect(self._update_gutter)
        self._update_width()

    def gutter_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 22 + self.fontMetrics().horizontalAdvance("9") * max(3, digits)

    def _update_width(self, *_: Any) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _update_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())

    def resizeEvent(self, ev: Any) -> None:  # noqa: N802
        super().resizeEvent(ev)
        cr = self.contentsRect()
        self.gutter.setGeometry(QRect(cr.left(), cr.top(), self.gutter_width(), cr.height()))

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:  # noqa: N802
        super().mouseReleaseEvent(ev)
        if ev.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            self.line_clicked.emit(self.textCursor().blockNumber() + 1)

    def paint_gutter(self, ev: QPaintEvent) -> None:
        p = QPainter(self.gutter)
        colors = line_colors()
        p.fillRect(ev.rect(), colors["gutter"])
        p.setFont(self.font())
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        h = round(self.blockBoundingRect(block).height())
        w = self.gutter.width()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        while block.isValid() and top <= ev.rect().bottom():
            line = block.blockNumber() + 1
            if block.isVisible() and top + h >= ev.rect().top():
                if line in self.breakpoint_lines:
                    p.setBrush(QColor("#dc2626"))
                    p.setPen(Qt.PenStyle.NoPen)
                    d = min(h - 4, 11)
                    p.drawEllipse(4, top + (h - d) // 2, d, d)
                p.setPen(colors["number_current" if line == self.current_line else "number"])
                p.drawText(0, top, w - 6, h, Qt.AlignmentFlag.AlignRight, str(line))
            block = block.next()
            top += h
            h = round(self.blockBoundingRect(block).height()) if block.isValid() else h

    def show_lines(
        self, current: int, selected: int, *, failed: bool = False, focus: int = 0
    ) -> None:
        """Highlight the current event's line (red when the program failed there) and the
        selected node's, scrolling to them."""
        self.current_line, self.selected_line = current, selected
        self.failed_line = current if failed else 0
        sels = []
        colors = line_colors()
        now = colors["failed" if failed else "current"]
        for line, color in ((selected, colors["selected"]), (current, now)):
            if line <= 0 or line > self.blockCount():
                continue
            s = QTextEdit.ExtraSelection()
            s.format.setBackground(color)
            s.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            s.cursor = QTextCursor(self.document().findBlockByNumber(line - 1))
            sels.append(s)
        self.setExtraSelections(sels)
        target = focus or current or selected
        if target > 0:
            c = QTextCursor(self.document().findBlockByNumber(target - 1))
            self.setTextCursor(c)
            self.centerCursor() if not self._visible(target) else None
        self.gutter.update()

    def _visible(self, line: int) -> bool:
        block = self.document().findBlockByNumber(line - 1)
        geo = self.blockBoundingGeometry(block).translated(self.contentOffset())
        return 0 <= geo.top() and geo.bottom() <= self.viewport().height()


def _same(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return a == b or os.path.realpath(a) == os.path.realpath(b)


def event_line(state: State, model: Any = None) -> tuple[str, int] | None:
    """File and line of the event at the cursor (a backward node: the line of its forward op).

    Events without a place of their own (a name found, printed output) belong to the line of the
    event before them (``TraceModel.source_tick``).
    """
    src = getattr(state.event, "source", None)
    if not src and model is not None:
        at = model.source_tick(state.tick)
        src = getattr(model.events[at], "source", None) if at >= 0 else None
    if src:
        return src[0], src[1]
    for key in state.current:
        obj = state.functions.get(function_id(key)) or state.tensors.get(tensor_id(key))
        if obj is not None and obj.source:
            return obj.source[0], obj.source[1]
    return None


class SourcePanel(Panel):
    """The program's text; follows the cursor and the selection."""

    def __init__(self, controller: PanelController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.path_label = QLabel()
        self.path_label.setObjectName("sourcePath")
        self.path_label.setStyleSheet("color:#8b95a5; padding:3px 6px;")
        self.code = CodeView()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.path_label)
        lay.addWidget(self.code)
        self.path: str | None = None
        # (file, line, tick) a call-stack click asked for; dropped when the cursor moves.
        self.pinned: tuple[str, int, int] | None = None
        self._click_cycle: tuple[int, int] = (0, 0)
        self.code.gutter_clicked.connect(self.toggle_breakpoint)
        self.code.line_clicked.connect(self.select_line)
        controller.breakpoints_changed.connect(self._show_breakpoints)
        # A step over pauses before a line runs: no new event, but a new line to show.
        controller.paused_at.connect(self.invalidate)
        controller.run_state_changed.connect(self.invalidate)

    def _file_to_show(self, cur: tuple[str, int] | None) -> str | None:
        """The call stack's choice, else the current event's file, else the program."""
        c = self.controller
        if self.pinned is not None:
            return self.pinned[0]
        if cur and (cur[0] in c.sources or (cur[0].endswith(".py") and os.path.isfile(cur[0]))):
            return cur[0]
        return c.program_path or next(iter(c.sources), None)

    def show_file(self, path: str | None) -> None:
        """Show ``path``'s text (from the trace when it carries it, else from the disk)."""
        if path == self.path:
            return
        self.path = path
        text = "# no source for this trace"
        if path:
            try:
                text = self.controller.source_text(path)
            except OSError as e:
                text = f"# cannot read {path}: {e}"
        self.code.setPlainText(clip_lines(text, LINE))
        # The file's name; the full path (often long and absolute) is the tooltip.
        self.path_label.setText(Path(path).name if path else "")
        self.path_label.setToolTip(path or "")
        self._show_breakpoints()

    def go_to_line(self, path: str, line: int) -> None:
        """Show ``line`` of ``path`` (a call-stack frame) until the cursor moves on."""
        self.pinned = (path, int(line), self.controller.tick)
        self.refresh()

    def _show_breakpoints(self) -> None:
        self.code.breakpoint_lines = {
            int(b.value)
            for b in self.controller.breakpoints
            if b.kind == "line" and b.enabled and (b.file is None or _same(b.file, self.path))
        }
        self.code.gutter.update()

    def refresh(self) -> None:
        state = self.controller.state()
        if self.pinned is not None and self.pinned[2] != self.controller.tick:
            self.pinned = None
        err = state.error.source if state.error is not None else None
        # Once the program failed, its line is the one that raised (not the last op's).
        cur = (
            (err[0], err[1])
            if err
            else self.controller.pause_line() or event_line(state, self.controller.model)
        )
        self.show_file(self._file_to_show(cur))
        current = cur[1] if cur and _same(cur[0], self.path) else 0
        failed = err is not None and _same(err[0], self.path) and err[1] == current
        selected = 0
        key = self.controller.selection or ""
        obj = state.functions.get(function_id(key)) or state.tensors.get(tensor_id(key))
        if obj is not None and obj.source and _same(obj.source[0], self.path):
            selected = obj.source[1]
        focus = 0
        if self.pinned is not None:
            selected = focus = self.pinned[1]
        self.code.show_lines(current, selected, failed=failed, focus=focus)

    def nodes_on_line(self, line: int) -> list[str]:
        """Graph keys made by code on ``line`` (ops first, then tensors), in creation order."""
        state = self.controller.state()
        fs = [
            f
            for f in state.functions.values()
            if f.source and f.source[1] == line and _same(f.source[0], self.path)
        ]
        ts = [
            t
            for t in state.tensors.values()
            if t.producer is None
            and t.source
            and t.source[1] == line
            and _same(t.source[0], self.path)
        ]
        fs.sort(key=lambda f: f.created_seq)
        ts.sort(key=lambda t: t.created_seq)
        return [f"f{f.id}" for f in fs] + [f"t{t.id}" for t in ts]

    def select_line(self, line: int) -> None:
        """Click a line: select the nodes it made (clicking again cycles through them)."""
        keys = self.nodes_on_line(line)
        if not keys:
            return
        last_line, i = self._click_cycle
        i = (i + 1) % len(keys) if last_line == line else 0
        self._click_cycle = (line, i)
        self.controller.select(keys[i])

    def toggle_breakpoint(self, line: int) -> None:
        """Gutter click: add a line breakpoint, or remove the one already there."""
        bps = list(self.controller.breakpoints)
        here = [
            b
            for b in bps
            if b.kind == "line"
            and int(b.value) == line
            and (b.file is None or _same(b.file, self.path))
        ]
        if here:
            bps = [b for b in bps if b not in here]
        else:
            nid = max((b.id for b in bps), default=0) + 1
            bps.append(Breakpoint(id=nid, kind="line", value=line, file=self.path))
        self.controller.set_breakpoints(bps)
