"""The controller as the panels see it, written once.

``ControllerSignals`` declares the signals every controller emits; the app's ``Controller``, the
tests' ``StaticController`` (``tests/app/panel_harness.py``) and the panel benchmark derive from
it. ``PanelController`` is what a panel may read and call: the trace model, the cursor, the
selection, the program and its breakpoints. Panels are typed against it, not the app's class, so
they run over any controller that keeps this contract.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from PySide6.QtCore import QObject, Signal, SignalInstance

from visgrad.events import RunState
from visgrad.runner.breakpoints import Breakpoint
from visgrad.trace.keys import GraphKey
from visgrad.trace.model import TraceModel
from visgrad.trace.state import State


class ControllerSignals(QObject):
    """The signals of every controller."""

    events_appended = Signal(int)  # events were folded; the new head tick
    tick_changed = Signal(int)  # the cursor moved
    selection_changed = Signal(str)  # the selected graph key
    run_state_changed = Signal(str)  # "idle", "running", "paused", "finished", ...
    paused_at = Signal(str, dict)  # why the program paused, and where
    program_changed = Signal(str)  # a new program (or trace) was opened
    breakpoints_changed = Signal()


@runtime_checkable
class PanelController(Protocol):
    """What a panel reads and calls."""

    events_appended: SignalInstance
    tick_changed: SignalInstance
    selection_changed: SignalInstance
    run_state_changed: SignalInstance
    paused_at: SignalInstance
    program_changed: SignalInstance
    breakpoints_changed: SignalInstance

    model: TraceModel
    tick: int
    live: bool  # the cursor follows the head
    run_state: str
    selection: GraphKey  # "" when nothing is selected
    program_path: str | None
    breakpoints: list[Breakpoint]
    pause: RunState | None  # the child's RunState while it is paused

    def state(self) -> State:
        """The world at the cursor."""
        ...

    def go_to(self, tick: int) -> None:
        """Move the cursor to ``tick``."""
        ...

    def select(self, key: GraphKey) -> None:
        """Select the node ``key`` ("" for none)."""
        ...

    def pause_line(self) -> tuple[str, int] | None:
        """File and line the program is paused at when no event names it."""
        ...

    def source_text(self, path: str) -> str:
        """The program file's text (OSError when there is none)."""
        ...

    def set_breakpoints(self, bps: list[Breakpoint]) -> None:
        """Replace the breakpoints."""
        ...
