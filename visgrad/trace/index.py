"""What the fold learns once, at the head of the log, kept for indexed queries (no Qt).

``trace/fold.py`` is the only reader of events. When it applies an event at the head of the log
it also reports, in plain values, what views ask about across time: the grad ledger, where
iterations begin, NaN/Inf origins, each tensor's changes, problems worth raising, event-level
marks and the source line of every tick. Keyframe replays never report (``Folder.index`` is None
there), so each fact is recorded exactly once.

To add a derived index (per-iteration statistics, say): give ``TraceIndex`` a part with methods
the fold's handlers call, and expose its queries on ``TraceModel``.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from visgrad.trace.ledger import LedgerBook
from visgrad.trace.nan_origin import NanOrigin

# Event-level marks (``TraceIndex.marks``): what the event list can flag on a row.
MARK_NAN = "nan"  # an Anomaly, and the op or backward node whose result went NaN/Inf
MARK_UNZEROED = "unzeroed"  # a gradient added onto a .grad left over from an earlier iteration


@dataclass(frozen=True, slots=True)
class UnzeroedGrad:
    """A gradient was added to a ``.grad`` that still held an earlier iteration's gradient."""

    tensor: int
    tick: int  # the GradAccumulated event that added onto the old gradient
    iteration: int  # the iteration of that event
    since_iteration: int  # the iteration whose backward first filled the .grad
    since_tick: int  # the tick the .grad was created (or last zeroed / set)


class SeqTicks:
    """seq -> the latest tick holding it, at 16 bytes an event where a dict costs about 100.

    A run's seqs only grow (the parent's own events repeat the last one), so they are kept in
    two parallel arrays searched by bisection; a seq out of order (a hand-made trace) goes to a
    dict, which wins over the arrays as the later assignment.
    """

    def __init__(self) -> None:
        self._seqs = array("q")
        self._ticks = array("q")
        self._other: dict[int, int] = {}

    def add(self, seq: int, tick: int) -> None:
        seqs = self._seqs
        if not seqs or seq > seqs[-1]:
            seqs.append(seq)
            self._ticks.append(tick)
        elif seq == seqs[-1]:
            self._ticks[-1] = tick
        else:
            self._other[seq] = tick

    def get(self, seq: int, default: int = -1) -> int:
        if seq in self._other:
            return self._other[seq]
        i = bisect_left(self._seqs, seq)
        if i < len(self._seqs) and self._seqs[i] == seq:
            return self._ticks[i]
        return default

    def __getitem__(self, seq: int) -> int:
        got = self.get(seq)
        if got < 0:
            raise KeyError(seq)
        return got

    def __contains__(self, seq: int) -> bool:
        return self.get(seq) >= 0


class TraceIndex:
    """Indexes built from the events at the head of the log, with their queries."""

    def __init__(self) -> None:
        self.tick = -1  # the tick being applied (set by the model before each event)
        self.ledger = LedgerBook()
        # Iterations 2, 3, ...: tick and seq of the op that began each, and the seq of the
        # BackwardEnd before it.
        self.iter_ticks: list[int] = []
        self.iter_seqs: list[int] = []
        self.iter_lead_seqs: list[int] = []
        self._backward_end_seq = 0
        self._awaiting_iteration = False
        self.origins: list[NanOrigin] = []
        self.unzeroed: list[UnzeroedGrad] = []
        # tensor -> (iteration and tick its .grad began to sum, latest iteration added to it)
        self._grad_since: dict[int, tuple[int, int, int]] = {}
        self._changes: dict[int, tuple[array[int], list[str]]] = {}
        self.marks: dict[int, tuple[str, ...]] = {}
        self._kind_ticks: dict[type, array[int]] = {}
        self.seq_tick = SeqTicks()
        self.base = 0  # the first tick kept (``trace/horizon.py``)
        self._source_tick = array("q")  # tick whose event gives this tick's place, or -1
        self._pending_backward_nan: dict[int, None] = {}  # nodes whose next run returned NaN
        self._node_ran: dict[int, int] = {}  # backward node -> tick of its latest run
        self.fold_errors: list[tuple[int, str]] = []  # (tick, what) the fold could not apply

    # -- iterations --------------------------------------------------------------------------------
    @property
    def iteration(self) -> int:
        """The iteration the head is in (1-based)."""
        return len(self.iter_ticks) + 1

    def backward_ended(self, seq: int) -> None:
        self._awaiting_iteration = True
        self._backward_end_seq = seq
        self.ledger.end_backward()

    def recorded_op(self, seq: int) -> None:
        """A recorded op ran: after a finished backward, it begins a new iteration."""
        if self._awaiting_iteration:
            self._awaiting_iteration = False
            self.iter_ticks.append(self.tick)
            self.iter_seqs.append(seq)
            self.iter_lead_seqs.append(self._backward_end_seq)

    # -- every event -------------------------------------------------------------------------------
    def event(self, seq: int, kind: type, has_source: bool, placeless: bool) -> None:
        """Any event: its seq and kind, and whether it has a place of its own in the program."""
        self.seq_tick.add(seq, self.tick)
        ticks = self._kind_ticks.get(kind)
        if ticks is None:
            ticks = self._kind_ticks[kind] = array("q")
        ticks.append(self.tick)
        prev = self._source_tick[-1] if self._source_tick else -1
        self._source_tick.append(self.tick if has_source else (prev if placeless else -1))

    def next_tick(self, kind: type, after: int) -> int | None:
        """The first tick after ``after`` holding an event of ``kind`` (None when none yet)."""
        ticks = self._kind_ticks.get(kind)
        if not ticks:
            return None
        i = bisect_right(ticks, after)
        return ticks[i] if i < len(ticks) else None

    def source_tick(self, tick: int) -> int:
        """The tick whose event gives ``tick`` its source line (-1: none)."""
        i = tick - self.base
        return self._source_tick[i] if 0 <= i < len(self._source_tick) else -1

    def mark(self, tick: int, what: str) -> None:
        if tick < 0:
            return
        got = self.marks.get(tick, ())
        if what not in got:
            self.marks[tick] = (*got, what)

    # -- values and gradients that changed ---------------------------------------------------------
    def changed(self, tensor: int, what: str) -> None:
        """``tensor``'s ``"value"`` or ``"grad"`` changed at the current tick."""
        got = self._changes.get(tensor)
        if got is None:
            got = self._changes[tensor] = (array("q"), [])
        if got[0] and got[0][-1] == self.tick and got[1][-1] == what:
            return
        got[0].append(self.tick)
        got[1].append(what)

    def previous_change(self, tensor: int, tick: int) -> tuple[str, int] | None:
        """The latest change at or before ``tick``: ``("value" | "grad", tick)``, or None."""
        got = self._changes.get(tensor)
        if got is None:
            return None
        i = bisect_right(got[0], tick)
        return (got[1][i - 1], got[0][i - 1]) if i else None

    # -- gradients ---------------------------------------------------------------------------------
    def grad_filled(self, tensor: int, created: bool) -> None:
        """A gradient was accumulated into ``tensor.grad`` (``created``: it was None before)."""
        since = self._grad_since.get(tensor)
        it = self.iteration
        if created or since is None:
            self._grad_since[tensor] = (it, self.tick, it)
            return
        if since[2] < it:  # said once per tensor and iteration
            self.unzeroed.append(UnzeroedGrad(tensor, self.tick, it, since[0], since[1]))
            self.mark(self.tick, MARK_UNZEROED)
            self._grad_since[tensor] = (since[0], since[1], it)

    def grad_cleared(self, tensor: int) -> None:
        """``tensor.grad`` was zeroed, set to None or assigned: it holds no old sum any more.

        (An assigned ``.grad`` is the program's deliberate choice, so adding to it is not raised.)
        """
        self._grad_since.pop(tensor, None)

    # -- NaN / Inf ---------------------------------------------------------------------------------
    def anomaly(self, origin: NanOrigin, made_at: int) -> None:
        """An Anomaly (explained); ``made_at``: tick of the op that made the bad value, or -1."""
        self.origins.append(origin)
        self.mark(self.tick, MARK_NAN)
        if origin.where == "forward":
            self.mark(made_at, MARK_NAN)
        elif origin.node is not None:
            # The engine checks a node's gradients once its event is out: mark that event (or
            # the next one of that node, should an anomaly ever come first).
            ran = self._node_ran.get(origin.node)
            if ran is not None:
                self.mark(ran, MARK_NAN)
            else:
                self._pending_backward_nan[origin.node] = None

    def backward_node_ran(self, node: int) -> None:
        self._node_ran[node] = self.tick
        if node in self._pending_backward_nan:
            del self._pending_backward_nan[node]
            self.mark(self.tick, MARK_NAN)

    def origins_until(self, tick: int | None) -> list[NanOrigin]:
        """NaN/Inf origins up to ``tick`` (all when None), in order."""
        return list(self.origins) if tick is None else [o for o in self.origins if o.tick <= tick]

    def unzeroed_until(self, tick: int | None) -> list[UnzeroedGrad]:
        """Gradients added onto a stale ``.grad`` up to ``tick`` (all when None), in order."""
        found = self.unzeroed
        return list(found) if tick is None else [u for u in found if u.tick <= tick]

    # -- memory budget -----------------------------------------------------------------------------
    def swap_arrays(self, sw: Callable[[Any], Any], since: int = 0) -> None:
        """Entries holding arrays of events at ticks ``>= since`` get their summaries."""
        self.ledger.swap_arrays(sw, since)
