"""The engine's view of the graph before it runs: how many edges reach each node, which nodes lie
on a path to a wanted tensor (``autograd.grad`` inputs, ``backward(inputs=...)``), the seeded input
buffers and the first ready nodes; the roots' seeds and edges."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any

import numpy as np

from visgrad.autograd import errors
from visgrad.autograd.node import Node, accumulator
from visgrad.tensor import Tensor


def dependencies(edges: list[tuple[Node, int]]) -> tuple[dict[Node, int], set[Node]]:
    """How many edges reach each node from the roots, and every node reachable from them."""
    deps: dict[Node, int] = {}
    seen = {n for n, _ in edges}
    stack = list(seen)
    pop, push, add, get = stack.pop, stack.append, seen.add, deps.get
    while stack:
        for nx in pop()._next_fns:
            if nx is None:
                continue
            deps[nx] = get(nx, 0) + 1
            if nx not in seen:
                add(nx)
                push(nx)
    return deps, seen


def nodes_reaching(order: Any, targets: dict[Node, Any]) -> set[Node]:
    """Nodes from which some target is reachable (reverse topological sweep, no recursion)."""
    # ``order`` is every node reachable from the roots, in no particular order, so walk a reverse
    # adjacency from the targets instead of relying on the order.
    parents: dict[Node, list[Node]] = {}
    for n in order:
        for nx in n._next_fns:
            if nx is not None:
                parents.setdefault(nx, []).append(n)
    needed = set(targets)
    stack = list(targets)
    while stack:
        n = stack.pop()
        for p in parents.get(n, ()):
            if p not in needed:
                needed.add(p)
                stack.append(p)
    return needed


def reaches_other(node: Node, needed: set[Node] | None) -> bool:
    """Whether a captured node must still run because other wanted nodes lie below it."""
    if needed is None:
        return True
    return any(nx is not None and nx in needed for nx in node._next_fns)


def wanted_nodes(
    wanted: Sequence[Tensor] | None, capture: bool
) -> dict[Node, list[tuple[int, int]]]:
    """node -> [(output_nr, index in ``wanted``)] whose incoming gradient is captured or stored."""
    targets: dict[Node, list[tuple[int, int]]] = {}
    for i, t in enumerate(wanted or ()):
        node = t._fn if t._fn is not None else (accumulator(t) if t._rg else None)
        if node is None:
            if capture:
                raise RuntimeError(errors.INPUT_NO_GRAD)
            continue
        targets.setdefault(node, []).append((t._output_nr, i))
    return targets


def first_heap(edges: list[tuple[Node, int]], deps: dict[Node, int]) -> list[tuple[int, int, Node]]:
    """The root nodes no other root reaches, ordered as PyTorch's ready queue orders them."""
    heap: list[tuple[int, int, Node]] = []
    for n in {n: None for n, _ in edges} if len(edges) > 1 else (edges[0][0],):
        if deps.get(n, 0) == 0:
            heapq.heappush(heap, (-n._sequence_nr, len(heap), n))
    return heap


def seed_buffers(edges: list[tuple[Node, int]], seeds: list[Tensor]) -> dict[Node, list[Any]]:
    buffers: dict[Node, list[Any]] = {}
    for (n, nr), g in zip(edges, seeds, strict=False):
        buf = buffers.setdefault(n, [None] * n.num_outputs)
        buf[nr] = g if buf[nr] is None else buf[nr] + g
    return buffers


def seed_grads(roots: Sequence[Tensor], grads: Sequence[Any] | None) -> list[Tensor]:
    """The gradient each root starts from: the given one, or ones for a one-element root."""
    out = []
    for i, t in enumerate(roots):
        g = None if grads is None or i >= len(grads) else grads[i]
        if g is None:
            if t._data.size != 1:
                raise RuntimeError(errors.SCALAR_ONLY)
            # np.ones, not ones_like (twice as slow): a one-element seed has no layout to keep.
            # A 0-d root (a loss) takes np.array, the same array without np.ones' Python steps.
            d = t._data
            one = np.array(1, d.dtype) if d.ndim == 0 else np.ones(d.shape, d.dtype)
            g = Tensor._make(one, False, None, 0)
        elif not isinstance(g, Tensor):
            if isinstance(g, (int, float)):
                raise TypeError(f"'{type(g).__name__}' object is not iterable")
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        elif g._data.shape != t._data.shape:
            raise RuntimeError(errors.shape_mismatch(g._data.shape, t._data.shape, i))
        elif g._data.dtype != t._data.dtype and t._fn is not None:
            # PyTorch's engine casts a seed to its root's dtype before the root's node runs
            # (a float32 seed of a half output is rounded to half first).
            dt = t._data.dtype
            g = g.to(dt) if g._rg else Tensor._make(g._data.astype(dt), False, None, 0)
        out.append(g)
    return out


def program_gave_seeds(grads: Sequence[Any] | None) -> bool:
    """Whether the program gave any seed gradient of its own."""
    return grads is not None and any(g is not None for g in grads)


def root_edges(roots: Sequence[Tensor]) -> list[tuple[Node, int]]:
    """The node (and output number) each root's gradient enters the graph by."""
    edges = []
    for i, t in enumerate(roots):
        if not t._rg:
            raise RuntimeError(errors.NO_GRAD_FN.format(i))
        edges.append((t._fn, t._output_nr) if t._fn is not None else (accumulator(t), 0))
    return edges
