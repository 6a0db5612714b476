"""The grad ledger: every change to a tensor's ``.grad``, one entry per incoming gradient edge.

A leaf used twice (``x * x``) receives one ``GradAccumulated`` whose ``contribution`` is the sum of
two gradients; the ledger splits it back into the two edges using what the sending backward nodes
passed on, so the user sees both ``+=`` steps and their running sum.

The fold (``trace/fold.py``) tells the book what happened in plain values; the book keeps the
entries and answers queries. It reads no events itself.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from visgrad.trace.state import LedgerEntry
from visgrad.trace.summary import ArraySummary


@dataclass(frozen=True, slots=True)
class _Sent:
    """What one backward node passed on when it last ran."""

    name: str
    next_nodes: tuple[int | None, ...]
    grads_out: tuple[Any, ...]


class LedgerBook:
    """Ledger entries per tensor, built as the fold reaches the head of the log."""

    def __init__(self) -> None:
        self.entries: dict[int, list[LedgerEntry]] = {}
        self.ticks: dict[int, list[int]] = {}
        self.backward_index = 0
        self.in_backward = False
        self._parent: dict[int, int | None] = {}  # backward node -> first node that fed it
        self._sent: dict[int, _Sent] = {}

    # -- queries -----------------------------------------------------------------------------------
    def entries_until(self, tensor: int, tick: int | None) -> list[LedgerEntry]:
        """Entries of ``tensor`` up to and including ``tick`` (all when None)."""
        got = self.entries.get(tensor, [])
        if tick is None:
            return list(got)
        return got[: bisect_right(self.ticks.get(tensor, []), tick)]

    def path(self, node: int | None) -> tuple[int, ...]:
        """Backward node ids from the root of the current backward call to ``node``."""
        out: list[int] = []
        seen: set[int] = set()
        while node is not None and node not in seen:
            seen.add(node)
            out.append(node)
            node = self._parent.get(node)
        return tuple(reversed(out))

    # -- what the fold reports ---------------------------------------------------------------------
    def begin_backward(self) -> None:
        self.backward_index += 1
        self.in_backward = True
        self._parent = {}
        self._sent = {}

    def end_backward(self) -> None:
        self.in_backward = False

    def node_ran(
        self,
        node: int,
        name: str,
        parent: int | None,
        next_nodes: tuple[int | None, ...],
        grads_out: tuple[Any, ...],
    ) -> None:
        self._parent[node] = parent
        self._sent[node] = _Sent(name, next_nodes, grads_out)

    def reset(self, tensor: int, tick: int, seq: int, kind: str, grad: Any) -> None:
        """``.grad`` was zeroed (``"zero"``), set to None (``"none"``) or assigned (``"set"``)."""
        self._add(
            tensor,
            tick,
            LedgerEntry(
                seq=seq,
                kind=kind,
                backward_index=self.backward_index if self.in_backward else 0,
                node=None,
                node_name="",
                path=(),
                contribution=None,
                grad_after=grad,
            ),
        )

    def accumulated(
        self,
        tensor: int,
        tick: int,
        seq: int,
        acc_node: int | None,
        sources: tuple[tuple[int, int], ...],
        contribution: Any,
        grad: Any,
        running: Any,
    ) -> None:
        """``contribution`` (from ``sources``) was added to ``running``, giving ``grad``."""
        parts = self._split(acc_node, sources, contribution)
        for j, (node, c) in enumerate(parts):
            if j == len(parts) - 1:
                after = grad
            elif running is None and isinstance(c, np.ndarray):
                after = c
            else:
                after = _plus(running, c)
            sent = self._sent.get(node) if node is not None else None
            self._add(
                tensor,
                tick,
                LedgerEntry(
                    seq=seq,
                    kind="add",
                    backward_index=self.backward_index,
                    node=node,
                    node_name=sent.name if sent is not None else "",
                    path=self.path(node),
                    contribution=c,
                    grad_after=after,
                ),
            )
            running = after

    def swap_arrays(self, sw: Callable[[Any], Any], since: int = 0) -> None:
        """New entries with every array passed through ``sw`` (the memory budget's summaries)
        in place of those from ticks ``>= since`` that held one (older ones hold none)."""
        for tid, entries in self.entries.items():
            ticks = self.ticks[tid]
            if not ticks or ticks[-1] < since:
                continue
            for j in range(bisect_left(ticks, since), len(entries)):
                e = entries[j]
                c, g = sw(e.contribution), sw(e.grad_after)
                if c is not e.contribution or g is not e.grad_after:
                    entries[j] = replace(e, contribution=c, grad_after=g)
        for node, s in self._sent.items():
            self._sent[node] = replace(s, grads_out=sw(s.grads_out))

    # -- helpers -----------------------------------------------------------------------------------
    def _add(self, tensor: int, tick: int, entry: LedgerEntry) -> None:
        self.entries.setdefault(tensor, []).append(entry)
        self.ticks.setdefault(tensor, []).append(tick)

    def _split(
        self, acc_node: int | None, sources: tuple[tuple[int, int], ...], contribution: Any
    ) -> list[tuple[int | None, Any]]:
        """(sending node, gradient) per incoming edge, in the order the engine summed them."""
        whole = [(sources[0][0] if sources else None, contribution)]
        if len(sources) <= 1:
            return whole
        seen: dict[int, int] = {}
        parts: list[tuple[int | None, Any]] = []
        for src, _slot in sources:
            k = seen.get(src, 0)
            seen[src] = k + 1
            sent = self._sent.get(src)
            if sent is None:
                return whole
            hits = [
                i
                for i, n in enumerate(sent.next_nodes)
                if n == acc_node and i < len(sent.grads_out) and sent.grads_out[i] is not None
            ]
            if k >= len(hits):
                return whole
            parts.append((src, sent.grads_out[hits[k]]))
        return parts


def _plus(a: Any, b: Any) -> np.ndarray | None:
    if isinstance(a, ArraySummary) or isinstance(b, ArraySummary) or a is None or b is None:
        return None
    try:
        # np.add of two 0-d arrays returns a NumPy scalar, whose flags cannot be set.
        out = np.asarray(np.add(a, b))
    except (TypeError, ValueError):  # shapes that do not add: no running sum to show
        return None
    out.flags.writeable = False
    return out
