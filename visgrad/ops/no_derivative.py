"""Nodes of ops whose derivative PyTorch does not implement.

``torch.floor_divide(x, 2)`` and ``torch.histogram(x)`` of an ``x`` that requires grad give
outputs that require grad too, with a ``NotImplemented`` grad_fn whose backward raises
``RuntimeError: derivative for aten::floor_divide is not implemented``; ``torch.unique`` records
``Unique2Backward0``, whose backward raises ``NotImplementedError: the derivative for '_unique2'
is not implemented.`` (``derivatives.yaml`` says ``not_implemented``). These nodes do the same:
they are recorded, so the graph and ``requires_grad`` are PyTorch's, and they have no formula,
because there is none.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.ops.base import Op
from visgrad.ops.operand_arrays import _binary, _pair
from visgrad.tensor import Tensor

__all__ = [
    "FloorDivideNotImplemented",
    "HistogramNotImplemented",
    "Unique2Backward0",
    "UniqueConsecutiveBackward0",
    "UniqueDimBackward0",
]


class _NoDerivative(Op):
    """A recorded node whose backward raises PyTorch's error for the op."""

    error: type[Exception] = RuntimeError
    aten = ""  # the ATen op PyTorch's message names

    def backward(self, *grads: Tensor) -> tuple[Tensor | None, ...]:
        if self.error is RuntimeError:
            raise RuntimeError(f"derivative for aten::{self.aten} is not implemented")
        raise NotImplementedError(f"the derivative for '{self.aten}' is not implemented.")


class FloorDivideNotImplemented(_NoDerivative):
    """``floor_divide``: the quotient rounded toward negative infinity."""

    op_name = aten = "floor_divide"
    name_ = "torch::autograd::NotImplemented"

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        x, y = _pair(a, b)
        if x.dtype.kind in "iub" and not np.all(y):
            raise RuntimeError("ZeroDivisionError")  # integer division by zero, as PyTorch says
        with np.errstate(divide="ignore", invalid="ignore"):
            return _binary(np.floor_divide, x, y)


class HistogramNotImplemented(_NoDerivative):
    """``histogram``: the counts and edges, computed before the node is recorded."""

    op_name = aten = "histogram"
    name_ = "torch::autograd::NotImplemented"
    differentiable = (0, 1)
    num_outputs = 2
    materialize_grads = False  # the backward raises: no zeros to make for it

    def forward(self, *inputs: Tensor, hist: Any, bin_edges: Any) -> tuple[Any, Any]:
        return hist, bin_edges


# PyTorch's grad_fn is ``torch::autograd::NotImplemented``, printed ``<NotImplemented object>``.
FloorDivideNotImplemented.__name__ = HistogramNotImplemented.__name__ = "NotImplemented"


class _Unique(_NoDerivative):
    op_name = "unique"
    error = NotImplementedError
    differentiable = (0,)

    def forward(self, a: Tensor, dim: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x = a._data
        values, inverse, counts = np.unique(
            x.reshape(-1) if dim is None else x,
            return_inverse=True,
            return_counts=True,
            axis=dim,
        )
        inv_shape = x.shape if dim is None else (x.shape[dim],)
        return values, inverse.reshape(inv_shape).astype(np.int64), counts.astype(np.int64)


class Unique2Backward0(_Unique):
    aten = "_unique2"


class UniqueDimBackward0(_Unique):
    aten = "unique_dim"


class UniqueConsecutiveBackward0(_NoDerivative):
    """``unique_consecutive``: the first of each run of equal elements (or slices along ``dim``),
    where each element went, and each run's length."""

    op_name = aten = "unique_consecutive"
    error = NotImplementedError
    differentiable = (0,)

    def forward(self, a: Tensor, dim: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x = a._data
        if dim is None:
            rows = x.reshape(-1, 1)
        else:
            rows = np.moveaxis(x, dim, 0).reshape(x.shape[dim], x.size // max(x.shape[dim], 1))
        starts = np.ones(rows.shape[0], dtype=bool)
        starts[1:] = (rows[1:] != rows[:-1]).any(axis=1)
        first = np.flatnonzero(starts)
        inverse = np.cumsum(starts, dtype=np.int64) - 1
        counts = np.diff(np.append(first, rows.shape[0])).astype(np.int64)
        if dim is None:
            return x.reshape(-1)[first], inverse.reshape(x.shape), counts
        return np.take(x, first, axis=dim), inverse, counts
