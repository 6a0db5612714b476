"""``clamp`` (``clip``): each element limited to ``[min, max]``, bounds given as numbers or as
tensors, as PyTorch's two signatures take them."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.arg_parser import invalid_combination
from visgrad.ops.base import Op, apply
from visgrad.ops.inplace import inplace
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor


class ClampBackward1(Op):
    op_name = "clamp"
    formulas = {"self": "grad * (min <= self <= max)"}

    def forward(self, a: Tensor, min: Any = None, max: Any = None) -> np.ndarray:  # noqa: A002
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        self.save(self=a, min=min, max=max)
        x = a._data
        r = x
        if min is not None:
            r = np.maximum(r, min)
        if max is not None:
            r = np.minimum(r, max)
        return r.astype(_result_dtype(x.dtype, min, max), copy=False)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")._data
        lo, hi = self.saved("min"), self.saved("max")
        mask = np.ones(x.shape, dtype=bool)
        if lo is not None:
            mask &= x >= lo
        if hi is not None:
            mask &= x <= hi
        return g * Tensor._make(mask, False, None, 0)


def _result_dtype(dt: np.dtype, *bounds: Any) -> np.dtype:
    """PyTorch's result dtype: a float bound makes an integer tensor's result the default
    float dtype, an int bound makes a bool tensor's int64."""
    for b in bounds:
        if isinstance(b, (float, np.floating)) and dt.kind in "iub":
            return dtypes.default_float.np
    for b in bounds:
        if isinstance(b, (int, np.integer)) and not isinstance(b, bool) and dt.kind == "b":
            return np.dtype(np.int64)
    return dt


def _bounds(op: str, a: Tensor, min: Any, max: Any) -> None:  # noqa: A002
    """PyTorch takes two number bounds or two tensor bounds (either may be None), not a mix (a
    0-d tensor passes as a number)."""
    given = [v for v in (min, max) if v is not None]
    if len(given) == 2 and len({isinstance(v, Tensor) and v._data.ndim > 0 for v in given}) > 1:
        if all(isinstance(v, Tensor) for v in given):
            return
        raise invalid_combination(op, (a, min, max), {})


def clamp_(t: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    _bounds("clamp_", t, min, max)
    return inplace(t, ClampBackward1, (), {"min": min, "max": max}, "clamp_")


@declare("clamp", "clip", nodes=ClampBackward1, inplace=clamp_, torch_inplace=True)
def clamp(a: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    _bounds("clamp", a, min, max)
    return apply(ClampBackward1, a, min=min, max=max)
