"""Distinct values and nonzero counts: ``unique``, ``count_nonzero``. Neither is differentiable:
``unique`` records a node whose backward raises, as PyTorch's does."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.arg_parser import int_list, invalid_combination, is_int
from visgrad.ops.base import Op, apply
from visgrad.ops.no_derivative import Unique2Backward0, UniqueDimBackward0
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor, _dim


class CountNonzero(Op):
    op_name = "count_nonzero"
    differentiable = ()

    def forward(self, a: Tensor, dim: Any) -> np.ndarray:
        return np.asarray(np.count_nonzero(a._data, axis=dim), dtype=np.int64)


@declare("count_nonzero")
def count_nonzero(a: Tensor, dim: Any = None) -> Tensor:
    """How many elements are nonzero (over ``dim``, or all)."""
    n = a._data.ndim
    if dim is None:
        d: Any = None
    elif is_int(dim):
        d = _dim(int(dim), n)
    elif isinstance(dim, (list, tuple)):  # PyTorch's int[] signature; () counts everything
        d = tuple(_dim(x, n) for x in int_list("count_nonzero", "dim", dim)) or None
    else:
        raise invalid_combination("count_nonzero", (a,), {"dim": dim})
    return apply(CountNonzero, a, dim=d)


@declare("unique", nodes=(Unique2Backward0, UniqueDimBackward0))
def unique(
    a: Tensor,
    sorted: bool = True,  # noqa: A002 - PyTorch's name
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The distinct values in ascending order (and where each element went, and how many)."""
    node = Unique2Backward0
    if dim is not None:
        dim = _dim(dim, a._data.ndim)
        node = UniqueDimBackward0
    values, inverse, counts = apply(node, a, dim=dim)
    extra = ([inverse] if return_inverse else []) + ([counts] if return_counts else [])
    return (values, *extra) if extra else values
