"""Keyframes: the folder's state every ``keyframe_every`` events, for time travel (no Qt).

Tensors and functions are kept in chunks of ``1 << CHUNK_SHIFT`` ids, held in a persistent
``ChunkMap``: a keyframe shares every chunk that did not change since the previous one (and the
map's nodes above them), so it costs what changed, not the size of the run. It records which
chunks it rebuilt, so the memory budget can find the states made after a tick without walking
the whole run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from visgrad.trace.chunk_map import ChunkMap
from visgrad.trace.fold import Folder
from visgrad.trace.state import FunctionState, StateT, TensorState

CHUNK_SHIFT = 8  # ids per chunk: 256


@dataclass(slots=True)
class Keyframe:
    """The folder's state after the first ``applied`` events."""

    applied: int
    tchunks: ChunkMap[dict[int, TensorState]]
    fchunks: ChunkMap[dict[int, FunctionState]]
    alias: dict[int, int]
    names: dict[int, str]
    grad_tensor_of: dict[int, int]
    phase: str
    backward_index: int
    in_backward: bool
    after_backward: bool
    error: Any
    current: tuple[str, ...]
    grad_edges: tuple[tuple[str, str], ...]
    # Keys of the chunks this keyframe rebuilt (the others it shares with the one before).
    tbuilt: tuple[int, ...] = ()
    fbuilt: tuple[int, ...] = ()


def chunked(
    prev: ChunkMap[dict[int, StateT]], dirty: Iterable[int], live: dict[int, StateT]
) -> tuple[ChunkMap[dict[int, StateT]], tuple[int, ...]]:
    """``prev`` with the chunks holding ``dirty`` ids copied and brought up to date, and the
    keys of those chunks."""
    by_chunk: dict[int, list[int]] = {}
    for i in dirty:
        by_chunk.setdefault(i >> CHUNK_SHIFT, []).append(i)
    changes: dict[int, dict[int, StateT]] = {}
    for ck, ids in by_chunk.items():
        c = dict(prev.get(ck) or ())
        for i in sorted(ids):
            c[i] = live[i]
        changes[ck] = c
    return prev.updated(changes), tuple(by_chunk)


def keyframe_of(
    f: Folder,
    applied: int,
    tch: ChunkMap[dict[int, TensorState]] | None = None,
    fch: ChunkMap[dict[int, FunctionState]] | None = None,
) -> Keyframe:
    """The keyframe of folder ``f`` after ``applied`` events, with these chunks (none: empty)."""
    return Keyframe(
        applied,
        ChunkMap() if tch is None else tch,
        ChunkMap() if fch is None else fch,
        dict(f.alias),
        dict(f.names),
        dict(f.grad_tensor_of),
        f.phase,
        f.backward_index,
        f.in_backward,
        f.after_backward,
        f.error,
        f.current,
        f.grad_edges,
    )
