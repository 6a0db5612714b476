"""The zoomed-out overview of a big graph is one picture, edges included, and the scene stops
stroking the edge paths while that picture stands in for the nodes."""

from __future__ import annotations

import math

import networkx as nx
from PySide6.QtCore import QRectF

from visgrad.app.graph_geometry import build_geometry
from visgrad.app.graph_scene import GraphScene
from visgrad.app.minimap import FAR_RECTS, render_overview
from visgrad.app.theme import graph_colors
from visgrad.graph.layout import layered_layout


def _chains(count: int, length: int) -> nx.DiGraph:
    """``count`` chains side by side, each alternating tensors and functions ``length`` long."""
    g = nx.DiGraph()
    for c in range(count):
        prev = None
        for i in range(length):
            kind = "function" if i % 2 else "tensor"
            key = f"{kind[0]}{c * length + i}"
            g.add_node(key, kind=kind, size=(120.0 if i % 2 else 80.0, 30.0))
            if prev is not None:
                g.add_edge(prev, key)
            prev = key
    return g


def _drawn(count: int = 40, length: int = FAR_RECTS // 40 + 5):
    g = _chains(count, length)
    layout = layered_layout(g)
    return g, layout, build_geometry(g, layout, None)


def _opaque_between(image, area: QRectF, top: tuple[float, float], bottom: tuple[float, float]):
    """Opaque pixels on the vertical line between two scene points."""
    sx, sy = image.width() / area.width(), image.height() / area.height()
    x = round((top[0] - area.left()) * sx)
    y0, y1 = math.ceil((top[1] - area.top()) * sy), math.floor((bottom[1] - area.top()) * sy)
    return sum(1 for y in range(y0, y1 + 1) if image.pixelColor(x, y).alpha() > 0)


def test_the_overview_picture_of_a_big_graph_draws_its_edges(qapp):
    g, layout, geometry = _drawn()
    assert g.number_of_nodes() >= FAR_RECTS
    colors = graph_colors(False)
    with_edges = render_overview(layout, geometry, colors, {})
    geometry.edge_paths = []
    without = render_overview(layout, geometry, colors, {})
    assert with_edges is not None and without is not None
    (image, *_), area = with_edges
    (bare, *_), _ = without
    # Between a function's box and its output's box only the edge can be drawn.
    f, t = layout.positions["f1"], layout.positions["t2"]
    assert f[0] == t[0] and t[1] > f[1]
    fh, th = layout.sizes["f1"][1], layout.sizes["t2"][1]
    top, bottom = (f[0], f[1] + fh / 2 + 10), (t[0], t[1] - th / 2 - 10)
    assert _opaque_between(bare, area, top, bottom) == 0
    assert _opaque_between(image, area, top, bottom) >= 2


def test_edge_paths_hide_while_the_pictured_overview_stands_in_and_come_back(qapp):
    g, layout, geometry = _drawn()
    colors = graph_colors(False)
    geometry.overview_picture = render_overview(layout, geometry, colors, {})
    scene = GraphScene(colors)
    scene.apply_layout(g, layout, geometry)
    edges = scene._edge_items
    assert edges and all(e.isVisible() for e in edges)
    scene.show_nodes(False)
    assert not any(e.isVisible() for e in edges)
    # Edges rebuilt while zoomed out (time travel hid a node) stay hidden too.
    scene.hide_missing(scene.host.state, keep=set(g.nodes) - {"t2"})
    assert scene._edge_items and not any(e.isVisible() for e in scene._edge_items)
    scene.show_nodes(True)
    assert all(e.isVisible() for e in scene._edge_items)
    assert scene.edge_count() == g.number_of_edges() - 2  # t2 had an edge in and one out


def test_a_small_graph_keeps_its_edge_paths_in_the_overview(qapp):
    g, layout, geometry = _drawn(count=3, length=10)
    geometry.overview_picture = render_overview(layout, geometry, graph_colors(False), {})
    assert geometry.overview_picture is None
    scene = GraphScene(graph_colors(False))
    scene.apply_layout(g, layout, geometry)
    scene.show_nodes(False)
    assert scene._edge_items and all(e.isVisible() for e in scene._edge_items)
