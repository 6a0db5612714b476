"""``cumprod``: running products along a dim, and a gradient that stays right at zeros.

Without zeros the gradient is PyTorch's closed form, ``reverse_cumsum(grad * out) / x``, written
with visgrad ops (so ``create_graph`` records it). A zero makes that form divide by zero; there
each input's gradient is ``sum_{j >= k} grad_j * prod_{i <= j, i != k} x_i``, computed directly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.ops.base import Op, apply
from visgrad.ops.inplace import inplace as run_inplace
from visgrad.ops.join import flip
from visgrad.ops.operand_checks import no_bool_kernel
from visgrad.ops.registry import declare
from visgrad.ops.scan import cumsum
from visgrad.tensor import Tensor, _dim


def _products_without(x: np.ndarray, g: np.ndarray, dim: int) -> np.ndarray:
    """Each position's gradient, excluding its own factor from every product it is in."""
    x, g = np.moveaxis(x, dim, -1), np.moveaxis(g, dim, -1)
    n = x.shape[-1]
    before = np.cumprod(np.concatenate([np.ones_like(x[..., :1]), x[..., :-1]], -1), -1)
    out = np.empty_like(x)
    for k in range(n):
        after = np.cumprod(np.concatenate([np.ones_like(x[..., :1]), x[..., k + 1 :]], -1), -1)
        out[..., k] = before[..., k] * np.sum(g[..., k:] * after, -1)
    return np.moveaxis(out, -1, dim)


class CumprodBackward0(Op):
    op_name = "cumprod"
    saves_output = "result"
    formulas = {"self": "cumprod_backward(grad, self, dim, result)"}

    def forward(self, a: Tensor, dim: int, dtype: Any = None) -> np.ndarray:
        self.save(self=a, dim=dim)
        x = a._data
        if dtype is None and x.dtype.kind in "biu":
            dtype = np.int64
        out = np.dtype(dtype or x.dtype)
        if not x.ndim:
            return x.astype(out)
        with np.errstate(over="ignore", invalid="ignore"):
            if out == np.float32:  # the CPU scan accumulates float32 in double, as cumsum does
                return np.cumprod(x, axis=dim, dtype=np.float64).astype(np.float32)
            return np.cumprod(x, axis=dim, dtype=out)

    def backward(self, g: Tensor) -> Tensor:
        x, dim = self.saved("self"), self.saved("dim")
        if g._data.ndim == 0:
            return g
        if np.all(x._data != 0):
            out = self.saved("result")
            return flip(cumsum(flip(g * out, dim), dim), dim) / x
        r = _products_without(x._data.astype(np.float64), g._data.astype(np.float64), dim)
        return Tensor._make(r.astype(g._data.dtype), False, None, 0)


def cumprod_(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """``x.cumprod_(dim)``: the running products written into ``x``."""
    no_bool_kernel(input, "cumprod_out_cpu")  # computed in the tensor's own dtype
    attrs = {"dim": _dim(dim, input._data.ndim), "dtype": dtypes.to_np(dtype)}
    return run_inplace(input, CumprodBackward0, (), attrs, "cumprod_")


@declare("cumprod", nodes=CumprodBackward0, inplace=cumprod_)
def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """Running products along ``dim``."""
    return apply(
        CumprodBackward0, input, dim=_dim(dim, input._data.ndim), dtype=dtypes.to_np(dtype)
    )
