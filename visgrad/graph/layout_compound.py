"""Layout of a view graph with open groups: each open group is a box laid out as one node.

A *level* is the top of the drawing or one open group. Each level is laid out on its own by the
online rule (``grow_layout``): its units are the nodes drawn directly in it and the boxes of the
open groups directly inside it, in the order of their first node, sized by their own contents;
its edges are the view graph's edges between two of its units (an edge from deep inside box A to
deep inside box B is an edge A -> B here). Then every level is moved into its box, and each edge
is routed from its node to the edge of the node's box, along its level's bends, into the other box.

So opening a group changes one unit's size at each level above it: whatever the online rule
placed before that unit keeps its exact place, the rest keep their arrangement, and everything
else is reused. A level whose units, sizes and edges did not change is not laid out again, and
levels of one shape (a model's repeated blocks) are laid out once: the online rule never looks at
keys, so the others are that layout renamed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx

from visgrad.graph.layout_box import box_size, compact_layers, drawn_box, level_origin
from visgrad.graph.layout_incremental import grow_layout
from visgrad.graph.layout_model import DEFAULT_SIZE, Layout, Point, compute_bounds, node_size
from visgrad.trace.keys import GraphKey

# A level's stand-in for everything outside it that feeds it: without it, a unit fed only from
# outside would be a source, placed after (and so moved by) the units it feeds.
ENTRY = "\x00entry"

Level = GraphKey | None  # an open group's key, or None for the top level
Box = dict[str, Any]  # an open group's ``parent``, ``label``, ``depth``, ``repeat``
Route = tuple[Level, GraphKey, GraphKey]  # a view edge's level and its ends' units there
LevelEdges = dict[tuple[GraphKey, GraphKey], None]  # a level's edges, in order
# A level's layout keyed by what it was made from (its units' sizes and its edges), laid out
# raw and then as drawn.
MadeFrom = tuple[tuple[tuple[GraphKey, Point], ...], tuple[tuple[GraphKey, GraphKey], ...]]
LevelLayout = tuple[MadeFrom, Layout, Layout]
# A level's shape: whether the entry feeds it, its units' sizes in order and its edges as pairs of
# unit indices (the entry is -1). Levels of one shape (a model's repeated blocks) are laid out once.
Shape = tuple[bool, tuple[Point, ...], tuple[tuple[int, int], ...]]
Shapes = dict[Shape, tuple[list[str], Layout, Layout]]


@dataclass
class CompoundLayout(Layout):
    """A :class:`Layout` of a view graph plus the boxes of its open groups.

    ``boxes`` maps each open group to its rectangle ``(x0, y0, x1, y1)``; ``levels`` keeps each
    level's own layout (with what it was made from) for the next call to reuse.
    """

    boxes: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    levels: dict[Level, LevelLayout] = field(default_factory=dict)


def compound_layout(
    vg: nx.DiGraph[GraphKey],
    previous: Layout | None = None,
    direction: str = "TB",
    node_gap: float = 40.0,
    layer_gap: float = 60.0,
    default_size: tuple[float, float] = DEFAULT_SIZE,
) -> Layout:
    """Lay out ``vg`` (a :func:`visgrad.graph.grouped.view_graph`), boxes and all.

    Without open groups this is exactly ``grow_layout(vg, previous, ...)``. ``previous`` may be
    any earlier result for the same drawing: levels it laid out are reused or grown.
    """
    boxes = vg.graph.get("boxes") or {}
    if previous is not None and previous.direction != direction:
        previous = None
    if not boxes:
        plain = None if isinstance(previous, CompoundLayout) and previous.boxes else previous
        return grow_layout(vg, plain, direction, node_gap, layer_gap, default_size)
    old_levels = previous.levels if isinstance(previous, CompoundLayout) else {}
    units, edges, routes = _levels(vg, boxes)
    sizes = {v: node_size(a, default_size) for v, a in vg.nodes(data=True)}
    levels: dict[Level, LevelLayout] = {}
    shapes: Shapes = {}
    lay = (units, edges, sizes, old_levels, levels, shapes, direction, node_gap, layer_gap)
    # Innermost boxes first: a box's size is its level's extent.
    for level in sorted(boxes, key=lambda b: -boxes[b]["depth"]):
        sizes[level] = box_size(_lay_level(level, *lay), direction == "TB")
    top = _lay_level(None, *lay)
    positions, rects, origins = _place(top, levels, boxes, sizes, direction == "TB")
    bends = _route(routes, levels, positions, rects, origins, direction)
    node_sizes = {v: sizes[v] for v in vg.nodes}
    bounds = compute_bounds(positions, node_sizes, bends)
    if rects:
        bounds = (
            min(bounds[0], min(r[0] for r in rects.values())),
            min(bounds[1], min(r[1] for r in rects.values())),
            max(bounds[2], max(r[2] for r in rects.values())),
            max(bounds[3], max(r[3] for r in rects.values())),
        )
    return CompoundLayout(
        positions=positions,
        bends=bends,
        width=bounds[2] - bounds[0],
        height=bounds[3] - bounds[1],
        direction=direction,
        sizes=node_sizes,
        bounds=bounds,
        node_gap=node_gap,
        layer_gap=layer_gap,
        boxes=rects,
        levels=levels,
    )


def _levels(
    vg: nx.DiGraph[GraphKey], boxes: dict[str, Box]
) -> tuple[dict[Level, list[str]], dict[Level, LevelEdges], dict[tuple[str, str], Route]]:
    """Each level's units in order of their first node, its edges, and each view edge's route:
    (level, unit of its source there, unit of its target there)."""
    units: dict[Level, list[str]] = {None: []}
    for b in boxes:
        units[b] = []
    seen: set[str] = set()
    parent_of = {v: a.get("parent") for v, a in vg.nodes(data=True)}
    for v in vg.nodes:
        p = parent_of[v]
        units[p].append(v)
        while p is not None and p not in seen:  # a box joins its level with its first node
            seen.add(p)
            up = boxes[p]["parent"]
            units[up].append(p)
            p = up
    edges: dict[Level, LevelEdges] = {lv: {} for lv in units}
    routes: dict[tuple[str, str], Route] = {}
    level: Level
    for u, v, level in vg.edges(data="level"):
        a, b = _unit(u, level, parent_of, boxes), _unit(v, level, parent_of, boxes)
        if a == b:
            continue
        edges[level][(a, b)] = None
        routes[(u, v)] = (level, a, b)
        unit, p = v, parent_of[v]
        while p != level and p is not None:  # the edge enters each box around v from outside
            edges[p][(ENTRY, unit)] = None
            unit, p = p, boxes[p]["parent"]
    return units, edges, routes


def _unit(v: str, level: Level, parent_of: dict[GraphKey, Level], boxes: dict[str, Box]) -> str:
    """What stands for ``v`` at ``level``: itself, or the box inside ``level`` that holds it."""
    unit, p = v, parent_of[v]
    while p != level and p is not None:
        unit, p = p, boxes[p]["parent"]
    return unit


def _lay_level(
    level: Level,
    units: dict[Level, list[str]],
    edges: dict[Level, LevelEdges],
    sizes: dict[str, tuple[float, float]],
    old: dict[Level, LevelLayout],
    out: dict[Level, LevelLayout],
    shapes: Shapes,
    direction: str,
    node_gap: float,
    layer_gap: float,
) -> Layout:
    keys = units[level]
    made_from = (tuple((k, sizes[k]) for k in keys), tuple(edges[level]))
    before = old.get(level)
    if before is not None and before[0] == made_from:
        out[level] = before
        return before[2]
    prev = before[1] if before is not None else None
    if prev is not None and any(prev.sizes.get(k, sizes[k]) != sizes[k] for k in keys):
        prev = None  # a unit changed size (a box opened or grew): lay the level out afresh
    entry = any(a == ENTRY for a, _ in edges[level])
    shape: Shape | None = None
    if prev is None:
        # The online rule sees only the order of the units, their sizes and the edges between
        # them, never their keys: a level of a shape met before is that layout, renamed.
        shape = _shape(entry, keys, sizes, edges[level])
        seen = shapes.get(shape)
        if seen is not None:
            names = dict(zip(seen[0], keys, strict=True))
            names[ENTRY] = ENTRY
            out[level] = (made_from, _renamed(seen[1], names), _renamed(seen[2], names))
            return out[level][2]
    h: nx.DiGraph[GraphKey] = nx.DiGraph()
    if entry:
        h.add_node(ENTRY, size=(1.0, 1.0))  # first: it is placed before what it feeds
    h.add_nodes_from((k, {"size": sizes[k]}) for k in keys)
    h.add_edges_from(edges[level])
    raw = grow_layout(h, prev, direction, node_gap, layer_gap)
    # The level's own units only: a copy of every size per level was quadratic in the groups.
    all_sizes = {k: sizes[k] for k in keys}
    all_sizes[ENTRY] = (1.0, 1.0)
    tb = direction == "TB"
    drawn = compact_layers(raw, h, all_sizes, tb, layer_gap)
    out[level] = (made_from, raw, _anchored(drawn, all_sizes, keys[0] if keys else None, tb))
    if shape is not None:
        shapes[shape] = (keys, out[level][1], out[level][2])
    return out[level][2]


def _shape(
    entry: bool, keys: list[str], sizes: dict[str, tuple[float, float]], level_edges: LevelEdges
) -> Shape:
    index = {k: i for i, k in enumerate(keys)}
    index[ENTRY] = -1
    return entry, tuple(sizes[k] for k in keys), tuple((index[a], index[b]) for a, b in level_edges)


def _renamed(layout: Layout, names: dict[str, str]) -> Layout:
    """``layout`` with every key ``k`` named ``names[k]``, in the same order."""
    return replace(
        layout,
        positions={names[k]: p for k, p in layout.positions.items()},
        bends={(names[a], names[b]): list(pts) for (a, b), pts in layout.bends.items()},
        layers={names[k]: v for k, v in layout.layers.items()},
        sizes={names[k]: v for k, v in layout.sizes.items()},
        layer_coords=dict(layout.layer_coords),
        layer_depths=dict(layout.layer_depths),
    )


def _anchored(
    layout: Layout, sizes: dict[str, tuple[float, float]], anchor: str | None, tb: bool
) -> Layout:
    """``layout`` without the entry, moved along the layers so ``anchor`` (the level's first unit)
    is on the line 0. A box's room is symmetric about that line (its frame is drawn around the
    contents only), so when a unit of the level grows, the line (and with it everything placed
    from it) stays where the parent put it."""
    sx, sy = layout.positions.get(anchor, (0.0, 0.0)) if anchor is not None else (0.0, 0.0)
    dx, dy = (-sx, 0.0) if tb else (0.0, -sy)
    positions = {k: (x + dx, y + dy) for k, (x, y) in layout.positions.items() if k != ENTRY}
    bends = {e: [(x + dx, y + dy) for x, y in b] for e, b in layout.bends.items() if e[0] != ENTRY}
    bounds = compute_bounds(positions, {k: sizes[k] for k in positions}, bends)
    return Layout(
        positions=positions,
        bends=bends,
        width=bounds[2] - bounds[0],
        height=bounds[3] - bounds[1],
        direction=layout.direction,
        layers=layout.layers,
        sizes=layout.sizes,
        bounds=bounds,
        node_gap=layout.node_gap,
        layer_gap=layout.layer_gap,
    )


def _place(
    top: Layout,
    levels: dict[Level, LevelLayout],
    boxes: dict[str, Box],
    sizes: dict[str, tuple[float, float]],
    tb: bool,
) -> tuple[dict[str, Point], dict[str, tuple[float, float, float, float]], dict[Level, Point]]:
    """Absolute centres of every drawn node, rectangles of every box (outermost first) and
    where each level's (0, 0) lands."""
    positions: dict[str, Point] = {}
    rects: dict[str, tuple[float, float, float, float]] = {}
    origins: dict[Level, Point] = {None: (0.0, 0.0)}
    todo: list[tuple[Layout, float, float]] = [(top, 0.0, 0.0)]
    while todo:
        layout, dx, dy = todo.pop()
        for k, (x, y) in layout.positions.items():
            cx, cy = x + dx, y + dy
            if k not in boxes:
                positions[k] = (cx, cy)
                continue
            w, h = sizes[k]
            inner = levels[k][2]
            room = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            origins[k] = level_origin(room, inner, tb)
            rects[k] = drawn_box(inner, origins[k], room, tb)
            todo.append((inner, *origins[k]))
    return positions, rects, origins


def _route(
    routes: dict[tuple[str, str], Route],
    levels: dict[Level, LevelLayout],
    positions: dict[str, Point],
    rects: dict[str, tuple[float, float, float, float]],
    offsets: dict[Level, Point],
    direction: str,
) -> dict[tuple[str, str], list[Point]]:
    """Bends of every view edge: out of its source's box, its level's bends, into the target's."""
    tb = direction == "TB"
    bends: dict[tuple[str, str], list[Point]] = {}
    for (u, v), (level, a, b) in routes.items():
        dx, dy = offsets[level]
        pts: list[Point] = []
        if a != u:
            r, (x, y) = rects[a], positions[u]
            pts.append((x, r[3]) if tb else (r[2], y))
        pts.extend((x + dx, y + dy) for x, y in levels[level][2].bends.get((a, b), ()))
        if b != v:
            r, (x, y) = rects[b], positions[v]
            pts.append((x, r[1]) if tb else (r[0], y))
        if pts:
            bends[(u, v)] = pts
    return bends
