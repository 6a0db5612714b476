"""A controller over a finished run's TraceModel: the contract's signals and calls, no child."""

from __future__ import annotations

from typing import Any

from visgrad.app.protocols import ControllerSignals
from visgrad.runner.session import run_headless
from visgrad.trace.model import TraceModel
from visgrad.trace.sources import read_source
from visgrad.trace.state import State, tkey


def trace_of(path: str) -> TraceModel:
    """Run ``path`` to its end in the runner's child process and fold its events."""
    model = TraceModel()
    run_headless(path, on_event=model.append)
    return model


class StaticController(ControllerSignals):
    """What panels see of the app's Controller (``PanelController``), over a finished trace."""

    def __init__(self, model: TraceModel, program_path: str | None = None) -> None:
        super().__init__()
        self.model = model
        self.tick = len(model) - 1
        self.live = True
        self.run_state = "finished"
        self.selection = ""
        self.program_path = program_path
        self.breakpoints: list[Any] = []
        self.sources: dict[str, str] = {}
        self.pause: Any = None
        self._cache: tuple[int, int, State] | None = None

    def state(self) -> State:
        """The world at the cursor (cached per tick, as the app's controller does)."""
        c = self._cache
        if c is None or c[0] != self.tick or c[1] != len(self.model):
            c = self._cache = (self.tick, len(self.model), self.model.state_at(self.tick))
        return c[2]

    def go_to(self, tick: int) -> None:
        self.tick = max(-1, min(tick, len(self.model) - 1))
        self.live = self.tick == len(self.model) - 1
        self.tick_changed.emit(self.tick)

    def select(self, key: str) -> None:
        self.selection = key
        self.selection_changed.emit(key)

    def pause_line(self) -> tuple[str, int] | None:
        return None

    def source_text(self, path: str) -> str:
        text = self.sources.get(path)
        return text if text is not None else read_source(path)

    def set_breakpoints(self, bps: list[Any]) -> None:
        self.breakpoints = list(bps)
        self.breakpoints_changed.emit()

    def key_of(self, name: str) -> str:
        """Graph key of the tensor the program calls ``name`` at the cursor."""
        for t in self.state().tensors.values():
            if t.name == name:
                return tkey(t.id)
        raise KeyError(name)
