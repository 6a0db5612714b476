"""Layer assignment for the layered layout.

Autograd graphs have one real sink (the loss) and many sources (parameters, inputs). Layering from
the sources (networkx generations, igraph's default) puts every parameter on layer 0 and drags a
long edge from it to the op that uses it, deep down the graph; on a residual MLP that is millions of
dummy nodes. So layers are anchored at the sinks: each node sits one layer above its earliest
consumer (ALAP). A balancing pass then lifts nodes with more inputs than outputs (dangling outputs,
two-input ops) towards their producers, which shortens edges without moving any source.

Everything here is iterative: a 100,000-node chain must not touch the recursion limit.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np

from visgrad.trace.keys import GraphKey


def index_graph(
    graph: nx.DiGraph[GraphKey],
) -> tuple[list[GraphKey], dict[GraphKey, int], np.ndarray, np.ndarray]:
    """Number the nodes 0..n-1 (in graph order) and return ``(nodes, index, src, dst)``.

    Self-loops are dropped: they have no place in a layered drawing.
    """
    nodes = list(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    pairs = [(index[u], index[v]) for u, v in graph.edges if u != v]
    if pairs:
        arr = np.array(pairs, dtype=np.int64)
        return nodes, index, arr[:, 0].copy(), arr[:, 1].copy()
    empty = np.zeros(0, dtype=np.int64)
    return nodes, index, empty, empty.copy()


def adjacency(n: int, src: np.ndarray, dst: np.ndarray) -> tuple[list[list[int]], list[list[int]]]:
    """Successor and predecessor lists (Python lists: the rank loops below are sequential)."""
    succ: list[list[int]] = [[] for _ in range(n)]
    pred: list[list[int]] = [[] for _ in range(n)]
    for u, v in zip(src.tolist(), dst.tolist(), strict=True):
        succ[u].append(v)
        pred[v].append(u)
    return succ, pred


def topological_order(n: int, succ: Sequence[Sequence[int]]) -> list[int]:
    """Reverse DFS postorder. For a DAG this is a topological order; for a graph with cycles the
    edges that point backwards in it are exactly the DFS back edges, which the caller reverses."""
    state = [0] * n  # 0 unseen, 1 on stack, 2 done
    post: list[int] = []
    for start in range(n):
        if state[start]:
            continue
        state[start] = 1
        stack = [(start, iter(succ[start]))]
        while stack:
            v, it = stack[-1]
            for w in it:
                if not state[w]:
                    state[w] = 1
                    stack.append((w, iter(succ[w])))
                    break
            else:
                stack.pop()
                state[v] = 2
                post.append(v)
    post.reverse()
    return post


def break_cycles(
    n: int, src: np.ndarray, dst: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """Return ``(src, dst, flipped, topo)`` with every edge pointing forward in the topological
    order ``topo``. Edges that closed a cycle are reversed and flagged in ``flipped`` so their
    bend points can be handed back in the caller's direction."""
    succ, _ = adjacency(n, src, dst)
    topo = topological_order(n, succ)
    rank = np.empty(n, dtype=np.int64)
    rank[np.asarray(topo, dtype=np.int64)] = np.arange(n)
    flipped = rank[src] > rank[dst]
    if flipped.any():
        src, dst = np.where(flipped, dst, src), np.where(flipped, src, dst)
    return src, dst, flipped, topo


def alap_layers(
    n: int,
    succ: Sequence[Sequence[int]],
    pred: Sequence[Sequence[int]],
    topo: Sequence[int],
    balance_rounds: int = 4,
) -> np.ndarray:
    """Sink-anchored longest-path layers (0 = top), then balancing; see the module docstring.

    Every edge (u, v) ends with ``layer[v] > layer[u]`` and no layer is empty.
    """
    depth = [0] * n  # longest path to a sink
    for v in reversed(topo):
        best = -1
        for w in succ[v]:
            d = depth[w]
            if d > best:
                best = d
        depth[v] = best + 1
    top = max(depth) if n else 0
    layer = [top - d for d in depth]
    for v in range(n):
        if not pred[v] and not succ[v]:
            layer[v] = 0  # isolated nodes go to the top row rather than the loss row
    for _ in range(balance_rounds):
        moved = False
        # Upward moves first, in topological order, so a lifted node makes room for its consumers.
        for v in topo:
            p, s = pred[v], succ[v]
            if len(p) > len(s):
                target = max(layer[u] for u in p) + 1
                if target < layer[v]:
                    layer[v] = target
                    moved = True
        for v in reversed(topo):
            p, s = pred[v], succ[v]
            if len(s) > len(p):
                target = min(layer[w] for w in s) - 1
                if target > layer[v]:
                    layer[v] = target
                    moved = True
        if not moved:
            break
    arr = np.asarray(layer, dtype=np.int64)
    if n:
        # Drop empty layers; strict order between layers (hence edge direction) is preserved.
        _, arr = np.unique(arr, return_inverse=True)
    return arr.astype(np.int64).reshape(-1)
