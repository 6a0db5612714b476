"""Finding nodes by name, op, shape or module path: exact, substring or regular-expression match.

Every mode ignores case. A node matches when any of its fields does: its name (``w``,
``fc1.weight``, ``t12``), its op and grad_fn (``mm``, ``MmBackward0``), its shape (``[2, 8, 16]``;
a query written ``2x8x16``, ``2,8,16`` or ``(2, 8, 16)`` means the same), and its module path
(``blocks.0.attn``). Matches come in graph order: the order the program made them; in substring
mode the nodes the text names exactly come first, so ``t1`` goes to ``t1`` before ``t10``..``t1005``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import networkx as nx

from visgrad.trace.keys import GraphKey

MODES = ("substring", "exact", "regex")
_SHAPE = re.compile(r"^[\[(]?\s*\d+(\s*[,x×]\s*\d+)*\s*,?\s*[\])]?$")


def shape_text(shape: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _normal_shape(text: str) -> str | None:
    """``2x8x16`` -> ``[2, 8, 16]``; None when ``text`` is not a shape."""
    if not _SHAPE.match(text) or not re.search(r"[\[(,x×]", text):
        return None
    return shape_text(tuple(int(d) for d in re.findall(r"\d+", text)))


def node_fields(attrs: dict[str, Any]) -> tuple[str, ...]:
    """The texts a node is found by, lower-cased."""
    fields = [attrs.get("name") or "", attrs.get("module") or ""]
    if attrs.get("kind") == "function":
        fields += [attrs.get("op") or "", attrs.get("grad_fn") or ""]
    else:
        fields.append(shape_text(tuple(attrs.get("shape") or ())))
    return tuple(f.lower() for f in fields if f)


def matcher(text: str, mode: str = "substring") -> Callable[[tuple[str, ...]], bool]:
    """A test of a node's fields for ``text`` in ``mode``; ValueError for a bad pattern or mode."""
    if mode not in MODES:
        raise ValueError(f"search mode must be one of {MODES}, not {mode!r}")
    query = text.strip().lower()
    if mode == "regex":
        try:
            pattern = re.compile(query)
        except re.error as e:
            raise ValueError(f"bad regular expression: {e}") from None
        return lambda fields: any(pattern.search(f) for f in fields)
    shape = _normal_shape(query)
    wanted = (query, shape) if shape is not None else (query,)
    if mode == "exact":
        return lambda fields: any(f in wanted for f in fields)
    if shape is not None:
        inner = shape[1:-1]  # "8, 16" also finds [2, 8, 16]
        return lambda fields: any(query in f or inner in f for f in fields)
    return lambda fields: any(query in f for f in fields)


def find_nodes(graph: nx.DiGraph[GraphKey], text: str, mode: str = "substring") -> list[str]:
    """Keys of the nodes of ``graph`` matching ``text`` (empty text: none), in graph order."""
    if not text.strip():
        return []
    test = matcher(text, mode)
    hits = [
        (k, fields)
        for k, a in graph.nodes(data=True)
        if a.get("kind") != "group" and test(fields := node_fields(a))
    ]
    if mode != "substring" or len(hits) < 2:
        return [k for k, _ in hits]
    whole = matcher(text, "exact")
    first = [k for k, f in hits if whole(f)]
    if not first:
        return [k for k, _ in hits]
    named = set(first)
    return first + [k for k, _ in hits if k not in named]
