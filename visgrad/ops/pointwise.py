"""Pointwise math: ``exp``, ``log``, ``sqrt``, trigonometry, activations, ``maximum`` /
``minimum`` (``pow`` is in ``power``, ``clamp`` has a module of its own).

Each op is its node class and, right below it, the public function declared with ``@declare``;
``inplace=True`` gives the op ``t.exp_()`` (and ``torch.exp_`` with ``torch_inplace=True``).
"""

from __future__ import annotations

import numpy as np

from visgrad import _threads as threads
from visgrad import dtypes
from visgrad.autograd.grad_mode import MODES
from visgrad.ops import vecmath
from visgrad.ops.base import Op, apply, wrap
from visgrad.ops.operand_arrays import _binary, _pair
from visgrad.ops.operand_checks import no_bool_kernel
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor


def _correctly_rounded(fn: np.ufunc, x: np.ndarray) -> np.ndarray:
    """``fn`` of float32 computed in double and rounded once. PyTorch hands contiguous float32
    to MKL's VML (high-accuracy mode), whose algorithm is not public; the correctly rounded
    result is VML's on about 99% (exp) and 95-97% (log) of elements, NumPy's float32 loops on
    about 60% and 77-95%. Likewise (20,000 inputs each): sin 95% against NumPy's 84%, cos 95%
    against 82%, log1p 99.6% against 92%, log2 99.99% against 98%. (tanh too, 99.3% against
    68%, but it keeps NumPy's loop for now: with it rounded once, the recorded DCGAN program
    prints one gradient of 4e-7 differently from PyTorch; not yet understood.)"""
    return fn(x.astype(np.float64)).astype(np.float32) if x.dtype == np.float32 else fn(x)


class ExpBackward0(Op):
    op_name = "exp"
    saves_output = "result"
    formulas = {"self": "grad * result"}

    def forward(self, a: Tensor) -> np.ndarray:
        with np.errstate(over="ignore"):
            return _correctly_rounded(np.exp, dtypes.as_floating(a._data))

    def backward(self, g: Tensor) -> Tensor:
        return g * self.saved("result")


@declare("exp", nodes=ExpBackward0, inplace=True, torch_inplace=True)
def exp(a: Tensor) -> Tensor:
    return apply(ExpBackward0, a)


class LogBackward0(Op):
    op_name = "log"
    formulas = {"self": "grad / self"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _correctly_rounded(np.log, dtypes.as_floating(a._data))

    def backward(self, g: Tensor) -> Tensor:
        return g / self.saved("self")


@declare("log", nodes=LogBackward0, inplace=True, torch_inplace=True)
def log(a: Tensor) -> Tensor:
    return apply(LogBackward0, a)


class Log1PBackward0(Op):
    op_name = "log1p"
    formulas = {"self": "grad / (self + 1)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _correctly_rounded(np.log1p, dtypes.as_floating(a._data))

    def backward(self, g: Tensor) -> Tensor:
        return g / (self.saved("self") + 1)


@declare("log1p", nodes=Log1PBackward0, inplace=True, torch_inplace=True)
def log1p(a: Tensor) -> Tensor:
    return apply(Log1PBackward0, a)


class SqrtBackward0(Op):
    op_name = "sqrt"
    saves_output = "result"
    formulas = {"self": "grad / (2 * result)"}

    def forward(self, a: Tensor) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return np.sqrt(dtypes.as_floating(a._data))

    def backward(self, g: Tensor) -> Tensor:
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / (2 * self.saved("result"))


@declare("sqrt", nodes=SqrtBackward0, inplace=True, torch_inplace=True)
def sqrt(a: Tensor) -> Tensor:
    return apply(SqrtBackward0, a)


class AbsBackward0(Op):
    op_name = "abs"
    formulas = {"self": "grad * sign(self)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        return np.abs(no_bool_kernel(a, "abs_cpu")._data)

    def backward(self, g: Tensor) -> Tensor:
        return g * sign(self.saved("self"))


@declare("abs", nodes=AbsBackward0, operators=("__abs__",), inplace=True, torch_inplace=True)
def abs(a: Tensor) -> Tensor:  # noqa: A001
    return apply(AbsBackward0, a)


class SignBackward0(Op):
    op_name = "sign"
    formulas = {"self": "zeros_like(grad)"}

    def forward(self, a: Tensor) -> np.ndarray:
        x = a._data
        if x.dtype.kind != "f":
            return x.copy() if x.dtype == np.bool_ else np.sign(x)
        return np.where(np.isnan(x), x.dtype.type(0), np.sign(x))  # PyTorch: sign(nan) is 0

    def backward(self, g: Tensor) -> Tensor:
        return g * 0.0


@declare("sign", nodes=SignBackward0, inplace=True)
def sign(a: Tensor) -> Tensor:
    return apply(SignBackward0, a)


class SinBackward0(Op):
    op_name = "sin"
    formulas = {"self": "grad * cos(self)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        return _correctly_rounded(np.sin, dtypes.as_floating(a._data))

    def backward(self, g: Tensor) -> Tensor:
        return g * cos(self.saved("self"))


@declare("sin", nodes=SinBackward0, inplace=True, torch_inplace=True)
def sin(a: Tensor) -> Tensor:
    return apply(SinBackward0, a)


class CosBackward0(Op):
    op_name = "cos"
    formulas = {"self": "grad * -sin(self)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        return _correctly_rounded(np.cos, dtypes.as_floating(a._data))

    def backward(self, g: Tensor) -> Tensor:
        return g * -sin(self.saved("self"))


@declare("cos", nodes=CosBackward0, inplace=True, torch_inplace=True)
def cos(a: Tensor) -> Tensor:
    return apply(CosBackward0, a)


class TanhBackward0(Op):
    op_name = "tanh"
    saves_output = "result"
    formulas = {"self": "grad * (1 - result * result)"}

    def forward(self, a: Tensor) -> np.ndarray:
        return np.tanh(dtypes.as_floating(a._data))

    def backward(self, g: Tensor) -> Tensor:
        r = self.saved("result")
        if not MODES.enabled and r._data.dtype == np.float32 and g._data.dtype == np.float32:
            # ATen's kernel computes 1 - r*r as one fused multiply-add, rounded once: in float64
            # r*r is exact and one rounding to float32 follows. So a hand-written
            # (1 - h**2) * dh differs from h.grad in the last bit, as it does in PyTorch.
            r64 = r._data.astype(np.float64)
            return Tensor._make(g._data * (1.0 - r64 * r64).astype(np.float32), False, None, 0)
        return g * (1 - r * r)


@declare("tanh", nodes=TanhBackward0, inplace=True, torch_inplace=True, functional=True)
def tanh(a: Tensor) -> Tensor:
    return apply(TanhBackward0, a)


class SigmoidBackward0(Op):
    op_name = "sigmoid"
    saves_output = "result"
    formulas = {"self": "grad * (1 - result) * result"}

    def forward(self, a: Tensor) -> np.ndarray:
        x = dtypes.as_floating(a._data)
        if x.dtype == np.float32:
            return vecmath.sigmoid(x, threads.get_num_threads())
        # Split by sign so exp never overflows.
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)

    def backward(self, g: Tensor) -> Tensor:
        r = self.saved("result")
        return g * (1 - r) * r  # ATen's order: (grad * (1 - r)) * r


@declare("sigmoid", nodes=SigmoidBackward0, inplace=True, torch_inplace=True, functional=True)
def sigmoid(a: Tensor) -> Tensor:
    return apply(SigmoidBackward0, a)


class ReluBackward0(Op):
    op_name = "relu"
    saves_output = "result"
    formulas = {"self": "grad * (result > 0)"}

    def forward(self, a: Tensor) -> np.ndarray:
        return np.maximum(a._data, 0, dtype=a._data.dtype)

    def backward(self, g: Tensor) -> Tensor:
        r = self.saved("result")  # passed where not <= 0, as in PyTorch: a NaN's too
        return g * Tensor._make(~(r._data <= 0), False, None, 0)


@declare("relu", nodes=ReluBackward0, inplace=True, torch_inplace=True, functional=True)
def relu(a: Tensor) -> Tensor:
    return apply(ReluBackward0, a)


class MaximumBackward0(Op):
    op_name = "maximum"
    input_names = ("self", "other")
    formulas = {
        "self": "grad * (1 - (self < other) - 0.5 * (self == other))",
        "other": "grad * (1 - (other < self) - 0.5 * (self == other))",
    }

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        self.save(self=a, other=b)
        x, y = _pair(a, b)
        return _binary(np.maximum, x, y)

    def backward(self, g: Tensor) -> tuple[Tensor, Tensor]:
        x, y = _pair(self.saved("self"), self.saved("other"))
        half = 0.5 * (x == y)  # a NaN on either side passes the whole gradient to both, as in
        return _masked(g, 1.0 - (x < y) - half), _masked(g, 1.0 - (x > y) - half)  # PyTorch


@declare("maximum", nodes=MaximumBackward0)
def maximum(a: Tensor, b: Tensor) -> Tensor:
    return apply(MaximumBackward0, a, wrap(b, a))


class MinimumBackward0(Op):
    op_name = "minimum"
    input_names = ("self", "other")
    formulas = {
        "self": "grad * (1 - (self > other) - 0.5 * (self == other))",
        "other": "grad * (1 - (other > self) - 0.5 * (self == other))",
    }

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        self.save(self=a, other=b)
        x, y = _pair(a, b)
        return _binary(np.minimum, x, y)

    def backward(self, g: Tensor) -> tuple[Tensor, Tensor]:
        x, y = _pair(self.saved("self"), self.saved("other"))
        half = 0.5 * (x == y)
        return _masked(g, 1.0 - (x > y) - half), _masked(g, 1.0 - (x < y) - half)


def _masked(g: Tensor, weights: np.ndarray) -> Tensor:
    return g * Tensor._make(weights.astype(g._data.dtype), False, None, 0)


@declare("minimum", nodes=MinimumBackward0)
def minimum(a: Tensor, b: Tensor) -> Tensor:
    return apply(MinimumBackward0, a, wrap(b, a))
