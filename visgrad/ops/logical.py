"""Logical and bitwise ops: ``logical_not/and/or/xor`` (bool results, any dtype) and
``bitwise_not/and/or/xor`` behind ``~``, ``&``, ``|``, ``^`` (bool and integer tensors only).

Masks are built with these (``~causal``, ``keep & (x > 0)``); none is differentiable, so none
records a node, and a float tensor that requires grad gives a bool result that does not.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.arg_parser import invalid_combination, is_number
from visgrad.ops.base import Op, apply, broadcast_shapes, promote, wrap
from visgrad.ops.inplace import inplace
from visgrad.ops.operand_arrays import _binary, _pair
from visgrad.ops.operand_checks import fits_output
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

_TYPE = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16"}


class LogicalOp(Op):
    """``logical_*``: truth of the operands (non-zero is true), a bool result."""

    op_name = "logical"
    differentiable = ()
    _fns = {
        "logical_and": np.logical_and,
        "logical_or": np.logical_or,
        "logical_xor": np.logical_xor,
    }

    def forward(self, a: Tensor, *other: Tensor, op: str) -> np.ndarray:
        if op == "logical_not":
            return np.logical_not(a._data)
        return _binary(self._fns[op], a._data, other[0]._data)


class BitwiseOp(Op):
    """``bitwise_*``: bit operations of bool or integer operands, in their promoted dtype."""

    op_name = "bitwise"
    differentiable = ()
    _fns = {
        "bitwise_and": np.bitwise_and,
        "bitwise_or": np.bitwise_or,
        "bitwise_xor": np.bitwise_xor,
    }

    def forward(self, a: Tensor, *other: Tensor, op: str) -> np.ndarray:
        if op == "bitwise_not":
            _integral(a._data, op)
            return np.invert(a._data)
        x, y = _pair(a, other[0])
        if x.shape != y.shape:
            broadcast_shapes(x.shape, y.shape)  # PyTorch checks the shapes before the dtype
        _integral(x, op)
        return _binary(self._fns[op], x, y)


def _integral(x: np.ndarray, op: str) -> None:
    if x.dtype.kind not in "biu":
        name = _TYPE.get(x.dtype.name, x.dtype.name)
        raise NotImplementedError(f"\"{op}_cpu\" not implemented for '{name}'")


def _logical(a: Tensor, b: Tensor, op: str) -> Tensor:
    return apply(LogicalOp, a, b, op=op)


def _bitwise(a: Any, b: Any, op: str) -> Tensor:
    for v in (a, b):  # each a Tensor or a number (Scalar): a list or None fits no signature
        if not (isinstance(v, Tensor) or is_number(v)):
            raise invalid_combination(op, (a, b), {})
    if not isinstance(a, Tensor):
        if not isinstance(b, Tensor):  # PyTorch has no form of two numbers
            raise invalid_combination(op, (a, b), {})
        return apply(BitwiseOp, wrap(a, b), b, op=op)
    return apply(BitwiseOp, a, wrap(b, a), op=op)


# -- in-place forms -------------------------------------------------------------------------------
def _bitwise_inplace(t: Tensor, other: Any, op: str) -> Tensor:
    """``t.bitwise_and_(other)`` with PyTorch's checks in its order: the argument (a tensor or a
    number), the shapes, the cast of the result into ``t``, then the kernel's dtype."""
    if not (isinstance(other, Tensor) or is_number(other)):
        raise invalid_combination(op + "_", (other,), {})
    o = wrap(other, t)
    fits_output(t._data, o._data, promote(t._data, o._data))
    return inplace(t, BitwiseOp, (o,), {"op": op}, op + "_")


def logical_not_(t: Tensor) -> Tensor:
    return inplace(t, LogicalOp, (), {"op": "logical_not"}, "logical_not_")


def logical_and_(t: Tensor, other: Tensor) -> Tensor:
    return inplace(t, LogicalOp, (other,), {"op": "logical_and"}, "logical_and_")


def logical_or_(t: Tensor, other: Tensor) -> Tensor:
    return inplace(t, LogicalOp, (other,), {"op": "logical_or"}, "logical_or_")


def logical_xor_(t: Tensor, other: Tensor) -> Tensor:
    return inplace(t, LogicalOp, (other,), {"op": "logical_xor"}, "logical_xor_")


def bitwise_not_(t: Tensor) -> Tensor:
    return inplace(t, BitwiseOp, (), {"op": "bitwise_not"}, "bitwise_not_")


def bitwise_and_(t: Tensor, other: Any) -> Tensor:
    return _bitwise_inplace(t, other, "bitwise_and")


def bitwise_or_(t: Tensor, other: Any) -> Tensor:
    return _bitwise_inplace(t, other, "bitwise_or")


def bitwise_xor_(t: Tensor, other: Any) -> Tensor:
    return _bitwise_inplace(t, other, "bitwise_xor")


# -- functions ------------------------------------------------------------------------------------
@declare("logical_not", inplace=logical_not_)
def logical_not(a: Tensor) -> Tensor:
    """True where ``a`` is zero."""
    return apply(LogicalOp, a, op="logical_not")


@declare("logical_and", inplace=logical_and_)
def logical_and(a: Tensor, b: Tensor) -> Tensor:
    """True where both are non-zero."""
    return _logical(a, b, "logical_and")


@declare("logical_or", inplace=logical_or_)
def logical_or(a: Tensor, b: Tensor) -> Tensor:
    """True where either is non-zero."""
    return _logical(a, b, "logical_or")


@declare("logical_xor", inplace=logical_xor_)
def logical_xor(a: Tensor, b: Tensor) -> Tensor:
    """True where exactly one is non-zero."""
    return _logical(a, b, "logical_xor")


@declare("bitwise_not", inplace=bitwise_not_)
def bitwise_not(a: Tensor) -> Tensor:
    """Logical not of a bool tensor, bit complement of an integer one."""
    return apply(BitwiseOp, a, op="bitwise_not")


@declare(operators=("__invert__",))
def invert(a: Tensor) -> Tensor:
    """``~a``: ``bitwise_not``, refused (as Python's operator is in PyTorch) for floats."""
    if a._data.dtype.kind not in "biu":
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return apply(BitwiseOp, a, op="bitwise_not")


@declare("bitwise_and", operators=("__and__", "__rand__", "__iand__"), inplace=bitwise_and_)
def bitwise_and(a: Any, b: Any) -> Tensor:
    """``a & b`` of bool or integer operands."""
    return _bitwise(a, b, "bitwise_and")


@declare("bitwise_or", operators=("__or__", "__ror__", "__ior__"), inplace=bitwise_or_)
def bitwise_or(a: Any, b: Any) -> Tensor:
    """``a | b`` of bool or integer operands."""
    return _bitwise(a, b, "bitwise_or")


@declare("bitwise_xor", operators=("__xor__", "__rxor__", "__ixor__"), inplace=bitwise_xor_)
def bitwise_xor(a: Any, b: Any) -> Tensor:
    """``a ^ b`` of bool or integer operands."""
    return _bitwise(a, b, "bitwise_xor")
