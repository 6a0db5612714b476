"""NaN/Inf origin: when a run first produces NaN or Inf, mark and select the node that made it."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from visgrad.app.panels.base import Marks, short_source
from visgrad.app.protocols import PanelController
from visgrad.trace.nan_origin import NanOrigin


class NanOriginPanel(QWidget):
    """Lists every NaN/Inf anomaly of the run; the first one is marked on the graph and selected."""

    def __init__(
        self, controller: PanelController, marks: Marks | None = None, parent: QWidget | None = None
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
        self._model: Any = None
        controller.events_appended.connect(self.scan)
        controller.program_changed.connect(self.reset)
        self.scan()

    @property
    def first(self) -> NanOrigin | None:
        return self.origins[0] if self.origins else None

    def reset(self, *_: Any) -> None:
        self.origins, self._model = [], None
        self.list.clear()
        self.summary.setText("No NaN or Inf so far.")
        if self.marks is not None:
            self.marks.set("nan", {})
        self.scan()

    def scan(self, *_: Any) -> None:
        """List the origins the trace model found since the last look."""
        model = self.controller.model
        if self._model is not None and model is not self._model:
            self.reset()
            return
        self._model = model
        found = model.nan_origins()
        new = found[len(self.origins) :]
        for o in new:
            self.origins.append(o)
            self._add_item(o)
        if new and len(self.origins) == len(new):
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
