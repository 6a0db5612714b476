"""The grad ledger: every change to a tensor's ``.grad``, one entry per incoming gradient edge.

A leaf used twice (``x * x``) receives one ``GradAccumulated`` whose ``contribution`` is the sum of
two gradients; the ledger splits it back into the two edges using the ``grads_out`` of the
``BackwardNode`` events that sent them, so the user sees both ``+=`` steps and their running sum.
"""

from __future__ import annotations

from bisect import bisect_right

import numpy as np

from visgrad import events as ev_
from visgrad.trace.codec import ArraySummary
from visgrad.trace.state import LedgerEntry, TensorState


class LedgerBook:
    """Builds ledger entries as events arrive at the head of the log."""

    def __init__(self) -> None:
        self.entries: dict[int, list[LedgerEntry]] = {}
        self.ticks: dict[int, list[int]] = {}
        self._index = 0
        self._in_backward = False
        self._parent: dict[int, int | None] = {}  # backward node -> first node that fed it
        self._last: dict[int, ev_.BackwardNode] = {}
        self._last_inplace_grad: tuple[int, int, str] | None = None  # (seq, leaf, kind)

    def entries_until(self, tensor: int, tick: int | None) -> list[LedgerEntry]:
        """Entries of ``tensor`` up to and including ``tick`` (all when None)."""
        got = self.entries.get(tensor, [])
        if tick is None:
            return list(got)
        return got[: bisect_right(self.ticks.get(tensor, []), tick)]

    def _add(self, tensor: int, tick: int, entry: LedgerEntry) -> None:
        self.entries.setdefault(tensor, []).append(entry)
        self.ticks.setdefault(tensor, []).append(tick)

    def swap_events(self, renewed: dict[int, ev_.Event]) -> None:
        """Use the payload-dropped versions of events (by the old event's id)."""
        for node, bn in self._last.items():
            self._last[node] = renewed.get(id(bn), bn)

    def path(self, node: int | None) -> tuple[int, ...]:
        """Backward node ids from the root of the current backward call to ``node``."""
        out: list[int] = []
        seen: set[int] = set()
        while node is not None and node not in seen:
            seen.add(node)
            out.append(node)
            node = self._parent.get(node)
        return tuple(reversed(out))

    def observe(self, ev: ev_.Event, tick: int, tensors: dict[int, TensorState]) -> None:
        """Record ``ev`` (called before the event is folded, so ``tensors`` hold the old grads)."""
        t = type(ev)
        if t is ev_.BackwardNode:
            self._parent[ev.node] = ev.sources[0][0] if ev.sources else None
            self._last[ev.node] = ev
        elif t is ev_.GradAccumulated:
            self._accumulated(ev, tick, tensors)
        elif t is ev_.BackwardBegin:
            self._index += 1
            self._in_backward = True
            self._parent = {}
            self._last = {}
        elif t is ev_.BackwardEnd:
            self._in_backward = False
        elif t is ev_.GradReset:
            self._reset(ev, tick)
        elif t is ev_.InplaceUpdate and ev.grad_of is not None:
            kind = "zero" if ev.op.startswith("zero") else "set"
            self._add(ev.grad_of, tick, self._reset_entry(ev.seq, kind, ev.value))
            self._last_inplace_grad = (ev.seq, ev.grad_of, kind)

    def _reset_entry(self, seq: int, kind: str, grad: object) -> LedgerEntry:
        return LedgerEntry(
            seq=seq,
            kind=kind,
            backward_index=self._index if self._in_backward else 0,
            node=None,
            node_name="",
            path=(),
            contribution=None,
            grad_after=grad,
        )

    def _reset(self, ev: ev_.GradReset, tick: int) -> None:
        last = self._last_inplace_grad
        if last == (ev.seq - 1, ev.tensor, ev.how):
            # ``g.zero_()`` on a ``.grad`` is told twice (the in-place write, then the reset):
            # the write's entry already stands for it.
            return
        self._add(ev.tensor, tick, self._reset_entry(ev.seq, ev.how, ev.grad))

    def _split(self, ev: ev_.GradAccumulated) -> list[tuple[int | None, object]]:
        """(sending node, gradient) per incoming edge, in the order the engine summed them."""
        if len(ev.sources) <= 1:
            return [(ev.sources[0][0] if ev.sources else None, ev.contribution)]
        seen: dict[int, int] = {}
        parts: list[tuple[int | None, object]] = []
        for src, _slot in ev.sources:
            k = seen.get(src, 0)
            seen[src] = k + 1
            bn = self._last.get(src)
            if bn is None:
                return [(ev.sources[0][0], ev.contribution)]
            hits = [
                i
                for i, n in enumerate(bn.next_nodes)
                if n == ev.node and i < len(bn.grads_out) and bn.grads_out[i] is not None
            ]
            if k >= len(hits):
                return [(ev.sources[0][0], ev.contribution)]
            parts.append((src, bn.grads_out[hits[k]]))
        return parts

    def _accumulated(self, ev: ev_.GradAccumulated, tick: int, tensors: dict) -> None:
        old = tensors.get(ev.tensor)
        running = None if ev.created or old is None else old.grad
        parts = self._split(ev)
        for j, (node, c) in enumerate(parts):
            if j == len(parts) - 1:
                after = ev.grad
            elif running is None and isinstance(c, np.ndarray):
                after = c
            else:
                after = _plus(running, c)
            bn = self._last.get(node) if node is not None else None
            self._add(
                ev.tensor,
                tick,
                LedgerEntry(
                    seq=ev.seq,
                    kind="add",
                    backward_index=self._index,
                    node=node,
                    node_name=bn.name if bn is not None else "",
                    path=self.path(node),
                    contribution=c,
                    grad_after=after,
                ),
            )
            running = after


def _plus(a: object, b: object) -> np.ndarray | None:
    if isinstance(a, ArraySummary) or isinstance(b, ArraySummary) or a is None or b is None:
        return None
    # np.add of two 0-d arrays returns a NumPy scalar, whose flags cannot be set.
    out = np.asarray(np.add(a, b))
    out.flags.writeable = False
    return out
