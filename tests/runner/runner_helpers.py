"""A Session whose events can be awaited, for the runner tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from visgrad import events
from visgrad.runner.session import Session

TIMEOUT = 20.0


class Run:
    """A Session plus the events it delivered, with waits for pauses and the end."""

    def __init__(self, target: str | Path, **kw) -> None:
        self.events: list[events.Event] = []
        self.exit_codes: list[int | None] = []
        self._cv = threading.Condition()
        self._mark = 0
        self.session = Session(target, on_event=self._on_event, on_exit=self._on_exit, **kw)

    def _on_event(self, ev: events.Event) -> None:
        with self._cv:
            self.events.append(ev)
            self._cv.notify_all()

    def _on_exit(self, rc: int | None) -> None:
        with self._cv:
            self.exit_codes.append(rc)
            self._cv.notify_all()

    def wait_for(
        self, pred: Callable[[events.Event], bool], timeout: float = TIMEOUT
    ) -> events.Event:
        """The first event after the last command that satisfies ``pred``."""
        with self._cv:
            i = self._mark
            while True:
                for j in range(i, len(self.events)):
                    if pred(self.events[j]):
                        self._mark = j + 1
                        return self.events[j]
                i = len(self.events)
                if not self._cv.wait(timeout):
                    raise TimeoutError(f"no matching event; last events: {self.events[-5:]}")

    def wait_stop(self, timeout: float = TIMEOUT) -> events.RunState:
        """The next pause or end of the run."""
        return self.wait_for(
            lambda e: isinstance(e, events.RunState) and e.state != "started", timeout
        )

    def wait_exit(self, timeout: float = TIMEOUT) -> int | None:
        assert self.session.wait(timeout), "the child did not exit"
        return self.exit_codes[0]

    def mark(self) -> None:
        with self._cv:
            self._mark = len(self.events)

    def __enter__(self) -> Run:
        self.session.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.session.stop(0.5)


def engine_events(evs: list[events.Event]) -> list[events.Event]:
    return [e for e in evs if e.kind not in ("output", "named", "run", "error")]


def signature(ev: events.Event) -> tuple:
    """What must not differ between a stepped and a free run (not seq, not arrays)."""
    keep = ("op", "name", "grad_fn", "tensor", "node", "inputs", "outputs", "next_nodes", "roots")
    return (ev.kind, *(getattr(ev, k, None) for k in keep))
