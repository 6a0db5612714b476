"""Where NaN/Inf first appeared in a run: the producing node, for the graph and the inspector.

Qt-free: it reads the event log only. A forward anomaly names the op whose output went bad; a
backward anomaly names the backward node that returned a bad gradient and, behind it, the forward
op it differentiates (in the graph both are the same function node) and that op's output tensor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from visgrad import events
from visgrad.trace.state import fkey, tkey


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


def first_anomaly(log: Sequence[events.Event], upto: int | None = None) -> NanOrigin | None:
    """The first ``Anomaly`` at or before tick ``upto`` (the whole log when None), explained."""
    end = len(log) if upto is None else min(len(log), upto + 1)
    forward: dict[int, events.ForwardOp] = {}
    for i in range(end):
        ev = log[i]
        if isinstance(ev, events.ForwardOp) and ev.node is not None:
            forward[ev.node] = ev
        elif isinstance(ev, events.Anomaly):
            return explain(ev, i, forward)
    return None


def explain(ev: events.Anomaly, tick: int, forward: dict[int, events.ForwardOp]) -> NanOrigin:
    """Turn one ``Anomaly`` into what the debugger marks and says."""
    what = _what(ev.nan, ev.inf)
    fwd = forward.get(ev.node) if ev.node is not None else None
    marks: dict[str, str] = {}
    if ev.where == "forward":
        tensor = ev.tensor
        if ev.node is not None:
            marks[fkey(ev.node)] = "nan"
        if tensor is not None:
            marks[tkey(tensor)] = "nan"
        select = tkey(tensor) if tensor is not None else (fkey(ev.node) if ev.node else "")
        op = fwd.op if fwd else (ev.name or "an op")
        text = f"{what} first appeared in the forward value made by {op}{_line(fwd.source if fwd else None)}."
        return NanOrigin(
            tick,
            "forward",
            ev.node,
            ev.name,
            tensor,
            ev.nan,
            ev.inf,
            select,
            marks,
            text,
            op,
            fwd.source if fwd else None,
        )
    tensor = fwd.outputs[0] if fwd and fwd.outputs else None
    if ev.node is not None:
        marks[fkey(ev.node)] = "nan"
    if tensor is not None:
        marks[tkey(tensor)] = "nan"
    op = fwd.op if fwd else ""
    text = (
        f"{what} first appeared in backward: {ev.name} returned it"
        + (f"; it differentiates the forward op {op}{_line(fwd.source)}" if fwd else "")
        + ". Its inputs were finite, so this node's local derivative is where it breaks."
    )
    return NanOrigin(
        tick,
        "backward",
        ev.node,
        ev.name,
        tensor,
        ev.nan,
        ev.inf,
        fkey(ev.node) if ev.node is not None else "",
        marks,
        text,
        op,
        fwd.source if fwd else None,
    )
