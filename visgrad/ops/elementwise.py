"""Elementwise arithmetic: ``+ - * / // %``, negation, ``where``.

Each op is its node class (node name, forward, backward and the formula shown to the user) and,
right below it, the public function that records it, declared once with ``@declare`` (its names in
the namespace, its Tensor methods and operators, its in-place variant). Gradients come back at the
broadcast shape; the engine reduces them to each input's shape. Math functions (``exp``, ``pow``,
``relu``, ...) are in ``pointwise``, comparisons in ``predicates``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.arg_parser import invalid_combination, is_number, tensor_or_number
from visgrad.autograd import errors
from visgrad.ops.base import Op, apply, wrap
from visgrad.ops.counting import nonzero
from visgrad.ops.division import DivBackward2
from visgrad.ops.gate import operands, user_stacklevel
from visgrad.ops.gate_tables import _C_NAMES
from visgrad.ops.inplace import inplace
from visgrad.ops.operand_arrays import _binary, _pair, _unrecorded, release_operands
from visgrad.ops.operand_checks import (
    alpha_checked,
    alpha_first,
    no_bool_negation,
    no_bool_subtraction,
)
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor


# -- arithmetic -------------------------------------------------------------------------------------
class AddBackward0(Op):
    op_name = "add"
    input_names = ("self", "other")
    formulas = {"self": "grad", "other": "grad * alpha"}

    inplace_ufunc = np.add
    pair_saves = "alpha"
    commutative = True

    def forward(self, a: Tensor, b: Tensor, alpha: Any = 1) -> np.ndarray:
        self.save(alpha=alpha)
        x, y = _pair(a, b)
        return _binary(np.add, x, y * alpha if alpha != 1 else y)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        # None where an input needs none (``y + 0.5``): the engine would check it, then drop it
        (fa, fb), alpha = self._next_fns, self._saved["alpha"]  # a number: never released
        return (None if fa is None else g), (None if fb is None else g if alpha == 1 else g * alpha)


def add_(t: Tensor, other: Any, *deprecated: Any, alpha: Any = 1) -> Tensor:
    if deprecated:
        other, alpha = alpha_first("add_", other, deprecated, alpha)
    other = wrap(tensor_or_number("add_", "other", other, 1), t)
    return inplace(t, AddBackward0, (alpha_checked(t, other, alpha),), {"alpha": alpha}, "add_")


@declare("add", nodes=AddBackward0, operators=("__add__", "__radd__", "__iadd__"), inplace=add_)
def add(a: Any, b: Any, *deprecated: Any, alpha: Any = 1) -> Tensor:
    if deprecated:  # add(input, alpha, other)
        b, alpha = alpha_first("add", b, deprecated, alpha)
    if type(alpha) is int and alpha == 1:
        r = _unrecorded(np.add, a, b, AddBackward0)
        if r is not None:
            return r
    a, b = operands("add", a, b)
    if not isinstance(a, Tensor):
        if alpha == 1:
            # ``2 + t`` is ``t + 2`` in PyTorch: the tensor is input 0, the number an edge-less 1.
            return apply(AddBackward0, b, wrap(a, b), alpha=alpha)
        a = wrap(a, b)
    return apply(AddBackward0, a, alpha_checked(a, wrap(b, a), alpha), alpha=alpha)


class SubBackward0(Op):
    op_name = "sub"
    input_names = ("self", "other")
    formulas = {"self": "grad", "other": "-grad * alpha"}

    inplace_ufunc = np.subtract
    pair_saves = "alpha"

    def forward(self, a: Tensor, b: Tensor, alpha: Any = 1) -> np.ndarray:
        self.save(alpha=alpha)
        x, y = _pair(a, b)
        return _binary(np.subtract, x, y * alpha if alpha != 1 else y)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        (fa, fb), k = self._next_fns, self._saved["alpha"]
        return (None if fa is None else g), (None if fb is None else -g if k == 1 else -g * k)


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

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        (na, nb), alpha = self.needs_input_grad, self.saved("alpha")
        return ((-g if alpha == 1 else -g * alpha) if na else None), (g if nb else None)


def sub_(t: Tensor, other: Any, *deprecated: Any, alpha: Any = 1) -> Tensor:
    if deprecated:
        other, alpha = alpha_first("sub_", other, deprecated, alpha)
    other = wrap(no_bool_subtraction(t, tensor_or_number("sub_", "other", other, 1)), t)
    return inplace(t, SubBackward0, (alpha_checked(t, other, alpha),), {"alpha": alpha}, "sub_")


@declare(
    "sub",
    "subtract",
    nodes=(SubBackward0, RsubBackward1),
    operators=("__sub__", "__rsub__", "__isub__"),
    inplace=sub_,
)
def sub(a: Any, b: Any, *deprecated: Any, alpha: Any = 1) -> Tensor:
    if deprecated:  # sub(input, alpha, other)
        b, alpha = alpha_first("sub", b, deprecated, alpha)
    if type(alpha) is int and alpha == 1:
        r = _unrecorded(np.subtract, a, b, SubBackward0)
        if r is not None:
            return r
    a, b = operands("sub", a, b)
    if not isinstance(a, Tensor):
        no_bool_subtraction(b, a)
        return apply(RsubBackward1, wrap(b, None), other=a, alpha=alpha)
    b = alpha_checked(a, wrap(no_bool_subtraction(a, b), a), alpha)
    return apply(SubBackward0, a, b, alpha=alpha)


@declare("rsub", nodes=(RsubBackward0, RsubBackward1), method=False)
def rsub(a: Tensor, b: Any, alpha: Any = 1) -> Tensor:  # rsub.Scalar: alpha positional too
    """``b - alpha * a``."""
    alpha_checked(
        a, wrap(no_bool_subtraction(a, tensor_or_number("rsub", "other", b, 2)), a), alpha
    )
    if isinstance(b, Tensor):
        return apply(RsubBackward0, a, b, alpha=alpha)
    return apply(RsubBackward1, a, other=b, alpha=alpha)


class MulBackward0(Op):
    op_name = "mul"
    input_names = ("self", "other")
    formulas = {"self": "grad * other", "other": "grad * self"}

    inplace_ufunc = np.multiply
    pair_saves = "inputs"
    commutative = True
    release = release_operands

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


def mul_(t: Tensor, other: Any) -> Tensor:
    return inplace(
        t, MulBackward0, (wrap(tensor_or_number("mul_", "other", other, 1), t),), {}, "mul_"
    )


@declare(
    "mul",
    "multiply",
    nodes=MulBackward0,
    operators=("__mul__", "__rmul__", "__imul__"),
    inplace=mul_,
)
def mul(a: Any, b: Any) -> Tensor:
    r = _unrecorded(np.multiply, a, b, MulBackward0)
    if r is not None:
        return r
    a, b = operands("mul", a, b)
    if not isinstance(a, Tensor):
        # ``2 * t`` is ``t * 2`` in PyTorch (next_functions: the tensor's edge first).
        return apply(MulBackward0, b, wrap(a, b))
    return apply(MulBackward0, a, wrap(b, a))


class DivBackward0(Op):
    op_name = "div"
    input_names = ("self", "other")
    formulas = {"self": "grad / other", "other": "-grad * self / (other * other)"}

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        self.save(self=a, other=b)
        x, y = _pair(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = _binary(np.true_divide, x, y)
        return r if x.dtype.kind == "f" else r.astype(dtypes.default_float.np)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, nb = self.needs_input_grad
        b = self.saved("other")
        ga = g / b if na else None
        gb = -g * self.saved("self") / (b * b) if nb else None
        return ga, gb


def _rounding(mode: Any) -> None:
    if mode not in (None, "trunc", "floor"):
        raise RuntimeError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{mode}'"
        )


def div_(t: Tensor, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    _rounding(rounding_mode)
    other = wrap(tensor_or_number("div_", "other", other, 1), t)
    if rounding_mode is None:
        return inplace(t, DivBackward0, (other,), {}, "div_")
    return inplace(t, DivBackward2, (other,), {"rounding_mode": rounding_mode}, "div_")


@declare(
    "div",
    "divide",
    nodes=(DivBackward0, DivBackward2),
    operators=("__truediv__", "__rtruediv__", "__itruediv__"),
    inplace=div_,
)
def div(a: Any, b: Any, *, rounding_mode: str | None = None) -> Tensor:
    _rounding(rounding_mode)
    a, b = operands("div", a, b, true_division=rounding_mode is None)
    if rounding_mode is not None:
        if not isinstance(a, Tensor):
            a = wrap(a, b)
        return apply(DivBackward2, a, wrap(b, a), rounding_mode=rounding_mode)
    if not isinstance(a, Tensor):
        # number / tensor is number * reciprocal(tensor) in PyTorch.
        return mul(reciprocal(b), a)
    return apply(DivBackward0, a, wrap(b, a))


def true_divide_(t: Tensor, other: Any) -> Tensor:
    return div_(t, operands("true_divide_", t, other)[1])  # refused in its own name


@declare("true_divide", nodes=DivBackward0, inplace=true_divide_)
def true_divide(a: Any, b: Any) -> Tensor:
    """``div`` without a rounding mode (PyTorch's signature takes none)."""
    return div(*operands("true_divide", a, b))


class NegBackward0(Op):
    op_name = "neg"
    formulas = {"self": "-grad"}

    def forward(self, a: Tensor) -> np.ndarray:
        return np.negative(no_bool_negation(a)._data)

    def backward(self, g: Tensor) -> Tensor:
        return -g


@declare(
    "neg",
    "negative",
    nodes=NegBackward0,
    operators=("__neg__",),
    inplace=True,
    torch_inplace=True,
)
def neg(a: Tensor) -> Tensor:
    return apply(NegBackward0, a)


@declare("positive", operators=("__pos__",))
def positive(a: Tensor) -> Tensor:
    """``+t`` is ``t`` itself (not for a bool tensor, as in PyTorch)."""
    if isinstance(a, Tensor) and a._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return a


class ReciprocalBackward0(Op):
    op_name = "reciprocal"
    saves_output = "result"
    formulas = {"self": "-grad * (result * result)"}

    def forward(self, a: Tensor) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.reciprocal(dtypes.as_floating(a._data))

    def backward(self, g: Tensor) -> Tensor:
        r = self.saved("result")
        return -g * (r * r)


@declare("reciprocal", nodes=ReciprocalBackward0, inplace=True, torch_inplace=True)
def reciprocal(a: Tensor) -> Tensor:
    return apply(ReciprocalBackward0, a)


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


@declare("where", nodes=WhereBackward0, method=False)
def where(condition: Tensor, input: Any = None, other: Any = None) -> Tensor:  # noqa: A002
    """``input`` where ``condition`` holds, ``other`` elsewhere; with the condition alone, the
    indices where it holds (``nonzero(condition, as_tuple=True)``)."""
    if input is None and other is None:
        return nonzero(wrap(condition), as_tuple=True)
    for v in (input, other):  # a Tensor or a number: where(c, [1, 2], y) fits no signature
        if not (isinstance(v, Tensor) or is_number(v)):
            raise invalid_combination("where", (condition, input, other), {})
    if condition._data.dtype == np.uint8:
        warnings.warn(
            "where received a uint8 condition tensor. This behavior is deprecated and will be "
            "removed in a future version of PyTorch. Use a boolean condition instead.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        condition = wrap(condition._data != 0)
    elif condition._data.dtype != np.bool_:
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            + _C_NAMES.get(condition._data.dtype.name, condition._data.dtype.name)
        )
    a, b = input, other
    if not isinstance(a, Tensor):
        a = wrap(a, b if isinstance(b, Tensor) else None)
    return apply(WhereBackward0, a, wrap(b, a), condition=wrap(condition))


@declare("where", nodes=WhereBackward0, torch=False)
def where_method(a: Tensor, condition: Tensor, other: Any) -> Tensor:
    """``a.where(condition, other)`` is ``where(condition, a, other)``."""
    return where(condition, a, other)


def zeros_like(a: Tensor) -> Tensor:
    return Tensor._make(np.zeros_like(a._data), False, None, 0)


def ones_like(a: Tensor) -> Tensor:
    return Tensor._make(np.ones_like(a._data), False, None, 0)
