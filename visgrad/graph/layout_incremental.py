"""Online, stable layout: the live debugger adds forward ops one at a time, and a node the user is
looking at must not jump; the same program must give the same picture however its events were
batched.

The rule (``grow_layout``) places each new node once, in graph order (for ``graph_at``: the order
the program made them), from the nodes placed before it and nothing else:

* A node already placed in ``previous`` keeps its exact centre and layer, and an edge between two
  such nodes keeps its bends. Nodes that disappeared are dropped (their space stays empty).
* A source (a node without producers: a parameter, an input) waits until its first consumer is
  placed, then sits one layer above it, the consumer's sources side by side centred over it.
  A source nothing consumes yet is *staged*: shown in a row above the drawing, not placed, so it
  moves once, when an op first reads it.
* Any other node sits one layer below its lowest placed producer, at the free slot nearest the
  mean position of its placed producers; bends of its long in-edges are fitted along the straight
  line. A node whose producers are all fresh sources (the first op of a new computation) sits
  in the layer of the last node placed with producers, just right of it: a program uses soon
  what it makes, so the op that reads both is near (an MLP's next product and the sum it joins;
  at the top of the drawing, 45,165 crossings on the 2k scalar MLP against 25,541 here). The
  first such node starts the drawing.
* A new layer above or below the drawing is stacked with the layer gap, deep enough for every
  node met so far.

Because a node's place depends only on the nodes before it, laying out a graph in one call or in
any number of growing steps gives exactly the same positions: a layout never depends on which
intermediate states a worker thread happened to see. Only when ``previous`` contradicts the graph
(an edge between two placed nodes that does not point down) is there no stable answer; then the
result is a full layout.
"""

from __future__ import annotations

import heapq

import networkx as nx

from visgrad.graph.layout_full import full_layout
from visgrad.graph.layout_model import (
    DEFAULT_SIZE,
    DIRECTIONS,
    Layout,
    Node,
    Point,
    compute_bounds,
    node_size,
)
from visgrad.graph.layout_rows import Row


def placement_order(graph: nx.DiGraph[Node]) -> list[Node]:
    """Topological order that keeps graph order wherever the edges allow (Kahn with the graph
    index as priority); nodes on a cycle follow in graph order. For a graph whose order is
    already topological, as ``graph_at``'s creation order is, this is the graph order itself."""
    nodes = list(graph.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    indeg = [0] * len(nodes)
    for u, v in graph.edges:
        if u != v:
            indeg[index[v]] += 1
    heap = [i for i, d in enumerate(indeg) if d == 0]
    heapq.heapify(heap)
    out: list[int] = []
    while heap:
        i = heapq.heappop(heap)
        out.append(i)
        for w in graph.successors(nodes[i]):
            j = index[w]
            if j != i:
                indeg[j] -= 1
                if indeg[j] == 0:
                    heapq.heappush(heap, j)
    if len(out) < len(nodes):
        seen = set(out)
        out.extend(i for i in range(len(nodes)) if i not in seen)
    return [nodes[i] for i in out]


class _Grower:
    """The state of one ``grow_layout`` call: rows, layers and the placements made so far."""

    def __init__(
        self, graph: nx.DiGraph[Node], previous: Layout, default_size: tuple[float, float]
    ):
        self.graph = graph
        self.tb = previous.direction != "LR"
        self.node_pad = previous.node_gap / 2
        self.bend_pad = previous.node_gap / 4
        self.gap = previous.layer_gap
        self.node_gap = previous.node_gap
        self.sizes: dict[Node, tuple[float, float]] = {}
        for v in graph.nodes:
            s = node_size(graph.nodes[v], default_size)
            if v in previous.sizes:
                # A node that grew since it was placed is not re-fitted; reserve the larger box.
                pw, ph = previous.sizes[v]
                s = (max(pw, s[0]), max(ph, s[1]))
            self.sizes[v] = s
        # A node without edges is staged, never placed (see the module docstring), whatever
        # ``previous`` did with it: going back in time must give what growing to there gives.
        self.old = [
            v
            for v in graph.nodes
            if v in previous.layers and v in previous.positions and _has_edges(graph, v)
        ]
        self.layer: dict[Node, int] = {v: previous.layers[v] for v in self.old}
        self.coords: dict[int, float] = {}
        self.reserved: dict[int, float] = {}
        if self.layer:
            # Layers beyond the kept nodes' range came with nodes that are gone; growing to this
            # graph would not have made them.
            lo, hi = min(self.layer.values()), max(self.layer.values())
            for lay, c in previous.layer_coords.items():
                if lo <= lay <= hi:
                    self.coords[lay] = c
                    self.reserved[lay] = previous.layer_depths.get(lay, 0.0)
        for v, lay in self.layer.items():
            if lay not in self.coords:  # a ``previous`` that did not record its layer lines
                p = previous.positions[v]
                self.coords[lay] = p[1] if self.tb else p[0]
                self.reserved[lay] = self.sizes[v][1 if self.tb else 0]
        self.top = min(self.coords, default=0)
        self.bottom = max(self.coords, default=0)
        self.rows: dict[int, Row] = {}
        self.at: dict[Node, float] = {}  # breadth coordinate of every placed node
        self.positions: dict[Node, Point] = {}
        self.bends: dict[tuple[Node, Node], list[Point]] = {}
        self.deepest = 0.0  # the deepest node met so far: the depth a new layer reserves
        self.right: float | None = None  # the right edge of everything placed
        self.staged: list[Node] = []
        self.last: Node | None = None  # the last node placed with producers
        for v in self.old:
            p = previous.positions[v]
            self.at[v] = p[0] if self.tb else p[1]
            self.positions[v] = p
            self.deepest = max(self.deepest, self._depth(v))
            self._occupy(self.layer[v], self.at[v], self._half(v) + self.node_pad)

    # -- geometry ----------------------------------------------------------------------------------
    def _half(self, v: Node) -> float:
        return self.sizes[v][0 if self.tb else 1] / 2

    def _depth(self, v: Node) -> float:
        return self.sizes[v][1 if self.tb else 0]

    def point(self, b: float, lay: int) -> Point:
        return (b, self.coords[lay]) if self.tb else (self.coords[lay], b)

    def _row(self, lay: int) -> Row:
        row = self.rows.get(lay)
        if row is None:
            row = self.rows[lay] = Row(2 * self.bend_pad)
        return row

    def _occupy(self, lay: int, b: float, r: float) -> None:
        self._row(lay).add(b - r, b + r)
        if self.right is None or b + r > self.right:
            self.right = b + r

    def ensure_layer(self, lay: int) -> None:
        """Stack new layers (above or below) until ``lay`` has a coordinate."""
        if lay in self.coords:
            return
        if not self.coords:
            self.coords[lay] = self.deepest / 2
            self.reserved[lay] = self.deepest
            self.top = self.bottom = lay
            return
        # The kept layers are contiguous (see __init__), so ``lay`` lies above or below them.
        step, cur = (-1, self.top) if lay < self.top else (1, self.bottom)
        while cur != lay:
            nxt = cur + step
            dist = self.reserved[cur] / 2 + self.gap + self.deepest / 2
            self.coords[nxt] = self.coords[cur] + step * dist
            self.reserved[nxt] = self.deepest
            cur = nxt
        self.top, self.bottom = min(self.top, lay), max(self.bottom, lay)

    def put(self, lay: int, want: float, r: float) -> float:
        self.ensure_layer(lay)
        b = self._row(lay).fit(want, r)
        self._occupy(lay, b, r)
        return b

    def place_node(self, v: Node, lay: int, want: float) -> None:
        self.layer[v] = lay
        self.at[v] = self.put(lay, want, self._half(v) + self.node_pad)
        self.positions[v] = self.point(self.at[v], lay)

    # -- the rule ----------------------------------------------------------------------------------
    def keep_old_bends(self, previous: Layout) -> None:
        coord_to_layer = {round(c, 6): lay for lay, c in self.coords.items()}
        olds = set(self.old)
        for u, v in self.graph.edges:
            if u in olds and v in olds and (u, v) in previous.bends:
                kept = list(previous.bends[(u, v)])
                self.bends[(u, v)] = kept
                for p in kept:
                    lay = coord_to_layer.get(round(p[1] if self.tb else p[0], 6))
                    if lay is not None:
                        self._occupy(lay, p[0] if self.tb else p[1], self.bend_pad)

    def grow(self) -> None:
        """Place every new node in placement order; sources wait for their first consumer."""
        waiting: set[Node] = set()
        for v in placement_order(self.graph):
            if v in self.layer:
                if any(u != v for u in self.graph.pred[v]):
                    self.last = v  # as if placed now: the rule must not see the batching
                continue
            self.deepest = max(self.deepest, self._depth(v))
            preds = [u for u in self.graph.predecessors(v) if u != v]
            if not preds:
                waiting.add(v)
                continue
            placed = [u for u in preds if u in self.layer]
            fresh = [u for u in preds if u in waiting]
            if placed:
                lay = max(self.layer[u] for u in placed) + 1
                want = sum(self.at[u] for u in placed) / len(placed)
            elif self.last is not None:
                lay = self.layer[self.last]
                want = self.at[self.last] + self._half(self.last) + self.node_gap + self._half(v)
            else:
                lay = (self.top if self.coords else 0) + 1
                want = (self.right if self.right is not None else 0.0) + self.node_gap
                want += self._half(v) + sum(2 * self._half(u) for u in fresh) / 2
            self.place_node(v, lay, want)
            self.last = v
            for u in placed:
                if lay - self.layer[u] > 1:
                    self._bend(u, v)
            if fresh:
                self._place_sources(fresh, v)
                waiting.difference_update(fresh)
        self.staged = [v for v in self.graph.nodes if v in waiting]

    def _bend(self, u: Node, v: Node) -> None:
        """Bends of a long edge along its straight line: ``put`` per layer, inlined, as long
        edges make most of the requests of a big graph."""
        lu, lv = self.layer[u], self.layer[v]
        xu, xv = self.at[u], self.at[v]
        r, tb, coords = self.bend_pad, self.tb, self.coords
        pts = []
        for lay in range(lu + 1, lv):
            want = xu + (xv - xu) * (lay - lu) / (lv - lu)
            self.ensure_layer(lay)
            row = self.rows.get(lay) or self._row(lay)
            b = row.fit(want, r)
            row.add(b - r, b + r)
            if self.right is None or b + r > self.right:
                self.right = b + r
            pts.append((b, coords[lay]) if tb else (coords[lay], b))
        self.bends[(u, v)] = pts

    def _place_sources(self, fresh: list[Node], v: Node) -> None:
        widths = [2 * self._half(u) for u in fresh]
        total = sum(widths) + self.node_gap * (len(fresh) - 1)
        left = self.at[v] - total / 2
        for u, w in zip(fresh, widths, strict=True):
            self.place_node(u, self.layer[v] - 1, left + w / 2)
            left += w + self.node_gap

    def stage(self) -> None:
        """Sources nothing consumes yet: a row above the drawing, in graph order."""
        if not self.staged:
            return
        depth = max(self._depth(v) for v in self.staged)
        if self.coords:
            top = self.top
            line = self.coords[top] - self.reserved[top] / 2 - self.gap - depth / 2
        else:
            line = depth / 2
        placed = [self.at[v] - self._half(v) for v in self.layer]
        b = min(placed) if placed else 0.0
        for v in self.staged:
            half = self._half(v)
            self.positions[v] = (b + half, line) if self.tb else (line, b + half)
            b += 2 * half + self.node_gap


def _has_edges(graph: nx.DiGraph[Node], v: Node) -> bool:
    return any(u != v for u in graph.pred[v]) or any(w != v for w in graph.succ[v])


def _conflicts(graph: nx.DiGraph[Node], previous: Layout) -> bool:
    """An edge between two placed nodes that does not point down: not a growth of ``previous``."""
    lay = previous.layers
    pos = previous.positions
    for u, v in graph.edges:
        if u != v and u in lay and v in lay and u in pos and v in pos and lay[u] >= lay[v]:
            return True
    return False


def grow_layout(
    graph: nx.DiGraph[Node],
    previous: Layout | None = None,
    direction: str = "TB",
    node_gap: float = 40.0,
    layer_gap: float = 60.0,
    default_size: tuple[float, float] = DEFAULT_SIZE,
) -> Layout:
    """Lay out ``graph`` online, keeping every node ``previous`` placed; see the module docstring.

    Without ``previous`` (or with an empty one) every node is placed by the online rule, so
    ``grow_layout(g)`` equals growing it op by op. ``direction``, ``node_gap`` and ``layer_gap``
    apply only then; a non-empty ``previous`` brings its own. Sizes come from the nodes' ``size``
    attribute (``default_size`` otherwise).
    """
    if previous is None or not previous.positions:
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
        previous = Layout({}, {}, 0.0, 0.0, direction, node_gap=node_gap, layer_gap=layer_gap)
    elif _conflicts(graph, previous):
        return full_layout(
            graph, previous.direction, previous.node_gap, previous.layer_gap, default_size
        )
    g = _Grower(graph, previous, default_size)
    g.keep_old_bends(previous)
    g.grow()
    g.stage()
    sizes = {v: g.sizes[v] for v in graph.nodes}
    bounds = compute_bounds(g.positions, sizes, g.bends)
    return Layout(
        positions={v: g.positions[v] for v in graph.nodes},
        bends=g.bends,
        width=bounds[2] - bounds[0],
        height=bounds[3] - bounds[1],
        direction=previous.direction,
        layers=dict(g.layer),
        sizes=sizes,
        layer_coords=dict(g.coords),
        bounds=bounds,
        node_gap=previous.node_gap,
        layer_gap=previous.layer_gap,
        layer_depths=dict(g.reserved),
    )
