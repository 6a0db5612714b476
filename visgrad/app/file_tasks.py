"""Trace files load and save on a worker thread, with a progress dialog when it takes a while."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QApplication, QProgressDialog

from visgrad.trace.files import first_tick_of, load_sources, load_trace, save_trace
from visgrad.trace.model import TraceModel
from visgrad.trace.sources import sources_of

if TYPE_CHECKING:  # the controller starts these tasks: no import at run time
    from visgrad.app.controller import Controller

SHOW_PROGRESS_AFTER_MS = 400


class _Relay(QObject):
    progress = Signal(int)  # per mille
    done = Signal(object)
    failed = Signal(str)


class _Job(QRunnable):
    def __init__(self, relay: _Relay, work: Callable[[Callable[..., None]], Any]) -> None:
        super().__init__()
        self.relay, self.work = relay, work

    def run(self) -> None:
        def progress(*args: Any) -> None:
            if len(args) >= 2 and args[1]:
                frac = float(args[0]) / float(args[1])
            elif args:
                frac = float(args[0])
            else:
                return
            self.relay.progress.emit(int(max(0.0, min(1.0, frac)) * 1000))

        try:
            result = self.work(progress)
        except Exception as e:  # any failure is reported to the user, never raised in the thread
            self.relay.failed.emit(f"{type(e).__name__}: {e}" if not str(e) else str(e))
            return
        self.relay.done.emit(result)


def run_with_progress(
    controller: Controller,
    label: str,
    work: Callable[[Callable[..., None]], Any],
    on_done: Callable[[Any], None],
    on_failed: Callable[[str], None],
) -> _Relay:
    """Run ``work(progress)`` on the thread pool; ``on_done``/``on_failed`` run on the GUI thread."""
    relay = _Relay(controller)
    parent = QApplication.activeWindow()
    dialog = QProgressDialog(label, "", 0, 1000, parent)
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(SHOW_PROGRESS_AFTER_MS)
    dialog.setAutoClose(True)
    dialog.setValue(0)

    # Once shown, a modal dialog's setValue runs the event loop, so the job's end can arrive
    # inside it; deleting the dialog under its own setValue crashed. So setValue never nests and
    # the dialog is deleted only when no setValue is running.
    state = {"in_set": False, "over": False}

    def show_progress(value: int) -> None:
        if state["over"] or state["in_set"]:
            return
        state["in_set"] = True
        try:
            dialog.setValue(value)
        finally:
            state["in_set"] = False
            if state["over"]:
                dialog.deleteLater()

    def finish() -> None:
        state["over"] = True
        dialog.reset()
        relay.deleteLater()
        if not state["in_set"]:
            dialog.deleteLater()

    relay.progress.connect(show_progress)
    relay.done.connect(lambda r: (finish(), on_done(r)))
    relay.failed.connect(lambda m: (finish(), on_failed(m)))
    # The relay holds the job: PySide does not keep a Python QRunnable alive while the pool runs
    # it, and a collected job crashes the worker thread.
    relay.job = _Job(relay, work)
    QThreadPool.globalInstance().start(relay.job)
    return relay


def _load_model(path: str, progress: Callable[..., None], budget: int | None = None) -> Any:
    """Read ``path`` and fold it into a TraceModel, without cycle-collector pauses.

    Every object of a big trace is long-lived. While loading, each full collection walked all of
    them again (up to 190 ms, holding the GIL, so the GUI thread stalled too); afterwards
    ``gc.freeze`` keeps later collections (during layout and item creation) from walking them.
    They are acyclic, so reference counting still frees them when another trace replaces them.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        evs, first = load_trace(path, progress=progress), first_tick_of(path)
        # A truncated trace keeps the run's tick numbers, and says it forgot the ones before.
        model = TraceModel(evs, memory_budget_bytes=budget, first_tick=first)
    finally:
        if was_enabled:
            gc.enable()
    gc.freeze()
    return model


def _load_run(path: str, progress: Callable[..., None], budget: int | None) -> tuple[Any, dict]:
    """The folded model of ``path`` and the program texts the file carries."""
    return _load_model(path, progress, budget), load_sources(path)


def load_trace_async(controller: Controller, path: str, on_loaded: Callable[[Any], None]) -> _Relay:
    """Load ``path``; ``on_loaded((model, sources))``; a malformed file is reported through
    ``controller.file_failed``."""
    return run_with_progress(
        controller,
        f"Loading {path}…",
        # Folding the events into a model is also done here, off the GUI thread.
        lambda progress: _load_run(path, progress, controller.memory_budget_bytes),
        on_loaded,
        lambda msg: controller.file_failed.emit(path, msg),
    )


def save_trace_async(
    controller: Controller,
    path: str,
    evs: list,
    known: dict[str, str],
    program: str | None,
    first_tick: int = 0,
) -> _Relay:
    """Save ``evs`` to ``path`` with the program's text (``known`` texts first, else the files
    the events name); success is a status-bar message, failure a dialog. ``first_tick`` > 0:
    the run's events before it were forgotten, and the file says it is truncated."""

    def save(progress: Callable[..., None]) -> None:
        # Off the GUI thread too: reading the program's files from disk.
        sources = sources_of(evs, known, program)
        save_trace(path, evs, progress=progress, sources=sources, first_tick=first_tick)

    done = f"Saved {len(evs):,} events to {path}"
    if first_tick:
        done += f" (truncated: ticks {first_tick:,} on; the earlier ones were forgotten)"
    return run_with_progress(
        controller,
        f"Saving {path}…",
        save,
        lambda _: controller.message.emit(done),
        lambda msg: controller.file_failed.emit(path, msg),
    )
