"""``TraceModel``: the append-only event log and the world at any tick (no Qt).

Time travel uses keyframes: every ``keyframe_every`` events the model keeps the tensors and
functions as they stand, split into chunks of 256 ids; a keyframe shares every chunk that did not
change since the previous one, so a long run costs little more than its events. ``state_at(k)``
merges the nearest keyframe's chunks and folds at most ``keyframe_every`` events forward. Graph
nodes and edges are only ever added, so the graph at tick ``k`` is a prefix of one master list.

Arrays are the events' own read-only snapshots, shared by every state and never copied. With a
``memory_budget_bytes``, the oldest events' arrays are replaced by their ``ArraySummary`` once the
payload exceeds the budget (``dropped_payloads`` counts those events).

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
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from visgrad import events as ev_
from visgrad.trace.codec import ArraySummary, summarize
from visgrad.trace.fold import Folder
from visgrad.trace.ledger import LedgerBook
from visgrad.trace.state import FunctionState, LedgerEntry, State, TensorState

CHUNK_SHIFT = 8


@dataclass(slots=True)
class _Keyframe:
    """The folder's state after the first ``applied`` events."""

    applied: int
    tchunks: dict[int, dict[int, TensorState]]
    fchunks: dict[int, dict[int, FunctionState]]
    alias: dict[int, int]
    names: dict[int, str]
    phase: str
    backward_index: int
    in_backward: bool
    after_backward: bool
    error: Any
    current: tuple[str, ...]
    grad_edges: tuple[tuple[str, str], ...]


def _chunked(prev: dict[int, dict], dirty: set[int], live: dict) -> dict[int, dict]:
    """``prev`` with the chunks holding ``dirty`` ids copied and brought up to date."""
    out = dict(prev)
    by_chunk: dict[int, list[int]] = {}
    for i in dirty:
        by_chunk.setdefault(i >> CHUNK_SHIFT, []).append(i)
    for ck, ids in by_chunk.items():
        c = dict(out.get(ck, ()))
        for i in sorted(ids):
            c[i] = live[i]
        out[ck] = c
    return out


def _merge(chunks: dict[int, dict]) -> dict:
    out: dict = {}
    for ck in sorted(chunks):
        out.update(chunks[ck])
    return out


def _payload(ev: ev_.Event) -> int:
    n = 0
    for f in fields(ev):
        v = getattr(ev, f.name)
        if isinstance(v, np.ndarray):
            n += v.nbytes
        elif isinstance(v, tuple):
            n += sum(a.nbytes for a in v if isinstance(a, np.ndarray))
    return n


def _summarized(ev: ev_.Event, swapped: dict[int, ArraySummary]) -> ev_.Event:
    """``ev`` with every array replaced by its summary (recorded in ``swapped`` by array id)."""

    def summ(a: np.ndarray) -> ArraySummary:
        s = summarize(a)
        swapped[id(a)] = s
        return s

    changes: dict[str, Any] = {}
    for f in fields(ev):
        v = getattr(ev, f.name)
        if isinstance(v, np.ndarray):
            changes[f.name] = summ(v)
        elif isinstance(v, tuple) and any(isinstance(a, np.ndarray) for a in v):
            changes[f.name] = tuple(summ(a) if isinstance(a, np.ndarray) else a for a in v)
    return replace(ev, **changes)


class TraceModel:
    """Append-only event log with the world, the graph and the grad ledger at any tick."""

    def __init__(
        self,
        events: Iterable[ev_.Event] = (),
        *,
        memory_budget_bytes: int | None = None,
        keyframe_every: int = 256,
    ) -> None:
        self._events: list[ev_.Event] = []
        self._k = max(1, int(keyframe_every))
        self.memory_budget_bytes = memory_budget_bytes
        self._acc_of: dict[int, int] = {}
        self._edges: list[tuple[str, str]] = []
        self._nodes: list[str] = []
        self._edge_count = array("q")
        self._node_count = array("q")
        self._out_ticks: list[int] = []
        self._out_texts: list[str] = []
        self._seq_tick: dict[int, int] = {}
        self._bytes = array("q")
        self._payload_bytes = 0
        self._drop_next = 0
        self.dropped_payloads = 0
        self._book = LedgerBook()
        self._iter_ticks: list[int] = []  # tick and seq of the op that began iterations 2, 3, ...
        self._iter_seqs: list[int] = []
        self._iter_lead_seqs: list[int] = []  # seq of the BackwardEnd before each of those
        self._backward_end_seq = 0
        self._awaiting_iteration = False  # a backward ended; the next recorded op begins one
        self._head = Folder(self._acc_of)
        self._head.new_edges = self._edges
        self._head.new_nodes = self._nodes
        self._head.dirty_t = set()
        self._head.dirty_f = set()
        self._keyframes: list[_Keyframe] = [self._keyframe_of(self._head, 0, {}, {})]
        self.extend(events)

    # -- the log -----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._events)

    @property
    def events(self) -> list[ev_.Event]:
        """The log itself (read it, never change it; payload-dropped events hold summaries)."""
        return self._events

    @property
    def payload_bytes(self) -> int:
        """Bytes of array payload the log still holds."""
        return self._payload_bytes

    @property
    def names(self) -> dict[int, str]:
        """The program's name of each named tensor id as of the newest event (read, never change)."""
        return self._head.names

    def append(self, ev: ev_.Event) -> None:
        """Add the next event of the run."""
        tick = len(self._events)
        self._events.append(ev)
        self._seq_tick[ev.seq] = tick
        head = self._head
        self._book.observe(ev, tick, head.tensors)
        head.apply(ev)
        self._track_iteration(ev, tick)
        if type(ev) is ev_.Output:
            self._out_ticks.append(tick)
            self._out_texts.append(ev.text)
        self._edge_count.append(len(self._edges))
        self._node_count.append(len(self._nodes))
        if (tick + 1) % self._k == 0:
            prev = self._keyframes[-1]
            self._keyframes.append(
                self._keyframe_of(
                    head,
                    tick + 1,
                    _chunked(prev.tchunks, head.dirty_t, head.tensors),
                    _chunked(prev.fchunks, head.dirty_f, head.functions),
                )
            )
            head.dirty_t = set()
            head.dirty_f = set()
        b = _payload(ev)
        self._bytes.append(b)
        self._payload_bytes += b
        if self.memory_budget_bytes is not None and self._payload_bytes > self.memory_budget_bytes:
            self._drop_payloads()

    def _track_iteration(self, ev: ev_.Event, tick: int) -> None:
        kind = type(ev)
        if kind is ev_.BackwardEnd:
            self._awaiting_iteration = True
            self._backward_end_seq = ev.seq
        elif self._awaiting_iteration and (
            (kind is ev_.ForwardOp and ev.node is not None)
            or (kind is ev_.InplaceUpdate and ev.recorded and ev.node is not None)
        ):
            self._awaiting_iteration = False
            self._iter_ticks.append(tick)
            self._iter_seqs.append(ev.seq)
            self._iter_lead_seqs.append(self._backward_end_seq)

    def extend(self, evs: Iterable[ev_.Event]) -> None:
        """Append several events in order."""
        for ev in evs:
            self.append(ev)

    def tick_of_seq(self, seq: int) -> int:
        """The tick of the event numbered ``seq`` (KeyError when the log has none)."""
        return self._seq_tick[seq]

    @staticmethod
    def _keyframe_of(f: Folder, applied: int, tch: dict, fch: dict) -> _Keyframe:
        return _Keyframe(
            applied,
            tch,
            fch,
            dict(f.alias),
            dict(f.names),
            f.phase,
            f.backward_index,
            f.in_backward,
            f.after_backward,
            f.error,
            f.current,
            f.grad_edges,
        )

    # -- queries -----------------------------------------------------------------------------------
    def _clamp(self, tick: int) -> int:
        return max(-1, min(int(tick), len(self._events) - 1))

    def state_at(self, tick: int) -> State:
        """The world right after event ``tick`` (``-1``: before the first event)."""
        tick = self._clamp(tick)
        if tick < 0:
            return State(tick=-1, seq=0, event=None, phase="idle", backward_index=0)
        if tick == len(self._events) - 1:
            f = self._head
            tensors, functions = dict(f.tensors), dict(f.functions)
        else:
            kf = self._keyframes[min((tick + 1) // self._k, len(self._keyframes) - 1)]
            f = Folder(self._acc_of)
            f.tensors, f.functions = _merge(kf.tchunks), _merge(kf.fchunks)
            f.alias, f.names = dict(kf.alias), dict(kf.names)
            f.phase, f.backward_index, f.in_backward = kf.phase, kf.backward_index, kf.in_backward
            f.after_backward = kf.after_backward
            f.error, f.current, f.grad_edges = kf.error, kf.current, kf.grad_edges
            evs = self._events
            for i in range(kf.applied, tick + 1):
                f.apply(evs[i])
            tensors, functions = f.tensors, f.functions
        ev = self._events[tick]
        n = bisect_right(self._iter_ticks, tick)
        return State(
            tick=tick,
            seq=ev.seq,
            event=ev,
            phase=f.phase,
            backward_index=f.backward_index,
            tensors=tensors,
            functions=functions,
            edges=self._edges[: self._edge_count[tick]],
            current=f.current,
            grad_edges=f.grad_edges,
            output=self._output_at(tick),
            error=f.error,
            iteration=n + 1,
            scope_start_seq=self._iter_seqs[n - 1] if n else 0,
            scope_lead_seq=self._iter_lead_seqs[n - 1] if n else 0,
        )

    @property
    def iteration_starts(self) -> list[int]:
        """Ticks at which iterations 2, 3, ... begin (read, never change)."""
        return self._iter_ticks

    def iteration_at(self, tick: int) -> int:
        """The iteration ``tick`` is in (1-based; 0 before the first event)."""
        tick = self._clamp(tick)
        return 0 if tick < 0 else bisect_right(self._iter_ticks, tick) + 1

    def scope_at(self, tick: int) -> set[str]:
        """Keys of the current iteration's graph at ``tick`` (see ``State.scope_keys``)."""
        return self.state_at(tick).scope_keys()

    def _output_at(self, tick: int) -> str:
        return "".join(self._out_texts[: bisect_right(self._out_ticks, tick)])

    def graph_keys_at(self, tick: int) -> tuple[set[str], set[tuple[str, str]]]:
        """Node keys and (src, dst) edge keys of the graph at ``tick``, without folding."""
        tick = self._clamp(tick)
        if tick < 0:
            return set(), set()
        return set(self._nodes[: self._node_count[tick]]), set(
            self._edges[: self._edge_count[tick]]
        )

    def ledger(self, tensor_id: int, tick: int | None = None) -> list[LedgerEntry]:
        """Every change to ``tensor_id``'s ``.grad`` up to ``tick`` (all when None), in order."""
        return self._book.entries_until(tensor_id, None if tick is None else self._clamp(tick))

    # -- memory budget -----------------------------------------------------------------------------
    def _drop_payloads(self) -> None:
        """Summarize the oldest events' arrays until the payload is back under 90% of the budget."""
        goal = int(self.memory_budget_bytes * 0.9)
        swapped: dict[int, ArraySummary] = {}
        renewed: dict[int, ev_.Event] = {}
        evs = self._events
        while self._payload_bytes > goal and self._drop_next < len(evs):
            i = self._drop_next
            self._drop_next += 1
            if not self._bytes[i]:
                continue
            old = evs[i]
            evs[i] = _summarized(old, swapped)
            renewed[id(old)] = evs[i]
            self._payload_bytes -= self._bytes[i]
            self._bytes[i] = 0
            self.dropped_payloads += 1
        if swapped:
            self._swap_arrays(swapped, renewed)

    def _swap_arrays(self, swapped: dict[int, ArraySummary], renewed: dict[int, ev_.Event]) -> None:
        """Point every state object and ledger entry that held a dropped array at its summary."""

        def sw(v: Any) -> Any:
            if isinstance(v, np.ndarray):
                return swapped.get(id(v), v)
            if isinstance(v, tuple):
                return tuple(swapped.get(id(a), a) if isinstance(a, np.ndarray) else a for a in v)
            return v

        dicts: list[dict] = [self._head.tensors, self._head.functions]
        for kf in self._keyframes:
            dicts.extend(kf.tchunks.values())
            dicts.extend(kf.fchunks.values())
        seen_dicts: set[int] = set()
        seen: set[int] = set()
        for d in dicts:
            if id(d) in seen_dicts:
                continue
            seen_dicts.add(id(d))
            for obj in d.values():
                if id(obj) in seen:
                    continue
                seen.add(id(obj))
                # The same immutable numbers as a summary: mutating in place keeps sharing intact.
                if type(obj) is TensorState:
                    obj.value, obj.grad = sw(obj.value), sw(obj.grad)
                else:
                    obj.grads_in, obj.grads_out = sw(obj.grads_in), sw(obj.grads_out)
        book = self._book
        for tid, entries in book.entries.items():
            book.entries[tid] = [
                replace(e, contribution=sw(e.contribution), grad_after=sw(e.grad_after))
                for e in entries
            ]
        book.swap_events(renewed)
