"""Two-operand math: ``lerp``, ``hypot``, ``logaddexp`` / ``logaddexp2``, ``ldexp``, ``heaviside``.

Each forward follows the formula of PyTorch's CPU kernel (``lerp`` picks its form by the size of
the weight, ``logaddexp`` shifts by the larger operand), so values agree to rounding.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.arg_parser import invalid_combination, is_number
from visgrad.autograd import errors
from visgrad.ops.base import Op, apply, promote
from visgrad.ops.gate_tables import _C_NAMES, _CPP_NAMES
from visgrad.ops.inplace import inplace
from visgrad.ops.operand_arrays import _pair
from visgrad.ops.pointwise import exp
from visgrad.ops.power import pow as _pow
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

_LN2 = math.log(2.0)


def _broadcast(*arrays: np.ndarray) -> None:
    try:
        np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        a, b = arrays[0], arrays[1]
        if len(arrays) == 3:
            try:
                np.broadcast_shapes(a.shape, b.shape)
                a = np.empty(np.broadcast_shapes(a.shape, b.shape))
                b = arrays[2]
            except ValueError:
                pass
        raise RuntimeError(errors.broadcast(a.shape, b.shape)) from None


def _float_kernel(x: np.ndarray, kernel: str) -> None:
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_C_NAMES[x.dtype.name]}'")


def _lerp(x: np.ndarray, y: np.ndarray, w: Any) -> np.ndarray:
    """PyTorch's lerp: ``start + w * (end - start)`` for ``|w| < 0.5``, else the form from ``end``
    (one fused multiply-add; float32 computed in float64 and rounded once, as the FMA does)."""
    diff = y - x
    small = np.abs(w) < 0.5
    coeff = np.where(small, w, np.subtract(w, 1))
    base = np.where(small, x, y)
    wide = np.float64 if x.dtype.itemsize < 8 else x.dtype
    out = coeff.astype(wide) * diff.astype(wide) + base.astype(wide)
    return out.astype(x.dtype, copy=False)


def _check_lerp(x: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> None:
    for name, other in (("end", y), ("weight", w)):
        if other is not None and other.dtype != x.dtype and (name == "end" or other.ndim):
            raise RuntimeError(
                f"expected dtype {_CPP_NAMES[x.dtype.name]} for `{name}` but got dtype "
                f"{_CPP_NAMES[other.dtype.name]}"
            )
    _float_kernel(x, "lerp_kernel_scalar" if w is None else "lerp_kernel_tensor")
    _broadcast(x, y, *(() if w is None else (w,)))


class LerpBackward0(Op):
    """``lerp`` with a number for the weight."""

    op_name = "lerp"
    input_names = ("self", "end")
    formulas = {"self": "grad * (1 - weight)", "end": "grad * weight"}

    def forward(self, a: Tensor, b: Tensor, weight: Any) -> np.ndarray:
        _check_lerp(a._data, b._data, None)
        self.save(weight=weight)
        return _lerp(a._data, b._data, np.asarray(weight, dtype=a._data.dtype))

    def backward(self, g: Tensor) -> tuple[Tensor, Tensor]:
        w = self.saved("weight")
        return g * (1 - w), g * w


class LerpBackward1(Op):
    """``lerp`` with a tensor of weights."""

    op_name = "lerp"
    input_names = ("self", "end", "weight")
    formulas = {
        "self": "grad * (1 - weight)",
        "end": "grad * weight",
        "weight": "grad * (end - self)",
    }

    def forward(self, a: Tensor, b: Tensor, w: Tensor) -> np.ndarray:
        _check_lerp(a._data, b._data, w._data)
        self.save(self=a, end=b, weight=w)
        return _lerp(a._data, b._data, w._data.astype(a._data.dtype, copy=False))

    def backward(self, g: Tensor) -> tuple[Tensor | None, ...]:
        na, nb, nw = self.needs_input_grad
        w = self.saved("weight")
        ga = g * (1 - w) if na else None
        gb = g * w if nb else None
        gw = g * (self.saved("end") - self.saved("self")) if nw else None
        return ga, gb, gw


def lerp_(t: Tensor, end: Tensor, weight: Any) -> Tensor:
    if isinstance(weight, Tensor):
        return inplace(t, LerpBackward1, (end, weight), {}, "lerp_")
    _check_weight("lerp_", (end, weight))
    return inplace(t, LerpBackward0, (end,), {"weight": weight}, "lerp_")


@declare("lerp", nodes=(LerpBackward0, LerpBackward1), inplace=lerp_)
def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:  # noqa: A002 - PyTorch's name
    """``input + weight * (end - input)``; ``weight`` a number or a tensor that broadcasts."""
    if isinstance(weight, Tensor):
        return apply(LerpBackward1, input, end, weight)
    _check_weight("lerp", (input, end, weight))
    return apply(LerpBackward0, input, end, weight=weight)


def _check_weight(op: str, args: tuple[Any, ...]) -> None:
    if not is_number(args[-1]):
        raise invalid_combination(op, args, {})


class HypotBackward0(Op):
    op_name = "hypot"
    input_names = ("self", "other")
    saves_output = "result"
    formulas = {"self": "grad * self / result", "other": "grad * other / result"}

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        x, y = _pair(a, b)
        _float_kernel(x, "hypot_cpu")
        _broadcast(x, y)
        self.save(self=a, other=b)
        return np.hypot(x, y)

    def backward(self, g: Tensor) -> tuple[Tensor, Tensor]:
        r = self.saved("result")
        return g * self.saved("self") / r, g * self.saved("other") / r


def hypot_(t: Tensor, other: Tensor) -> Tensor:
    return inplace(t, HypotBackward0, (other,), {}, "hypot_")


@declare("hypot", nodes=HypotBackward0, inplace=hypot_)
def hypot(a: Tensor, b: Tensor) -> Tensor:
    """``sqrt(a**2 + b**2)`` without overflow."""
    return apply(HypotBackward0, a, b)


def _logaddexp(x: np.ndarray, y: np.ndarray, exp_fn: Any, log_fn: Any) -> np.ndarray:
    # PyTorch's vectorised kernel: m + log(1 + exp(-|a - b|)), and a itself for equal infinities.
    m = np.maximum(x, y)
    with np.errstate(invalid="ignore", over="ignore"):
        out = m + log_fn(1 + exp_fn(-np.abs(x - y)))
    return np.where((x == y) & np.isinf(x), x, out)


class LogaddexpBackward0(Op):
    op_name = "logaddexp"
    input_names = ("self", "other")
    formulas = {
        "self": "grad / (1 + exp(other - self))",
        "other": "grad / (1 + exp(self - other))",
    }

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        x, y = _pair(a, b)
        _float_kernel(x, "logaddexp_cpu")
        _broadcast(x, y)
        self.save(self=a, other=b)
        return _logaddexp(x, y, np.exp, np.log)

    def backward(self, g: Tensor) -> tuple[Tensor, Tensor]:
        a, b = self.saved("self"), self.saved("other")
        return g / (1 + exp(b - a)), g / (1 + exp(a - b))


@declare("logaddexp", nodes=LogaddexpBackward0)
def logaddexp(a: Tensor, b: Tensor) -> Tensor:
    """``log(exp(a) + exp(b))``, computed without overflow."""
    return apply(LogaddexpBackward0, a, b)


class Logaddexp2Backward0(Op):
    op_name = "logaddexp2"
    input_names = ("self", "other")
    formulas = {
        "self": "grad / (1 + 2 ** (other - self))",
        "other": "grad / (1 + 2 ** (self - other))",
    }

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        x, y = _pair(a, b)
        _float_kernel(x, "logaddexp2_cpu")
        _broadcast(x, y)
        self.save(self=a, other=b)
        return _logaddexp(x, y, np.exp2, np.log2)

    def backward(self, g: Tensor) -> tuple[Tensor, Tensor]:
        a, b = self.saved("self"), self.saved("other")
        return g / (1 + _pow(2.0, b - a)), g / (1 + _pow(2.0, a - b))


@declare("logaddexp2", nodes=Logaddexp2Backward0)
def logaddexp2(a: Tensor, b: Tensor) -> Tensor:
    """``log2(2**a + 2**b)``, computed without overflow."""
    return apply(Logaddexp2Backward0, a, b)


class LdexpBackward0(Op):
    op_name = "ldexp"
    input_names = ("self", "other")
    formulas = {
        "self": "grad * 2 ** other",
        "other": "grad * self * M_LN2 * 2 ** other",
    }

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        x, y = a._data, b._data
        if y.dtype.kind == "b":
            raise NotImplementedError("\"ldexp_cpu_exp\" not implemented for 'Bool'")
        _broadcast(x, y)
        self.save(self=a, other=b)
        # PyTorch's ``self * pow(2.0, other)``: the power is float (the default dtype for ints).
        scale = np.exp2(dtypes.as_floating(y))
        dt = promote(x, scale)
        return x.astype(dt, copy=False) * scale.astype(dt, copy=False)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, nb = self.needs_input_grad
        a, b = self.saved("self"), self.saved("other")
        y = b._data
        if y.dtype.kind in "iub":
            # PyTorch's backward takes ``pow(2, other)`` in integer arithmetic: a negative
            # exponent gives 0, so the input's gradient there is 0 (its forward is exact).
            ints = np.where(y >= 0, np.left_shift(1, np.clip(y, 0, 62).astype(np.int64)), 0)
            scale = Tensor._make(ints.astype(y.dtype), False, None, 0)
        else:
            scale = _pow(2.0, b)
        return (g * scale if na else None), (g * a * _LN2 * scale if nb else None)


def ldexp_(t: Tensor, other: Tensor) -> Tensor:
    if t._data.dtype.kind != "f":  # ATen's ldexp_ refuses a non-float self before anything else
        name = _C_NAMES.get(t._data.dtype.name, t._data.dtype.name)
        raise RuntimeError(f"ldexp can't be cast to the desired output type {name}")
    return inplace(t, LdexpBackward0, (other,), {}, "ldexp_")


@declare("ldexp", nodes=LdexpBackward0, inplace=ldexp_, torch_inplace=True)
def ldexp(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """``input * 2 ** other``."""
    return apply(LdexpBackward0, input, other)


class _NoDerivative(Op):
    """A node PyTorch records for an op it has no derivative for: backward through it fails."""

    name_ = "torch::autograd::NotImplemented"

    def backward(self, g: Tensor) -> Any:
        raise RuntimeError(f"derivative for aten::{self.op_name} is not implemented")


class HeavisideNotImplemented(_NoDerivative):
    op_name = "heaviside"
    input_names = ("self", "values")

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        x, y = a._data, b._data
        if x.dtype != y.dtype:
            raise RuntimeError(
                "heaviside is not yet implemented for tensors with different dtypes."
            )
        _broadcast(x, y)
        return np.where(x == 0, y, x > 0).astype(x.dtype, copy=False)  # NaN gives 0


# The class PyTorch shows for it (``grad_fn=<NotImplemented>``); our class keeps a clear name.
HeavisideNotImplemented.__name__ = HeavisideNotImplemented.__qualname__ = "NotImplemented"


def heaviside_(t: Tensor, values: Tensor) -> Tensor:
    return inplace(t, HeavisideNotImplemented, (values,), {}, "heaviside_")


@declare("heaviside", nodes=HeavisideNotImplemented, inplace=heaviside_)
def heaviside(input: Tensor, values: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """0 below zero, 1 above, ``values`` at zero (no derivative, as in PyTorch)."""
    return apply(HeavisideNotImplemented, input, values)
