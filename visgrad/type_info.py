"""``torch.finfo`` / ``torch.iinfo`` and PyTorch's dtype promotion as functions:
``promote_types``, ``result_type``, ``can_cast``.

Promotion follows PyTorch's table, not NumPy's: an integer with a float gives the float
(``int64`` with ``float16`` is ``float16``; NumPy says ``float64``), and ``result_type`` ranks
operands as PyTorch does — tensors with dimensions, then 0-d tensors, then Python numbers — a
lower rank only raising the result's category (bool < integer < float), never its width.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.dtypes import dtype
from visgrad.tensor import Tensor

__all__ = ["can_cast", "finfo", "iinfo", "promote_types", "result_type"]


def _short(x: builtins.float | builtins.int) -> str:
    return f"{x:g}"


class finfo:  # noqa: N801 - PyTorch's name
    """The limits of a floating dtype (the default dtype when none is given)."""

    __slots__ = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")

    def __init__(self, type: dtype | None = None) -> None:  # noqa: A002 - PyTorch's name
        d = dtypes.default_float if type is None else type
        if not isinstance(d, dtype) or not d.is_floating_point:
            raise TypeError(
                "torch.finfo() requires a floating point input type. "
                "Use torch.iinfo to handle 'torch.finfo'"
            )
        f = np.finfo(d.np)
        self.bits = d.itemsize * 8
        self.eps = builtins.float(f.eps)
        self.max = builtins.float(f.max)
        self.min = builtins.float(f.min)
        self.tiny = self.smallest_normal = builtins.float(f.smallest_normal)
        self.resolution = 10.0 ** -int(f.precision)
        self.dtype = d.name

    def __eq__(self, other: object) -> builtins.bool:
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __hash__(self) -> builtins.int:
        return hash(("finfo", self.dtype))

    def __repr__(self) -> str:
        fields = ("resolution", "min", "max", "eps", "smallest_normal", "tiny")
        inner = ", ".join(f"{k}={_short(getattr(self, k))}" for k in fields)
        return f"finfo({inner}, dtype={self.dtype})"


class iinfo:  # noqa: N801 - PyTorch's name
    """The limits of an integer dtype."""

    __slots__ = ("bits", "max", "min", "dtype")

    def __init__(self, type: dtype) -> None:  # noqa: A002 - PyTorch's name
        if isinstance(type, dtype) and type.np.kind == "b":
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if not isinstance(type, dtype) or type.np.kind not in "iu":
            raise TypeError(
                "torch.iinfo() requires an integer input type. "
                "Use torch.finfo to handle 'torch.iinfo'"
            )
        i = np.iinfo(type.np)
        self.bits, self.max, self.min, self.dtype = i.bits, int(i.max), int(i.min), type.name

    def __eq__(self, other: object) -> builtins.bool:
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __hash__(self) -> builtins.int:
        return hash(("iinfo", self.dtype))

    def __repr__(self) -> str:
        return f"iinfo(min={_short(self.min)}, max={_short(self.max)}, dtype={self.dtype})"


def _category(d: dtype) -> builtins.int:
    return 2 if d.is_floating_point else (1 if d.np.kind in "iu" else 0)


def _promote(a: dtype, b: dtype) -> dtype:
    if a is b:
        return a
    ca, cb = _category(a), _category(b)
    if ca != cb:
        return a if ca > cb else b
    return dtypes.from_numpy(np.promote_types(a.np, b.np))


def _dtype_arg(fn: str, name: str, position: builtins.int, x: Any) -> dtype:
    if not isinstance(x, dtype):
        raise TypeError(
            f"{fn}(): argument '{name}' (position {position}) must be torch.dtype, "
            f"not {type(x).__name__}"
        )
    return x


def promote_types(type1: dtype, type2: dtype) -> dtype:
    """The smallest dtype both ``type1`` and ``type2`` convert to without losing their kind."""
    a = _dtype_arg("promote_types", "type1", 1, type1)
    return _promote(a, _dtype_arg("promote_types", "type2", 2, type2))


def can_cast(from_: dtype, to: dtype) -> builtins.bool:
    """Whether PyTorch's casting rules allow ``from_`` to ``to``: a float never to an integer
    or bool, and nothing but bool to bool (narrowing within a kind is allowed)."""
    a = _dtype_arg("can_cast", "from_", 1, from_)
    b = _dtype_arg("can_cast", "to", 2, to)
    if a.is_floating_point and not b.is_floating_point:
        return False
    return not (b is dtypes.bool and a is not dtypes.bool)


def _rank(x: Any) -> tuple[builtins.int, dtype]:
    """(2 for a tensor with dims, 1 for a 0-d tensor, 0 for a number) and its dtype."""
    if isinstance(x, Tensor):
        return (2 if x.ndim else 1), dtypes.from_numpy(x._data.dtype)
    if isinstance(x, (builtins.bool, np.bool_)):
        return 0, dtypes.bool
    if isinstance(x, (builtins.int, np.integer)):
        return 0, dtypes.int64
    if isinstance(x, (builtins.float, np.floating)):
        return 0, dtypes.default_float
    raise TypeError(
        "result_type() received an invalid combination of arguments - got "
        f"({type(x).__name__}), but expected one of: (Tensor tensor, Tensor other), "
        "(Tensor tensor, Number other), (Number scalar, Tensor tensor), "
        "(Number scalar1, Number scalar2)"
    )


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """A lower-ranked result changes a higher one only by raising its category."""
    if higher is None:
        return lower
    if lower is None or higher.is_floating_point:
        return higher
    if higher is dtypes.bool or lower.is_floating_point:
        return _promote(higher, lower)
    return higher


def result_type(tensor1: Any, tensor2: Any) -> dtype:
    """The dtype an arithmetic op on ``tensor1`` and ``tensor2`` (tensors or numbers) gives."""
    by_rank: list[dtype | None] = [None, None, None]
    for x in (tensor1, tensor2):
        rank, d = _rank(x)
        seen = by_rank[rank]
        by_rank[rank] = d if seen is None else _promote(seen, d)
    out = _combine(by_rank[2], _combine(by_rank[1], by_rank[0]))
    assert out is not None  # two operands always give a dtype
    return out
