"""Reductions: sum, mean (more in this table as they are added)."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.ops.base import Op, apply
from visgrad.tensor import Tensor, _dim


def norm_dims(dim: Any, ndim: int) -> tuple[int, ...]:
    """``dim`` (None, int, or a tuple) as sorted non-negative dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, int):
        dim = (dim,)
    return tuple(sorted({_dim(d, ndim) for d in dim}))


def kept_shape(shape: tuple[int, ...], dims: tuple[int, ...]) -> tuple[int, ...]:
    """The reduced shape with size-1 dims left in place (keepdim=True)."""
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def expand_back(g: Tensor, shape: tuple[int, ...], dims: tuple[int, ...], keepdim: bool) -> Tensor:
    """Broadcast a reduced gradient back over the reduced dims."""
    if not keepdim and dims:
        g = g.reshape(kept_shape(shape, dims))
    return g.expand(shape)


class SumBackward0(Op):
    op_name = "sum"
    formulas = {"self": "grad.expand(self.shape)"}

    def forward(self, a: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Any:
        x = a._data
        dims = norm_dims(dim, x.ndim)
        self.save(self_sym_sizes=x.shape)
        if dim is not None:
            self.save(dim=dims, keepdim=keepdim)
        self._dims, self._keep = dims, keepdim
        out_dt = dtype if dtype is not None else (np.int64 if x.dtype.kind in "biu" else x.dtype)
        return np.sum(x, axis=dims, keepdims=keepdim, dtype=out_dt)

    def backward(self, g: Tensor) -> Tensor:
        return expand_back(g, self.saved("self_sym_sizes"), self._dims, self._keep)


class MeanBackward0(Op):
    op_name = "mean"
    formulas = {"self": "grad.expand(self.shape) / numel"}

    def forward(self, a: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Any:
        x = a._data
        if x.dtype.kind != "f" and dtype is None:
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {_long_name(x.dtype)}"
            )
        dims = norm_dims(dim, x.ndim)
        n = 1
        for d in dims:
            n *= x.shape[d]
        self.save(self_sym_sizes=x.shape, self_sym_numel=x.size)
        if dim is not None:
            self.save(dim=dims, keepdim=keepdim)
        self._dims, self._keep, self._n = dims, keepdim, n
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.mean(x, axis=dims, keepdims=keepdim, dtype=dtype).astype(
                dtype or x.dtype, copy=False
            )

    def backward(self, g: Tensor) -> Tensor:
        return expand_back(g, self.saved("self_sym_sizes"), self._dims, self._keep) / self._n


class SumBackward1(SumBackward0):
    """``sum(dim)``: same formula, PyTorch's other node name."""


class MeanBackward1(MeanBackward0):
    """``mean(dim)``."""


def _long_name(dt: np.dtype) -> str:
    return {"i": "Long", "b": "Bool", "u": "Byte"}.get(dt.kind, dt.name)


def sum(a: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A001
    from visgrad.dtypes import to_np

    return apply(SumBackward0 if dim is None else SumBackward1, a, dim=dim, keepdim=keepdim, dtype=to_np(dtype))


def mean(a: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    from visgrad.dtypes import to_np

    return apply(MeanBackward0 if dim is None else MeanBackward1, a, dim=dim, keepdim=keepdim, dtype=to_np(dtype))
