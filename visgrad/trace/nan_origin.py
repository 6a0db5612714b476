"""Where NaN/Inf first appeared in a run: the producing node, for the graph and the inspector.

Qt-free. The fold (``trace/fold.py``) reports each ``Anomaly`` with the function node it names;
``explain`` turns that into what to mark, select and say. A forward anomaly names the op whose
output went bad; a backward anomaly names the backward node that returned a bad gradient and,
behind it, the forward op it differentiates (in the graph both are the same function node) and
that op's output tensor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from visgrad.trace.state import FunctionState, fkey, tkey


@dataclass(frozen=True, slots=True)
class NanOrigin:
    """The first NaN/Inf of a run and what to mark, select and say about it."""

    tick: int  # index of the Anomaly event in the log
    where: str  # "forward" | "backward"
    node: int | None
    name: str  # the node's grad_fn name ("SqrtBackward0")
    tensor: int | None  # the bad forward value (forward), or the forward op's output (backward)
    nan: int
    inf: int
    select: str  # graph key to select
    marks: dict[str, str] = field(default_factory=dict)  # graph key -> mark role
    explanation: str = ""
    forward_op: str = ""
    source: tuple[str, int, str] | None = None


def _what(nan: int, inf: int) -> str:
    parts = []
    if nan:
        parts.append(f"{nan} NaN")
    if inf:
        parts.append(f"{inf} Inf")
    return " and ".join(parts) or "NaN/Inf"


def _line(src: tuple[str, int, str] | None) -> str:
    return f" (line {src[1]})" if src else ""


def explain(
    tick: int,
    where: str,
    node: int | None,
    name: str,
    tensor: int | None,
    nan: int,
    inf: int,
    fn: FunctionState | None,
) -> NanOrigin:
    """Turn one anomaly (at ``tick``, about function ``fn`` when known) into what to show."""
    what = _what(nan, inf)
    src = fn.source if fn is not None else None
    marks: dict[str, str] = {}
    if node is not None:
        marks[fkey(node)] = "nan"
    if where == "forward":
        if tensor is not None:
            marks[tkey(tensor)] = "nan"
        select = tkey(tensor) if tensor is not None else (fkey(node) if node else "")
        op = fn.op if fn is not None else (name or "an op")
        text = f"{what} first appeared in the forward value made by {op}{_line(src)}."
        return NanOrigin(
            tick, "forward", node, name, tensor, nan, inf, select, marks, text, op, src
        )
    out = fn.outputs[0] if fn is not None and fn.outputs else None
    if out is not None:
        marks[tkey(out)] = "nan"
    op = fn.op if fn is not None else ""
    text = (
        f"{what} first appeared in backward: {name} returned it"
        + (f"; it differentiates the forward op {op}{_line(src)}" if fn is not None else "")
        + ". Its inputs were finite, so this node's local derivative is where it breaks."
    )
    select = fkey(node) if node is not None else ""
    return NanOrigin(tick, "backward", node, name, out, nan, inf, select, marks, text, op, src)
