"""The graph at one tick as a ``networkx.DiGraph``: tensor -> function -> tensor.

Node keys are the views' keys (``t<id>``, ``f<id>``). The layout, the exports and any analysis a
user runs on the graph read it from here, never from engine objects.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from visgrad.trace.keys import GraphKey
from visgrad.trace.state import FunctionState, State, TensorState, fkey, tkey


def _shape_text(shape: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def tensor_attrs(t: TensorState) -> dict[str, Any]:
    """Node attributes of a tensor."""
    return {
        "kind": "tensor",
        "role": t.role,
        "name": t.name,
        "label": f"{t.name}\n{_shape_text(t.shape)}",
        "shape": t.shape,
        "dtype": t.dtype,
        "grad_fn": "",
        "op": "",
        "file": t.source[0] if t.source else "",
        "line": t.source[1] if t.source else 0,
        "requires_grad": t.requires_grad,
        "is_leaf": t.is_leaf,
        "has_grad": t.grad is not None,
        "version": t.version,
        "module": t.module,
        "module_classes": t.module_classes,
    }


def function_attrs(f: FunctionState) -> dict[str, Any]:
    """Node attributes of a function (a forward op and its backward node)."""
    recorded = f.id >= 0
    return {
        "kind": "function",
        "role": "failed" if f.failed else "function" if recorded else "constant-op",
        "name": f.grad_fn,
        "label": f.grad_fn,
        "shape": (),
        "dtype": "",
        "grad_fn": f.grad_fn if recorded else "",
        "op": f.op,
        "file": f.source[0] if f.source else "",
        "line": f.source[1] if f.source else 0,
        "requires_grad": recorded,
        "is_leaf": False,
        "executed": f.executed,
        "saved_released": f.saved_released,
        "module": f.module,
        "module_classes": f.module_classes,
        "failed": f.failed,
    }


SCOPES = ("all", "iteration")


def graph_at(state: State, scope: str = "all") -> nx.DiGraph[GraphKey]:
    """A DiGraph of ``state``'s graph; edges carry ``has_grad`` (a gradient flows back along it).

    ``scope="iteration"`` keeps only the current iteration's graph (``State.scope_keys``), as
    PyTorch builds a new graph each training step; ``"all"`` keeps the whole history.
    """
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, not {scope!r}")
    keep = state.scope_keys() if scope == "iteration" else None
    # Nodes in the order the program made them: the online layout places each node from the ones
    # before it, so this order (never ids, hashes or dict luck) decides the picture.
    made: list[tuple[int, GraphKey, dict[str, Any]]] = []
    for t in state.tensors.values():
        if keep is None or tkey(t.id) in keep:
            made.append((t.created_seq, tkey(t.id), tensor_attrs(t)))
    for f in state.functions.values():
        if keep is None or fkey(f.id) in keep:
            made.append((f.created_seq, fkey(f.id), function_attrs(f)))
    made.sort(key=lambda m: m[0])  # stable: same-seq nodes keep tensors-then-functions order
    g: nx.DiGraph[GraphKey] = nx.DiGraph()
    for _, key, attrs in made:
        g.add_node(key, **attrs)
    active = {(b, a) for a, b in state.grad_edges}
    for src, dst in state.edges:
        if keep is not None and (src not in keep or dst not in keep):
            continue
        tensor_end = src if src.startswith("t") else dst
        rg = bool(g.nodes[tensor_end].get("requires_grad")) if tensor_end in g else False
        g.add_edge(src, dst, has_grad=rg, active=(src, dst) in active)
    return g
