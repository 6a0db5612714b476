"""Named result tuples (``torch.return_types.median``, ``slogdet``, ``frexp``, ...) that unpack,
index and print as PyTorch's do."""

from __future__ import annotations

import collections
from typing import Any


def result_type(name: str, fields: tuple[str, ...] = ("values", "indices")) -> type:
    """``torch.return_types.<name>``: a named tuple of ``fields`` printed as PyTorch prints it."""
    base = collections.namedtuple(name, fields)  # type: ignore[misc]

    def __repr__(self: Any) -> str:  # noqa: N807
        body = ",\n".join(f"{f}={getattr(self, f)!r}" for f in fields)
        return f"torch.return_types.{name}(\n{body})"

    return type(name, (base,), {"__repr__": __repr__, "__slots__": ()})
