"""NaN/Inf origin: when a run first produces NaN or Inf, mark and select the node that made it."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from visgrad import events
from visgrad.app.panels.base import Marks, short_source
from visgrad.trace.nan_origin import NanOrigin, explain


class NanOriginPanel(QWidget):
    """Lists every NaN/Inf anomaly of the run; the first one is marked on the graph and selected."""

    def __init__(
        self, controller: Any, marks: Marks | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller, self.marks = controller, marks
        self.summary = QLabel("No NaN or Inf so far.")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(self.summary.textFormat().RichText)
        self.list = QListWidget()
        self.list.itemActivated.connect(self._go)
        self.list.itemClicked.connect(self._go)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.summary)
        lay.addWidget(self.list, 1)
        self.origins: list[NanOrigin] = []
        self._scanned = 0
        self._forward: dict[int, events.ForwardOp] = {}
        controller.events_appended.connect(self.scan)
        controller.program_changed.connect(self.reset)
        self.scan()

    @property
    def first(self) -> NanOrigin | None:
        return self.origins[0] if self.origins else None

    def reset(self, *_: Any) -> None:
        self.origins, self._scanned, self._forward = [], 0, {}
        self.list.clear()
        self.summary.setText("No NaN or Inf so far.")
        if self.marks is not None:
            self.marks.set("nan", {})
        self.scan()

    def scan(self, *_: Any) -> None:
        """Look at events that arrived since the last scan."""
        log = self.controller.model.events
        if len(log) < self._scanned:
            self.reset()
            return
        found_first = False
        for i in range(self._scanned, len(log)):
            ev = log[i]
            if isinstance(ev, events.ForwardOp) and ev.node is not None:
                self._forward[ev.node] = ev
            elif isinstance(ev, events.Anomaly):
                o = explain(ev, i, self._forward)
                self.origins.append(o)
                self._add_item(o)
                found_first = found_first or len(self.origins) == 1
        self._scanned = len(log)
        if found_first:
            self.show_origin(self.origins[0])

    def _add_item(self, o: NanOrigin) -> None:
        where = f"{o.where}: {o.name or o.forward_op}"
        item = QListWidgetItem(f"tick {o.tick} · {where} · {short_source(o.source)}")
        item.setData(256, len(self.origins) - 1)
        self.list.addItem(item)

    def show_origin(self, o: NanOrigin) -> None:
        """Mark the producing node (and the forward op behind a bad backward node), select it."""
        self.summary.setText(
            f"<b style='color:#b91c1c'>First NaN/Inf</b> at tick {o.tick}: "
            f"{html.escape(o.explanation)}"
        )
        if self.marks is not None:
            self.marks.set("nan", o.marks)
        if o.select:
            self.controller.select(o.select)
            view = getattr(getattr(self.marks, "window", None), "graph_view", None)
            if view is not None and hasattr(view, "center_on"):
                view.center_on(o.select)

    def _go(self, item: QListWidgetItem) -> None:
        o = self.origins[item.data(256)]
        self.controller.go_to(o.tick)
        self.show_origin(o)
