"""Breakpoints: conditions on events, evaluated in the child so a free run makes no round trips.

A breakpoint is plain data (it crosses the pipe as JSON). ``matches`` is pure: it looks at one event
and the tensor names known so far and says why it stops there, or returns None.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from visgrad import events

KINDS = ("op", "line", "tensor", "nan", "grad_norm")


@dataclass(frozen=True, slots=True)
class Breakpoint:
    """Stop when an event matches.

    ``kind`` / ``value``: ``"op"`` with an op name (``"mul"``) or a grad_fn name
    (``"MulBackward0"``, which also stops when backward runs that node); ``"line"`` with a line
    number in ``file``; ``"tensor"`` with the program's name of a tensor (``"w"``,
    ``"fc1.weight"``); ``"nan"`` (any NaN/Inf, value unused); ``"grad_norm"`` with a threshold.
    """

    id: int
    kind: str
    value: Any = None
    file: str | None = None
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown breakpoint kind {self.kind!r}; expected one of {KINDS}")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Breakpoint:
        return cls(
            id=int(d["id"]),
            kind=str(d["kind"]),
            value=d.get("value"),
            file=d.get("file"),
            enabled=bool(d.get("enabled", True)),
        )

    def matches(self, event: events.Event, names: Mapping[int, str]) -> str | None:
        """Why this breakpoint stops at ``event`` (a short sentence), or None."""
        if not self.enabled:
            return None
        return _MATCHERS[self.kind](self, event, names)


def _match_op(bp: Breakpoint, ev: events.Event, names: Mapping[int, str]) -> str | None:
    v = bp.value
    if isinstance(ev, events.ForwardOp):
        if ev.op == v or (ev.grad_fn is not None and ev.grad_fn == v):
            return f"forward {ev.op}" + (f" ({ev.grad_fn})" if ev.grad_fn else "")
    elif isinstance(ev, events.InplaceUpdate):
        if ev.op == v or (ev.grad_fn is not None and ev.grad_fn == v):
            return f"in-place {ev.op}"
    elif isinstance(ev, events.BackwardNode) and ev.name == v:
        return f"backward {ev.name}"
    return None


def _same_file(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        return os.path.realpath(a) == os.path.realpath(b)
    except (OSError, ValueError):
        return False


def _match_line(bp: Breakpoint, ev: events.Event, names: Mapping[int, str]) -> str | None:
    src = getattr(ev, "source", None)
    if src is None or src[1] != _as_int(bp.value):
        return None
    if bp.file is not None and not _same_file(src[0], bp.file):
        return None
    return f"line {src[1]}"


def _as_int(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def touched_tensors(ev: events.Event) -> Iterable[int | None]:
    """Tensor ids an event reads or writes."""
    if isinstance(ev, events.ForwardOp):
        return (*ev.inputs, *ev.outputs)
    if isinstance(ev, (events.InplaceUpdate, events.GradAccumulated, events.GradReset)):
        return (ev.tensor,)
    if isinstance(ev, events.BackwardNode):
        return (ev.tensor,)
    if isinstance(ev, events.BackwardBegin):
        return ev.roots
    return ()


def _match_tensor(bp: Breakpoint, ev: events.Event, names: Mapping[int, str]) -> str | None:
    for t in touched_tensors(ev):
        if t is not None and names.get(t) == bp.value:
            return f"{ev.kind} touches {bp.value}"
    return None


def _match_nan(bp: Breakpoint, ev: events.Event, names: Mapping[int, str]) -> str | None:
    if isinstance(ev, events.Anomaly):
        return ev.message or f"NaN/Inf in {ev.name}"
    return None


def _norm(a: Any) -> float:
    if a is None:
        return 0.0
    if isinstance(a, np.ndarray):
        if a.dtype.kind not in "fc":
            return 0.0
        with np.errstate(all="ignore"):
            return float(np.sqrt(np.square(a, dtype=np.float64).sum()))
    return float(getattr(a, "norm", 0.0))  # an ArraySummary carries its norm


def _match_grad_norm(bp: Breakpoint, ev: events.Event, names: Mapping[int, str]) -> str | None:
    thr = float(bp.value)
    if isinstance(ev, events.BackwardNode):
        for i, g in enumerate(ev.grads_out):
            n = _norm(g)
            if n > thr and not math.isnan(n):
                return f"|grad| = {n:.4g} > {thr:g} out of {ev.name} (input {i})"
    elif isinstance(ev, events.GradAccumulated):
        n = _norm(ev.grad)
        if n > thr and not math.isnan(n):
            who = names.get(ev.tensor, f"t{ev.tensor}")
            return f"|{who}.grad| = {n:.4g} > {thr:g}"
    return None


_MATCHERS = {
    "op": _match_op,
    "line": _match_line,
    "tensor": _match_tensor,
    "nan": _match_nan,
    "grad_norm": _match_grad_norm,
}
