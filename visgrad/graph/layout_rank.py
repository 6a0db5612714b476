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

from collections.abc import Hashable, Sequence

import networkx as nx
import numpy as np


def index_graph(
    graph: nx.DiGraph,
) -> tuple[list[Hashable], dict[Hashable, int], np.ndarray, np.ndarray]:
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


def simplex_layers(
    n: int,
    succ: Sequence[Sequence[int]],
    pred: Sequence[Sequence[int]],
    fallback: np.ndarray,
) -> np.ndarray:
    """Layers of minimum total edge span (Gansner et al.'s ranking LP), solved as the dual
    min-cost flow with ``networkx.network_simplex``; ``fallback`` (a feasible layering) is
    returned if the graph has no branching node at all or the potentials cannot be recovered.

    Fewer layers skipped means fewer dummies, and dummies are where the crossings come from: on
    the scalar-MLP benchmark the ALAP layering has ~10x dot's dummies, and our ordering on dot's
    ranks is within ~10 % of dot's crossings. To keep the LP small, pass-through nodes (one in,
    one out) are contracted into longer edges, and single-edge leaves and dangling tails are left
    out; afterwards a leaf chain hangs right above its consumer and a pass-through node or tail
    right under its producer, which is optimal for them and what the ALAP rule asks for.
    """
    indeg = [len(p) for p in pred]
    outdeg = [len(s) for s in succ]
    thru = [indeg[v] == 1 and outdeg[v] == 1 for v in range(n)]
    leaf_src = [indeg[v] == 0 and outdeg[v] == 1 for v in range(n)]
    kept = [not thru[v] and not leaf_src[v] and (indeg[v] + outdeg[v] > 0) for v in range(n)]
    # A sink reached only through a chain from one producer is a dangling tail, not an LP node.
    for v in range(n):
        if kept[v] and outdeg[v] == 0 and indeg[v] == 1:
            kept[v] = False

    def walk(v: int) -> tuple[list[int], int]:
        path = []
        while True:
            w = succ[v][0]
            if kept[w] or not thru[w]:
                return path, w
            path.append(w)
            v = w

    span: dict[tuple[int, int], int] = {}
    weight: dict[tuple[int, int], int] = {}
    tails: list[tuple[int, list[int]]] = []  # (producer, chain below it)
    hangs: list[tuple[int, list[int]]] = []  # (consumer, chain above it, top first)
    for u in range(n):
        if kept[u]:
            for first in succ[u]:
                path: list[int] = []
                z = first
                if not kept[z] and thru[z]:
                    path, z = walk(z)
                    path.insert(0, first)
                if kept[z]:
                    key = (u, z)
                    span[key] = max(span.get(key, 0), len(path) + 1)
                    weight[key] = weight.get(key, 0) + 1
                    if path:
                        tails.append((u, path))
                else:
                    tails.append((u, [*path, z]))
        elif leaf_src[u]:
            path, z = walk(u) if not kept[succ[u][0]] and thru[succ[u][0]] else ([], succ[u][0])
            if kept[z]:
                hangs.append((z, [u, *path]))
            else:
                # A chain from a leaf to a dangling sink: a component of its own, drawn as a chain.
                hangs.append((-1, [u, *path, z]))
    if not span:
        return fallback
    flow_net = nx.DiGraph()
    demand: dict[int, int] = {}
    for (u, z), w in weight.items():
        demand[z] = demand.get(z, 0) + w
        demand[u] = demand.get(u, 0) - w
    for v, d in demand.items():
        flow_net.add_node(v, demand=d)
    for (u, z), s in span.items():
        flow_net.add_edge(u, z, weight=-s)
    try:
        _, flow = nx.network_simplex(flow_net)
    except (nx.NetworkXUnfeasible, nx.NetworkXUnbounded):
        return fallback
    # Complementary slackness: edges carrying flow are tight in every optimal layering. Longest
    # paths over "l[z] >= l[u] + s" plus "l[u] >= l[z] - s" for tight edges recover one.
    cons: dict[int, list[tuple[int, int]]] = {v: [] for v in demand}
    for (u, z), s in span.items():
        cons[u].append((z, s))
        if flow[u][z] > 0:
            cons[z].append((u, -s))
    level = dict.fromkeys(demand, 0)
    queue = list(demand)
    in_queue = set(queue)
    budget = 50 * (len(span) + len(demand))
    while queue:
        budget -= 1
        if budget < 0:
            return fallback
        u = queue.pop()
        in_queue.discard(u)
        lu = level[u]
        for z, s in cons[u]:
            if lu + s > level[z]:
                level[z] = lu + s
                if z not in in_queue:
                    in_queue.add(z)
                    queue.append(z)
    layer = [0] * n
    for v, lv in level.items():
        layer[v] = lv
    for u, path in tails:
        for i, w in enumerate(path, start=1):
            layer[w] = layer[u] + i
    for z, path in hangs:
        base = layer[z] - len(path) if z >= 0 else 0
        for i, w in enumerate(path):
            layer[w] = base + i
    arr = np.asarray(layer, dtype=np.int64)
    _, arr = np.unique(arr, return_inverse=True)
    return arr.reshape(-1).astype(np.int64)
