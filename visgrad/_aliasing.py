"""Which live tensors share memory, so that every write can tell the debugger all it changed.

``w.data``, ``w.detach()``, ``w.t()``, ``x[0]`` and ``w.grad`` are tensors of their own over the
memory of another: an in-place write through any of them changes all of them. The engine's events
carry tensor ids, so a write names the tensor written; this registry adds the other *live*
tensors over the same memory, and the write's event carries their new values too (a tensor that
died keeps, in the trace, the last values it had).

Only tensors that took part in an alias (a base and its alias) are registered, and only while a
sink listens; tensors are held weakly and grouped by the array that owns their memory (NumPy points
every view's ``base`` at that owner). Engine-only: no trace or Qt here.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from visgrad import events

# owner array id -> {id(tensor): weak reference}. Not a WeakSet: a set compares its items with
# ``==``, which on tensors is elementwise.
_by_owner: dict[int, dict[int, weakref.ref]] = {}
_added = 0


def _owner(a: np.ndarray) -> Any:
    b = a.base
    return a if b is None else b


def _forget(group: dict[int, weakref.ref], key: int) -> Any:
    def drop(ref: weakref.ref) -> None:
        if group.get(key) is ref:
            del group[key]

    return drop


def register(*tensors: Any) -> None:
    """Remember ``tensors`` (a base and its alias) as sharing memory with whoever shares theirs."""
    global _added
    for t in tensors:
        key = id(_owner(t._data))
        group = _by_owner.get(key)
        if group is None:
            group = _by_owner[key] = {}
        k = id(t)
        ref = group.get(k)
        if ref is None or ref() is not t:
            group[k] = weakref.ref(t, _forget(group, k))
    _added += 1
    if _added % 4096 == 0:
        # Groups whose tensors all died: an owner's id may be reused, so drop them.
        for key in [k for k, g in _by_owner.items() if not g]:
            del _by_owner[key]


def live_aliases(t: Any) -> list[Any]:
    """Registered live tensors other than ``t`` whose memory overlaps ``t``'s (by id)."""
    if not _by_owner:
        return []
    a = t._data
    group = _by_owner.get(id(_owner(a)))
    if not group:
        return []
    out = []
    for ref in list(group.values()):
        x = ref()
        # ``x.data = other`` can move a registered tensor to other memory: check the overlap.
        if x is not None and x is not t and np.may_share_memory(x._data, a):
            out.append(x)
    out.sort(key=lambda x: x._id)  # events must not depend on registration order
    return out


def alias_snapshots(aliases: list[Any], t: Any, value: Any) -> tuple[Any, ...]:
    """Snapshots of ``aliases`` after a write to ``t`` (``value``: ``t``'s own snapshot, reused
    for aliases over the very same array, as ``w.data`` is)."""
    return tuple([value if x._data is t._data else events.snapshot(x._data) for x in aliases])


def clear() -> None:
    """Forget every registration (a fresh run in the same process)."""
    _by_owner.clear()
