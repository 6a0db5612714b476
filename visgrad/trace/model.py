"""``TraceModel``: the append-only event log and the world at any tick (no Qt).

Time travel uses keyframes: every ``keyframe_every`` events the model keeps the tensors and
functions as they stand, split into chunks of 256 ids; a keyframe shares every chunk that did not
change since the previous one, so a long run costs little more than its events. ``state_at(k)``
merges the nearest keyframe's chunks and folds at most ``keyframe_every`` events forward. Graph
nodes and edges are only ever added, so the graph at tick ``k`` is a prefix of one master list.

Arrays are the events' own read-only snapshots, shared by every state and never copied. With a
``memory_budget_bytes`` the whole model is kept near it (``footprint_bytes``: arrays, events and
printed text; see ``trace/budget.py``): the oldest events' arrays are replaced by their
``ArraySummary`` (``dropped_payloads`` counts those events). Printed text keeps its start and
its newest part (``trace/output.py``); a dropped print's event keeps an empty text.

Every event is interpreted by the fold (``trace/fold.py``) alone; what views ask about across time
(ledgers, iterations, NaN origins, problems, previous changes, marks) is indexed once, as events
arrive, and read through this class's queries.

Iterations: PyTorch builds a new graph every training step, so the log is cut into iterations.
The first iteration starts at the first event; a new one starts at the first recorded op (a
``ForwardOp`` or a recorded ``InplaceUpdate`` with a backward node) after a ``BackwardEnd``. The
backward pass and the optimizer's unrecorded updates after it stay in their iteration, and so do
several backward calls on one graph (``retain_graph=True``) with no recorded op between them.
Unrecorded ops between that ``BackwardEnd`` and the new iteration that feed it (``x.unsqueeze``
inside the next ``matmul``) are drawn with the new iteration too.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from typing import Any

from visgrad import events as ev_
from visgrad.trace import budget, caps, horizon
from visgrad.trace.cursor import FoldCursor
from visgrad.trace.fold import Folder
from visgrad.trace.index import TraceIndex, UnzeroedGrad
from visgrad.trace.keyframes import Keyframe, chunked, keyframe_of
from visgrad.trace.nan_origin import NanOrigin
from visgrad.trace.output import PrintedText
from visgrad.trace.state import LedgerEntry, State
from visgrad.trace.summary import ArraySummary
from visgrad.trace.training import TrainingStats


class TraceModel:
    """Append-only event log with the world, the graph and indexed queries at any tick."""

    def __init__(
        self,
        events: Iterable[ev_.Event] = (),
        *,
        memory_budget_bytes: int | None = None,
        keyframe_every: int = 256,
        first_tick: int = 0,
    ) -> None:
        """``first_tick``: the run's tick of the first event, when the run's older ones were
        forgotten before these were saved (a truncated trace file): ticks keep their numbers."""
        self._events: list[ev_.Event] = []  # from tick ``_base`` on (``trace/horizon.py``)
        self._seeded = self._iter_offset = 0
        self._base = max(0, int(first_tick))
        self._refolding = False
        self._k = max(1, int(keyframe_every))
        self.memory_budget_bytes = memory_budget_bytes
        self._shared: dict[str, dict[int, int]] = {"acc_of": {}, "data_of": {}, "grad_owner": {}}
        self._edges: list[tuple[str, str]] = []
        self._nodes: list[str] = []
        self._edge_count = array("q")
        self._node_count = array("q")
        self._output = PrintedText(budget.output_limit(memory_budget_bytes))
        self._meta_bytes = 0  # the events' own estimated cost (``budget.overhead``)
        self._bytes = array("q")
        self.full_texts = caps.FullTexts()  # the whole of every text cut for the views
        self._payload_bytes = 0
        self._drop_next = 0
        self._summaries: dict[ArraySummary, ArraySummary] = {}  # equal ones kept once
        self.dropped_payloads = 0
        self._index = TraceIndex()
        self._index.base = self._base
        self._training = TrainingStats(self._index.unzeroed)
        self._head = Folder(self._shared)
        self._head.index = self._index
        self._head.new_edges = self._edges
        self._head.new_nodes = self._nodes
        self._head.dirty_t = {}
        self._head.dirty_f = {}
        self._keyframes: list[Keyframe] = [keyframe_of(self._head, self._base)]
        self._cursor = FoldCursor(self._shared)  # the past tick asked for last, to step on from
        self.extend(events)

    # -- the log -----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return self._base + len(self._events)

    @property
    def events(self) -> horizon.TickLog:
        """The log by tick (read it, never change it; payload-dropped events hold summaries,
        forgotten ticks ``horizon.FORGOTTEN``)."""
        return horizon.TickLog(self)

    @property
    def kept_events(self) -> list[ev_.Event]:
        """The events not forgotten, from tick ``forgotten`` on."""
        return self._events

    @property
    def forgotten(self) -> int:
        """Events forgotten to stay within the memory budget: ticks before this one."""
        return self._base

    def original_events(self) -> Iterator[ev_.Event]:
        """The log with every text as it came (the views' events have long texts cut)."""
        if not self.full_texts:
            yield from self._events
            return
        for tick, ev in enumerate(self._events, self._base):
            yield self.full_texts.original(tick, ev)

    @property
    def payload_bytes(self) -> int:
        """Bytes of array payload the log still holds."""
        return self._payload_bytes

    @property
    def footprint_bytes(self) -> int:
        """What the model holds as the memory budget counts it: arrays, events, printed text."""
        return self._payload_bytes + self._meta_bytes + self._output.held

    @property
    def output_limit(self) -> int:
        """Characters of printed text kept at most (see ``trace/output.py``)."""
        return self._output.limit

    @property
    def dropped_output_chars(self) -> int:
        """Characters of printed text let go to keep the output within its limit."""
        return self._output.dropped

    @property
    def names(self) -> dict[int, str]:
        """The program's name of each named tensor id as of the newest event (read, never change)."""
        return self._head.names

    def append(self, ev: ev_.Event) -> None:
        """Add the next event of the run."""
        tick = len(self)
        shown = caps.capped(ev)
        whole = 0
        if shown is not ev:
            self.full_texts.record(tick, ev, shown)
            whole = len(ev.text) if type(ev) is ev_.Output else 0
            ev = shown
        self._events.append(ev)
        head = self._head
        self._index.tick = head.tick = tick
        head.apply(ev)
        if not self._refolding:  # a refold keeps the run's statistics and text as they were
            horizon.observe(self, ev, tick, whole)
        self._edge_count.append(len(self._edges))
        self._node_count.append(len(self._nodes))
        if (tick + 1 - self._base) % self._k == 0:
            prev = self._keyframes[-1]
            assert head.dirty_t is not None and head.dirty_f is not None  # the head tracks them
            tch, tbuilt = chunked(prev.tchunks, head.dirty_t, head.tensors)
            fch, fbuilt = chunked(prev.fchunks, head.dirty_f, head.functions)
            kf = keyframe_of(head, tick + 1, tch, fch)
            kf.tbuilt, kf.fbuilt = tbuilt, fbuilt
            self._keyframes.append(kf)
            head.dirty_t = {}
            head.dirty_f = {}
        b, small = budget.sizes(ev)
        self._bytes.append(b)
        self._payload_bytes += b
        self._meta_bytes += budget.EVENT_BYTES + small
        limit = self.memory_budget_bytes
        if (
            limit is not None
            and b
            and self._payload_bytes > max(limit // 3, limit - self._others())
        ):
            self._drop_payloads()
        if limit is not None and self._meta_bytes > limit // 2 and horizon.due(self):
            self._forget()

    def _forget(self) -> None:
        """Forget the oldest events, keeping a quarter of the budget's worth."""
        self.__dict__.update(horizon.forget_oldest(self, budget.EVENT_BYTES).__dict__)

    def extend(self, evs: Iterable[ev_.Event]) -> None:
        """Append several events in order."""
        for ev in evs:
            self.append(ev)

    def tick_of_seq(self, seq: int) -> int:
        """The tick of the event numbered ``seq`` (KeyError when the log has none)."""
        return self._index.seq_tick[seq]

    # -- the world at a tick -----------------------------------------------------------------------
    def _clamp(self, tick: int) -> int:
        return max(-1, min(int(tick), len(self) - 1))

    def _count(self, counts: array[int], tick: int, seeded: int) -> int:
        return counts[tick - self._base] if tick >= self._base else seeded

    def state_at(self, tick: int) -> State:
        """The world right after event ``tick`` (``-1``: before the first event)."""
        tick = self._clamp(tick)
        if tick < 0:
            return State(tick=-1, seq=0, event=None, phase="idle", backward_index=0)
        base = self._base
        if tick == len(self) - 1:
            f = self._head
            tensors, functions = dict(f.tensors), dict(f.functions)
        else:  # before the horizon: the world it was seeded with
            at = max(tick, base - 1)
            f, tensors, functions = self._cursor.fold(
                at, self._keyframes, self._k, self.events, base
            )
        ev = self.events[tick]
        starts = self._index.iter_ticks
        n = bisect_right(starts, tick)
        return State(
            tick=tick,
            seq=ev.seq,
            event=ev,
            phase=f.phase,
            backward_index=f.backward_index,
            tensors=tensors,
            functions=functions,
            edges=self._edges[: self._count(self._edge_count, tick, 0)],
            current=f.current,
            grad_edges=f.grad_edges,
            output=self._output.at(tick),
            error=f.error,
            iteration=n + 1 + self._iter_offset,
            scope_start_seq=self._index.iter_seqs[n - 1] if n else 0,
            scope_lead_seq=self._index.iter_lead_seqs[n - 1] if n else 0,
            forgotten=base,
        )

    def node_id(self, tensor_id: int) -> int:
        """The state id standing for the program's tensor ``tensor_id`` as of the newest event.

        Its newest version after recorded in-place ops; ``w`` for ``w.data``.
        """
        got = self._head.resolve(tensor_id)
        return tensor_id if got is None else got

    @property
    def training(self) -> TrainingStats:
        """Per-iteration losses, gradient norms, update ratios, learning rates and layers."""
        self._training.settle()
        return self._training

    def grad_leaf_of(self, tensor_id: int) -> int | None:
        """The leaf whose ``.grad`` the program's tensor ``tensor_id`` is (``w.grad``, or an alias
        of it such as ``w.grad.data``) as of the newest event; None when it is no one's."""
        got = self._head.resolve(tensor_id)
        return self._head.grad_leaf(got) if got is not None else None

    def outputs_of(self, node_id: int) -> tuple[int, ...]:
        """The forward outputs of function node ``node_id`` (empty when unknown)."""
        fs = self._head.functions.get(node_id)
        return fs.outputs if fs is not None else ()

    def gradient_at(self, tensor_id: int, tick: int) -> Any:
        """d(root)/d(tensor) at ``tick`` (``TensorState.dloss``): None before its grad_fn ran."""
        ts = self.state_at(tick).tensors.get(tensor_id)
        return ts.dloss if ts is not None else None

    def graph_keys_at(self, tick: int) -> tuple[set[str], set[tuple[str, str]]]:
        """Node keys and (src, dst) edge keys of the graph at ``tick``, without folding."""
        tick = self._clamp(tick)
        if tick < 0:
            return set(), set()
        return set(self._nodes[: self._count(self._node_count, tick, self._seeded)]), set(
            self._edges[: self._count(self._edge_count, tick, 0)]
        )

    # -- iterations --------------------------------------------------------------------------------
    @property
    def iteration_starts(self) -> list[int]:
        """Ticks at which iterations 2, 3, ... begin (read, never change)."""
        return self._index.iter_ticks

    def iteration_at(self, tick: int) -> int:
        """The iteration ``tick`` is in (1-based; 0 before the first event)."""
        tick = self._clamp(tick)
        return 0 if tick < 0 else bisect_right(self._index.iter_ticks, tick) + 1 + self._iter_offset

    def scope_at(self, tick: int) -> set[str]:
        """Keys of the current iteration's graph at ``tick`` (see ``State.scope_keys``)."""
        return self.state_at(tick).scope_keys()

    # -- indexed queries ---------------------------------------------------------------------------
    def ledger(self, tensor_id: int, tick: int | None = None) -> list[LedgerEntry]:
        """Every change to ``tensor_id``'s ``.grad`` up to ``tick`` (all when None), in order."""
        t = None if tick is None else self._clamp(tick)
        return self._index.ledger.entries_until(tensor_id, t)

    def previous_change(self, tensor_id: int, tick: int) -> tuple[str, int] | None:
        """The latest event at or before ``tick`` that changed the tensor's value or ``.grad``.

        ``("value", tick)`` or ``("grad", tick)``; None when nothing changed it since it was made.
        """
        return self._index.previous_change(tensor_id, self._clamp(tick))

    def next_tick(self, kind: type[ev_.Event], after: int) -> int | None:
        """The first tick after ``after`` whose event is of ``kind`` (None: none recorded yet)."""
        return self._index.next_tick(kind, after)

    def source_tick(self, tick: int) -> int:
        """The tick whose event gives ``tick`` its place in the program (-1: none).

        An event without a place of its own (a name found, printed text) takes the place of the
        event before it.
        """
        return self._index.source_tick(self._clamp(tick))

    # -- problems ----------------------------------------------------------------------------------
    def nan_origins(self, tick: int | None = None) -> list[NanOrigin]:
        """Every NaN/Inf the run produced up to ``tick`` (all when None), first first.

        Each names the op or backward node that made it, what to mark and select in the graph,
        and a sentence for the user; ``nan_origin()`` is the first one, the one to raise.
        """
        return self._index.origins_until(None if tick is None else self._clamp(tick))

    def nan_origin(self, tick: int | None = None) -> NanOrigin | None:
        """Where NaN/Inf first appeared, up to ``tick`` (the whole run when None)."""
        got = self._index.origins
        first = got[0] if got else None
        if first is None or (tick is not None and first.tick > self._clamp(tick)):
            return None
        return first

    def unzeroed_grads(self, tick: int | None = None) -> list[UnzeroedGrad]:
        """Gradients added onto a ``.grad`` still holding an earlier iteration's, up to ``tick``.

        One entry per tensor and iteration where it happened: the tensor, the ``GradAccumulated``
        tick, and since when the ``.grad`` had been accumulating (the usual cause: a training
        loop without ``optimizer.zero_grad()``). Their ticks carry the ``"unzeroed"`` mark.
        """
        return self._index.unzeroed_until(None if tick is None else self._clamp(tick))

    def marks(self, tick: int) -> tuple[str, ...]:
        """Marks of the event at ``tick`` for the event list: ``"nan"``, ``"unzeroed"``."""
        return self._index.marks.get(tick, ())

    def marked_ticks(self, mark: str) -> list[int]:
        """Ticks carrying ``mark``, in order."""
        return sorted(t for t, m in self._index.marks.items() if mark in m)

    @property
    def fold_errors(self) -> list[tuple[int, str]]:
        """Events the fold could not apply (tick, what went wrong); empty for a sound run."""
        return self._index.fold_errors

    # -- memory budget -----------------------------------------------------------------------------
    def _others(self) -> int:
        """Bytes the budget counts besides droppable arrays: the events and printed text."""
        return self._meta_bytes + self._output.held

    def _drop_payloads(self) -> None:
        """Summarize the oldest events' arrays until the footprint is under 75% of the budget,
        keeping at least a quarter of the budget for the newest arrays."""
        limit = self.memory_budget_bytes
        if limit is None:
            return
        goal = max(limit // 4, int(limit * 0.75) - self._others())
        swapped: dict[int, ArraySummary] = {}
        evs = self._events
        since = -1
        while self._payload_bytes > goal and self._drop_next < len(evs):
            i = self._drop_next
            self._drop_next += 1
            if not self._bytes[i]:
                continue
            if since < 0:
                since = i
            evs[i] = budget.summarized(evs[i], swapped, self._summaries)
            self._payload_bytes -= self._bytes[i]
            self._bytes[i] = 0
            self.dropped_payloads += 1
        if swapped:
            self._swap_arrays(swapped, since)

    def _swap_arrays(self, swapped: dict[int, ArraySummary], since: int) -> None:
        """Replace every state and ledger entry that held a dropped array by one with its summary.

        Folded states are never changed: new ones take their places in the head's dicts and in
        new keyframe chunks, and states handed out before keep what they had.
        """
        sw = budget.swapper(swapped)
        self._cursor.reset()  # it may hold dropped arrays
        budget.renew(self._head, self._keyframes, sw, since, self._k, self._base)
        self._index.swap_arrays(sw, since + self._base)
