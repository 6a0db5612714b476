"""Geometry of the compound layout's boxes: how big a level's box is, where the level sits in
it, what is drawn of it, and a level's layers packed to their own depths
(:mod:`layout_compound` lays the levels out).
"""

from __future__ import annotations

import networkx as nx

from visgrad.graph.layout_model import Layout, Point, compute_bounds
from visgrad.trace.keys import GraphKey

PAD = 14.0  # free space inside a box, left, right and below its contents
TITLE = 30.0  # the band above a box's contents that holds its title
MIN_BOX_W = 180.0


def compact_layers(
    raw: Layout,
    h: nx.DiGraph[GraphKey],
    sizes: dict[str, tuple[float, float]],
    tb: bool,
    gap: float,
) -> Layout:
    """``raw`` with each layer only as deep as its deepest unit.

    The online rule spaces all layers by the deepest node met so far, which suits node cards of
    two heights but would give every layer of a level the depth of its biggest box. In a layer
    deeper than itself a source sits at the layer's far end, next to the consumer below it, and
    any other node at the near end, next to its producers.
    """
    if not raw.layers:  # nothing connected: one row of staged units, nothing to compact
        return raw
    depth: dict[int, float] = {}
    for v, layer in raw.layers.items():
        w, ht = sizes[v]
        depth[layer] = max(depth.get(layer, 0.0), ht if tb else w)
    coords: dict[float, float] = {}  # old layer coordinate -> new
    at = None
    for layer in sorted(depth):
        d = depth[layer]
        at = d / 2 if at is None else at + d / 2
        coords[raw.layer_coords[layer]] = at
        at += d / 2 + gap
    first = min(coords)
    shift = coords[first] - first  # for staged sources, a row above the drawing: keep above it
    positions: dict[str, Point] = {}
    for v, (x, y) in raw.positions.items():
        on = raw.layers.get(v)
        if on is None:
            positions[v] = (x, y + shift) if tb else (x + shift, y)
            continue
        c = coords[raw.layer_coords[on]]
        w, ht = sizes[v]
        slack = (depth[on] - (ht if tb else w)) / 2
        c += slack if not h.pred[v] else -slack
        positions[v] = (x, c) if tb else (c, y)
    bends = {
        e: [((x, along(coords, y)) if tb else (along(coords, x), y)) for x, y in pts]
        for e, pts in raw.bends.items()
    }
    bounds = compute_bounds(positions, {v: sizes[v] for v in positions}, bends)
    return Layout(
        positions=positions,
        bends=bends,
        width=bounds[2] - bounds[0],
        height=bounds[3] - bounds[1],
        direction=raw.direction,
        layers=raw.layers,
        sizes=raw.sizes,
        bounds=bounds,
        node_gap=raw.node_gap,
        layer_gap=raw.layer_gap,
    )


def along(coords: dict[float, float], c: float) -> float:
    """Where an old layer-axis coordinate lands: its layer's new line, or in proportion between."""
    hit = coords.get(c)
    if hit is not None:
        return hit
    keys = sorted(coords)
    if c <= keys[0]:
        return coords[keys[0]] - (keys[0] - c)
    if c >= keys[-1]:
        return coords[keys[-1]] + (c - keys[-1])
    for a, b in zip(keys, keys[1:], strict=False):
        if a <= c <= b:
            t = (c - a) / (b - a) if b > a else 0.0
            return coords[a] + t * (coords[b] - coords[a])
    return c


def box_size(inner: Layout, tb: bool) -> tuple[float, float]:
    """The room a level's box takes in its parent: symmetric about its line 0, the title band
    on top (``drawn_box`` is the part of it framed)."""
    x0, y0, x1, y1 = inner.bounds
    if tb:
        return max(MIN_BOX_W, 2 * max(-x0, x1) + 2 * PAD), y1 - y0 + TITLE + PAD
    return max(MIN_BOX_W, x1 - x0 + 2 * PAD), 2 * max(-y0, y1) + TITLE + PAD


def level_origin(rect: tuple[float, float, float, float], inner: Layout, tb: bool) -> Point:
    """Where a level's (0, 0) lands in its box ``rect``."""
    bx0, by0, bx1, _ = rect
    x0, y0, _, y1 = inner.bounds
    if tb:
        return (bx0 + bx1) / 2, by0 + TITLE - y0
    return bx0 + PAD - x0, by0 + TITLE + max(-y0, y1)


def drawn_box(
    inner: Layout, origin: Point, room: tuple[float, float, float, float], tb: bool
) -> tuple[float, float, float, float]:
    """The rectangle drawn for a box: its contents, the padding and the title band, inside the
    rectangle ``room`` its level reserved. That one is symmetric about the level's line 0
    (``box_size``), so the line stays put when the contents grow; but drawn whole it frames
    empty space beside lopsided contents, and a side far from anything reads as a stray line."""
    ox, oy = origin
    x0, y0, x1, y1 = inner.bounds
    if not tb:
        return room[0], oy + y0 - TITLE, room[2], oy + y1 + PAD
    lo, hi = ox + x0 - PAD, ox + x1 + PAD
    if hi - lo < MIN_BOX_W:
        lo = min(max((lo + hi - MIN_BOX_W) / 2, room[0]), room[2] - MIN_BOX_W)
        hi = lo + MIN_BOX_W
    return lo, room[1], hi, room[3]
