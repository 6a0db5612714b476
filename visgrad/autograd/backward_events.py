"""The backward engine's events: each node's ``BackwardNode`` with its gradient snapshots, and the
anomalies in what a node returned.

A gradient a node sends on is snapshotted once, by the sending node's event; the receiving node's
event shows the same read-only copy (``carried_in``) unless the program's code (a hook, a custom
Function) ran in between and could have written into it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from visgrad import call_site, events
from visgrad.autograd.node import Node


def publish_begin(
    roots: Sequence[Any],
    edges: list[tuple[Node, int]],
    seeds: list[Any],
    retain_graph: bool,
    create_graph: bool,
    accumulate_only: Sequence[Any] | None,
    api: str,
) -> None:
    """Publish the ``BackwardBegin`` event of one engine run."""
    events.publish(
        events.BackwardBegin(
            seq=events.next_seq(),
            roots=tuple(t._id for t in roots),
            root_nodes=tuple(n.id for n, _ in edges),
            seeds=tuple(events.snapshot(g._data) for g in seeds),
            retain_graph=retain_graph,
            create_graph=create_graph,
            inputs=tuple(t._id for t in accumulate_only) if accumulate_only else None,
            api=api,
            # The program's frame: above this function, _run, run and the API function.
            source=call_site.user_source(4),
        )
    )


def publish_node(
    node: Node,
    srcs: Any,
    grads: list[Any],
    outs: tuple[Any, ...],
    tensor: Any,
    pre: list[Any] | None = None,
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """Publish the node's BackwardNode event; returns its ``grads_in`` and ``grads_out`` snapshots.

    ``pre``: snapshots of ``grads`` already taken by the events of the nodes that sent them.
    """
    memo: dict[int, Any] = {}
    if pre is not None:
        for g, s in zip(grads, pre, strict=True):
            if s is not None:
                memo[id(g._data)] = s
    grads_in = _snapshots(grads, memo)
    grads_out = _snapshots(outs, memo)
    events.publish(
        events.BackwardNode(
            seq=events.next_seq(),
            node=node.id,
            name=node.name(),
            tensor=tensor,
            next_nodes=tuple([f.id if f is not None else None for f in node._next_fns]),
            sources=tuple(srcs),
            grads_in=grads_in,
            grads_out=grads_out,
        )
    )
    return grads_in, grads_out


def carried_in(
    carried: dict[int, tuple[Any, ...]], grads: list[Any], node: Node
) -> list[Any] | None:
    """The snapshots the sending nodes' events took of ``node``'s incoming ``grads``, where still
    exact, or None.

    Each entry is taken out (a gradient fills one buffer slot once), so the engine holds no extra
    reference to a gradient by the time ``grad_store.store_grad`` counts them. An entry is exact when the
    tensor still holds the same array at the same version and, between the two events, only the
    engine and built-in formulas ran, which never write into a gradient they were given. Hooks
    and custom backwards may write into any gradient they reach: when ``node`` runs one, every
    entry is dropped and the events take their own snapshots again.
    """
    if not carried:
        return None
    if runs_user_code(node):
        carried.clear()
        return None
    pre = None
    for i, g in enumerate(grads):
        if g is None:
            continue
        e = carried.pop(id(g), None)
        if e is not None and e[0] is g and e[1] is g._data:
            vc = g._vc
            if (0 if vc is None else vc.value) == e[2]:
                if pre is None:
                    pre = [None] * len(grads)
                pre[i] = e[3]
    return pre


def carry(carried: dict[int, tuple[Any, ...]], old: Any, g: Any, snapshot: Any) -> None:
    """Remember the snapshot of ``g``, just put into an empty buffer slot, for the receiving node's
    event; a slot that held ``old`` now holds a sum (new, or added into ``old``): forget ``old``."""
    if old is None:
        vc = g._vc
        carried[id(g)] = (g, g._data, 0 if vc is None else vc.value, snapshot)
    elif carried:
        carried.pop(id(old), None)


def runs_user_code(node: Node) -> bool:
    """Whether running ``node`` may run the program's code: hooks, a custom Function's backward."""
    if node._pre_hooks or node._hooks or node._tensor_hooks or node._retain or node._user_code:
        return True
    if node._is_accumulator:
        var = node.variable
        return bool(var._hooks or var._post_hooks)
    return False


def _snapshots(tensors: Any, memo: dict[int, Any]) -> tuple[Any, ...]:
    """One snapshot per distinct array within one event (a node may pass its grad through).

    A 2-D array that spans all of its contiguous base, as it is or transposed (``TBackward0``
    passes ``g.t()``; a product computed transposed sends ``r.t()``), shares the base's snapshot:
    the same values, strides and flags as a copy of it would have.
    """
    out = []
    for g in tensors:
        if g is None:
            out.append(None)
            continue
        a = g._data
        # Every array here is alive for the whole event, so ids are not reused meanwhile.
        s = memo.get(id(a))
        b = a.base if a.ndim == 2 else None
        how = _spans(a, b) if b is not None else 0
        if s is None:
            sb = memo.get(id(b)) if how else None
            if sb is not None:
                s = sb if how == 1 else sb.T
            else:
                s = events.snapshot(a)
            memo[id(a)] = s
        if how and id(b) not in memo:
            memo[id(b)] = s if how == 1 else s.T
        out.append(s)
    return tuple(out)


def _spans(a: np.ndarray, b: Any) -> int:
    """1 if 2-D ``a`` is all of its contiguous base ``b`` as laid out there, 2 if transposed, else
    0 (same element count and extents: ``a`` then starts where ``b`` does)."""
    if type(b) is not np.ndarray or b.ndim != 2 or b.dtype != a.dtype:
        return 0
    if not (b.flags.c_contiguous or b.flags.f_contiguous):
        return 0
    if a.shape == b.shape and a.strides == b.strides:
        return 1
    if a.shape == b.shape[::-1] and a.strides == b.strides[::-1]:
        return 2
    return 0


def check_finite_backward(node: Node, outs: tuple[Any, ...]) -> None:
    for i, g in enumerate(outs):
        if g is None or g._data.dtype.kind != "f" or g._data.size == 0:
            continue
        # As check_finite_forward: no np.errstate, whose context variable costs more than this.
        if np.isfinite(g._data).all():
            continue
        nan = int(np.isnan(g._data).sum())
        inf = int(np.isinf(g._data).sum())
        if nan or inf:
            events.publish(
                events.Anomaly(
                    seq=events.next_seq(),
                    where="backward",
                    node=node.id,
                    name=node.name(),
                    nan=nan,
                    inf=inf,
                    message=f"{node.name()} returned {'NaN' if nan else 'Inf'} in its {i}th output",
                )
            )
