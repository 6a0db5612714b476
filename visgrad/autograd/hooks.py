"""Handles for registered hooks, shared by tensors and nodes (it imports nothing of ours)."""

from __future__ import annotations

import itertools
from typing import Any


class RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` takes the hook away."""

    _ids = itertools.count()

    def __init__(self, table: dict[int, Any], fn: Any) -> None:
        self.id = next(RemovableHandle._ids)
        self._table = table
        table[self.id] = fn

    def remove(self) -> None:
        self._table.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
