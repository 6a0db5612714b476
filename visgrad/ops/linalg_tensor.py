"""``torch.linalg.tensorsolve``: a solve over groups of dims, reduced to one matrix solve as
PyTorch does (move ``dims`` to the end, reshape to a square matrix, ``solve`` against the
flattened right-hand side, reshape the result)."""

from __future__ import annotations

from typing import Any

from visgrad.arg_parser import int_list
from visgrad.ops.linalg_inverse import solve
from visgrad.ops.registry import declare
from visgrad.ops.tile_mask import movedim
from visgrad.tensor import Tensor

__all__ = ["tensorsolve"]


@declare("linalg_tensorsolve", torch=False, method=False, linalg=True)
def tensorsolve(input: Tensor, other: Tensor, dims: Any = None) -> Tensor:  # noqa: A002
    """X with ``tensordot(input, X, X.ndim) = other``; ``dims`` of ``input`` are moved to its
    end first."""
    a = input
    n = input._data.ndim
    if dims is not None:
        moved = int_list("linalg_tensorsolve", "dims", dims)
        a = movedim(input, list(moved), list(range(n - len(moved), n)))
    shape = tuple(a._data.shape[other._data.ndim :])
    rows = 1
    for s in shape:
        rows *= s
    size = other._data.size
    if rows != size:
        raise RuntimeError(
            "Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
            f"prod(self.shape[:other.ndim]), but got {rows} != {size}"
        )
    return solve(a.reshape(rows, rows), other.flatten()).reshape(shape)
