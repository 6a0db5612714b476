"""``torch.profiler``: the op profiler of ``visgrad.autograd.profiler`` with PyTorch's newer API.

``with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:`` and
``prof.key_averages().table(sort_by="cpu_time_total")`` as in PyTorch. With a ``schedule``, each
``prof.step()`` moves through its wait / warmup / active steps; only active steps are recorded,
and ``on_trace_ready(prof)`` runs at the end of each active span.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import Any

from visgrad.autograd import profiler as _autograd_profiler
from visgrad.autograd.profiler import EventList, record_function

__all__ = ["ProfilerAction", "ProfilerActivity", "profile", "record_function", "schedule"]


class ProfilerActivity(enum.Enum):
    CPU = 0
    CUDA = 1
    XPU = 2
    MTIA = 3
    PrivateUse1 = 4


class ProfilerAction(enum.Enum):
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def schedule(
    *, wait: int, warmup: int, active: int, repeat: int = 0, skip_first: int = 0, **_: Any
) -> Callable[[int], ProfilerAction]:
    """The action for each step number: skip, then cycles of wait, warmup and active steps."""

    def action(step: int) -> ProfilerAction:
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        cycle = wait + warmup + active
        if repeat > 0 and step // cycle >= repeat:
            return ProfilerAction.NONE
        at = step % cycle
        if at < wait:
            return ProfilerAction.NONE
        if at < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if at < cycle - 1 else ProfilerAction.RECORD_AND_SAVE

    return action


def _record_always(step: int) -> ProfilerAction:
    return ProfilerAction.RECORD


class profile(_autograd_profiler.profile):  # noqa: N801 - PyTorch's name
    """The profiler of ``torch.profiler``; ``step()`` advances its ``schedule``."""

    def __init__(
        self,
        *,
        activities: Iterable[ProfilerActivity] | None = None,
        schedule: Callable[[int], ProfilerAction] | None = None,
        on_trace_ready: Callable[[profile], Any] | None = None,
        record_shapes: bool = False,
        profile_memory: bool = False,
        with_stack: bool = False,
        with_flops: bool = False,
        with_modules: bool = False,
        **_: Any,
    ) -> None:
        super().__init__(record_shapes=record_shapes)
        self.schedule = schedule or _record_always
        self.on_trace_ready = on_trace_ready
        self.step_num = 0

    def __enter__(self) -> profile:
        self._apply(self.schedule(self.step_num))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._recording:
            self._stop()
            if self.on_trace_ready is not None:
                self.on_trace_ready(self)

    def start(self) -> None:
        self.__enter__()

    def stop(self) -> None:
        self.__exit__(None, None, None)

    def step(self) -> None:
        """End one training step: record, stop or hand over the trace as the schedule says."""
        before = self.schedule(self.step_num)
        self.step_num += 1
        after = self.schedule(self.step_num)
        if before is ProfilerAction.RECORD_AND_SAVE and self._recording:
            self._stop()
            if self.on_trace_ready is not None:
                self.on_trace_ready(self)
        self._apply(after)

    def _apply(self, action: ProfilerAction) -> None:
        wants = action in (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)
        if wants and not self._recording:
            if self.schedule is not _record_always:
                self.function_events = EventList()  # each active span is its own trace
            self._start()
        elif not wants and self._recording:
            self._stop()
