"""Gradient check panel: finite differences in a child process against the traced ``.grad``."""

from __future__ import annotations

from PySide6.QtCore import QThread, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from visgrad import events
from visgrad.app.formatting import fmt_num
from visgrad.app.panels.base import Marks
from visgrad.app.protocols import PanelController
from visgrad.runner.gradcheck_job import GradcheckCancelled, GradcheckJob, LeafResult
from visgrad.trace.keys import tensor_id


class GradcheckWorker(QThread):
    """Runs one ``GradcheckJob`` off the GUI thread."""

    progressed = Signal(int, int)
    succeeded = Signal(list)
    failed = Signal(str)

    def __init__(self, job: GradcheckJob) -> None:
        super().__init__()
        self.job = job

    def run(self) -> None:
        try:
            res = self.job.run(progress=lambda d, n: self.progressed.emit(d, n))
        except GradcheckCancelled:
            self.failed.emit("Cancelled.")
        except Exception as e:  # every failure is reported in the panel, never lost in a thread
            self.failed.emit(str(e))
        else:
            self.succeeded.emit(res)

    def cancel(self) -> None:
        self.job.cancel()


def _item(text: str, color: str | None = None) -> QTableWidgetItem:
    it = QTableWidgetItem(text)
    if color:
        it.setForeground(QColor(color))
    return it


class GradcheckPanel(QWidget):
    """Check the selected leaf (or all leaves) of a chosen backward() call."""

    def __init__(
        self, controller: PanelController, marks: Marks | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller, self.marks = controller, marks
        self.check_sel = QPushButton("Check selected leaf")
        self.check_all = QPushButton("Check all leaves")
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setEnabled(False)
        self.backward = QSpinBox()
        self.backward.setRange(1, 1_000_000)
        self.backward.setPrefix("backward() #")
        self.backward.setToolTip("which backward() call's gradients to check")
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.status = QLabel(
            "Central finite differences in float64, by re-running the program "
            "in a separate process, against the .grad the trace recorded."
        )
        self.status.setWordWrap(True)
        self.results = QTableWidget(0, 5)
        self.results.setHorizontalHeaderLabels(
            ["leaf", "shape", "entries", "max rel. error", "verdict"]
        )
        self.worst = QTableWidget(0, 4)
        self.worst.setHorizontalHeaderLabels(["index", "analytic", "numeric", "rel. error"])
        for t in (self.results, self.worst):
            t.verticalHeader().hide()
            t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            t.verticalHeader().setDefaultSectionSize(20)
        self.results.itemSelectionChanged.connect(self._show_worst)
        row = QHBoxLayout()
        for w in (self.check_sel, self.check_all, self.backward, self.cancel_btn):
            row.addWidget(w)
        row.addStretch(1)
        tables = QHBoxLayout()
        tables.addWidget(self.results, 3)
        tables.addWidget(self.worst, 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(row)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addLayout(tables, 1)
        self.check_sel.clicked.connect(lambda: self.start(selected_only=True))
        self.check_all.clicked.connect(lambda: self.start(selected_only=False))
        self.cancel_btn.clicked.connect(self.cancel)
        self.worker: GradcheckWorker | None = None
        self.last: list[LeafResult] = []
        self.error = ""

    def start(self, selected_only: bool = True, backward_index: int | None = None) -> bool:
        """Start a check in a worker thread; False (with a message) when it cannot start."""
        if self.worker is not None:
            return False
        path = self.controller.program_path
        if not path:
            return self._say("A gradient check re-runs the program: open a script, not a trace.")
        model = self.controller.model
        if model.next_tick(events.BackwardBegin, -1) is None:
            return self._say("The run has not called backward() yet.")
        log = list(
            model.original_events()
        )  # the job re-runs the program against the recorded events
        state = self.controller.state()
        names = {t.id: t.name for t in state.tensors.values()}
        tensors = None
        if selected_only:
            tid = tensor_id(self.controller.selection or "")
            if tid is None or tid not in state.tensors:
                return self._say("Select a leaf tensor first (or check all leaves).")
            tensors = [tid]
        bi = backward_index or self.backward.value()
        try:
            job = GradcheckJob(path, log, tensors, names=names, backward_index=bi)
            if not job.tensors:
                return self._say(f"No leaf received a gradient in backward() #{bi}.")
            job._header()  # validates the request here, where the message can be shown
        except Exception as e:
            return self._say(str(e))
        self.error = ""
        self.worker = GradcheckWorker(job)
        self.worker.progressed.connect(self._progress)
        self.worker.succeeded.connect(self._done)
        self.worker.failed.connect(self._failed)
        self.worker.finished.connect(self._finished)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_btn.setEnabled(True)
        self.check_sel.setEnabled(False)
        self.check_all.setEnabled(False)
        self.status.setText(f"Checking {len(job.tensors)} leaf/leaves of backward() #{bi}…")
        self.worker.start()
        return True

    def _say(self, text: str) -> bool:
        self.status.setText(text)
        self.error = text
        return False

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress.setFormat(f"{done} / {total} runs of the program")

    def _failed(self, text: str) -> None:
        self._say(text)

    def _finished(self) -> None:
        self.worker = None
        self.progress.hide()
        self.cancel_btn.setEnabled(False)
        self.check_sel.setEnabled(True)
        self.check_all.setEnabled(True)

    def _done(self, results: list[LeafResult]) -> None:
        self.last = results
        self.results.setRowCount(len(results))
        marks = {}
        for r, res in enumerate(results):
            color = "#15803d" if res.ok else "#b91c1c"
            self.results.setItem(r, 0, _item(res.name))
            self.results.setItem(r, 1, _item(str(tuple(res.shape))))
            self.results.setItem(r, 2, _item(f"{res.checked}" + (" (sampled)" if res.note else "")))
            self.results.setItem(r, 3, _item(fmt_num(res.max_rel_error), color))
            self.results.setItem(r, 4, _item("ok" if res.ok else "WRONG", color))
            marks[f"t{res.tensor}"] = "gradcheck-ok" if res.ok else "gradcheck-bad"
        if self.marks is not None:
            self.marks.set("gradcheck", marks)
        bad = [r.name for r in results if not r.ok]
        self.status.setText(
            f"Gradient of {', '.join(bad)} disagrees with finite differences: a backward formula "
            "on its path is wrong."
            if bad
            else "All checked gradients agree with finite differences."
        )
        if results:
            self.results.selectRow(0)
            self._show_worst()

    def _show_worst(self) -> None:
        rows = self.results.selectionModel().selectedRows() if self.results.selectionModel() else []
        if not rows or rows[0].row() >= len(self.last):
            return
        res = self.last[rows[0].row()]
        self.worst.setRowCount(len(res.worst))
        for r, e in enumerate(res.worst):
            bad = e.rel_error > 1e-3
            self.worst.setItem(r, 0, _item(str(list(e.index))))
            self.worst.setItem(r, 1, _item(fmt_num(e.analytic)))
            self.worst.setItem(r, 2, _item(fmt_num(e.numeric)))
            self.worst.setItem(r, 3, _item(fmt_num(e.rel_error), "#b91c1c" if bad else None))
