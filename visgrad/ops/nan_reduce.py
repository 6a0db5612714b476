"""Reductions that skip NaNs: ``nansum`` (its own node, NansumBackward0) and ``nanmean``
(PyTorch's composite: the nansum divided by the count of non-NaN elements, a DivBackward0)."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.dtypes import to_np
from visgrad.ops.base import Op, apply
from visgrad.ops.elementwise import DivBackward0
from visgrad.ops.gate_tables import c_name
from visgrad.ops.predicates import isnan
from visgrad.ops.reduce import expand_back, norm_dims
from visgrad.ops.registry import declare
from visgrad.ops.sum_kernel import float_sum
from visgrad.tensor import Tensor


class NansumBackward0(Op):
    op_name = "nansum"
    formulas = {
        "self": "where(isnan(self), 0, grad.restore_dims(dim, keepdim, self.ndim).expand(self.shape))"
    }

    def forward(self, a: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Any:
        x = a._data
        dims = norm_dims(dim, x.ndim)
        self.save(self=a, dim=dims, keepdim=keepdim)
        self._dims, self._keep = dims, keepdim
        out_dt = dtype if dtype is not None else (np.int64 if x.dtype.kind in "biu" else x.dtype)
        if x.dtype.kind == "f":
            # ATen loads each NaN as 0, then adds exactly as its sum does
            x = np.where(np.isnan(x), x.dtype.type(0), x)
        return float_sum(x, dims, keepdim, out_dt)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        full = expand_back(g, x._data.shape, self._dims, self._keep)
        return full * Tensor._make(~np.isnan(x._data), False, None, 0)


@declare("nansum", nodes=NansumBackward0)
def nansum(a: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The sum, treating NaN as zero."""
    return apply(NansumBackward0, a, dim=dim, keepdim=keepdim, dtype=to_np(dtype))


@declare("nanmean", nodes=(NansumBackward0, DivBackward0))
def nanmean(a: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The mean of the non-NaN elements (NaN where there are none)."""
    if a._data.dtype.kind not in "fc" and dtype is None:
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex dtype but got "
            f"{c_name(a._data.dtype)}"
        )
    count = isnan(a).logical_not().sum(dim, keepdim=keepdim)
    return nansum(a, dim, keepdim, dtype=dtype).div(count)
