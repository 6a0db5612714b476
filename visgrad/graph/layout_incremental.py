"""Stable incremental layout: the live debugger adds forward ops one at a time, and a node the user
is looking at must not jump.

The rule (``extend_layout``):

* Every node present in ``previous`` keeps its exact centre and its layer; every edge between two
  such nodes that had bends keeps them. Nodes that disappeared are dropped; their space stays
  empty until the next full layout.
* A new node that descends from a placed node is "anchored": its layer is one below its lowest
  placed or anchored producer (so a new output sits right under the op that made it). The other
  new nodes (fresh parameters, inputs) are "floating": ALAP, one layer above their earliest
  consumer, exactly as in a full layout. A new component with no placed node at all starts at
  the top layer, to the right of everything.
* New layers above or below the existing ones are stacked with the same layer gap.
* In its layer every new vertex (node or bend of a new long edge) takes the free slot nearest to
  the mean position of its already-placed neighbours (producers for anchored vertices, taken top
  down; consumers for floating ones, taken bottom up), with the same gaps as a full layout, so it
  never overlaps an existing node or bend.
* When the grown graph cannot be drawn with every edge pointing down under those fixed layers (a
  cycle, a new edge from a lower to a higher placed node, a new node feeding a placed node at or
  above it) there is no stable answer: ``None`` is returned and the caller does a full layout.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import networkx as nx

from visgrad.graph.layout_model import Layout, Node, compute_bounds, node_size
from visgrad.graph.layout_rank import topological_order


@dataclass(frozen=True)
class _Bend:
    """The bend of new long edge number ``edge`` in layer ``layer`` (a dummy vertex)."""

    edge: int
    layer: int


class _Row:
    """Occupied intervals of one layer along the breadth axis, sorted and disjoint."""

    def __init__(self) -> None:
        self.lo: list[float] = []
        self.hi: list[float] = []

    def add(self, lo: float, hi: float) -> None:
        i = bisect.bisect_left(self.lo, lo)
        self.lo.insert(i, lo)
        self.hi.insert(i, hi)

    def fit(self, want: float, r: float) -> float:
        """Centre nearest ``want`` for an interval of half-extent ``r`` that overlaps nothing."""
        lo, hi = self.lo, self.hi
        k = len(lo)
        if k == 0:
            return want
        i = bisect.bisect_right(lo, want)
        best, best_d = want, float("inf")
        # Free gap j lies between interval j-1 and interval j; search outwards from the gap that
        # contains ``want`` and stop once a gap's near edge is farther than the best slot found.
        for step in range(k + 1):
            done = True
            for j in (i - step, i + step) if step else (i,):
                if j < 0 or j > k:
                    continue
                g_lo = hi[j - 1] if j > 0 else float("-inf")
                g_hi = lo[j] if j < k else float("inf")
                near = 0.0 if g_lo <= want <= g_hi else min(abs(want - g_lo), abs(want - g_hi))
                if near >= best_d:
                    continue
                done = False
                if g_hi - g_lo >= 2 * r:
                    x = min(max(want, g_lo + r), g_hi - r)
                    d = abs(x - want)
                    if d < best_d:
                        best, best_d = x, d
            if done and step:
                break
        return best


def extend_layout(
    graph: nx.DiGraph, previous: Layout, default_size: tuple[float, float]
) -> Layout | None:
    """Grow ``previous`` to cover ``graph``; see the module docstring. ``None`` = relayout."""
    tb = previous.direction != "LR"
    nodes = list(graph.nodes)
    old = {v for v in nodes if v in previous.positions and v in previous.layers}
    if not old:
        return None
    index = {v: i for i, v in enumerate(nodes)}
    succ = [[index[w] for w in graph.successors(v) if w != v] for v in nodes]
    topo = topological_order(len(nodes), succ)
    rank = [0] * len(nodes)
    for r, i in enumerate(topo):
        rank[i] = r
    if any(rank[i] >= rank[j] for i in range(len(nodes)) for j in succ[i]):
        return None  # cycle

    sizes = {v: node_size(graph.nodes[v], default_size) for v in nodes}
    for v in old:
        # A node that grew since it was placed is not re-fitted; reserve the larger box.
        pw, ph = previous.sizes.get(v, sizes[v])
        sizes[v] = (max(pw, sizes[v][0]), max(ph, sizes[v][1]))
    layer: dict[Node, int] = {v: previous.layers[v] for v in old}
    anchored: set[Node] = set()
    order = [nodes[i] for i in topo]
    for v in order:
        if v in old:
            continue
        preds = [p for p in graph.predecessors(v) if p != v and (p in old or p in anchored)]
        if preds:
            anchored.add(v)
            layer[v] = max(layer[p] for p in preds) + 1
    base = min(layer[v] for v in old)
    floating = [v for v in order if v not in layer]
    # Floating sinks (new components) start at the top; deeper floating nodes by longest path.
    from_top: dict[Node, int] = {}
    for v in floating:
        from_top[v] = max(
            (from_top[p] + 1 for p in graph.predecessors(v) if p in from_top), default=0
        )
    for v in reversed(floating):
        consumers = [layer[s] for s in graph.successors(v) if s != v and s in layer]
        layer[v] = min(consumers) - 1 if consumers else base + from_top[v]
    for u, v in graph.edges:
        if u != v and layer[u] >= layer[v]:
            return None

    # Layer coordinates: keep the old ones, stack new layers outside with the same gap.
    b_of = (lambda s: s[0]) if tb else (lambda s: s[1])
    d_of = (lambda s: s[1]) if tb else (lambda s: s[0])
    depth: dict[int, float] = {}
    for v, lay in layer.items():
        depth[lay] = max(depth.get(lay, 0.0), d_of(sizes[v]))
    coords = dict(previous.layer_coords)
    gap = previous.layer_gap
    if not coords:
        return None
    top, bottom = min(coords), max(coords)
    for lay in range(bottom + 1, max(depth) + 1):
        coords[lay] = coords[lay - 1] + depth.get(lay - 1, 0.0) / 2 + gap + depth.get(lay, 0.0) / 2
    for lay in range(top - 1, min(depth) - 1, -1):
        coords[lay] = coords[lay + 1] - depth.get(lay + 1, 0.0) / 2 - gap - depth.get(lay, 0.0) / 2
    coord_to_layer = {round(c, 6): lay for lay, c in coords.items()}

    def point(b: float, lay: int) -> tuple[float, float]:
        return (b, coords[lay]) if tb else (coords[lay], b)

    def breadth_of(p: tuple[float, float]) -> float:
        return p[0] if tb else p[1]

    node_pad = previous.node_gap / 2
    bend_pad = previous.node_gap / 4
    rows: dict[int, _Row] = {}

    def occupy(lay: int, b: float, r: float) -> None:
        rows.setdefault(lay, _Row()).add(b - r, b + r)

    positions = {v: previous.positions[v] for v in old}
    bends: dict[tuple[Node, Node], list[tuple[float, float]]] = {}
    for v in old:
        occupy(layer[v], breadth_of(positions[v]), b_of(sizes[v]) / 2 + node_pad)
    # Vertices to place: new nodes and the bends of new long edges, as chains per edge.
    chains: list[tuple[tuple[Node, Node], list[int]]] = []
    for u, v in graph.edges:
        if u == v:
            continue
        if u in old and v in old and (u, v) in previous.bends:
            kept = previous.bends[(u, v)]
            bends[(u, v)] = list(kept)
            for p in kept:
                lay = coord_to_layer.get(round(p[1] if tb else p[0], 6))
                if lay is not None:
                    occupy(lay, breadth_of(p), bend_pad)
            continue
        if layer[v] - layer[u] > 1:
            chains.append(((u, v), list(range(layer[u] + 1, layer[v]))))

    placed: dict[object, float] = {v: breadth_of(positions[v]) for v in old}
    # A vertex is a new node or a _Bend; up_n / down_n are its neighbours one layer up / down.
    up_n: dict[object, list[object]] = {}
    down_n: dict[object, list[object]] = {}
    v_layer: dict[object, int] = {}
    for v in nodes:
        if v not in old:
            v_layer[v] = layer[v]
            up_n[v], down_n[v] = [], []
    for ei, ((u, v), lays) in enumerate(chains):
        seq: list[object] = [u, *[_Bend(ei, lay) for lay in lays], v]
        for lay, d in zip(lays, seq[1:-1], strict=True):
            v_layer[d] = lay
            up_n[d], down_n[d] = [], []
        for a, b in zip(seq, seq[1:], strict=False):
            if b in up_n:
                up_n[b].append(a)
            if a in down_n:
                down_n[a].append(b)
    for u, v in graph.edges:
        # Adjacent-layer edges into or out of new nodes (long ones were chained above).
        if u != v and layer[v] - layer[u] == 1:
            if v in up_n:
                up_n[v].append(u)
            if u in down_n:
                down_n[u].append(v)

    def place(vert: object, want: float) -> None:
        r = bend_pad if isinstance(vert, _Bend) else b_of(sizes[vert]) / 2 + node_pad
        b = rows.setdefault(v_layer[vert], _Row()).fit(want, r)
        occupy(v_layer[vert], b, r)
        placed[vert] = b

    pending = sorted(v_layer, key=lambda q: v_layer[q])
    rest = []
    for vert in pending:  # top down: anchored nodes and bends hanging from placed producers
        ups = [placed[a] for a in up_n[vert] if a in placed]
        if ups:  # floating nodes never have placed producers at this point
            place(vert, sum(ups) / len(ups))
        else:
            rest.append(vert)
    rest2 = []
    for vert in reversed(rest):  # bottom up: floating nodes and their bends, above consumers
        downs = [placed[b] for b in down_n[vert] if b in placed]
        if downs:
            place(vert, sum(downs) / len(downs))
        else:
            rest2.append(vert)
    if rest2:
        # Disconnected from everything placed: a new component, drawn to the right, top down.
        right = max((row.hi[-1] for row in rows.values() if row.hi), default=0.0)
        for vert in reversed(rest2):
            ups = [placed[a] for a in up_n[vert] if a in placed]
            place(vert, sum(ups) / len(ups) if ups else right + previous.node_gap * 2)

    for v in nodes:
        if v not in old:
            positions[v] = point(placed[v], layer[v])
    for ei, ((u, v), lays) in enumerate(chains):
        bends[(u, v)] = [point(placed[_Bend(ei, lay)], lay) for lay in lays]
    out_sizes = {v: sizes[v] for v in nodes}
    bounds = compute_bounds(positions, out_sizes, bends)
    return Layout(
        positions=positions,
        bends=bends,
        width=bounds[2] - bounds[0],
        height=bounds[3] - bounds[1],
        direction=previous.direction,
        layers={v: layer[v] for v in nodes},
        sizes=out_sizes,
        layer_coords=coords,
        bounds=bounds,
        node_gap=previous.node_gap,
        layer_gap=previous.layer_gap,
    )
