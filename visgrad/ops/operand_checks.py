"""Operand checks PyTorch's arithmetic kernels make before they compute: no bool in a
subtraction or a negation, a bool ``alpha`` only for a bool result, no bool where a kernel has no
bool variant."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.tensor import Tensor


def _is_bool(v: Any) -> bool:
    return isinstance(v, (bool, np.bool_)) or (isinstance(v, Tensor) and v._data.dtype.kind == "b")


def no_bool_subtraction(a: Any, b: Any) -> Any:
    """``b``, if PyTorch subtracts ``a`` and ``b`` (a bool operand is an error)."""
    bools = [_is_bool(a), _is_bool(b)]
    if all(bools):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )
    if any(bools):
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return b


def alpha_checked(a: Tensor, b: Tensor, alpha: Any) -> Tensor:
    """``b``, if ``alpha`` suits the result (a bool alpha only for a bool result)."""
    if isinstance(alpha, (bool, np.bool_)) and not (
        a._data.dtype.kind == b._data.dtype.kind == "b"
    ):
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    return b


def no_bool_negation(a: Tensor) -> Tensor:
    """``a``, if PyTorch negates it (a bool tensor is an error)."""
    if a._data.dtype.kind == "b":
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
            "invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return a


def no_bool_kernel(a: Tensor, kernel: str) -> Tensor:
    """``a``, if PyTorch's ``kernel`` takes it (it has no bool variant)."""
    if a._data.dtype.kind == "b":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    return a
