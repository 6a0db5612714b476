"""Trigonometric and hyperbolic functions beyond sin/cos/tanh, their inverses, ``atan2`` and
the degree/radian conversions, with PyTorch's nodes and derivative formulas.

PyTorch computes float32 ones through MKL's VML (high-accuracy mode) on x86 builds; its results
agree with the correctly rounded value far more often than NumPy's float32 loops do, so float32
is computed in float64 and rounded once (``pointwise._correctly_rounded``). Integer and bool
inputs give the default float dtype, as there.
"""

from __future__ import annotations

import math

import numpy as np

from visgrad import dtypes
from visgrad.ops.base import Op, apply
from visgrad.ops.inplace import inplace
from visgrad.ops.operand_arrays import _pair
from visgrad.ops.pointwise import _correctly_rounded
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = [
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cosh", "deg2rad", "rad2deg",
    "sinh", "tan",
]  # fmt: skip


def _f(fn: np.ufunc, a: Tensor) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return _correctly_rounded(fn, dtypes.as_floating(a._data))


class TanBackward0(Op):
    op_name = "tan"
    saves_output = "result"
    formulas = {"self": "grad * (1 + result * result)"}

    def forward(self, a: Tensor) -> np.ndarray:
        return _f(np.tan, a)

    def backward(self, g: Tensor) -> Tensor:
        r = self.saved("result")
        return g * (1 + r.pow(2))


@declare("tan", nodes=TanBackward0, inplace=True, torch_inplace=True)
def tan(a: Tensor) -> Tensor:
    return apply(TanBackward0, a)


class SinhBackward0(Op):
    op_name = "sinh"
    formulas = {"self": "grad * cosh(self)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        return _f(np.sinh, a)

    def backward(self, g: Tensor) -> Tensor:
        return g * cosh(self.saved("self"))


@declare("sinh", nodes=SinhBackward0, inplace=True, torch_inplace=True)
def sinh(a: Tensor) -> Tensor:
    return apply(SinhBackward0, a)


class CoshBackward0(Op):
    op_name = "cosh"
    formulas = {"self": "grad * sinh(self)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        return _f(np.cosh, a)

    def backward(self, g: Tensor) -> Tensor:
        return g * sinh(self.saved("self"))


@declare("cosh", nodes=CoshBackward0, inplace=True, torch_inplace=True)
def cosh(a: Tensor) -> Tensor:
    return apply(CoshBackward0, a)


class AsinBackward0(Op):
    op_name = "asin"
    formulas = {"self": "grad / sqrt(1 - self * self)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        return _f(np.arcsin, a)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        return g * (-x * x + 1).rsqrt()


@declare("asin", "arcsin", nodes=AsinBackward0, inplace=True, torch_inplace=True)
def asin(a: Tensor) -> Tensor:
    return apply(AsinBackward0, a)


class AcosBackward0(Op):
    op_name = "acos"
    formulas = {"self": "-grad / sqrt(1 - self * self)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        return _f(np.arccos, a)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        return g * -((-x * x + 1).rsqrt())


@declare("acos", "arccos", nodes=AcosBackward0, inplace=True, torch_inplace=True)
def acos(a: Tensor) -> Tensor:
    return apply(AcosBackward0, a)


class AtanBackward0(Op):
    op_name = "atan"
    formulas = {"self": "grad / (self * self + 1)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        return _f(np.arctan, a)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        return g / (x * x + 1)


@declare("atan", "arctan", nodes=AtanBackward0, inplace=True, torch_inplace=True)
def atan(a: Tensor) -> Tensor:
    return apply(AtanBackward0, a)


class AsinhBackward0(Op):
    op_name = "asinh"
    formulas = {"self": "grad / sqrt(self * self + 1)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        return _f(np.arcsinh, a)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        return g * (x.pow(2) + 1).rsqrt()


@declare("asinh", "arcsinh", nodes=AsinhBackward0, inplace=True, torch_inplace=True)
def asinh(a: Tensor) -> Tensor:
    return apply(AsinhBackward0, a)


class AcoshBackward0(Op):
    op_name = "acosh"
    formulas = {"self": "grad / sqrt(self * self - 1)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        return _f(np.arccosh, a)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        return g * (x.pow(2) - 1).rsqrt()


@declare("acosh", "arccosh", nodes=AcoshBackward0, inplace=True, torch_inplace=True)
def acosh(a: Tensor) -> Tensor:
    return apply(AcoshBackward0, a)


class AtanhBackward0(Op):
    op_name = "atanh"
    formulas = {"self": "grad / (1 - self * self)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        return _f(np.arctanh, a)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        return g * (1 / (1 - x.pow(2)))


@declare("atanh", "arctanh", nodes=AtanhBackward0, inplace=True, torch_inplace=True)
def atanh(a: Tensor) -> Tensor:
    return apply(AtanhBackward0, a)


class Atan2Backward0(Op):
    op_name = "atan2"
    input_names = ("self", "other")
    formulas = {
        "self": "grad * other / (self * self + other * other)",
        "other": "grad * -self / (self * self + other * other)",
    }

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        x, y = _pair(a, b)
        x, y = dtypes.as_floating(x), dtypes.as_floating(y)
        np.broadcast_shapes(x.shape, y.shape)
        self.save(self=a, other=b)
        if x.dtype == np.float32:
            return np.arctan2(x.astype(np.float64), y.astype(np.float64)).astype(np.float32)
        return np.arctan2(x, y)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = self.saved("self"), self.saved("other")
        recip = (x * x + y * y).reciprocal()
        na, nb = self.needs_input_grad
        return (g * y * recip if na else None), (g * -x * recip if nb else None)


def atan2_(t: Tensor, other: Tensor) -> Tensor:
    return inplace(t, Atan2Backward0, (other,), {}, "atan2_")


@declare("atan2", "arctan2", nodes=Atan2Backward0, inplace=atan2_)
def atan2(a: Tensor, other: Tensor) -> Tensor:
    """The angle of the point (``other``, ``a``): ``atan(a / other)`` in the right quadrant."""
    return apply(Atan2Backward0, a, other)


class Deg2RadBackward0(Op):
    op_name = "deg2rad"
    formulas = {"self": "grad * (pi / 180)"}

    def forward(self, a: Tensor) -> np.ndarray:
        x = dtypes.as_floating(a._data)
        return x * x.dtype.type(math.pi / 180)

    def backward(self, g: Tensor) -> Tensor:
        return g * (math.pi / 180)


@declare("deg2rad", nodes=Deg2RadBackward0, inplace=True, torch_inplace=True)
def deg2rad(a: Tensor) -> Tensor:
    return apply(Deg2RadBackward0, a)


class Rad2DegBackward0(Op):
    op_name = "rad2deg"
    formulas = {"self": "grad * (180 / pi)"}

    def forward(self, a: Tensor) -> np.ndarray:
        x = dtypes.as_floating(a._data)
        return x * x.dtype.type(180 / math.pi)

    def backward(self, g: Tensor) -> Tensor:
        return g * (180 / math.pi)


@declare("rad2deg", nodes=Rad2DegBackward0, inplace=True, torch_inplace=True)
def rad2deg(a: Tensor) -> Tensor:
    return apply(Rad2DegBackward0, a)
