"""``int[N]`` arguments (kernel sizes, strides, paddings, output sizes) read as PyTorch reads them.

PyTorch's argument parser takes a list or tuple whose items are ints (never bools or floats), or,
where the schema gives a size, a single int that stands for all of them. Anything else is a
``TypeError`` naming the argument, before any kernel runs: ``max_pool2d(): argument 'kernel_size'
(position 2) must be tuple of ints, not float``. The kernels then check the length and, where they
work in C ``int``, that each value fits one. The ops share these readers so that each reads its
arguments the one way PyTorch does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.tensor import Tensor

__all__ = ["fit_int32", "int_list", "invalid_combination", "is_list_int"]

_INT32 = (1 << 31) - 1


def is_list_int(v: Any) -> bool:
    """Whether ``v`` passes as an item of an int list: an int that is not a bool, or a
    one-element integer tensor."""
    if isinstance(v, (int, np.integer)):
        return not isinstance(v, (bool, np.bool_))
    if isinstance(v, Tensor):
        return v._data.size == 1 and v._data.dtype.kind in "iub"
    return False


def _type_name(v: Any) -> str:
    return "Tensor" if isinstance(v, Tensor) else type(v).__name__


def int_list(
    op: str,
    name: str,
    value: Any,
    position: int | None = None,
    size: int = 0,
    none: bool = False,
) -> tuple[int, ...] | None:
    """``value`` as a tuple of ints, checked as PyTorch's parser checks an ``int[size]``
    argument: a single int is ``size`` copies of itself (where ``size`` is given); ``None`` is
    refused unless ``none``. ``position`` (from 0) is named in the message, as PyTorch names it
    for an argument given by position."""
    if value is None and none:
        return None
    where = f"{op}(): argument '{name}'"
    if position is not None:
        where += f" (position {position + 1})"
    if size and isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return (int(value),) * size
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{where} must be tuple of ints, not {_type_name(value)}")
    for i, v in enumerate(value):
        if not is_list_int(v):
            raise TypeError(
                f"{where} must be tuple of ints, but found element of type {_type_name(v)} "
                f"at pos {i}"
            )
    return tuple(int(v.item()) if isinstance(v, Tensor) else int(v) for v in value)


def fit_int32(*values: int) -> None:
    """The check of kernels that work in C ``int`` (PyTorch's ``safe_downcast``)."""
    for v in values:
        if not -_INT32 - 1 <= v <= _INT32:
            raise RuntimeError("value cannot be converted to type int without overflow")


def invalid_combination(op: str, given: list[Any], keywords: dict[str, Any]) -> TypeError:
    """PyTorch's error when no overload of ``op`` takes the arguments: the types it was given
    (those given by keyword as ``name=type``)."""
    got = [_type_name(v) for v in given] + [f"{k}={_type_name(v)}" for k, v in keywords.items()]
    return TypeError(
        f"{op}() received an invalid combination of arguments - got ({', '.join(got)}), but "
        "expected one of:"
    )
