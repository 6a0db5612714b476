"""Division that rounds: ``//`` (``floor_divide``), ``%`` (``remainder``, with the sign of the
divisor, as in Python and PyTorch) and the node of ``div(a, b, rounding_mode=...)``. True division
is ``div``, in ``elementwise``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.arg_parser import invalid_combination, is_number
from visgrad.ops.base import Op, apply, wrap
from visgrad.ops.gate import operands
from visgrad.ops.inplace import inplace
from visgrad.ops.no_derivative import FloorDivideNotImplemented
from visgrad.ops.operand_arrays import _binary, _pair
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor


class DivBackward2(Op):
    """``div`` with a rounding mode ('floor' or 'trunc'): PyTorch records this node, which keeps
    the mode, and sends zeros back (the result is flat almost everywhere)."""

    op_name = "div"
    input_names = ("self", "other")
    formulas = {"self": "zeros_like(grad)", "other": "zeros_like(grad)"}

    def forward(self, a: Tensor, b: Tensor, rounding_mode: str = "floor") -> np.ndarray:
        self.save(self=a, other=b, rounding_mode=rounding_mode)
        x, y = _pair(a, b)
        if x.dtype.kind in "iub" and not np.all(y):
            raise RuntimeError("ZeroDivisionError")  # integer division by zero, as PyTorch says
        with np.errstate(divide="ignore", invalid="ignore"):
            if rounding_mode == "floor":
                return _binary(np.floor_divide, x, y)
            return np.trunc(_binary(np.true_divide, x, y)).astype(x.dtype)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, nb = self.needs_input_grad
        zero = Tensor._make(np.zeros(g.shape, g._data.dtype), False, None, 0)
        return (zero if na else None), (zero if nb else None)


@declare(
    "floor_divide",
    nodes=FloorDivideNotImplemented,
    operators=("__floordiv__", "__rfloordiv__"),
)
def floor_divide(a: Any, b: Any) -> Tensor:
    """``a // b``: rounds toward negative infinity. PyTorch records it with a node whose
    backward raises (its derivative is not implemented); so does this."""
    a, b = operands("floor_divide", a, b)
    if not isinstance(a, Tensor):
        a = wrap(a, b)
    return apply(FloorDivideNotImplemented, a, wrap(b, a))


def _remainder(a: Tensor, b: Tensor) -> np.ndarray:
    x, y = _pair(a, b)
    if x.dtype.kind in "iub" and not np.all(y):
        raise RuntimeError("ZeroDivisionError")  # integer remainder by zero, as PyTorch says
    with np.errstate(divide="ignore", invalid="ignore"):
        return _binary(np.remainder, x, y)


class RemainderBackward1(Op):
    """``a % b`` with the sign of ``b`` (Python's and PyTorch's convention), ``b`` a tensor
    (PyTorch's ``remainder.Tensor``)."""

    op_name = "remainder"
    input_names = ("self", "other")
    formulas = {"self": "grad", "other": "-grad * floor(self / other)"}

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        self.save(self=a, other=b)
        return _remainder(a, b)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, nb = self.needs_input_grad
        gb = None
        if nb:
            q = floor_divide(self.saved("self"), self.saved("other"))
            gb = -g * q
        return (g if na else None), gb


class RemainderBackward0(Op):
    """``a % b`` with a number ``b`` (PyTorch's ``remainder.Scalar``: one edge)."""

    op_name = "remainder"
    formulas = {"self": "grad"}

    def forward(self, a: Tensor, other: Any) -> np.ndarray:
        return _remainder(a, wrap(other, a))

    def backward(self, g: Tensor) -> Tensor:
        return g


def remainder_(t: Tensor, other: Any) -> Tensor:
    if isinstance(other, Tensor):
        return inplace(t, RemainderBackward1, (other,), {}, "remainder_")
    if not is_number(other):
        raise invalid_combination("remainder_", (other,), {})
    return inplace(t, RemainderBackward0, (), {"other": other}, "remainder_")


@declare(
    "remainder",
    nodes=(RemainderBackward0, RemainderBackward1),
    operators=("__mod__", "__rmod__"),
    inplace=remainder_,
)
def remainder(a: Any, b: Any) -> Tensor:
    """``a % b`` with the sign of ``b``; the gradient w.r.t. ``a`` is 1 almost everywhere."""
    a, b = operands("remainder", a, b, numbers=False)
    if not isinstance(a, Tensor):
        a = wrap(a, b)
    if isinstance(b, Tensor):
        return apply(RemainderBackward1, a, b)
    return apply(RemainderBackward0, a, other=b)
