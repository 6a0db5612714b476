"""The one object every widget talks to: owns the trace model and the running program.

Events arrive on the runner's background thread and only go into a thread-safe queue; a 33 ms
timer drains it on the GUI thread, so a burst of thousands of events costs one model update and one
repaint. Nothing here waits for the child: stopping runs on a helper thread, files load and save
in ``file_tasks`` workers.
"""

from __future__ import annotations

import queue
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from visgrad import events
from visgrad.app.file_tasks import load_trace_async, save_trace_async
from visgrad.app.protocols import ControllerSignals
from visgrad.demos import demo_path
from visgrad.runner.breakpoints import Breakpoint
from visgrad.runner.session import Session
from visgrad.trace.budget import default_budget
from visgrad.trace.horizon import truncation_note
from visgrad.trace.lines import next_line_tick
from visgrad.trace.model import TraceModel
from visgrad.trace.sources import read_source
from visgrad.trace.state import State

FRAME_MS = 33
DEFAULT_BUDGET = default_budget()
_STATE_OF_RUN = {
    "started": "running",
    "running": "running",
    "resumed": "running",
    "finished": "finished",
    "stopped": "stopped",
    "error": "error",
}


class _Exited:
    """Queue marker: the child process is gone (with its exit code, when known)."""

    def __init__(self, code: Any = None) -> None:
        self.code = code


class Controller(ControllerSignals):
    """Trace model + session + cursor: the one object every widget of the window talks to.

    Its signals are ``ControllerSignals``' and these three; it keeps ``PanelController``.
    """

    program_failed = Signal(str, str)  # "ExcType: message", traceback text
    message = Signal(str)  # a short note for the status bar
    file_failed = Signal(str, str)  # path, what was wrong with it

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        payload_limit: int | None = None,
        memory_budget_bytes: int | None = DEFAULT_BUDGET,
    ) -> None:
        super().__init__(parent)
        # What the trace may hold (arrays, events, printed text; see ``trace/budget.py``): past
        # it, the oldest events keep only statistics of their arrays (None: no limit).
        self.memory_budget_bytes = memory_budget_bytes
        self.model = TraceModel(memory_budget_bytes=memory_budget_bytes)
        self.session: Any = None
        self.tick = -1
        self.live = True
        self.selection = ""
        self.program_path: str | None = None
        self.breakpoints: list[Breakpoint] = []
        # Program texts a loaded trace carries (file name -> text); a live run reads the disk.
        self.sources: dict[str, str] = {}
        self.run_state = "idle"
        # The child's RunState while it is paused (where, why, its stack), else None.
        self.pause: events.RunState | None = None
        self.payload_limit = payload_limit
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._gen = 0  # session generation: events of a replaced session are dropped
        self._cache: tuple[int, State] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self.drain)
        self._timer.start()

    # -- the cursor --------------------------------------------------------------------------------
    @property
    def head(self) -> int:
        return len(self.model) - 1

    def state(self) -> State:
        """The world at the cursor (cached per tick)."""
        if self._cache is None or self._cache[0] != self.tick:
            self._cache = (self.tick, self.model.state_at(self.tick))
        return self._cache[1]

    def go_to(self, tick: int) -> None:
        """Time travel to ``tick`` (clamped); the cursor follows the head again at the head."""
        tick = max(-1, min(int(tick), self.head))
        self.live = tick == self.head
        if tick != self.tick:
            self.tick = tick
            self.tick_changed.emit(tick)

    def pause_line(self) -> tuple[str, int] | None:
        """File and line the program is paused at when that is not an event's (a step over
        stops before a line runs); None otherwise, or when the cursor is in the past."""
        p = self.pause
        line = (p.detail or {}).get("line") if p is not None and self.live else None
        if isinstance(line, list) and len(line) == 2:
            file, n = line
            if isinstance(file, str) and type(n) is int:
                return file, n
        return None

    def go_live(self) -> None:
        self.go_to(self.head)

    def select(self, key: str) -> None:
        if key != self.selection:
            self.selection = key
            self.selection_changed.emit(key)

    def _set_run_state(self, state: str) -> None:
        if state != "paused":
            self.pause = None
        if state != self.run_state:
            self.run_state = state
            self.run_state_changed.emit(state)

    # -- the event queue ---------------------------------------------------------------------------
    def _make_sinks(self) -> tuple[Callable[[events.Event], None], Callable[..., None]]:
        gen, put = self._gen, self._queue.put

        def on_event(ev: events.Event) -> None:
            put((gen, ev))

        def on_exit(*args: Any) -> None:
            put((gen, _Exited(args[0] if args else None)))

        return on_event, on_exit

    def drain(self) -> int:
        """Move queued events into the model (GUI thread); returns how many were appended."""
        batch: list[events.Event] = []
        controls: list[Any] = []
        try:
            while True:
                gen, item = self._queue.get_nowait()
                if gen != self._gen:
                    continue
                if isinstance(item, (events.RunState, _Exited)):
                    controls.append((len(batch), item))
                else:
                    batch.append(item)
        except queue.Empty:
            pass  # drained: nothing more this frame
        if batch:
            self._append(batch)
            self.events_appended.emit(len(self.model))
            if self.live:
                self.tick = self.head
                self.tick_changed.emit(self.tick)
            for ev in batch:
                if isinstance(ev, events.ProgramError):
                    self._set_run_state("error")
                    self.program_failed.emit(f"{ev.exc_type}: {ev.message}", ev.traceback)
        for _, item in controls:
            self._control(item)
        return len(batch)

    def _append(self, batch: list[events.Event]) -> None:
        """Into the model, one by one: a bug with one event must not lose the rest of the run."""
        append = self.model.append
        for ev in batch:
            try:
                append(ev)
            except Exception as e:  # noqa: BLE001 - say it, keep the run going
                traceback.print_exc(file=sys.stderr)
                self.message.emit(f"The trace could not take event {ev.seq}: {e!r}")

    def _control(self, item: Any) -> None:
        if isinstance(item, _Exited):
            if self.run_state not in ("finished", "error", "stopped"):
                self._set_run_state("stopped" if item.code else "finished")
            return
        if item.state == "paused":
            self.pause = item
            self._set_run_state("paused")
            self.paused_at.emit(item.reason, dict(item.detail or {}))
            return
        self.pause = None
        if item.state == "error" and item.reason == "corrupt":  # the run was refused: say why
            self._set_run_state("error")
            self.program_failed.emit(str(item.detail.get("message", "")), "")
            return
        if self.run_state == "error" and item.state in ("finished", "stopped"):
            return
        self._set_run_state(_STATE_OF_RUN.get(item.state, self.run_state))

    # -- programs and traces -----------------------------------------------------------------------
    def _reset(
        self, path: str | None, model: TraceModel | None = None, sources: dict | None = None
    ) -> None:
        self._stop_session()
        self.sources = dict(sources or {})
        self._gen += 1
        if model is None:
            model = TraceModel(memory_budget_bytes=self.memory_budget_bytes)
        self.model = model
        self._cache = None
        self.tick = self.head
        self.live = True
        self.selection = ""
        self.program_path = path
        self.program_changed.emit(path or "")
        self.events_appended.emit(len(self.model))
        self.tick_changed.emit(self.tick)
        self.selection_changed.emit("")

    def open_script(self, path: str) -> None:
        """Run ``path`` in a child process, paused before its first op."""
        path = str(Path(path).resolve())
        self._reset(path)
        on_event, on_exit = self._make_sinks()
        kwargs: dict[str, Any] = {"breakpoints": tuple(self.breakpoints), "start_paused": True}
        if self.payload_limit is not None:
            kwargs["payload_limit"] = self.payload_limit
        self.session = Session(path, on_event=on_event, on_exit=on_exit, **kwargs)
        self._set_run_state("running")
        try:
            self.session.start()
        except Exception as e:  # a child that cannot start is an error to show, not a crash
            self.session = None
            self._set_run_state("error")
            self.program_failed.emit(f"{type(e).__name__}: {e}", "")

    def open_demo(self, name: str) -> None:
        self.open_script(str(demo_path(name)))

    def open_events(
        self,
        evs: list[events.Event] | TraceModel,
        path: str,
        sources: dict[str, str] | None = None,
    ) -> None:
        """Show a loaded trace or model (replay only: no child process).

        ``sources`` are the program texts the trace carries (file name -> text).
        """
        if not isinstance(evs, TraceModel):
            evs = TraceModel(evs, memory_budget_bytes=self.memory_budget_bytes)
        self._reset(path, evs, sources)
        self.program_path = None
        self._set_run_state("replay")

    def open_trace(self, path: str) -> None:
        """Load a ``.vgtrace`` in a worker (progress dialog for big files), then replay it."""
        load_trace_async(self, path, lambda got: self._opened(got[0], path, got[1]))

    def _opened(self, model: TraceModel, path: str, sources: dict[str, str]) -> None:
        self.open_events(model, path, sources=sources)
        if model.forgotten:  # a truncated file: say so where the user looks first
            self.message.emit(truncation_note(model.forgotten))

    def save_trace(self, path: str) -> None:
        """Save the run, with its program's text, in a worker (a run that forgot its oldest
        events saves a file flagged truncated, with the tick it starts at)."""
        m = self.model
        evs = list(m.original_events())
        save_trace_async(self, path, evs, self.sources, self.program_path, m.forgotten)

    def source_text(self, path: str) -> str:
        """The text of program file ``path``: from the trace when it carries it, else the disk.

        Raises OSError when neither has it.
        """
        text = self.sources.get(path)
        return text if text is not None else read_source(path)

    # -- run control -------------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        return self.session is not None and bool(getattr(self.session, "alive", False))

    def _in_past(self) -> bool:
        return self.tick < self.head

    def step(self) -> None:
        """Step into: one event, forward in the recorded past, else let the child run one."""
        if self._in_past() or not self.alive:
            self.go_to(self.tick + 1)
            return
        self._run_child(lambda: self.session.step(1))

    step_into = step

    def _run_child(self, command: Callable[[], None]) -> None:
        self.go_to(self.head)
        self._set_run_state("running")
        command()

    def step_over(self) -> None:
        """Step over: to the next line of the program (what the line calls runs through)."""
        if self._in_past() or not self.alive:
            i = next_line_tick(self.model, self.tick)
            self.go_to(self.head if i is None else i)
            return
        self._run_child(self.session.step_line)

    def step_out(self) -> None:
        """Step out: to the end of the current backward pass, or of the forward pass (the next
        ``backward()``) when not in one."""
        st = self.state() if len(self.model) and self.tick >= 0 else None
        in_backward = (
            st is not None
            and st.phase == "backward"
            and not isinstance(st.event, events.BackwardEnd)
        )
        self._step_until(events.BackwardEnd if in_backward else events.BackwardBegin)

    def _step_until(self, kind: type[events.Event]) -> None:
        i = self.model.next_tick(kind, self.tick)
        if i is not None:
            self.go_to(i)
            return
        if self.alive:
            self._run_child(lambda: self.session.step(1, kind=kind.kind))
        else:
            self.go_live()

    def step_forward_op(self) -> None:
        """To the next forward op (in the recorded past, or by running the child)."""
        self._step_until(events.ForwardOp)

    def step_backward_node(self) -> None:
        """To the next backward node that runs."""
        self._step_until(events.BackwardNode)

    def resume(self) -> None:
        if self.alive:
            self.live = True
            self.go_to(self.head)
            self._set_run_state("running")
            self.session.resume()
        else:
            self.go_live()

    def pause(self) -> None:
        if self.alive:
            self.session.pause()

    def stop(self) -> None:
        """Stop the program; a child that does not answer is killed (on a helper thread)."""
        if self.session is not None:
            self._stop_session()
            self._set_run_state("stopped")

    def _stop_session(self) -> None:
        session, self.session = self.session, None
        if session is None:
            return
        threading.Thread(target=session.stop, name="visgrad-stop", daemon=True).start()

    def restart(self) -> None:
        """Run the same program again from the start (paused)."""
        if self.program_path:
            self.open_script(self.program_path)

    def set_breakpoints(self, bps: list[Breakpoint]) -> None:
        self.breakpoints = list(bps)
        if self.alive:
            self.session.set_breakpoints(tuple(self.breakpoints))
        self.breakpoints_changed.emit()

    def shutdown(self, timeout: float = 1.0) -> None:
        """Stop the child and wait for it (window closing)."""
        self._timer.stop()
        session, self.session = self.session, None
        if session is not None:
            session.stop(timeout=timeout)
