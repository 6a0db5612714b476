"""Pointwise math: ``pow``, ``exp``, ``log``, ``sqrt``, trigonometry, activations,
``maximum`` / ``minimum`` (``clamp`` has a module of its own).

Each op is its node class and, right below it, the public function declared with ``@declare``;
``inplace=True`` gives the op ``t.exp_()`` (and ``torch.exp_`` with ``torch_inplace=True``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import dtypes, events
from visgrad.autograd.grad_mode import STATE
from visgrad.ops.base import OBSERVED, Op, apply, wrap
from visgrad.ops.elementwise import _binary, _floating, _pair, ones_like, operands, where
from visgrad.ops.inplace import inplace
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

# Exponents PyTorch computes by multiplication (its CPU kernel's special cases), bit for bit:
# ``x ** 3`` is ``x * x * x``, not ``powf`` (which also runs ~100x slower in NumPy than a multiply).
_BY_MULTIPLY: dict[Any, Any] = {
    2: lambda x: x * x,
    3: lambda x: x * x * x,
    -2: lambda x: 1 / (x * x),
    -0.5: lambda x: 1 / np.sqrt(x),
}
_SQUARE_CUBE = (2, 3)
_SPECIAL_EXPONENTS = (int, float)


class PowBackward0(Op):
    """``tensor ** number``."""

    op_name = "pow"
    formulas = {"self": "grad * exponent * self ** (exponent - 1)"}

    def forward(self, a: Tensor, exponent: Any) -> np.ndarray:
        self.save(self=a, exponent=exponent)
        x = a._data
        if x.dtype.kind == "f" and type(exponent) in _SPECIAL_EXPONENTS:
            special = _BY_MULTIPLY.get(exponent)
            if special is not None:
                if exponent > 0:
                    # A product: no division by zero nor invalid value to silence.
                    return special(x)
                with np.errstate(divide="ignore", invalid="ignore"):
                    return special(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            if x.dtype.kind != "f" and isinstance(exponent, float):
                x = x.astype(dtypes.default_float.np)
            r = np.power(x, exponent)
        return r.astype(x.dtype, copy=False)

    def backward(self, g: Tensor) -> Tensor:
        e = self.saved("exponent")
        if e == 0:
            return g * 0.0
        return g * e * self.saved("self") ** (e - 1)


class PowBackward1(Op):
    """``tensor ** tensor``."""

    op_name = "pow"
    input_names = ("self", "exponent")
    saves_output = "result"
    formulas = {
        "self": "grad * exponent * self ** (exponent - 1)",
        "exponent": "grad * result * log(self)",
    }

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        self.save(self=a, exponent=b)
        x, y = _pair(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _binary(np.power, x, y)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, nb = self.needs_input_grad
        a, b = self.saved("self"), self.saved("exponent")
        ga = g * b * a ** (b - 1) if na else None
        gb = None
        if nb:
            # d/db a**b = a**b * log(a); PyTorch defines it as 0 where a == 0 and b >= 0.
            safe = where(a == 0, ones_like(a), a)
            gb = g * self.saved("result") * log(safe)
        return ga, gb


class PowBackward2(Op):
    """``number ** tensor``: the base is an attribute, the exponent the only input."""

    op_name = "pow"
    input_names = ("exponent",)
    saves_output = "result"
    formulas = {"exponent": "grad * result * log(base)"}

    def forward(self, b: Tensor, base: Any) -> np.ndarray:
        self.save(self=base, exponent=b)
        x, y = _pair(wrap(base, b), b)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.power(x, y)
        return r if r.dtype.kind == "f" or y.dtype.kind != "f" else r.astype(y.dtype)

    def backward(self, g: Tensor) -> Tensor:
        base = self.saved("self")
        base = base._data.item() if isinstance(base, Tensor) else base
        with np.errstate(divide="ignore"):
            return g * self.saved("result") * float(np.log(base))


def pow_(t: Tensor, exponent: Any) -> Tensor:
    if isinstance(exponent, Tensor):
        return inplace(t, PowBackward1, (exponent,), {}, "pow_")
    return inplace(t, PowBackward0, (), {"exponent": exponent}, "pow_")


@declare(
    "pow",
    nodes=(PowBackward0, PowBackward1, PowBackward2),
    operators=("__pow__", "__rpow__", "__ipow__"),
    inplace=pow_,
)
def pow(a: Any, exponent: Any) -> Tensor:  # noqa: A001
    if (
        type(exponent) in _SPECIAL_EXPONENTS
        and not OBSERVED
        and not (events.SINKS and not STATE.in_backward)
        and isinstance(a, Tensor)
        and not (STATE.enabled and a._rg)
        and a._data.dtype.kind == "f"
        and exponent in _SQUARE_CUBE
    ):
        # ``x ** 2`` and ``x ** 3`` with nothing to record or publish: the product itself.
        r = _BY_MULTIPLY[exponent](a._data)
        return Tensor._make(r if type(r) is np.ndarray else np.asarray(r), False, None, 0)
    if not isinstance(a, Tensor):
        return apply(PowBackward2, operands("pow", a, exponent, numbers=False)[1], base=a)
    if isinstance(exponent, Tensor):
        return apply(PowBackward1, a, exponent)
    return apply(PowBackward0, a, exponent=exponent)


class ExpBackward0(Op):
    op_name = "exp"
    saves_output = "result"
    formulas = {"self": "grad * result"}

    def forward(self, a: Tensor) -> np.ndarray:
        with np.errstate(over="ignore"):
            return np.exp(_floating(a._data))

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
            return np.log(_floating(a._data))

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
            return np.log1p(_floating(a._data))

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
            return np.sqrt(_floating(a._data))

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
        return np.abs(a._data)

    def backward(self, g: Tensor) -> Tensor:
        return g * sign(self.saved("self"))


@declare("abs", nodes=AbsBackward0, operators=("__abs__",), inplace=True, torch_inplace=True)
def abs(a: Tensor) -> Tensor:  # noqa: A001
    return apply(AbsBackward0, a)


class SignBackward0(Op):
    op_name = "sign"
    formulas = {"self": "zeros_like(grad)"}

    def forward(self, a: Tensor) -> np.ndarray:
        return a._data.copy() if a._data.dtype == np.bool_ else np.sign(a._data)

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
        return np.sin(_floating(a._data))

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
        return np.cos(_floating(a._data))

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
        return np.tanh(_floating(a._data))

    def backward(self, g: Tensor) -> Tensor:
        r = self.saved("result")
        return g * (1 - r * r)


@declare("tanh", nodes=TanhBackward0, inplace=True, torch_inplace=True, functional=True)
def tanh(a: Tensor) -> Tensor:
    return apply(TanhBackward0, a)


class SigmoidBackward0(Op):
    op_name = "sigmoid"
    saves_output = "result"
    formulas = {"self": "grad * result * (1 - result)"}

    def forward(self, a: Tensor) -> np.ndarray:
        x = _floating(a._data)
        # Split by sign so exp never overflows.
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)

    def backward(self, g: Tensor) -> Tensor:
        r = self.saved("result")
        return g * r * (1 - r)


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
        r = self.saved("result")
        return g * (r > 0)


@declare("relu", nodes=ReluBackward0, inplace=True, torch_inplace=True, functional=True)
def relu(a: Tensor) -> Tensor:
    return apply(ReluBackward0, a)


class MaximumBackward0(Op):
    op_name = "maximum"
    input_names = ("self", "other")
    formulas = {
        "self": "grad * ((self > other) + 0.5 * (self == other))",
        "other": "grad * ((other > self) + 0.5 * (self == other))",
    }

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        self.save(self=a, other=b)
        x, y = _pair(a, b)
        return _binary(np.maximum, x, y)

    def backward(self, g: Tensor) -> tuple[Tensor, Tensor]:
        x, y = _pair(self.saved("self"), self.saved("other"))
        wa = (x > y) + 0.5 * (x == y)
        return _masked(g, wa), _masked(g, 1.0 - wa)


@declare("maximum", nodes=MaximumBackward0)
def maximum(a: Tensor, b: Tensor) -> Tensor:
    return apply(MaximumBackward0, a, wrap(b, a))


class MinimumBackward0(Op):
    op_name = "minimum"
    input_names = ("self", "other")
    formulas = {
        "self": "grad * ((self < other) + 0.5 * (self == other))",
        "other": "grad * ((other < self) + 0.5 * (self == other))",
    }

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        self.save(self=a, other=b)
        x, y = _pair(a, b)
        return _binary(np.minimum, x, y)

    def backward(self, g: Tensor) -> tuple[Tensor, Tensor]:
        x, y = _pair(self.saved("self"), self.saved("other"))
        wa = (x < y) + 0.5 * (x == y)
        return _masked(g, wa), _masked(g, 1.0 - wa)


def _masked(g: Tensor, weights: np.ndarray) -> Tensor:
    return g * Tensor._make(weights.astype(g._data.dtype), False, None, 0)


@declare("minimum", nodes=MinimumBackward0)
def minimum(a: Tensor, b: Tensor) -> Tensor:
    return apply(MinimumBackward0, a, wrap(b, a))
