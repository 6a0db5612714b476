"""Export the graph of a tick as DOT, GraphML or node-link JSON (chosen by the file extension)."""

from __future__ import annotations

import json
import os
from typing import Any

import networkx as nx

from visgrad.graph.build import graph_at

_SHAPES = {"tensor": "box", "function": "ellipse"}
_FILL = {
    "parameter": "#f6c85f",
    "leaf": "#9fd89f",
    "input": "#dddddd",
    "intermediate": "#ffffff",
    "output": "#9ecae1",
    "function": "#e8e0f8",
    "constant-op": "#f0f0f0",
}


class ExportError(ValueError):
    """The graph cannot be exported to that path (unknown extension)."""


def _model(events_or_model: Any) -> Any:
    from visgrad.trace.model import TraceModel

    if isinstance(events_or_model, TraceModel):
        return events_or_model
    return TraceModel(events_or_model)


def dot_quote(s: str) -> str:
    """A DOT double-quoted string: backslashes, quotes and newlines escaped."""
    s = str(s).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + s.replace("\r", "").replace("\n", "\\n") + '"'


def to_dot(g: nx.DiGraph, name: str = "visgrad") -> str:
    """The graph as DOT text (no graphviz Python bindings needed)."""
    lines = [f"digraph {dot_quote(name)} {{", "  rankdir=TB;", '  node [fontname="Helvetica"];']
    for key, a in g.nodes(data=True):
        kind = a.get("kind", "tensor")
        attrs = {
            "label": a.get("label", key),
            "shape": _SHAPES.get(kind, "box"),
            "style": "filled",
            "fillcolor": _FILL.get(a.get("role", ""), "#ffffff"),
        }
        body = ", ".join(f"{k}={dot_quote(v)}" for k, v in attrs.items())
        lines.append(f"  {dot_quote(key)} [{body}];")
    for src, dst, a in g.edges(data=True):
        style = "" if a.get("has_grad") else ' [style="dashed"]'
        lines.append(f"  {dot_quote(src)} -> {dot_quote(dst)}{style};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _graphml_value(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, tuple):
        return "[" + ", ".join(str(x) for x in v) + "]"
    return str(v)


def _graphml_ready(g: nx.DiGraph) -> nx.DiGraph:
    out = nx.DiGraph()
    for n, a in g.nodes(data=True):
        out.add_node(n, **{k: _graphml_value(v) for k, v in a.items()})
    for u, v, a in g.edges(data=True):
        out.add_edge(u, v, **{k: _graphml_value(x) for k, x in a.items()})
    return out


def export_graph(
    events_or_model: Any,
    out_path: str | os.PathLike,
    tick: int | None = None,
    scope: str = "all",
) -> None:
    """Write the graph at ``tick`` (default: the last) to ``out_path``: .dot/.gv, .graphml, .json.

    ``scope`` is ``"all"`` (the whole history) or ``"iteration"`` (the tick's iteration only).
    """
    path = os.fspath(out_path)
    ext = os.path.splitext(path)[1].lower()
    if ext not in (".dot", ".gv", ".graphml", ".json"):
        raise ExportError(
            f"cannot export the graph to {ext or 'a file without an extension'!r}: "
            "use .dot, .gv, .graphml or .json"
        )
    model = _model(events_or_model)
    state = model.state_at(len(model) - 1 if tick is None else tick)
    g = graph_at(state, scope)
    if ext in (".dot", ".gv"):
        with open(path, "w", encoding="utf-8") as f:
            f.write(to_dot(g))
    elif ext == ".graphml":
        nx.write_graphml(_graphml_ready(g), path)
    else:
        data = nx.node_link_data(g, edges="links")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, default=list)
