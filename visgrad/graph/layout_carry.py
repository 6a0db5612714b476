"""Carry a layout over to the next training iteration's graph, so each step looks like the last.

A training loop builds the same graph every step with new node ids. ``carry_layout`` matches the
new graph's nodes to the old one's by structure (a node present in both is itself; a function
matches an unused old function of the same name whose inputs are the matches of its inputs; its
outputs match that function's outputs; an input made afresh each step matches an old input of the
same program name) and returns the old layout renamed onto the new keys. Used as ``previous`` of
an incremental layout, shared parameters keep their places and every new op lands where its
counterpart stood.
"""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx

from visgrad.graph.layout_model import Layout, compute_bounds


def match_nodes(old: nx.DiGraph, new: nx.DiGraph) -> dict[Hashable, Hashable]:
    """New node -> old node, one to one, by the rule in the module docstring."""
    old_order = list(nx.topological_sort(old)) if nx.is_directed_acyclic_graph(old) else list(old)
    free_fns: dict[tuple[str, frozenset], list[Hashable]] = {}
    free_roots: dict[str, list[Hashable]] = {}
    for v in old_order:
        attrs = old.nodes[v]
        if attrs.get("kind") == "function":
            free_fns.setdefault((attrs.get("name", ""), frozenset(old.pred[v])), []).append(v)
        elif not old.pred[v] and v not in new:
            free_roots.setdefault(attrs.get("name", ""), []).append(v)
    match: dict[Hashable, Hashable] = {v: v for v in new if v in old}
    used = set(match.values())
    new_order = list(nx.topological_sort(new)) if nx.is_directed_acyclic_graph(new) else list(new)
    for v in new_order:
        if v in match:
            continue
        attrs = new.nodes[v]
        if attrs.get("kind") == "function":
            ins = [match.get(u) for u in new.pred[v]]
            if None in ins:
                continue
            cands = free_fns.get((attrs.get("name", ""), frozenset(ins)), [])
        elif not new.pred[v]:
            cands = free_roots.get(attrs.get("name", ""), [])
        else:
            continue  # an op's output: matched with its producer
        while cands and cands[0] in used:
            cands.pop(0)
        if not cands:
            continue
        w = cands.pop(0)
        match[v] = w
        used.add(w)
        if attrs.get("kind") == "function":
            for a, b in zip(new.succ[v], old.succ[w], strict=False):
                if a not in match and b not in used:
                    match[a] = b
                    used.add(b)
    return match


def carry_layout(previous: Layout, old: nx.DiGraph, new: nx.DiGraph) -> Layout:
    """``previous`` (a layout of ``old``) renamed onto the nodes of ``new`` that match old ones."""
    match = {v: w for v, w in match_nodes(old, new).items() if w in previous.positions}
    positions = {v: previous.positions[w] for v, w in match.items()}
    sizes = {v: previous.sizes[w] for v, w in match.items() if w in previous.sizes}
    layers = {v: previous.layers[w] for v, w in match.items() if w in previous.layers}
    bends = {}
    for u, v in new.edges:
        key = (match.get(u), match.get(v))
        if key in previous.bends:
            bends[(u, v)] = previous.bends[key]
    return _layout(previous, positions, sizes, layers, bends, previous.layer_coords)


def merge_layouts(base: Layout, top: Layout) -> Layout:
    """``base`` with ``top``'s nodes, bends and layer lines laid over it (``top`` wins)."""
    return _layout(
        top,
        {**base.positions, **top.positions},
        {**base.sizes, **top.sizes},
        {**base.layers, **top.layers},
        {**base.bends, **top.bends},
        {**base.layer_coords, **top.layer_coords},
    )


def _layout(
    like: Layout,
    positions: dict,
    sizes: dict,
    layers: dict,
    bends: dict,
    layer_coords: dict,
) -> Layout:
    bounds = compute_bounds(positions, sizes, bends)
    return Layout(
        positions=positions,
        bends=bends,
        width=bounds[2] - bounds[0],
        height=bounds[3] - bounds[1],
        direction=like.direction,
        layers=layers,
        sizes=sizes,
        layer_coords=dict(layer_coords),
        bounds=bounds,
        node_gap=like.node_gap,
        layer_gap=like.layer_gap,
    )
