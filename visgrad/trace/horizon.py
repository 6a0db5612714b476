"""The horizon: a trace over its memory budget forgets its oldest events (no Qt).

Dropping arrays (``trace/budget.py``) bounds the payloads, but every event still costs its
record, its states and its graph keys, so a long run would grow without end. When those pass
half the budget the model forgets the events before a horizon tick ``H``, keeping the newest
quarter of the budget's worth: it is rebuilt as a trace that began at ``H``, seeded with the
world at ``H - 1`` as far as later events need it (parameters and leaves first, then constant inputs,
aliases and ``.grad`` tensors, the newest first, with their values, gradients and names, within
an eighth of the budget). Later events that reach an older tensor find a placeholder, as
in a trace whose recording began late.

Ticks keep their numbers: ``len(model)`` counts every event the run sent, ``model.events[t]``
for a forgotten ``t`` is ``FORGOTTEN`` and ``state_at(t)`` is the seeded world, with
``State.forgotten`` saying how many events are gone (every state says it, so every view can).
The printed text (already bounded), the training statistics, NaN origins and unzeroed-gradient
findings of the whole run are kept: they are small and the user looks for them first.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, overload

import numpy as np

from visgrad import events as ev_
from visgrad.trace.chunk_map import ChunkMap
from visgrad.trace.keyframes import chunked, keyframe_of
from visgrad.trace.keys import tkey
from visgrad.trace.state import TensorState

if TYPE_CHECKING:
    from visgrad.trace.fold import Folder
    from visgrad.trace.model import TraceModel

# What ``model.events[t]`` is for a forgotten tick: one shared object, never folded.
FORGOTTEN = ev_.RunState(seq=0, state="forgotten", reason="memory budget")
MIN_KEPT = 64  # events a trace always keeps, however small its budget
SHARED_KEPT = 4096  # entries of each id-to-id table kept from before the horizon at most
_SEEDED_ROLES = frozenset({"parameter", "leaf", "input"})


def note(forgotten: int, budget: int | None, kept: int) -> str:
    """The sentence every view shows once a trace forgot events (``budget``: the model's, in
    bytes; None for a truncated file opened without one; ``kept``: the events still held)."""
    if budget is None:
        return (
            f"{forgotten:,} earlier events were forgotten to stay under the memory budget "
            f"before this trace was saved; it starts at tick {forgotten:,}."
        )
    mb = budget / 2**20
    return (
        f"{forgotten:,} earlier events were forgotten to stay under the memory budget of "
        f"{mb:,.{0 if mb >= 10 else 1}f} MB; time travel reaches back to tick "
        f"{forgotten:,}, and a saved trace keeps only the newest {kept:,} events."
    )


def truncation_note(first_tick: int) -> str:
    """One line saying a loaded trace is truncated (empty for a whole one)."""
    if first_tick <= 0:
        return ""
    return (
        f"truncated trace: the run's first {first_tick:,} events were forgotten to stay within "
        f"the memory budget before it was saved; it starts at tick {first_tick:,}"
    )


class TickLog(Sequence[ev_.Event]):
    """The model's events by absolute tick; a forgotten tick gives ``FORGOTTEN``."""

    def __init__(self, model: TraceModel) -> None:
        self._m = model

    def __len__(self) -> int:
        return len(self._m)

    @overload
    def __getitem__(self, i: int) -> ev_.Event: ...

    @overload
    def __getitem__(self, i: slice) -> list[ev_.Event]: ...

    def __getitem__(self, i: int | slice) -> ev_.Event | list[ev_.Event]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n, base = len(self._m), self._m.forgotten
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("tick out of range")
        return FORGOTTEN if i < base else self._m.kept_events[i - base]

    def __iter__(self) -> Iterator[ev_.Event]:
        for _ in range(self._m.forgotten):
            yield FORGOTTEN
        yield from self._m.kept_events


def _array_bytes(ts: TensorState) -> int:
    return sum(a.nbytes for a in (ts.value, ts.grad, ts.dloss) if type(a) is np.ndarray)


def _seeds(f: Folder, room: int, each: int) -> dict[int, TensorState]:
    """The tensors of folder ``f`` later events may reach, newest first, within ``room`` bytes."""
    wanted = {i for i, ts in f.tensors.items() if ts.role in _SEEDED_ROLES}
    wanted.update(v for v in f.alias.values() if v in f.tensors)
    wanted.update(v for v in f.grad_tensor_of.values() if v in f.tensors)
    out: dict[int, TensorState] = {}

    # Parameters and leaves first (a training loop's state), then the newest others.
    def rank(i: int) -> tuple[bool, int]:
        ts = f.tensors[i]
        return ts.role not in ("parameter", "leaf"), -ts.created_seq

    for i in sorted(wanted, key=rank):
        ts = f.tensors[i]
        room -= each + _array_bytes(ts)
        if room < 0:
            break
        out[i] = ts
    return dict(sorted(out.items()))


def _newest(d: dict[int, int], keep: set[int], n: int = SHARED_KEPT) -> dict[int, int]:
    got = [(k, v) for k, v in d.items() if k in keep or v in keep]
    return dict(got[-n:])


def forget_before(m: TraceModel, h: int, each: int) -> TraceModel:
    """A model holding ``m``'s events from tick ``h`` on, seeded with the world at ``h - 1``.

    ``each``: the bytes one seeded tensor costs beyond its arrays (the budget's estimate).
    ``m`` is left as it was; the caller takes the new model's place (``TraceModel._forget``).
    """
    limit = m.memory_budget_bytes
    f, _t, _f = m._cursor.fold(h - 1, m._keyframes, m._k, m.events, m.forgotten)
    new = type(m)(memory_budget_bytes=limit, keyframe_every=m._k)
    room = (limit or 0) // 8
    seeds = _seeds(f, room, each)
    head = new._head
    head.tensors = dict(seeds)
    head.names = {i: s for i, s in f.names.items() if i in seeds}
    head.alias = {k: v for k, v in f.alias.items() if v in seeds}
    head.grad_tensor_of = {k: v for k, v in f.grad_tensor_of.items() if k in seeds}
    head.phase, head.backward_index = f.phase, f.backward_index
    head.in_backward, head.after_backward, head.error = f.in_backward, f.after_backward, f.error
    keep = set(seeds)
    for name, d in m._shared.items():
        new._shared[name].update(_newest(d, keep))
    new._nodes.extend(tkey(i) for i in seeds)
    tch, built = chunked(ChunkMap(), keep, head.tensors)
    kf = keyframe_of(head, h, tch)
    kf.tbuilt = built
    new._keyframes[0] = kf
    new._base, new._seeded = h, len(new._nodes)
    new._meta_bytes = sum(each + _array_bytes(ts) for ts in seeds.values())
    # Kept whole, as they were: already bounded, or small and wanted for the whole run.
    new._output, new.full_texts, new._training = m._output, m.full_texts, m._training
    new._summaries, new.dropped_payloads = m._summaries, m.dropped_payloads
    index, old = new._index, m._index
    index.base = h
    index._awaiting_iteration = f.after_backward  # a start just past ``h`` is counted
    new._refolding = True
    try:
        new.extend(m.kept_events[h - m.forgotten :])
    finally:
        new._refolding = False
    # The run's findings as they were (the refold found the kept ones again): the training
    # statistics read the same list.
    index.origins, index.unzeroed = old.origins, old.unzeroed
    last = len(m) - 1
    gone = len([t for t in old.iter_ticks if t <= last]) - len(index.iter_ticks)
    new._iter_offset = m._iter_offset + gone
    for t in range(m.forgotten, h):
        m.full_texts.forget(t, m.kept_events[t - m.forgotten])
    return new


def due(m: TraceModel) -> bool:
    """Whether ``m``, its events past half its budget, keeps enough of them to forget some."""
    return len(m.kept_events) > 2 * MIN_KEPT


def forget_oldest(m: TraceModel, each: int) -> TraceModel:
    """``m`` without its oldest events, keeping the newest quarter of its budget's worth."""
    assert m.memory_budget_bytes is not None  # only a budget forgets
    keep = max(MIN_KEPT, m.memory_budget_bytes // 4 // each)
    return forget_before(m, max(m.forgotten + 1, len(m) - keep), each)


def observe(m: TraceModel, ev: ev_.Event, tick: int, whole: int) -> None:
    """The run's statistics and printed text take in event ``ev`` at ``tick`` (a refold leaves
    them as they were); prints dropped for room leave an empty text in their events."""
    m._training.observe(ev, tick, m._index.iteration + m._iter_offset, m._head.tensors)
    if type(ev) is ev_.Output:
        for t in m._output.add(tick, ev.text, whole):
            if t < m._base:
                continue
            old = m._events[t - m._base]
            m.full_texts.forget(t, old)
            if isinstance(old, ev_.Output):
                m._events[t - m._base] = replace(old, text="")
