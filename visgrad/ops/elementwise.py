"""Elementwise ops: arithmetic, math functions, clamping, comparisons.

Each class is one row of the op table: node name, forward, backward and the formula shown to the
user. Gradients come back at the broadcast shape; the engine reduces them to each input's shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.autograd import errors
from visgrad.autograd.grad_mode import no_grad
from visgrad.ops.base import Op, apply, promote, wrap
from visgrad.tensor import Tensor


def _pair(a: Tensor, b: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """The two operands' arrays, cast to PyTorch's result dtype when they differ."""
    x, y = a._data, b._data
    if x.dtype is not y.dtype and x.dtype != y.dtype:
        dt = promote(x, y)
        x = x.astype(dt, copy=False)
        y = y.astype(dt, copy=False)
    return x, y


def _binary(fn: Any, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    try:
        return fn(x, y)
    except ValueError:
        raise RuntimeError(errors.broadcast(x.shape, y.shape)) from None


def _floating(a: np.ndarray) -> np.ndarray:
    """Integer inputs to float math become float32, as in PyTorch."""
    return a if a.dtype.kind == "f" else a.astype(dtypes.default_float.np)


# -- arithmetic -------------------------------------------------------------------------------------
class AddBackward0(Op):
    op_name = "add"
    input_names = ("self", "other")
    formulas = {"self": "grad", "other": "grad * alpha"}

    def forward(self, a: Tensor, b: Tensor, alpha: Any = 1) -> np.ndarray:
        self.save(alpha=alpha)
        x, y = _pair(a, b)
        return _binary(np.add, x, y * alpha if alpha != 1 else y)

    def backward(self, g: Tensor) -> tuple[Tensor, Tensor]:
        alpha = self.saved("alpha")
        return g, (g if alpha == 1 else g * alpha)


class SubBackward0(Op):
    op_name = "sub"
    input_names = ("self", "other")
    formulas = {"self": "grad", "other": "-grad * alpha"}

    def forward(self, a: Tensor, b: Tensor, alpha: Any = 1) -> np.ndarray:
        self.save(alpha=alpha)
        x, y = _pair(a, b)
        return _binary(np.subtract, x, y * alpha if alpha != 1 else y)

    def backward(self, g: Tensor) -> tuple[Tensor, Tensor]:
        alpha = self.saved("alpha")
        return g, (-g if alpha == 1 else -g * alpha)


class RsubBackward1(Op):
    """``number - tensor``: the number is an attribute, not an input (no edge for it)."""

    op_name = "rsub"
    formulas = {"self": "-grad * alpha"}

    def forward(self, a: Tensor, other: Any, alpha: Any = 1) -> np.ndarray:
        self.save(alpha=alpha)
        x, y = _pair(a, wrap(other, a))
        return _binary(np.subtract, y, x * alpha if alpha != 1 else x)

    def backward(self, g: Tensor) -> Tensor:
        alpha = self.saved("alpha")
        return -g if alpha == 1 else -g * alpha


class RsubBackward0(Op):
    """``torch.rsub(a, b)`` with two tensors: ``b - alpha * a``."""

    op_name = "rsub"
    input_names = ("self", "other")
    formulas = {"self": "-grad * alpha", "other": "grad"}

    def forward(self, a: Tensor, b: Tensor, alpha: Any = 1) -> np.ndarray:
        self.save(alpha=alpha)
        x, y = _pair(a, b)
        return _binary(np.subtract, y, x * alpha if alpha != 1 else x)

    def backward(self, g: Tensor) -> tuple[Tensor, Tensor]:
        alpha = self.saved("alpha")
        return (-g if alpha == 1 else -g * alpha), g


class MulBackward0(Op):
    op_name = "mul"
    input_names = ("self", "other")
    formulas = {"self": "grad * other", "other": "grad * self"}

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        self.save(self=a, other=b)
        x, y = _pair(a, b)
        return _binary(np.multiply, x, y)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, nb = self.needs_input_grad
        return (
            g * self.saved("other") if na else None,
            g * self.saved("self") if nb else None,
        )


class DivBackward0(Op):
    op_name = "div"
    input_names = ("self", "other")
    formulas = {"self": "grad / other", "other": "-grad * self / (other * other)"}

    def forward(self, a: Tensor, b: Tensor, rounding_mode: str | None = None) -> np.ndarray:
        self.save(self=a, other=b)
        x, y = _pair(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            if rounding_mode == "floor":
                return _binary(np.floor_divide, x, y)
            if rounding_mode == "trunc":
                return np.trunc(_binary(np.true_divide, x, y)).astype(x.dtype)
            r = _binary(np.true_divide, x, y)
        return r if x.dtype.kind == "f" else r.astype(dtypes.default_float.np)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, nb = self.needs_input_grad
        b = self.saved("other")
        ga = g / b if na else None
        gb = -g * self.saved("self") / (b * b) if nb else None
        return ga, gb


class NegBackward0(Op):
    op_name = "neg"
    formulas = {"self": "-grad"}

    def forward(self, a: Tensor) -> np.ndarray:
        return np.negative(a._data)

    def backward(self, g: Tensor) -> Tensor:
        return -g


class ReciprocalBackward0(Op):
    op_name = "reciprocal"
    saves_output = "result"
    formulas = {"self": "-grad * (result * result)"}

    def forward(self, a: Tensor) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.reciprocal(_floating(a._data))

    def backward(self, g: Tensor) -> Tensor:
        r = self.saved("result")
        return -g * (r * r)


class PowBackward0(Op):
    """``tensor ** number``."""

    op_name = "pow"
    formulas = {"self": "grad * exponent * self ** (exponent - 1)"}

    def forward(self, a: Tensor, exponent: Any) -> np.ndarray:
        self.save(self=a, exponent=exponent)
        x = a._data
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
    formulas = {"exponent": "grad * result * log(self)"}

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


# -- math functions -------------------------------------------------------------------------------
class ExpBackward0(Op):
    op_name = "exp"
    saves_output = "result"
    formulas = {"self": "grad * result"}

    def forward(self, a: Tensor) -> np.ndarray:
        with np.errstate(over="ignore"):
            return np.exp(_floating(a._data))

    def backward(self, g: Tensor) -> Tensor:
        return g * self.saved("result")


class LogBackward0(Op):
    op_name = "log"
    formulas = {"self": "grad / self"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(_floating(a._data))

    def backward(self, g: Tensor) -> Tensor:
        return g / self.saved("self")


class Log1PBackward0(Op):
    op_name = "log1p"
    formulas = {"self": "grad / (self + 1)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(_floating(a._data))

    def backward(self, g: Tensor) -> Tensor:
        return g / (self.saved("self") + 1)


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


class AbsBackward0(Op):
    op_name = "abs"
    formulas = {"self": "grad * sign(self)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        return np.abs(a._data)

    def backward(self, g: Tensor) -> Tensor:
        return g * sign(self.saved("self"))


class SignBackward0(Op):
    op_name = "sign"
    formulas = {"self": "zeros_like(grad)"}

    def forward(self, a: Tensor) -> np.ndarray:
        return np.sign(a._data)

    def backward(self, g: Tensor) -> Tensor:
        return g * 0.0


class SinBackward0(Op):
    op_name = "sin"
    formulas = {"self": "grad * cos(self)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        return np.sin(_floating(a._data))

    def backward(self, g: Tensor) -> Tensor:
        return g * cos(self.saved("self"))


class CosBackward0(Op):
    op_name = "cos"
    formulas = {"self": "grad * -sin(self)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        return np.cos(_floating(a._data))

    def backward(self, g: Tensor) -> Tensor:
        return g * -sin(self.saved("self"))


class TanhBackward0(Op):
    op_name = "tanh"
    saves_output = "result"
    formulas = {"self": "grad * (1 - result * result)"}

    def forward(self, a: Tensor) -> np.ndarray:
        return np.tanh(_floating(a._data))

    def backward(self, g: Tensor) -> Tensor:
        r = self.saved("result")
        return g * (1 - r * r)


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


class ReluBackward0(Op):
    op_name = "relu"
    saves_output = "result"
    formulas = {"self": "grad * (result > 0)"}

    def forward(self, a: Tensor) -> np.ndarray:
        return np.maximum(a._data, 0, dtype=a._data.dtype)

    def backward(self, g: Tensor) -> Tensor:
        r = self.saved("result")
        return g * (r > 0)


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
        return r.astype(x.dtype, copy=False)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")._data
        lo, hi = self.saved("min"), self.saved("max")
        mask = np.ones(x.shape, dtype=bool)
        if lo is not None:
            mask &= x >= lo
        if hi is not None:
            mask &= x <= hi
        return g * Tensor._make(mask, False, None, 0)


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


class WhereBackward0(Op):
    """``where(condition, self, other)``; the bool condition is an attribute (no edge)."""

    op_name = "where"
    input_names = ("self", "other")
    formulas = {"self": "where(condition, grad, 0)", "other": "where(condition, 0, grad)"}

    def forward(self, a: Tensor, b: Tensor, condition: Tensor) -> np.ndarray:
        self.save(condition=condition)
        x, y = _pair(a, b)
        c = condition._data.astype(bool)
        try:
            return np.where(c, x, y)
        except ValueError:
            try:
                left = np.broadcast_shapes(c.shape, x.shape)
            except ValueError:
                raise RuntimeError(errors.broadcast(c.shape, x.shape)) from None
            raise RuntimeError(errors.broadcast(left, y.shape)) from None

    def backward(self, g: Tensor) -> tuple[Tensor, Tensor]:
        c = self.saved("condition")
        z = zeros_like(g)
        return where(c, g, z), where(c, z, g)


class CompareBackward(Op):
    """Comparisons: bool results that never require grad."""

    op_name = "compare"
    differentiable = ()
    _fns = {
        "eq": np.equal,
        "ne": np.not_equal,
        "lt": np.less,
        "le": np.less_equal,
        "gt": np.greater,
        "ge": np.greater_equal,
    }

    def forward(self, a: Tensor, b: Tensor, op: str) -> np.ndarray:
        x, y = _pair(a, b)
        return _binary(self._fns[op], x, y)


# -- functions --------------------------------------------------------------------------------------
def add(a: Any, b: Any, *, alpha: Any = 1) -> Tensor:
    if not isinstance(a, Tensor):
        if alpha == 1:
            # ``2 + t`` is ``t + 2`` in PyTorch: the tensor is input 0, the number an edge-less 1.
            return apply(AddBackward0, b, wrap(a, b), alpha=alpha)
        a = wrap(a, b)
    return apply(AddBackward0, a, wrap(b, a), alpha=alpha)


def sub(a: Any, b: Any, *, alpha: Any = 1) -> Tensor:
    if not isinstance(a, Tensor):
        return apply(RsubBackward1, wrap(b, None), other=a, alpha=alpha)
    return apply(SubBackward0, a, wrap(b, a), alpha=alpha)


def rsub(a: Tensor, b: Any, *, alpha: Any = 1) -> Tensor:
    """``b - alpha * a``."""
    if isinstance(b, Tensor):
        return apply(RsubBackward0, a, b, alpha=alpha)
    return apply(RsubBackward1, a, other=b, alpha=alpha)


def mul(a: Any, b: Any) -> Tensor:
    if not isinstance(a, Tensor):
        # ``2 * t`` is ``t * 2`` in PyTorch (next_functions: the tensor's edge first).
        return apply(MulBackward0, b, wrap(a, b))
    return apply(MulBackward0, a, wrap(b, a))


def div(a: Any, b: Any, *, rounding_mode: str | None = None) -> Tensor:
    if not isinstance(a, Tensor):
        # number / tensor is number * reciprocal(tensor) in PyTorch.
        return mul(reciprocal(b), a)
    b = wrap(b, a)
    if rounding_mode is not None:
        with no_grad():
            return apply(DivBackward0, a, b, rounding_mode=rounding_mode)
    return apply(DivBackward0, a, b)


def floor_divide(a: Any, b: Any) -> Tensor:
    """``a // b``: rounds toward negative infinity; not differentiable (as in PyTorch)."""
    if not isinstance(a, Tensor):
        a = wrap(a, b)
    return div(a, b, rounding_mode="floor")


class RemainderBackward0(Op):
    """``a % b`` with the sign of ``b`` (Python's and PyTorch's convention)."""

    op_name = "remainder"
    input_names = ("self", "other")
    formulas = {"self": "grad", "other": "-grad * floor(self / other)"}

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        self.save(self=a, other=b)
        x, y = _pair(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _binary(np.remainder, x, y)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, nb = self.needs_input_grad
        gb = None
        if nb:
            q = floor_divide(self.saved("self"), self.saved("other"))
            gb = -g * q
        return (g if na else None), gb


def remainder(a: Any, b: Any) -> Tensor:
    """``a % b`` with the sign of ``b``; the gradient w.r.t. ``a`` is 1 almost everywhere."""
    if not isinstance(a, Tensor):
        a = wrap(a, b)
    return apply(RemainderBackward0, a, wrap(b, a))


def neg(a: Tensor) -> Tensor:
    return apply(NegBackward0, a)


def reciprocal(a: Tensor) -> Tensor:
    return apply(ReciprocalBackward0, a)


def pow(a: Any, exponent: Any) -> Tensor:  # noqa: A001
    if not isinstance(a, Tensor):
        return apply(PowBackward2, exponent, base=a)
    if isinstance(exponent, Tensor):
        return apply(PowBackward1, a, exponent)
    return apply(PowBackward0, a, exponent=exponent)


def exp(a: Tensor) -> Tensor:
    return apply(ExpBackward0, a)


def log(a: Tensor) -> Tensor:
    return apply(LogBackward0, a)


def log1p(a: Tensor) -> Tensor:
    return apply(Log1PBackward0, a)


def sqrt(a: Tensor) -> Tensor:
    return apply(SqrtBackward0, a)


def abs(a: Tensor) -> Tensor:  # noqa: A001
    return apply(AbsBackward0, a)


def sign(a: Tensor) -> Tensor:
    return apply(SignBackward0, a)


def sin(a: Tensor) -> Tensor:
    return apply(SinBackward0, a)


def cos(a: Tensor) -> Tensor:
    return apply(CosBackward0, a)


def tanh(a: Tensor) -> Tensor:
    return apply(TanhBackward0, a)


def sigmoid(a: Tensor) -> Tensor:
    return apply(SigmoidBackward0, a)


def relu(a: Tensor) -> Tensor:
    return apply(ReluBackward0, a)


def clamp(a: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    return apply(ClampBackward1, a, min=min, max=max)


def maximum(a: Tensor, b: Tensor) -> Tensor:
    return apply(MaximumBackward0, a, wrap(b, a))


def minimum(a: Tensor, b: Tensor) -> Tensor:
    return apply(MinimumBackward0, a, wrap(b, a))


def where(condition: Tensor, a: Any, b: Any) -> Tensor:
    if not isinstance(a, Tensor):
        a = wrap(a, b if isinstance(b, Tensor) else None)
    return apply(WhereBackward0, a, wrap(b, a), condition=wrap(condition))


def compare(a: Tensor, b: Any, op: str) -> Tensor:
    return apply(CompareBackward, a, wrap(b, a), op=op)


def zeros_like(a: Tensor) -> Tensor:
    return Tensor._make(np.zeros_like(a._data), False, None, 0)


def ones_like(a: Tensor) -> Tensor:
    return Tensor._make(np.ones_like(a._data), False, None, 0)
