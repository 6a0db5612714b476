"""The trapezoid rule along a dim: ``trapezoid`` (``trapz``) and ``cumulative_trapezoid``.

PyTorch's composites, op for op: with spacing ``dx`` a number, ``(y.sum(dim) - (y[0] + y[-1]) *
0.5) * dx`` (the running form ``(dx / 2 * (left + right)).cumsum(dim)``); with sample points ``x``,
``((left + right) * (x_right - x_left)).sum(dim) / 2``, where a 1-D ``x`` is viewed along ``dim``
and a shorter one padded with leading 1s, then broadcast after the differences are taken (as
NumPy does).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.arg_parser import invalid_combination, is_int, is_number
from visgrad.ops.attention import MulBackward1
from visgrad.ops.base import apply
from visgrad.ops.cross_entropy_loss import DivBackward1
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor, _dim

__all__ = ["cumulative_trapezoid", "trapezoid", "trapz"]


def _scaled(t: Tensor, c: float) -> Tensor:
    """``t * c`` as ``mul.Scalar`` (one edge); an integer ``t`` becomes floating, as there."""
    return apply(MulBackward1, t, other=c) if t._data.dtype.kind == "f" else t * c


def _halved(t: Tensor) -> Tensor:
    return apply(DivBackward1, t, other=2.0) if t._data.dtype.kind == "f" else t / 2.0


def _cut(t: Tensor, dim: int, start: int, end: int | None) -> Tensor:
    if t._data.ndim == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    return t[(slice(None),) * dim + (slice(start, end),)]


class _Absent:
    """The default of ``x`` and ``dx``: PyTorch's signatures take neither as None."""

    def __repr__(self) -> str:
        return "..."


ABSENT: Any = _Absent()


def _parse(op: str, y: Any, x: Any, dx: Any, dim: Any, dx_kind: str) -> tuple[Any, Any]:
    """PyTorch's parser: ``(y, x, *, dim)`` or ``(y, *, dx, dim)``, nothing else; gives ``x``
    and ``dx`` with None for the one not given."""
    given_x, given_dx = x is not ABSENT, dx is not ABSENT
    ok = isinstance(y, Tensor) and is_int(dim)
    if given_x:
        ok = ok and isinstance(x, Tensor) and not given_dx
    elif given_dx:
        ok = ok and is_number(dx) and not (dx_kind == "float" and isinstance(dx, complex))
    if not ok:
        args = (y,) if not given_x or x is None else (y, x)
        named = (("dx", dx, given_dx), ("x", x, given_x and x is None), ("dim", dim, False))
        kwargs = {k: v for k, v, shown in named if shown}
        if not is_int(dim):
            kwargs["dim"] = dim
        raise invalid_combination(op, args, kwargs)
    return (x if given_x else None), (dx if given_dx else None)


def _check_bool(op: str, *ts: Tensor) -> None:
    if any(t._data.dtype == np.bool_ for t in ts):
        which = "`x` or `y`" if len(ts) > 1 else "`y`"
        raise RuntimeError(f"{op}: received a bool input for {which}, but bool is not supported")


def _spacing(op: str, y: Tensor, x: Tensor, dim: int) -> Tensor:
    """``x_right - x_left``: the sample points' differences along ``dim``, ready to broadcast."""
    ny, nx = y._data.ndim, x._data.ndim
    if nx == 1:
        if x._data.shape[0] != y._data.shape[dim]:
            raise RuntimeError(f"{op}: There must be one `x` value for each sample point")
        sizes = [1] * ny
        sizes[dim] = x._data.shape[0]
        x = x.view(tuple(sizes))
    elif nx < ny:
        x = x.view((1,) * (ny - nx) + tuple(x._data.shape))
    return _cut(x, dim, 1, None) - _cut(x, dim, 0, -1)


def _zeros_without(y: Tensor, dim: int) -> Tensor:
    shape = y._data.shape[:dim] + y._data.shape[dim + 1 :]
    return Tensor._make(np.zeros(shape, y._data.dtype), False, None, 0)


def _trapezoid(op: str, y: Tensor, x: Tensor | None, dx: Any, dim: int) -> Tensor:
    n = y._data.ndim
    if x is not None:
        d = _dim(dim, n)
        if n == 0:
            raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
        if y._data.shape[d] == 0:
            return _zeros_without(y, d)
        _check_bool("trapezoid", y, x)
        left, right = _cut(y, d, 0, -1), _cut(y, d, 1, None)
        return _halved(((left + right) * _spacing("trapezoid", y, x, d)).sum(d))
    if n == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = _dim(dim, n)
    if y._data.shape[d] == 0:
        return _zeros_without(y, d)
    _check_bool("trapezoid", y)
    if op == "trapezoid" and isinstance(dx, (bool, np.bool_)):
        raise RuntimeError("trapezoid: Currently, we only support dx as a real number.")
    step = float(dx.item() if isinstance(dx, Tensor) else dx)
    ends = y.select(d, 0) + y.select(d, -1)
    return _scaled(y.sum(d) - _scaled(ends, 0.5), step)


@declare("trapezoid", method=False)
def trapezoid(y: Tensor, x: Any = ABSENT, *, dx: Any = ABSENT, dim: Any = -1) -> Tensor:
    """The integral of ``y`` along ``dim`` by the trapezoid rule, at points ``x`` or spacing
    ``dx`` (1 by default)."""
    x, dx = _parse("trapezoid", y, x, dx, dim, "Scalar")
    return _trapezoid("trapezoid", y, x, 1 if dx is None else dx, int(dim))


@declare("trapz", method=False)
def trapz(y: Tensor, x: Any = ABSENT, *, dx: Any = ABSENT, dim: Any = -1) -> Tensor:
    """``trapezoid``'s older name."""
    x, dx = _parse("trapz", y, x, dx, dim, "float")
    return _trapezoid("trapz", y, x, 1.0 if dx is None else float(dx), int(dim))


@declare("cumulative_trapezoid", method=False)
def cumulative_trapezoid(y: Tensor, x: Any = ABSENT, *, dx: Any = ABSENT, dim: Any = -1) -> Tensor:
    """The running integral of ``y`` along ``dim`` by the trapezoid rule (one fewer element)."""
    x, dx = _parse("cumulative_trapezoid", y, x, dx, dim, "Scalar")
    n = y._data.ndim
    d = _dim(int(dim), n)
    name = "cumulative_trapezoid"
    if x is not None:
        _check_bool(name, y, x)
        if n == 0 and x._data.ndim == 1:
            raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
        dxs = _spacing(name, y, x, d)
        left, right = _cut(y, d, 0, -1), _cut(y, d, 1, None)
        return _halved(((left + right) * dxs).cumsum(d))
    _check_bool(name, y)
    if isinstance(dx, (bool, np.bool_)):
        raise RuntimeError(f"{name}: Currently, we only support dx as a real number.")
    step = 1.0 if dx is None else float(dx.item() if isinstance(dx, Tensor) else dx)
    left, right = _cut(y, d, 0, -1), _cut(y, d, 1, None)
    return _scaled(left + right, step / 2.0).cumsum(d)
