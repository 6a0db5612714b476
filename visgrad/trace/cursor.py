"""The fold at the past tick asked for last, so stepping forward through the past is cheap.

``TraceModel.state_at`` of a past tick folds from the keyframe before it: merging the keyframe's
chunks and applying up to a keyframe interval of events, about 10 ms for a 20,000-node graph.
Stepping forward one event at a time repeats nearly all of that work. The cursor keeps the
folder it made last and, asked for a tick at most an interval ahead, applies only the events in
between. States it hands out get copies of its dicts, so they never change afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from visgrad import events as ev_
from visgrad.trace.chunk_map import ChunkMap
from visgrad.trace.fold import Folder
from visgrad.trace.state import FunctionState, StateT, TensorState


def merge(chunks: ChunkMap[dict[int, StateT]]) -> dict[int, StateT]:
    """One dict of a keyframe's chunks, in chunk order."""
    out: dict[int, StateT] = {}
    for _ck, c in chunks.sorted_items():
        out.update(c)
    return out


def folder_from(kf: Any, shared: dict[str, dict[int, int]]) -> Folder:
    """A folder holding the world of keyframe ``kf``."""
    f = Folder(shared)
    f.tensors, f.functions = merge(kf.tchunks), merge(kf.fchunks)
    f.alias, f.names = dict(kf.alias), dict(kf.names)
    f.grad_tensor_of = dict(kf.grad_tensor_of)
    f.phase, f.backward_index, f.in_backward = kf.phase, kf.backward_index, kf.in_backward
    f.after_backward = kf.after_backward
    f.error, f.current, f.grad_edges = kf.error, kf.current, kf.grad_edges
    return f


class FoldCursor:
    """A folder at the latest past tick asked for (one per model; thread-safe)."""

    def __init__(self, shared: dict[str, dict[int, int]]) -> None:
        self._shared = shared
        self._at: tuple[int, Folder] | None = None
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget the folder (its states may hold arrays the model no longer keeps)."""
        with self._lock:
            self._at = None

    def fold(
        self,
        tick: int,
        keyframes: list[Any],
        every: int,
        evs: Sequence[ev_.Event],
        base: int = 0,
    ) -> tuple[Folder, dict[int, TensorState], dict[int, FunctionState]]:
        """The folder at ``tick`` and copies of its tensors and functions (``evs`` by tick; the
        first keyframe is the world at tick ``base``, where a trace that forgot events starts)."""
        if not self._lock.acquire(blocking=False):  # another thread has it: fold on our own
            f = self._from_keyframe(tick, keyframes, every, evs, base)
            return f, f.tensors, f.functions
        try:
            at = self._at
            if at is not None and at[0] <= tick < at[0] + every:
                f = at[1]
                for i in range(at[0] + 1, tick + 1):
                    f.apply(evs[i])
            else:
                f = self._from_keyframe(tick, keyframes, every, evs, base)
            self._at = (tick, f)
            return f, dict(f.tensors), dict(f.functions)
        finally:
            self._lock.release()

    def _from_keyframe(
        self, tick: int, keyframes: list[Any], every: int, evs: Sequence[ev_.Event], base: int
    ) -> Folder:
        kf = keyframes[min((tick + 1 - base) // every, len(keyframes) - 1)]
        f = folder_from(kf, self._shared)
        for i in range(kf.applied, tick + 1):
            f.apply(evs[i])
        return f
