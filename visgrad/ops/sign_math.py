"""Sign and NaN-aware elementwise math: ``fmax`` / ``fmin``, ``copysign``, ``nextafter``,
``float_power``, ``gcd`` / ``lcm``, and the tests ``signbit``, ``isposinf``, ``isneginf``,
``isreal``.

``fmax`` and ``fmin`` are ``maximum`` and ``minimum`` that prefer the number to a NaN; their
gradient goes to the operand they chose (``self`` on ties), as PyTorch's formulas send it.
``float_power`` is PyTorch's composite: both operands cast to float64, then ``pow``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.arg_parser import invalid_combination, is_number
from visgrad.ops.base import Op, apply
from visgrad.ops.binary_math import _broadcast
from visgrad.ops.convert import ToCopyBackward0, to
from visgrad.ops.gate_tables import _C_NAMES
from visgrad.ops.inplace import _scalar_name, inplace
from visgrad.ops.operand_arrays import _pair
from visgrad.ops.power import PowBackward0, PowBackward1, PowBackward2, pow_
from visgrad.ops.power import pow as _pow
from visgrad.ops.predicates import Predicate
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


def _not_for(x: np.ndarray, kernel: str, kinds: str) -> None:
    if x.dtype.kind not in kinds:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_C_NAMES[x.dtype.name]}'")


def _chosen(x: np.ndarray, y: np.ndarray, cmp: Any) -> np.ndarray:
    """Where ``self`` is the one kept: it wins the comparison (ties too) or ``other`` is NaN."""
    with np.errstate(invalid="ignore"):
        keep = cmp(x, y)
    if y.dtype.kind == "f":
        keep |= np.isnan(y)
    return keep


class FmaxBackward0(Op):
    op_name = "fmax"
    input_names = ("self", "other")
    formulas = {
        "self": "grad * maximum(self >= other, isnan(other))",
        "other": "grad * (1 - maximum(self >= other, isnan(other)))",
    }

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        x, y = _pair(a, b)
        _broadcast(x, y)
        self.save(self=a, other=b)
        return np.fmax(x, y)

    def backward(self, g: Tensor) -> tuple[Tensor, Tensor]:
        x, y = _pair(self.saved("self"), self.saved("other"))
        keep = _chosen(x, y, np.greater_equal)
        dt = g._data.dtype
        return g * _const(keep.astype(dt)), g * _const((~keep).astype(dt))


@declare("fmax", nodes=FmaxBackward0)
def fmax(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """The larger of the two, the number where one of them is NaN."""
    return apply(FmaxBackward0, input, other)


class FminBackward0(Op):
    op_name = "fmin"
    input_names = ("self", "other")
    formulas = {
        "self": "grad * maximum(self <= other, isnan(other))",
        "other": "grad * (1 - maximum(self <= other, isnan(other)))",
    }

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        x, y = _pair(a, b)
        _broadcast(x, y)
        self.save(self=a, other=b)
        return np.fmin(x, y)

    def backward(self, g: Tensor) -> tuple[Tensor, Tensor]:
        x, y = _pair(self.saved("self"), self.saved("other"))
        keep = _chosen(x, y, np.less_equal)
        dt = g._data.dtype
        return g * _const(keep.astype(dt)), g * _const((~keep).astype(dt))


@declare("fmin", nodes=FminBackward0)
def fmin(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """The smaller of the two, the number where one of them is NaN."""
    return apply(FminBackward0, input, other)


def _copysign(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x = dtypes.as_floating(x)
    return np.copysign(x, y.astype(x.dtype, copy=False))


def _sign_ratio(g: Tensor, x: Tensor, r: Tensor) -> Tensor:
    """PyTorch's ``copysign_tensor_self_backward``: ``grad * result / self``, 0 where self is 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(x._data == 0, 0, np.asarray(r._data / x._data))
    return g * _const(ratio.astype(g._data.dtype, copy=False))


class CopysignBackward0(Op):
    """``copysign`` with a tensor for the sign."""

    op_name = "copysign"
    input_names = ("self", "other")
    saves_output = "result"
    formulas = {"self": "grad * where(self == 0, 0, result / self)", "other": "grad * 0"}

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        x, y = _pair(a, b)
        _broadcast(x, y)
        self.save(self=a)
        return _copysign(x, y)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, nb = self.needs_input_grad
        ga = _sign_ratio(g, self.saved("self"), self.saved("result")) if na else None
        return ga, (g * 0 if nb else None)


class CopysignBackward1(Op):
    """``copysign`` with a number for the sign."""

    op_name = "copysign"
    saves_output = "result"
    formulas = {"self": "grad * where(self == 0, 0, result / self)"}

    def forward(self, a: Tensor, other: Any) -> np.ndarray:
        self.save(self=a)
        x = a._data
        sign = np.asarray(other, dtype=x.dtype if x.dtype.kind == "f" else dtypes.default_float.np)
        return _copysign(x, sign)

    def backward(self, g: Tensor) -> Tensor:
        return _sign_ratio(g, self.saved("self"), self.saved("result"))


def copysign_(t: Tensor, other: Any) -> Tensor:
    if isinstance(other, Tensor):
        return inplace(t, CopysignBackward0, (other,), {}, "copysign_")
    _number("copysign_", (t, other))
    return inplace(t, CopysignBackward1, (), {"other": other}, "copysign_")


def _number(op: str, args: tuple[Any, ...]) -> None:
    if not is_number(args[-1]) or isinstance(args[-1], Tensor):
        raise invalid_combination(op, args, {})


@declare("copysign", nodes=(CopysignBackward0, CopysignBackward1), inplace=copysign_)
def copysign(input: Tensor, other: Any) -> Tensor:  # noqa: A002 - PyTorch's name
    """``input``'s magnitude with ``other``'s sign (a float result for integer inputs)."""
    if isinstance(other, Tensor):
        return apply(CopysignBackward0, input, other)
    _number("copysign", (input, other))
    return apply(CopysignBackward1, input, other=other)


class NextafterBackward0(Op):
    op_name = "nextafter"
    input_names = ("self", "other")
    formulas = {"self": "grad", "other": "grad * 0"}

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        x, y = _pair(a, b)
        _not_for(x, "nextafter_cpu", "f")
        _broadcast(x, y)
        return np.nextafter(x, y)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, nb = self.needs_input_grad
        return (g if na else None), (g * 0 if nb else None)


def nextafter_(t: Tensor, other: Tensor) -> Tensor:
    return inplace(t, NextafterBackward0, (other,), {}, "nextafter_")


@declare("nextafter", nodes=NextafterBackward0, inplace=nextafter_)
def nextafter(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """The next floating-point value after ``input`` towards ``other``."""
    return apply(NextafterBackward0, input, other)


def _double(t: Tensor) -> Tensor:
    return to(t, dtypes.float64)


def float_power_(t: Tensor, exponent: Any) -> Tensor:
    if t._data.dtype != np.float64:
        raise RuntimeError(
            f"the base given to float_power_ has dtype {_scalar_name(t._data.dtype)} "
            "but the operation's result requires dtype Double"
        )
    if isinstance(exponent, Tensor):
        return pow_(t, _double(exponent))
    _number("float_power_", (t, exponent))
    return pow_(t, float(exponent))


@declare(
    "float_power",
    nodes=(PowBackward0, PowBackward1, PowBackward2, ToCopyBackward0),
    inplace=float_power_,
)
def float_power(input: Any, exponent: Any) -> Tensor:  # noqa: A002 - PyTorch's name
    """``pow`` computed in float64, whatever the operands' dtypes."""
    if isinstance(input, Tensor):
        if isinstance(exponent, Tensor):
            return _pow(_double(input), _double(exponent))
        if is_number(exponent):
            return _pow(_double(input), float(exponent))
    elif isinstance(exponent, Tensor) and is_number(input):
        return _pow(float(input), _double(exponent))
    raise invalid_combination("float_power", (input, exponent), {})


class _IntegerMath(Op):
    """``gcd`` / ``lcm``: integer results, no gradient."""

    differentiable = ()
    ufunc: Any = None

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        x, y = _pair(a, b)
        _broadcast(x, y)
        _not_for(x, f"{self.op_name}_cpu", "iu")
        return np.asarray(type(self).ufunc(x, y), dtype=x.dtype)


class GcdOp(_IntegerMath):
    op_name = "gcd"
    ufunc = np.gcd


class LcmOp(_IntegerMath):
    op_name = "lcm"
    ufunc = np.lcm


def gcd_(t: Tensor, other: Tensor) -> Tensor:
    return inplace(t, GcdOp, (other,), {}, "gcd_")


def lcm_(t: Tensor, other: Tensor) -> Tensor:
    return inplace(t, LcmOp, (other,), {}, "lcm_")


@declare("gcd", inplace=gcd_, torch_inplace=True)
def gcd(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """The greatest common divisor of integers (non-negative)."""
    return apply(GcdOp, input, other)


@declare("lcm", inplace=lcm_, torch_inplace=True)
def lcm(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """The least common multiple of integers (non-negative)."""
    return apply(LcmOp, input, other)


_TESTS = {name: type(name, (Predicate,), {"op_name": name}) for name in ("signbit", "isposinf",
          "isneginf", "isreal")}  # fmt: skip


def _signbit(x: np.ndarray) -> np.ndarray:
    if x.dtype.kind == "f":
        return np.signbit(x)
    return x < 0 if x.dtype.kind == "i" else np.zeros(x.shape, bool)


@declare("signbit")
def signbit(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """Whether the sign bit is set (``-0.0`` included)."""
    return apply(_TESTS["signbit"], input, fn=_signbit)


def _infinity(sign: float) -> Any:
    def test(x: np.ndarray) -> np.ndarray:
        return x == sign if x.dtype.kind == "f" else np.zeros(x.shape, bool)

    return test


@declare("isposinf")
def isposinf(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """Whether each element is +inf."""
    return apply(_TESTS["isposinf"], input, fn=_infinity(np.inf))


@declare("isneginf")
def isneginf(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """Whether each element is -inf."""
    return apply(_TESTS["isneginf"], input, fn=_infinity(-np.inf))


@declare("isreal")
def isreal(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """Whether each element has no imaginary part: every element of a real tensor."""
    return apply(_TESTS["isreal"], input, fn=lambda x: np.ones(x.shape, bool))
