"""The engine's view of the graph before it runs: how many edges reach each node, which nodes lie
on a path to a wanted tensor (``autograd.grad`` inputs, ``backward(inputs=...)``), the seeded input
buffers and the first ready nodes."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any

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
