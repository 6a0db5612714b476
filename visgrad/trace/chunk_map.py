"""A persistent map from int keys to values: each update makes a new map sharing what it kept.

Keyframes hold the tensors and functions of a run in chunks (see ``keyframes``). A flat dict of
chunks copied at every keyframe costs each keyframe as much as the number of chunks so far, so a
long run's keyframes together cost the square of its length. A ``ChunkMap`` is a trie of
``WIDTH``-slot nodes: ``updated`` copies only the nodes on the paths of the keys it changes, so a
keyframe costs what changed since the one before, and every earlier map stays as it was.

Keys may be negative: they are stored zigzag-encoded (0, -1, 1, -2, ... as 0, 1, 2, 3, ...).
Values are never ``None`` (``None`` marks an empty slot).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Generic, TypeVar

V = TypeVar("V")

BITS = 4
WIDTH = 1 << BITS
_MASK = WIDTH - 1

Node = list[object]


def _zig(key: int) -> int:
    return key << 1 if key >= 0 else (-key << 1) - 1


def _unzig(z: int) -> int:
    return z >> 1 if not z & 1 else -((z + 1) >> 1)


def _put(node: Node | None, shift: int, items: list[tuple[int, object]]) -> tuple[Node, int]:
    """A copy of ``node`` with ``items`` (zigzag key, value) put below it, and how many keys
    were new."""
    out: Node = list(node) if node is not None else [None] * WIDTH
    added = 0
    if shift == 0:
        for z, v in items:
            d = z & _MASK
            added += out[d] is None
            out[d] = v
        return out, added
    groups: dict[int, list[tuple[int, object]]] = {}
    for z, v in items:
        groups.setdefault((z >> shift) & _MASK, []).append((z, v))
    for d, group in groups.items():
        child = out[d]
        out[d], more = _put(child if isinstance(child, list) else None, shift - BITS, group)
        added += more
    return out, added


class ChunkMap(Generic[V]):
    """An immutable map ``int -> V``; ``updated`` returns a new one."""

    __slots__ = ("_depth", "_len", "_root")

    def __init__(self) -> None:
        self._root: Node | None = None
        self._depth = 1  # levels of nodes; the root covers zigzag keys below WIDTH ** depth
        self._len = 0

    def __len__(self) -> int:
        return self._len

    def get(self, key: int, default: V | None = None) -> V | None:
        """The value of ``key``, or ``default``."""
        z = _zig(key)
        shift = BITS * (self._depth - 1)
        if z >> (shift + BITS):
            return default
        node = self._root
        while node is not None and shift:
            child = node[(z >> shift) & _MASK]
            node = child if isinstance(child, list) else None
            shift -= BITS
        if node is None:
            return default
        v = node[z & _MASK]
        return default if v is None else v  # type: ignore[return-value]

    def updated(self, changes: Mapping[int, V]) -> ChunkMap[V]:
        """A new map: this one with ``changes`` set (this one is not changed)."""
        if not changes:
            return self
        items: list[tuple[int, object]] = [(_zig(k), v) for k, v in changes.items()]
        root, depth = self._root, self._depth
        top = max(z for z, _ in items)
        while top >> (BITS * depth):
            if root is not None:
                root = [root, *([None] * (WIDTH - 1))]
            depth += 1
        out: ChunkMap[V] = ChunkMap()
        out._root, added = _put(root, BITS * (depth - 1), items)
        out._depth, out._len = depth, self._len + added
        return out

    def items(self) -> Iterator[tuple[int, V]]:
        """The keys and values, in the trie's order (zigzag order, not numeric)."""
        if self._root is None:
            return
        stack: list[tuple[Node, int, int]] = [(self._root, 0, BITS * (self._depth - 1))]
        while stack:
            node, prefix, shift = stack.pop()
            for d in range(WIDTH - 1, -1, -1):
                v = node[d]
                if v is None:
                    continue
                z = prefix | (d << shift)
                if shift:
                    stack.append((v, z, shift - BITS))  # type: ignore[arg-type]
                else:
                    yield _unzig(z), v  # type: ignore[misc]

    def sorted_items(self) -> list[tuple[int, V]]:
        """The keys and values by key."""
        return sorted(self.items(), key=lambda kv: kv[0])
