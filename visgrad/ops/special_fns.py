"""The error function and its kin (``erf``, ``erfc``, ``erfinv``), ``sinc`` and ``frexp``.

float32 inputs are computed in float64 and rounded once, which is within a unit in the last
place of PyTorch's float32 kernels.
"""

from __future__ import annotations

import math

import numpy as np

from visgrad import dtypes
from visgrad._scipy import special
from visgrad.ops.base import Op, apply
from visgrad.ops.elementwise import where
from visgrad.ops.pointwise import cos, exp, sin
from visgrad.ops.registry import declare
from visgrad.ops.results import result_type
from visgrad.tensor import Tensor

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_HALF_SQRT_PI = 0.5 * math.sqrt(math.pi)


def _wide(fn: object, a: Tensor) -> np.ndarray:
    x = dtypes.as_floating(a._data)
    wide = x.astype(np.float64) if x.dtype.itemsize < 8 else x
    return fn(wide).astype(x.dtype, copy=False)  # type: ignore[operator]


class ErfBackward0(Op):
    op_name = "erf"
    formulas = {"self": "grad * M_2_SQRTPI * exp(-self * self)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        return _wide(special.erf, a)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        return g * _TWO_OVER_SQRT_PI * exp(-x * x)


@declare("erf", nodes=ErfBackward0, inplace=True, torch_inplace=True)
def erf(a: Tensor) -> Tensor:
    """The error function."""
    return apply(ErfBackward0, a)


class ErfcBackward0(Op):
    op_name = "erfc"
    formulas = {"self": "-grad * M_2_SQRTPI * exp(-self * self)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        return _wide(special.erfc, a)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        return -g * _TWO_OVER_SQRT_PI * exp(-x * x)


@declare("erfc", nodes=ErfcBackward0, inplace=True, torch_inplace=True)
def erfc(a: Tensor) -> Tensor:
    """``1 - erf(a)``, accurate where ``erf`` is near 1."""
    return apply(ErfcBackward0, a)


class ErfinvBackward0(Op):
    op_name = "erfinv"
    saves_output = "result"
    formulas = {"self": "grad * 0.5 * sqrt(pi) * exp(result * result)"}

    def forward(self, a: Tensor) -> np.ndarray:
        return _wide(special.erfinv, a)

    def backward(self, g: Tensor) -> Tensor:
        r = self.saved("result")
        return g * _HALF_SQRT_PI * exp(r * r)


@declare("erfinv", nodes=ErfinvBackward0, inplace=True)
def erfinv(a: Tensor) -> Tensor:
    """The inverse of ``erf`` on (-1, 1) (``trunc_normal_`` draws with it)."""
    return apply(ErfinvBackward0, a)


class SincBackward0(Op):
    op_name = "sinc"
    formulas = {
        "self": "where(self == 0, 0, grad * (pi * self * cos(pi * self) - sin(pi * self)) "
        "/ (pi * self * self))"
    }

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        x = dtypes.as_floating(a._data)
        p = x * x.dtype.type(math.pi)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(x == 0, x.dtype.type(1), np.sin(p) / p)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        p = x * math.pi
        out = g * (p * cos(p) - sin(p)) / (x * x * math.pi)
        return where(x * x == 0, out.new_zeros(()), out)


@declare("sinc", nodes=SincBackward0, inplace=True, torch_inplace=True)
def sinc(a: Tensor) -> Tensor:
    """The normalised sinc, ``sin(pi x) / (pi x)``, 1 at 0."""
    return apply(SincBackward0, a)


FrexpResult = result_type("frexp", ("mantissa", "exponent"))


class FrexpBackward0(Op):
    op_name = "frexp"
    input_names = ("self",)
    # PyTorch's ``grad / exponent.exp2()``, written with the mantissa (``result``), which the
    # events carry by that name: 2 ** exponent is self / mantissa (the formula fails at 0 only).
    formulas = {"self": "grad * result / self"}

    def forward(self, a: Tensor) -> tuple[np.ndarray, np.ndarray]:
        x = a._data
        if x.dtype.kind != "f":
            raise RuntimeError("torch.frexp() only supports floating-point dtypes")
        m, e = np.frexp(x)
        self.save(exponent=Tensor._make(e.astype(np.int32), False, None, 0))
        return m, e.astype(np.int32)

    def backward(self, g: Tensor) -> Tensor:
        return g / self.saved("exponent").exp2()


@declare("frexp", nodes=FrexpBackward0)
def frexp(input: Tensor) -> tuple[Tensor, Tensor]:  # noqa: A002 - PyTorch's name
    """``(mantissa, exponent)`` with ``input = mantissa * 2 ** exponent``, ``0.5 <= |m| < 1``."""
    return FrexpResult(*apply(FrexpBackward0, input))
