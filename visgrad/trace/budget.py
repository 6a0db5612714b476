"""The memory budget: what a trace costs the app's process, and what it gives up to stay within.

The budget covers the whole trace model: array payloads, every event with what the fold keeps
for it (``EVENT_BYTES`` each, an estimate ``benchmarks/bench_memory.py`` checks) and the
program's printed text. Over the budget, the oldest events' arrays are replaced by an
``ArraySummary`` (statistics and a short preview) until the arrays are back within what the
events and text leave; the newest arrays always keep a quarter of the budget, so the ticks
being looked at have numbers. Arrays of at most ``SMALL_ARRAY`` bytes are kept whole (a summary
costs more) and count with their event. Nothing already folded is changed: states that
held a dropped array are replaced by new ones holding its summary (``TraceModel._drop_payloads``).

Printed text is kept within ``output_limit`` characters: its start and its newest part
(``trace/output.py``). The events themselves are never dropped (the graph and the statistics at
every tick need them), so a run far past its budget still grows by about ``EVENT_BYTES`` an event.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import fields, replace
from typing import Any

import numpy as np

from visgrad import events as ev_
from visgrad.trace import keyframes as kfs
from visgrad.trace.chunk_map import ChunkMap
from visgrad.trace.codec import field_names
from visgrad.trace.output import OUTPUT_HEAD, OUTPUT_LIMIT
from visgrad.trace.state import FunctionState, TensorState
from visgrad.trace.summary import ArraySummary, summarize

# What one event costs beyond its arrays: the event as decoded (ids, shapes, source, array
# headers), its states in the fold and the keyframes, graph keys and index entries.
# ``benchmarks/bench_memory.py`` measures about 1.5 KB of resident memory an event (an op loop);
# the estimate stays above it for what the allocator cannot give back.
EVENT_BYTES = 1_900
SMALL_ARRAY = 64  # bytes: an array this small is kept whole (its summary costs more)
SUMMARY_PREVIEW = 6  # values a summary made for the budget keeps (the views show at most six)
DEFAULT_MIN, DEFAULT_MAX = 256 << 20, 2 << 30  # the default budget's bounds


def default_budget() -> int:
    """The budget when the user gives none: a quarter of the machine's memory, at most 2 GiB."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        total = 8 << 30
    return max(DEFAULT_MIN, min(DEFAULT_MAX, total // 4))


def output_limit(budget: int | None) -> int:
    """Characters of printed text a trace with this budget keeps (an eighth of it at most)."""
    if budget is None:
        return OUTPUT_LIMIT
    return max(OUTPUT_HEAD, min(OUTPUT_LIMIT, budget // 8))


def sizes(ev: ev_.Event) -> tuple[int, int]:
    """Bytes of the arrays in ``ev`` the budget may drop, and of those it keeps whole."""
    big = small = 0
    for name in field_names(type(ev)):
        v = getattr(ev, name)
        for a in (v,) if type(v) is not tuple else v:
            if type(a) is np.ndarray:
                if a.nbytes > SMALL_ARRAY:
                    big += a.nbytes
                else:
                    small += a.nbytes
    return big, small


def payload(ev: ev_.Event) -> int:
    """Bytes of array payload in ``ev`` the budget may drop."""
    return sizes(ev)[0]


MEMO_MAX = 1 << 14  # distinct summaries a model shares at most


def summarized(
    ev: ev_.Event, swapped: dict[int, ArraySummary], memo: dict[ArraySummary, ArraySummary]
) -> ev_.Event:
    """``ev`` with every array over ``SMALL_ARRAY`` bytes replaced by its summary (recorded in
    ``swapped`` by array id). Equal summaries (zeroed gradients, a constant made every step)
    are kept once, through ``memo`` (the model's, bounded)."""

    def summ(a: np.ndarray) -> np.ndarray | ArraySummary:
        if a.nbytes <= SMALL_ARRAY:
            return a
        s = summarize(a, SUMMARY_PREVIEW)
        s = memo.setdefault(s, s) if len(memo) < MEMO_MAX else memo.get(s, s)
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


def swapper(swapped: dict[int, ArraySummary]) -> Callable[[Any], Any]:
    """A function mapping an array (or a tuple of them) to its summary when it was dropped."""

    def sw(v: Any) -> Any:
        if isinstance(v, np.ndarray):
            return swapped.get(id(v), v)
        if isinstance(v, tuple):
            return tuple(swapped.get(id(a), a) if isinstance(a, np.ndarray) else a for a in v)
        return v

    return sw


class Renewer:
    """New state objects for old ones that held dropped arrays; the same object otherwise.

    One old object shared by several keyframes gets one new object shared the same way.
    """

    def __init__(self, sw: Callable[[Any], Any]) -> None:
        self.sw = sw
        # id -> (old, new): holding the old object keeps its id from being reused meanwhile.
        self._memo: dict[int, tuple[Any, Any]] = {}
        self._dicts: dict[int, tuple[dict[int, Any], dict[int, Any]]] = {}

    def state(self, obj: Any) -> Any:
        got = self._memo.get(id(obj))
        if got is not None:
            return got[1]
        sw = self.sw
        new: Any
        if type(obj) is TensorState:
            v, g, d = sw(obj.value), sw(obj.grad), sw(obj.dloss)
            same = v is obj.value and g is obj.grad and d is obj.dloss
            new = obj if same else replace(obj, value=v, grad=g, dloss=d)
        elif type(obj) is FunctionState:
            gi, go = sw(obj.grads_in), sw(obj.grads_out)
            same = _same(gi, obj.grads_in) and _same(go, obj.grads_out)
            new = obj if same else replace(obj, grads_in=gi, grads_out=go)
        else:
            new = obj
        self._memo[id(obj)] = (obj, new)
        return new

    def chunk(self, d: dict[int, Any]) -> dict[int, Any]:
        """``d`` with renewed states (``d`` itself when none changed; shared chunks stay shared)."""
        got = self._dicts.get(id(d))
        if got is not None:
            return got[1]
        new = {k: self.state(v) for k, v in d.items()}
        out = d if all(new[k] is d[k] for k in d) else new
        self._dicts[id(d)] = (d, out)
        return out


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        return all(x is y for x, y in zip(a, b, strict=True))
    return False


def _renewed(
    chunks: ChunkMap[dict[int, Any]], keys: set[int], r: Renewer
) -> ChunkMap[dict[int, Any]]:
    """The keyframe chunk map ``chunks`` with the chunks at ``keys`` renewed (a new map that
    shares the rest; ``chunks`` itself when none changed)."""
    changes: dict[int, dict[int, Any]] = {}
    for ck in keys:
        c = chunks.get(ck)
        if c is not None:
            new = r.chunk(c)
            if new is not c:
                changes[ck] = new
    return chunks.updated(changes)


def renew(
    head: Any,
    keyframes: list[Any],
    sw: Callable[[Any], Any],
    since: int,
    every: int,
    base: int = 0,
) -> None:
    """Put states holding summaries for dropped arrays in the head and the keyframes, in place.

    Only arrays of events at ticks ``>= since`` were dropped (older ones were swapped before),
    and a state holds arrays of events no later than the tick that made it. So only keyframes
    taken after ``since`` can hold one, and in them only the chunks rebuilt after ``since``;
    in the head, only those chunks' ids and the ids changed since the last keyframe at a tick
    ``>= since`` (``base + since`` in the head's ticks). The work is bounded by what changed
    since ``since``, not by the length of the run nor by the keyframe interval.
    """
    r = Renewer(sw)
    tkeys: set[int] = set()
    fkeys: set[int] = set()
    for kf in keyframes[since // every + 1 :]:
        tkeys.update(kf.tbuilt)
        fkeys.update(kf.fbuilt)
        kf.tchunks = _renewed(kf.tchunks, tkeys, r)
        kf.fchunks = _renewed(kf.fchunks, fkeys, r)
    for d, keys, dirty in (
        (head.tensors, tkeys, head.dirty_t),
        (head.functions, fkeys, head.dirty_f),
    ):
        first = base + since
        ids = {i for i, t in dirty.items() if t >= first}
        for ck in keys:
            lo = ck << kfs.CHUNK_SHIFT
            ids.update(i for i in range(lo, lo + (1 << kfs.CHUNK_SHIFT)) if i in d)
        for i in ids:
            v = d.get(i)
            if v is not None:
                d[i] = r.state(v)
