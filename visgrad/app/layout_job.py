"""The layout job: from a state to a laid-out view graph, on the view's worker thread.

``draw`` builds the graph at the state (``graph_at``), its module groups (``build_tree``), the
view graph of the open groups, and lays it out (``compound_layout``); the job then builds the
edge paths and the minimap's picture, and the view hands the result to the scene on the GUI
thread. Nothing here touches an item.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import networkx as nx
from PySide6.QtCore import QObject, QRectF, QRunnable, Signal
from PySide6.QtGui import QImage

from visgrad.app.graph_geometry import Geometry, build_geometry
from visgrad.app.graph_scene import GraphScene
from visgrad.app.minimap import render_minimap, render_overview
from visgrad.graph.build import graph_at
from visgrad.graph.grouped import view_graph
from visgrad.graph.groups import ModuleTree, auto_expanded, build_tree
from visgrad.graph.layout import Layout
from visgrad.graph.layout_compound import compound_layout
from visgrad.trace.state import State

NODE_GAP, LAYER_GAP = 32.0, 38.0
AUTO_BUDGET = 24  # about what a graph pane shows readably: groups open until this many nodes


@dataclass(slots=True)
class Drawn:
    """What one layout job made: the full graph, its groups, and the view graph laid out."""

    graph: nx.DiGraph  # graph_at's: every node of the drawing
    tree: ModuleTree
    expanded: frozenset[str]  # the open groups it was drawn with
    view: nx.DiGraph  # what the layout and the scene see
    layout: Layout
    geometry: Geometry | None = None
    minimap: tuple[QImage, QRectF] | None = None  # the picture and the scene rect it covers


def build_and_layout(
    state: State,
    scene: GraphScene,
    direction: str,
    previous: Layout | None,
    scope: str = "all",
    expanded: Collection[str] | str = "all",
    base: tuple[nx.DiGraph, ModuleTree] | None = None,
) -> tuple[nx.DiGraph, Layout]:
    """The view graph at ``state`` with box sizes, laid out; ``previous`` is a layout of the same
    drawing at another tick or with other groups open (what did not change is reused) or None.

    ``expanded`` names the open groups, or is ``"all"`` (every group open) or ``"auto"`` (open
    to a depth that fits); ``base`` is an earlier job's (graph, tree) of the same graph.
    """
    drawn = draw(state, scene, direction, previous, scope, expanded, base)
    return drawn.view, drawn.layout


def draw(
    state: State,
    scene: GraphScene,
    direction: str,
    previous: Layout | None,
    scope: str = "all",
    expanded: Collection[str] | str = "all",
    base: tuple[nx.DiGraph, ModuleTree] | None = None,
) -> Drawn:
    """:func:`build_and_layout`, with everything it made along the way."""
    if base is not None:
        graph, tree = base
    else:
        graph = graph_at(state, scope)
        tree = build_tree(graph)
    if expanded == "all":
        opened = frozenset(tree.groups)
    elif expanded == "auto":
        opened = frozenset(auto_expanded(tree, AUTO_BUDGET))
    else:
        opened = frozenset(expanded)
    vg = view_graph(graph, tree, opened)
    scene.prepare_graph(vg, state)
    layout = compound_layout(vg, previous, direction, NODE_GAP, LAYER_GAP)
    return Drawn(graph, tree, opened, vg, layout)


class Relay(QObject):
    done = Signal(int, object)  # generation, Drawn
    failed = Signal(int, str)


class LayoutJob(QRunnable):
    """One layout, run on the view's one-thread pool; reports through a :class:`Relay`."""

    def __init__(
        self,
        relay: Relay,
        gen: int,
        state: State,
        scene: GraphScene,
        direction: str,
        previous: Layout | None,
        scope: str,
        expanded: Collection[str] | str,
        base: tuple[nx.DiGraph, ModuleTree] | None,
    ) -> None:
        super().__init__()
        self.args = (state, scene, direction, previous, scope, expanded, base)
        self.relay, self.gen = relay, gen

    def run(self) -> None:
        try:
            drawn = draw(*self.args)
            # Paths here, not on the GUI thread: 17,000 edges took 120 ms to build there.
            drawn.geometry = build_geometry(drawn.view, drawn.layout, self.args[0])
            colors = self.args[1].colors
            drawn.minimap = render_minimap(drawn.layout, drawn.geometry, colors)
            depths = {k: v.get("depth", 0) for k, v in drawn.view.graph.get("boxes", {}).items()}
            drawn.geometry.overview_picture = render_overview(
                drawn.layout, drawn.geometry, colors, depths
            )
        except Exception as e:  # a layout bug must not kill the worker thread silently
            self.relay.failed.emit(self.gen, f"{type(e).__name__}: {e}")
            return
        self.relay.done.emit(self.gen, drawn)
