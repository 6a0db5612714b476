"""The memory budget's tools: how many payload bytes an event holds, and summaries for arrays.

Once a trace's arrays exceed its budget, the oldest events keep only an ``ArraySummary`` of each
array. Nothing already folded is changed: states that held a dropped array are replaced by new
ones holding its summary (see ``TraceModel._drop_payloads``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from typing import Any

import numpy as np

from visgrad import events as ev_
from visgrad.trace.codec import ArraySummary, summarize
from visgrad.trace.state import FunctionState, TensorState


def payload(ev: ev_.Event) -> int:
    """Bytes of array payload in ``ev``."""
    n = 0
    for f in fields(ev):
        v = getattr(ev, f.name)
        if isinstance(v, np.ndarray):
            n += v.nbytes
        elif isinstance(v, tuple):
            n += sum(a.nbytes for a in v if isinstance(a, np.ndarray))
    return n


def summarized(ev: ev_.Event, swapped: dict[int, ArraySummary]) -> ev_.Event:
    """``ev`` with every array replaced by its summary (recorded in ``swapped`` by array id)."""

    def summ(a: np.ndarray) -> ArraySummary:
        s = summarize(a)
        swapped[id(a)] = s
        return s

    changes: dict[str, Any] = {}
    for f in fields(ev):
        v = getattr(ev, f.name)
        if isinstance(v, np.ndarray):
            changes[f.name] = summ(v)
        elif isinstance(v, tuple) and any(isinstance(a, np.ndarray) for a in v):
            changes[f.name] = tuple(summ(a) if isinstance(a, np.ndarray) else a for a in v)
    return replace(ev, **changes)


def swapper(swapped: dict[int, ArraySummary]) -> Callable[[Any], Any]:
    """A function mapping an array (or a tuple of them) to its summary when it was dropped."""

    def sw(v: Any) -> Any:
        if isinstance(v, np.ndarray):
            return swapped.get(id(v), v)
        if isinstance(v, tuple):
            return tuple(swapped.get(id(a), a) if isinstance(a, np.ndarray) else a for a in v)
        return v

    return sw


class Renewer:
    """New state objects for old ones that held dropped arrays; the same object otherwise.

    One old object shared by several keyframes gets one new object shared the same way.
    """

    def __init__(self, sw: Callable[[Any], Any]) -> None:
        self.sw = sw
        # id -> (old, new): holding the old object keeps its id from being reused meanwhile.
        self._memo: dict[int, tuple[Any, Any]] = {}
        self._dicts: dict[int, tuple[dict[int, Any], dict[int, Any]]] = {}

    def state(self, obj: Any) -> Any:
        got = self._memo.get(id(obj))
        if got is not None:
            return got[1]
        sw = self.sw
        new: Any
        if type(obj) is TensorState:
            v, g, d = sw(obj.value), sw(obj.grad), sw(obj.dloss)
            same = v is obj.value and g is obj.grad and d is obj.dloss
            new = obj if same else replace(obj, value=v, grad=g, dloss=d)
        elif type(obj) is FunctionState:
            gi, go = sw(obj.grads_in), sw(obj.grads_out)
            same = _same(gi, obj.grads_in) and _same(go, obj.grads_out)
            new = obj if same else replace(obj, grads_in=gi, grads_out=go)
        else:
            new = obj
        self._memo[id(obj)] = (obj, new)
        return new

    def chunk(self, d: dict[int, Any]) -> dict[int, Any]:
        """``d`` with renewed states (``d`` itself when none changed; shared chunks stay shared)."""
        got = self._dicts.get(id(d))
        if got is not None:
            return got[1]
        new = {k: self.state(v) for k, v in d.items()}
        out = d if all(new[k] is d[k] for k in d) else new
        self._dicts[id(d)] = (d, out)
        return out


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        return all(x is y for x, y in zip(a, b, strict=True))
    return False


def renew(head: Any, keyframes: list[Any], sw: Callable[[Any], Any]) -> list[Any]:
    """New keyframes (and new entries in the head's dicts) holding summaries for dropped arrays."""
    r = Renewer(sw)
    for d in (head.tensors, head.functions):
        for k, v in list(d.items()):
            d[k] = r.state(v)
    return [
        replace(
            kf,
            tchunks={ck: r.chunk(c) for ck, c in kf.tchunks.items()},
            fchunks={ck: r.chunk(c) for ck, c in kf.fchunks.items()},
        )
        for kf in keyframes
    ]
