"""``log10`` and ``expm1``: the logarithm and exponential forms the others do not cover.

float32 inputs are computed in float64 and rounded once, which gives the correctly rounded
result PyTorch's (MKL's) float32 kernels almost always give (``log10(1000.)`` is exactly 3).
"""

from __future__ import annotations

import math

import numpy as np

from visgrad import dtypes
from visgrad.ops.base import Op, apply
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

_LN10 = math.log(10.0)


def _wide(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float64) if x.dtype.itemsize < 8 else x


class Log10Backward0(Op):
    op_name = "log10"
    formulas = {"self": "grad / (self * 2.3025850929940456)"}  # ln 10, as derivatives.yaml

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        x = dtypes.as_floating(a._data)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(_wide(x)).astype(x.dtype, copy=False)

    def backward(self, g: Tensor) -> Tensor:
        return g / (self.saved("self") * _LN10)


class Expm1Backward0(Op):
    op_name = "expm1"
    saves_output = "result"
    formulas = {"self": "grad * (result + 1)"}

    def forward(self, a: Tensor) -> np.ndarray:
        x = dtypes.as_floating(a._data)
        with np.errstate(over="ignore"):
            return np.expm1(_wide(x)).astype(x.dtype, copy=False)

    def backward(self, g: Tensor) -> Tensor:
        return g * (self.saved("result") + 1)


@declare("log10", nodes=Log10Backward0, inplace=True, torch_inplace=True)
def log10(a: Tensor) -> Tensor:
    """Base-10 logarithm (``loss.log10()`` for a loss plotted on a log scale)."""
    return apply(Log10Backward0, a)


@declare("expm1", nodes=Expm1Backward0, inplace=True, torch_inplace=True)
def expm1(a: Tensor) -> Tensor:
    """``exp(x) - 1``, accurate for small ``x``."""
    return apply(Expm1Backward0, a)
