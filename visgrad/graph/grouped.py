"""The graph to draw for a set of open groups: a closed group stands in for everything inside it.

``view_graph(graph, tree, expanded)`` is what the layout and the scene see. Its nodes are the
nodes of open groups (and of no group) with their ``graph_at`` attributes, plus one node per closed
group on the edge of the open part, keyed by the group's key, with:

``kind="group"``, ``role="group"``, ``label``, ``name``, ``cls``, ``module`` (path), ``repeat``,
``count`` (nodes inside), ``params`` (parameter elements inside), ``inputs`` / ``outputs`` (keys of
the tensors that enter it from outside and leave it, in graph order).

Every node has ``parent``: the innermost open group it is drawn in (None at the top), and every
edge ``level``: the open group the edge runs inside (None at the top); ``graph.graph["boxes"]``
maps each open group to ``{"parent", "label", "depth", "repeat"}``, outermost first. An edge of
``graph`` between two different drawn nodes becomes one edge (parallel ones merge; ``has_grad``
and ``active`` are or-ed); edges inside a closed group vanish with it. Only edges filed under
open groups are read, so a collapsed view of a huge graph costs little.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import networkx as nx

from visgrad.graph.groups import Group, ModuleTree, is_group
from visgrad.trace.keys import GraphKey


def view_graph(
    graph: nx.DiGraph[GraphKey], tree: ModuleTree, expanded: Collection[str]
) -> nx.DiGraph[GraphKey]:
    """The graph of ``graph`` with every group not in ``expanded`` closed (see the docstring)."""
    opened = frozenset(k for k in expanded if k in tree.groups)
    if not tree.groups:  # nothing to close: draw the graph itself (nodes without a parent)
        graph.graph.update(tree=tree, expanded=opened, boxes={}, reps={})
        return graph
    vg: nx.DiGraph[GraphKey] = nx.DiGraph()
    vg.graph.update(tree=tree, expanded=opened, boxes={}, reps={})
    units: list[tuple[int, GraphKey, dict[str, Any]]] = []
    nodes, groups = graph.nodes, tree.groups
    for key in tree.top_members:
        units.append((tree.index[key], key, {**nodes[key], "parent": None}))
    todo: list[tuple[str, str | None]] = [(k, None) for k in reversed(tree.top)]
    while todo:
        key, parent = todo.pop()
        g = groups[key]
        if key not in opened:
            units.append((g.first, key, _group_attrs(g, parent)))
            continue
        vg.graph["boxes"][key] = {
            "parent": parent,
            "label": g.label,
            "depth": g.depth,
            "repeat": g.repeat,
        }
        for m in g.members:
            units.append((tree.index[m], m, {**nodes[m], "parent": key}))
        todo.extend((c, key) for c in reversed(g.children))
    units.sort(key=lambda u: u[0])
    vg.add_nodes_from((key, attrs) for _, key, attrs in units)
    _add_edges(vg, graph, tree, opened)
    return vg


def _group_attrs(g: Group, parent: GraphKey | None) -> dict[str, Any]:
    return {
        "kind": "group",
        "role": "group",
        "label": g.label,
        "name": g.name,
        "cls": g.cls,
        "module": g.path,
        "repeat": g.repeat,
        "count": g.size,
        "params": g.params,
        "inputs": [],
        "outputs": [],
        "parent": parent,
    }


def representative(vg: nx.DiGraph[GraphKey], key: str) -> str:
    """The drawn node standing for ``key`` of the full graph: the outermost closed group holding
    it, else ``key`` itself (also for a node newer than the view graph: it is about to be drawn).
    """
    if key in vg:
        return key
    reps: dict[str, str] = vg.graph.setdefault("reps", {})
    rep = reps.get(key)
    if rep is not None:
        return rep
    rep = key
    tree: ModuleTree | None = vg.graph.get("tree")
    if tree is not None:
        opened = vg.graph.get("expanded", frozenset())
        g = tree.groups.get(key) if is_group(key) else None
        for k in g.chain if g is not None else tree.chain_of(key):
            if k not in opened:
                rep = k if k in vg else key
                break
    reps[key] = rep
    return rep


def _add_edges(
    vg: nx.DiGraph[GraphKey],
    graph: nx.DiGraph[GraphKey],
    tree: ModuleTree,
    opened: frozenset[GraphKey],
) -> None:
    nodes = graph.nodes
    succ = vg.succ
    noted: dict[tuple[str, str], None] = {}  # (group, tensor) pairs already listed
    for level in (None, *vg.graph["boxes"]):
        for u, v in tree.edges_at.get(level, ()):
            ru, rv = representative(vg, u), representative(vg, v)
            if ru == rv:
                continue
            data = graph.edges[u, v]
            if ru != u and u[0] == "t" and (ru, u) not in noted:
                noted[(ru, u)] = None
                vg.nodes[ru]["outputs"].append(u)
            if rv != v and u[0] == "t" and nodes[u].get("role") != "parameter":
                if (rv, u) not in noted:
                    noted[(rv, u)] = None
                    vg.nodes[rv]["inputs"].append(u)
            old = succ[ru].get(rv)
            if old is None:
                vg.add_edge(
                    ru,
                    rv,
                    has_grad=bool(data.get("has_grad")),
                    active=bool(data.get("active")),
                    level=level,
                )
            else:
                old["has_grad"] = old["has_grad"] or bool(data.get("has_grad"))
                old["active"] = old["active"] or bool(data.get("active"))
