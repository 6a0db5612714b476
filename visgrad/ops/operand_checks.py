"""Operand checks PyTorch's arithmetic kernels make before they compute: no bool in a
subtraction or a negation, a bool ``alpha`` only for a bool result, no bool where a kernel has no
bool variant, and a result that fits the tensor it is written into."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.arg_parser import counted_as_function, invalid_combination, is_int, is_number
from visgrad.autograd import errors
from visgrad.ops.base import broadcast_shapes
from visgrad.ops.gate import user_stacklevel
from visgrad.ops.gate_tables import _CPP_NAMES, c_name
from visgrad.tensor import Tensor

# Rank of dtype kinds for PyTorch's "can't be cast to the desired output type" rule.
_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


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


def fits_output(out: np.ndarray, other: np.ndarray, result: np.dtype) -> None:
    """PyTorch's checks, in its order, of an op of ``out`` and ``other`` whose ``result``-typed
    value is written into ``out`` itself (an in-place op, or a kernel such as soft_margin_loss's
    that computes in its output): the shapes broadcast, to ``out``'s shape, and the result's
    dtype casts to ``out``'s (never a float into an integer tensor)."""
    shape = broadcast_shapes(out.shape, other.shape)
    if shape != out.shape:
        raise RuntimeError(
            f"output with shape {list(out.shape)} doesn't match the broadcast shape {list(shape)}"
        )
    if _RANK[result.kind] > _RANK[out.dtype.kind]:
        raise RuntimeError(
            f"result type {c_name(result)} can't be cast to the desired output type "
            f"{c_name(out.dtype)}"
        )


_WARNED = []  # PyTorch warns of the deprecated overload once a process


def alpha_first(op: str, b: Any, rest: tuple[Any, ...], alpha: Any) -> tuple[Any, Any]:
    """``(other, alpha)`` of PyTorch's deprecated ``op(input, alpha, other)``: a third positional
    argument ``rest`` after a number ``b``, with no ``alpha`` keyword; anything else takes two
    positional arguments (a method's public form leaves ``self`` out of the count)."""
    other = rest[0]
    fits = isinstance(other, Tensor) or is_number(other)
    if len(rest) > 1 or not is_number(b) or alpha != 1 or not fits:
        raise counted_as_function(
            f"{op}() takes 2 positional arguments but {2 + len(rest)} were given"
        )
    if not _WARNED:
        _WARNED.append(op)
        warnings.warn(
            f"This overload of {op} is deprecated:\n\t{op}(Tensor input, Number alpha, Tensor "
            "other, *, Tensor out = None)\nConsider using one of the following signatures "
            f"instead:\n\t{op}(Tensor input, Tensor other, *, Number alpha = 1, Tensor out = None)",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return other, b


def scalar_bound(op: str, t: Tensor, bound: Any, cast: bool = True) -> None:
    """PyTorch's checks of a clamp_min / clamp_max Scalar bound: a number (else no overload
    fits), and, in place (``cast``), one whose result type (the default float for a float
    bound) casts to ``t``'s dtype, named there as C++ names it."""
    if not isinstance(bound, (int, float, np.integer, np.floating)):
        raise invalid_combination(op, (t, bound), {})
    if cast and t._data.dtype.kind != "f" and isinstance(bound, (float, np.floating)):
        result = dtypes.from_numpy(dtypes.default_float.np).tensor_type[: -len("Tensor")]
        raise RuntimeError(
            f"result type {result} can't be cast to the desired output type "
            f"{_CPP_NAMES.get(t._data.dtype.name, t._data.dtype.name)}"
        )


def broadcast_checked(a: tuple[int, ...], b: tuple[int, ...]) -> None:
    """PyTorch's error where shapes ``a`` and ``b`` (in that order) do not broadcast."""
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        raise RuntimeError(errors.broadcast(a, b)) from None


def moment_args(op: str, dim: Any, correction: Any) -> None:
    """The dim (``int[1]?``) and correction (``Scalar?``) the parser takes; anything else is its
    refusal, which the public form words as no overload fitting."""
    ints = isinstance(dim, (list, tuple)) and all(is_int(d) for d in dim)
    if not (dim is None or is_int(dim) or ints):
        raise TypeError(f"{op}(): argument 'dim' must be tuple of ints, not {type(dim).__name__}")
    if correction is not None and not is_number(correction):
        raise TypeError(
            f"{op}(): argument 'correction' must be Number, not {type(correction).__name__}"
        )
