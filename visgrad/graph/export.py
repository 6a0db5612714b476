"""Export the graph of a tick as DOT, GraphML or node-link JSON (chosen by the file extension).

JSON and GraphML tensor nodes carry the numbers too: ``value``, ``grad`` (the tensor's ``.grad``)
and ``gradient`` (d(loss)/d(tensor) from the latest backward that reached it, for every tensor,
with or without ``retain_grad()``). Each is ``{"shape", "dtype", "data"}`` with the full array up
to ``payload_limit`` elements, ``{"shape", "dtype", "summary"}`` (min, max, mean, norm, NaN and
Inf counts) beyond, or null. Non-finite entries are the strings ``"NaN"``, ``"Infinity"``,
``"-Infinity"``, as strict JSON has no such numbers. GraphML holds that record as JSON text.
"""

from __future__ import annotations

import json
import os
from typing import Any

import networkx as nx
import numpy as np

from visgrad.graph.build import graph_at
from visgrad.trace.codec import DEFAULT_PAYLOAD_LIMIT
from visgrad.trace.keys import GraphKey
from visgrad.trace.model import TraceModel
from visgrad.trace.state import State, tkey
from visgrad.trace.summary import ArraySummary, summarize

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
    if isinstance(events_or_model, TraceModel):
        return events_or_model
    return TraceModel(events_or_model)


def dot_quote(s: str) -> str:
    """A DOT double-quoted string: backslashes, quotes and newlines escaped."""
    s = str(s).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + s.replace("\r", "").replace("\n", "\\n") + '"'


def to_dot(g: nx.DiGraph[GraphKey], name: str = "visgrad") -> str:
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


def _number(x: float) -> float | str:
    if x != x:
        return "NaN"
    if x in (float("inf"), float("-inf")):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def _nested(a: np.ndarray) -> Any:
    if a.ndim == 0:
        return _number(a.item()) if a.dtype.kind == "f" else a.item()
    if a.dtype.kind != "f" or np.isfinite(a).all():
        return a.tolist()
    return [_nested(x) for x in a]


def array_record(a: Any, limit: int = DEFAULT_PAYLOAD_LIMIT) -> dict[str, Any] | None:
    """An array for an export: all its numbers up to ``limit`` elements, statistics beyond."""
    if a is None:
        return None
    if isinstance(a, np.ndarray) and a.size <= limit:
        return {"shape": list(a.shape), "dtype": str(a.dtype), "data": _nested(a)}
    s = a if isinstance(a, ArraySummary) else summarize(a)
    stats = {k: _number(getattr(s, k)) for k in ("min", "max", "mean", "norm")}
    stats.update(nan=s.nan, inf=s.inf)
    return {"shape": list(s.shape), "dtype": s.dtype, "summary": stats}


def _with_arrays(g: nx.DiGraph[GraphKey], state: State, limit: int) -> None:
    for t in state.tensors.values():
        k = tkey(t.id)
        if k in g:
            a = g.nodes[k]
            a["value"] = array_record(t.value, limit)
            a["grad"] = array_record(t.grad, limit)
            a["gradient"] = array_record(t.grad if t.is_leaf else t.dloss, limit)


def _graphml_value(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, dict):
        return json.dumps(v, allow_nan=False)
    if isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, tuple):
        return "[" + ", ".join(str(x) for x in v) + "]"
    return str(v)


def _graphml_ready(g: nx.DiGraph[GraphKey]) -> nx.DiGraph[GraphKey]:
    out: nx.DiGraph[GraphKey] = nx.DiGraph()
    for n, a in g.nodes(data=True):
        out.add_node(n, **{k: _graphml_value(v) for k, v in a.items()})
    for u, v, a in g.edges(data=True):
        out.add_edge(u, v, **{k: _graphml_value(x) for k, x in a.items()})
    return out


def export_graph(
    events_or_model: Any,
    out_path: str | os.PathLike[str],
    tick: int | None = None,
    scope: str = "all",
    payload_limit: int = DEFAULT_PAYLOAD_LIMIT,
) -> None:
    """Write the graph at ``tick`` (default: the last) to ``out_path``: .dot/.gv, .graphml, .json.

    ``scope`` is ``"all"`` (the whole history) or ``"iteration"`` (the tick's iteration only);
    arrays with more than ``payload_limit`` elements are exported as statistics.
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
    if ext != ".dot" and ext != ".gv":
        _with_arrays(g, state, payload_limit)
    if ext in (".dot", ".gv"):
        with open(path, "w", encoding="utf-8") as f:
            f.write(to_dot(g))
    elif ext == ".graphml":
        nx.write_graphml(_graphml_ready(g), path)
    else:
        data = nx.node_link_data(g, edges="links")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, default=list, allow_nan=False)
