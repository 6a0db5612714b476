"""Arguments the gate's annotations cannot say, parsed by the rules of PyTorch's argument parser.

Int lists (sizes, dims, shifts): an ``int[]`` parameter takes a tuple or list whose first element
is an int (a Python or NumPy integer, never a bool, or a one-element integer tensor); the later
elements are only unpacked, so a bool or a one-element tensor of any dtype passes there. An
``int[N]`` parameter (``roll``'s ``shifts``, a pool's ``kernel_size``) also takes a single int, and an
optional one (a pool's ``stride``) ``None``; kernels that work in C ``int`` then refuse values
that do not fit one (``fit_int32``). A method whose only
positional parameter is an int list takes it spread out too (``t.view(2, 3)``); the ``torch.``
function never does (``torch.flip(t, 0)`` is a TypeError). An op with several signatures
(``movedim`` takes two ints or two lists) refuses what fits none with ``invalid_combination``.
The messages are PyTorch's.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from visgrad.dtypes import dtype
from visgrad.tensor import Size, Tensor

__all__ = [
    "TORCH_NAMES",
    "counted_as_function",
    "dims_arg",
    "dims_checker",
    "fit_int32",
    "int_list",
    "invalid_combination",
    "is_int",
    "is_number",
    "number",
    "optional_int_list",
    "spread_int_list",
    "tensor_or_number",
    "type_name",
]


# Our parameter names that PyTorch spells otherwise in its messages.
TORCH_NAMES = {"a": "input", "t": "input", "b": "other"}


def counted_as_function(text: str) -> TypeError:
    """A TypeError whose argument position counts as a function's does, from 1 at the first
    argument: a method's public form (``ops/parser_errors.py``) leaves ``self`` out."""
    e = TypeError(text)
    e.function_position = True  # type: ignore[attr-defined]
    return e


def type_name(v: Any) -> str:
    """What PyTorch's messages call the type of ``v``."""
    if isinstance(v, Tensor):
        return "Tensor"
    return "torch.dtype" if isinstance(v, dtype) else type(v).__name__


def is_int(v: Any) -> bool:
    """Whether PyTorch takes ``v`` as an int (a Python or NumPy integer, never a bool, or a
    one-element integer tensor)."""
    return _is_int(v)


def _is_int(v: Any) -> bool:
    if isinstance(v, (bool, np.bool_)):
        return False
    if isinstance(v, (int, np.integer)):
        return True
    return isinstance(v, Tensor) and v._data.size == 1 and v._data.dtype.kind in "iub"


def is_number(v: Any) -> bool:
    """Whether PyTorch takes ``v`` as a Number (Scalar): any real number, bool included, or a
    one-element tensor."""
    if isinstance(v, (int, float, np.integer, np.floating, np.bool_)):
        return True
    return isinstance(v, Tensor) and v._data.size == 1


def number(op: str, name: str, value: Any, position: int | None = None) -> Any:
    """``value`` checked as PyTorch's Number parameter ``name`` of ``op`` (a one-element tensor
    becomes its Python number)."""
    if not is_number(value):
        at = f" (position {position})" if position is not None else ""
        raise TypeError(f"{op}(): argument '{name}'{at} must be Number, not {type_name(value)}")
    return value.item() if isinstance(value, Tensor) else value


def tensor_or_number(op: str, name: str, value: Any, position: int | None = None) -> Any:
    """``value`` checked as PyTorch's ``Tensor other`` of an arithmetic op, which also takes a
    Python number (never a list: ``t.add_([1, 2])`` is a TypeError)."""
    if isinstance(value, Tensor) or is_number(value) or isinstance(value, complex):
        return value
    at = f" (position {position})" if position is not None else ""
    raise TypeError(f"{op}(): argument '{name}'{at} must be Tensor, not {type_name(value)}")


def _where(op: str, name: str, position: int | None) -> str:
    at = f" (position {position})" if position is not None else ""
    return f"{op}(): argument '{name}'{at} must be tuple of ints"


# Parameters PyTorch declares as SymInt lists (sizes): their unpacking fails with other words.
_SYMINT = frozenset({"size", "shape", "sizes", "repeats", "shifts"})


def _unpack(op: str, name: str, items: Any) -> tuple[int, ...]:
    """Each element of an accepted list as an int (what PyTorch's unpacking lets through: an
    integer, a bool, or a one-element integer tensor)."""
    out = []
    for i, v in enumerate(items):
        try:
            if isinstance(v, Tensor):
                if v._data.size != 1 or v._data.dtype.kind not in "iub":
                    raise ValueError
                out.append(int(v._data.reshape(()).item()))
            else:
                out.append(operator.index(v))
        except (TypeError, ValueError, OverflowError):
            if name in _SYMINT:
                raise TypeError(
                    f"{op}(): argument '{name}' failed to unpack the object at pos {i + 1} with "
                    f'error "type must be tuple of ints,but got {type_name(v)}"'
                ) from None
            raise TypeError(
                f"{op}(): argument '{name}' must be tuple of ints, but found element of type "
                f"{type_name(v)} at pos {i + 1}"
            ) from None
    return tuple(out)


def int_list(
    op: str, name: str, value: Any, position: int | None = None, size: int = 0
) -> tuple[int, ...]:
    """``value`` as PyTorch's ``int[size]`` parameter ``name`` of ``op`` takes it (``position``
    is the 1-based place PyTorch's message names; None for a keyword)."""
    if isinstance(value, (tuple, list, Size)):
        if len(value) and not _is_int(value[0]):
            raise TypeError(
                f"{_where(op, name, position)}, but found element of type "
                f"{type_name(value[0])} at pos 0"
            )
        return _unpack(op, name, value)
    if size and _is_int(value):
        return (int(value),) * size
    raise TypeError(f"{_where(op, name, position)}, not {type_name(value)}")


def optional_int_list(
    op: str, name: str, value: Any, position: int | None = None, size: int = 0
) -> tuple[int, ...] | None:
    """``int_list`` of a parameter PyTorch declares ``int[size]?``: ``None`` passes as it is."""
    return None if value is None else int_list(op, name, value, position, size)


_INT32 = (1 << 31) - 1


def fit_int32(*values: int) -> None:
    """The check of kernels that work in C ``int`` (PyTorch's ``safe_downcast``)."""
    for v in values:
        if not -_INT32 - 1 <= v <= _INT32:
            raise RuntimeError("value cannot be converted to type int without overflow")


def spread_int_list(op: str, name: str, values: tuple[Any, ...]) -> tuple[int, ...]:
    """A method's int list given as one sequence (``t.view((2, 3))``) or spread out
    (``t.view(2, 3)``)."""
    if len(values) == 1 and isinstance(values[0], (tuple, list, Size)):
        return int_list(op, name, values[0], 1)
    if values and not _is_int(values[0]):
        if len(values) > 1:  # PyTorch then takes the values as separate arguments
            raise TypeError(f"{op}() takes 1 positional argument but {len(values)} were given")
        return int_list(op, name, values[0], 1)
    return _unpack(op, name, values)


def invalid_combination(
    op: str, args: tuple[Any, ...], kwargs: dict[str, Any], expected: str = ""
) -> TypeError:
    """PyTorch's error for arguments that fit none of ``op``'s signatures (its first line; an op
    with one visible signature, ``expected``, shows it there)."""
    got = [type_name(v) for v in args]
    # PyTorch lists the keywords from a C++ hash map: latest first.
    named = [f"{k}={type_name(v)}" for k, v in reversed(kwargs.items())]
    text = ", ".join(got + named) if got else "".join(n + ", " for n in named)
    return TypeError(
        f"{op}() received an invalid combination of arguments - got ({text}), but expected "
        + (expected or "one of:")
    )


def dims_arg(dim: Any) -> tuple[int, ...]:
    """A ``dim`` argument (an int or a tuple of ints) as a tuple, checked as PyTorch does."""
    if _index_int(dim):
        return (int(dim),)
    if not isinstance(dim, (tuple, list)):
        raise TypeError(f"argument 'dim' must be tuple of ints, not {type(dim).__name__}")
    for i, d in enumerate(dim):
        if not _index_int(d):
            raise TypeError(
                "argument 'dim' must be tuple of ints, but found element of type "
                f"{type(d).__name__} at pos {i}"
            )
    return tuple(int(d) for d in dim)


def _index_int(v: Any) -> bool:
    """An int where a dim goes: a Python or NumPy integer (never a bool), or a one-element tensor
    of an integer dtype."""
    return _is_int(v) and not (isinstance(v, Tensor) and v._data.dtype.kind == "b")


def dims_checker(op: str, where: str) -> Callable[[Any], None]:
    """The gate's check of an ``int[1]`` dim: an int, or a tuple or list whose first element is
    one; ``where`` names the argument in the message."""

    def check(v: Any) -> None:
        if v is None or _index_int(v):  # None is every dim (refused where ``none_args`` says)
            return
        first = v[0] if isinstance(v, (tuple, list)) and v else v
        if isinstance(v, (tuple, list)) and (not v or _index_int(first)):
            return
        if isinstance(v, (tuple, list)):
            raise counted_as_function(
                f"{op}(): {where} must be tuple of ints, but found element of type "
                f"{type_name(first)} at pos 0"
            )
        raise counted_as_function(f"{op}(): {where} must be tuple of ints, not {type_name(v)}")

    return check
