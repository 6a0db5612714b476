"""Distinct values and nonzero counts: ``unique``, ``unique_consecutive``, ``count_nonzero``. None
is differentiable: the unique ops record a node whose backward raises, as PyTorch's do."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.arg_parser import int_list, invalid_combination, is_int, type_name
from visgrad.ops.base import Op, apply
from visgrad.ops.no_derivative import (
    Unique2Backward0,
    UniqueConsecutiveBackward0,
    UniqueDimBackward0,
)
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
    input: Tensor,  # noqa: A002 - PyTorch's names
    sorted: bool = True,  # noqa: A002
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: Any = None,
) -> Any:
    """The distinct values in ascending order (and where each element went, and how many)."""
    a = input
    node = Unique2Backward0
    if dim is not None:
        if not is_int(dim):  # PyTorch's Python hands a dim on to unique_dim(input, dim, ...)
            raise TypeError(
                f"unique_dim(): argument 'dim' (position 2) must be int, not {type_name(dim)}"
            )
        dim = _dim(int(dim), a._data.ndim)
        node = UniqueDimBackward0
    values, inverse, counts = apply(node, a, dim=dim)
    extra = ([inverse] if return_inverse else []) + ([counts] if return_counts else [])
    return (values, *extra) if extra else values


@declare("unique_consecutive", nodes=UniqueConsecutiveBackward0)
def unique_consecutive(
    input: Tensor,  # noqa: A002 - PyTorch's names
    return_inverse: Any = False,
    return_counts: Any = False,
    dim: Any = None,
) -> Any:
    """The first element of each run of equal consecutive elements (slices, with ``dim``), and
    where each element went, and each run's length."""
    # PyTorch's Python wrapper passes these on by keyword: its parser names no position.
    for name, value in (("return_inverse", return_inverse), ("return_counts", return_counts)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(
                f"unique_consecutive(): argument '{name}' must be bool, not {type_name(value)}"
            )
    if dim is not None and not is_int(dim):
        raise TypeError(f"unique_consecutive(): argument 'dim' must be int, not {type_name(dim)}")
    x = input._data
    if dim is not None:
        if x.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        dim = _dim(int(dim), x.ndim)
        if x.size == 0 and x.shape[dim] != 0:
            raise RuntimeError(
                "There are 0 sized dimensions, and they aren't selected, so unique cannot be "
                "applied"
            )
    values, inverse, counts = apply(UniqueConsecutiveBackward0, input, dim=dim)
    extra = ([inverse] if return_inverse else []) + ([counts] if return_counts else [])
    return (values, *extra) if extra else values
