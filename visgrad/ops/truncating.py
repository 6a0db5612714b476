"""Rounding toward zero, the fractional part, the sign, and fmod (the remainder of C's
truncating division, with the sign of the dividend; ``%`` has the divisor's).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.arg_parser import invalid_combination, is_number
from visgrad.ops.base import Op, apply, wrap
from visgrad.ops.inplace import inplace as run_inplace
from visgrad.ops.operand_arrays import _binary, _pair
from visgrad.ops.operand_checks import no_bool_kernel
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor


def _const(x: np.ndarray) -> Tensor:
    return Tensor._make(x, False, None, 0)


class TruncBackward0(Op):
    """Flat almost everywhere: the gradient is zero, as for floor and round."""

    op_name = "trunc"
    formulas = {"self": "zeros_like(grad)"}

    def forward(self, a: Tensor) -> np.ndarray:
        x = no_bool_kernel(a, "trunc_vml_cpu")._data
        return x.copy() if x.dtype.kind != "f" else np.trunc(x)

    def backward(self, g: Tensor) -> Tensor:
        return g * 0.0


class FracBackward0(Op):
    op_name = "frac"
    formulas = {"self": "grad"}

    def forward(self, a: Tensor) -> np.ndarray:
        x = a._data
        if x.dtype.kind != "f":
            raise NotImplementedError(f"\"frac_cpu\" not implemented for '{_type_name(x)}'")
        with np.errstate(invalid="ignore"):  # inf - inf: nan, as PyTorch gives
            return x - np.trunc(x)

    def backward(self, g: Tensor) -> Tensor:
        return g


class SgnBackward0(Op):
    """``sgn`` is ``sign`` for real tensors (it differs for complex ones, which visgrad lacks)."""

    op_name = "sgn"
    formulas = {"self": "zeros_like(grad)"}

    def forward(self, a: Tensor) -> np.ndarray:
        x = a._data
        if x.dtype == np.bool_:
            return x.copy()
        r = np.sign(x)
        return np.where(np.isnan(x), 0, r).astype(x.dtype, copy=False) if x.dtype.kind == "f" else r

    def backward(self, g: Tensor) -> Tensor:
        return g * 0.0


def _type_name(x: np.ndarray) -> str:
    return {
        "b": "Bool",
        "u": "Byte",
        "i": {1: "Char", 2: "Short", 4: "Int", 8: "Long"}.get(x.dtype.itemsize, "Long"),
    }.get(x.dtype.kind, "Float")


# -- fmod: the remainder of C's truncating division ----------------------------------------------
def _fmod(a: Tensor, b: Tensor) -> np.ndarray:
    x, y = _pair(a, b)
    if x.dtype.kind in "iub" and not np.all(y):
        raise RuntimeError("ZeroDivisionError")  # integer fmod by zero, as PyTorch says
    with np.errstate(divide="ignore", invalid="ignore"):
        return _binary(np.fmod, x, y)


class FmodBackward0(Op):
    """``fmod`` by a number: the gradient passes through unchanged."""

    op_name = "fmod"
    formulas = {"self": "grad"}

    def forward(self, a: Tensor, other: Any) -> np.ndarray:
        self.save(other=other)
        return _fmod(a, wrap(other, a))

    def backward(self, g: Tensor) -> Tensor:
        return g


class FmodBackward1(Op):
    op_name = "fmod"
    input_names = ("self", "other")
    formulas = {"self": "grad", "other": "-grad * trunc(self / other)"}

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        self.save(self=a, other=b)
        return _fmod(a, b)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = self.saved("self"), self.saved("other")
        nx, ny = self.needs_input_grad
        gy = None
        if ny:
            with np.errstate(all="ignore"):
                q = np.trunc(x._data.astype(np.float64) / y._data.astype(np.float64))
            gy = -g * _const(q.astype(g._data.dtype, copy=False))
        return (g if nx else None), gy


# -- the public functions ------------------------------------------------------------------------
@declare("trunc", "fix", nodes=TruncBackward0, inplace=True, torch_inplace=True)
def trunc(a: Tensor) -> Tensor:
    """Rounds toward zero."""
    return apply(TruncBackward0, a)


@declare("frac", nodes=FracBackward0, inplace=True, torch_inplace=True)
def frac(a: Tensor) -> Tensor:
    """``x - trunc(x)``: the fractional part, with the sign of ``x``."""
    return apply(FracBackward0, a)


@declare("sgn", nodes=SgnBackward0, inplace=True)
def sgn(a: Tensor) -> Tensor:
    """The sign (for real tensors the same as ``sign``)."""
    return apply(SgnBackward0, a)


def _check_other(op: str, args: tuple[Any, ...], other: Any) -> None:
    """fmod's two signatures take a Tensor or a Scalar ``other``; anything else fits neither."""
    if not (isinstance(other, Tensor) or is_number(other)):
        raise invalid_combination(op, args, {})


def fmod_(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """``x.fmod_(y)``: the truncated remainder written into ``x``."""
    _check_other("fmod_", (other,), other)
    if isinstance(other, Tensor):
        return run_inplace(input, FmodBackward1, (other,), {}, "fmod_")
    return run_inplace(input, FmodBackward0, (), {"other": other}, "fmod_")


@declare("fmod", nodes=(FmodBackward0, FmodBackward1), inplace=fmod_)
def fmod(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """The remainder of truncating division: it has the sign of ``input`` (``%`` has the
    divisor's)."""
    _check_other("fmod", (input, other), other)
    if isinstance(other, Tensor):
        if not isinstance(input, Tensor):
            input = wrap(input, other)  # noqa: A001
        return apply(FmodBackward1, input, other)
    return apply(FmodBackward0, input, other=other)
