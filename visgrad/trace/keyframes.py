"""Keyframes: the folder's state every ``keyframe_every`` events, for time travel (no Qt).

Tensors and functions are kept in chunks of ``1 << CHUNK_SHIFT`` ids; a keyframe shares every
chunk that did not change since the previous one and records which ones it rebuilt, so the
memory budget can find the states made after a tick without walking the whole run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from visgrad.trace.fold import Folder
from visgrad.trace.state import FunctionState, StateT, TensorState

CHUNK_SHIFT = 8  # ids per chunk: 256


@dataclass(slots=True)
class Keyframe:
    """The folder's state after the first ``applied`` events."""

    applied: int
    tchunks: dict[int, dict[int, TensorState]]
    fchunks: dict[int, dict[int, FunctionState]]
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
    prev: dict[int, dict[int, StateT]], dirty: set[int], live: dict[int, StateT]
) -> tuple[dict[int, dict[int, StateT]], tuple[int, ...]]:
    """``prev`` with the chunks holding ``dirty`` ids copied and brought up to date, and the
    keys of those chunks."""
    out = dict(prev)
    by_chunk: dict[int, list[int]] = {}
    for i in dirty:
        by_chunk.setdefault(i >> CHUNK_SHIFT, []).append(i)
    for ck, ids in by_chunk.items():
        c = dict(out.get(ck, ()))
        for i in sorted(ids):
            c[i] = live[i]
        out[ck] = c
    return out, tuple(by_chunk)


def keyframe_of(
    f: Folder,
    applied: int,
    tch: dict[int, dict[int, TensorState]],
    fch: dict[int, dict[int, FunctionState]],
) -> Keyframe:
    """The keyframe of folder ``f`` after ``applied`` events, with these chunks."""
    return Keyframe(
        applied,
        tch,
        fch,
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
