"""``torch.gradient``: central differences along each dim, one-sided ones at the ends.

PyTorch writes it as a composite of slices, so it is recorded as one here, step for step (the
interior ``(f[2:] - f[:-2]) / h / 2``, the two ends, then ``cat``): the same graph, the same
rounding. Spacing is a number per dim (uniform) or a tensor of coordinates per dim, whose
neighbouring gaps weigh the three points of the non-uniform formula.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.arg_parser import invalid_combination, is_number
from visgrad.ops.attention import MulBackward1
from visgrad.ops.base import apply
from visgrad.ops.cross_entropy_loss import DivBackward1
from visgrad.ops.index import select, slice_dim
from visgrad.ops.join import cat
from visgrad.ops.rearrange import diff
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor, _dim

__all__ = ["gradient"]

_END = 1 << 62  # a slice's end past any dim


def _div(t: Tensor, h: Any) -> Tensor:
    """``t / h`` as C++ divides by a number (``div.Scalar``: DivBackward1)."""
    return apply(DivBackward1, t, other=h) if t._data.dtype.kind == "f" else t / h


def _mul(k: Any, t: Tensor) -> Tensor:
    """``k * t`` as C++ multiplies by a number (``mul.Scalar``: MulBackward1)."""
    return apply(MulBackward1, t, other=k) if t._data.dtype.kind == "f" else k * t


def _uniform(f: Tensor, h: Any, d: int, edge_order: int) -> Tensor:
    s = lambda a, b=_END: slice_dim(f, d, a, b)  # noqa: E731
    center = _div(s(2) - s(0, -2), h)
    if edge_order == 1:
        first = _div(s(1, 2) - s(0, 1), h)
        last = _div(s(-1) - s(-2, -1), h)
    else:
        first = _div(_mul(-1.5, s(0, 1)) + _mul(2, s(1, 2)) - _mul(0.5, s(2, 3)), h)
        last = _div(_mul(0.5, s(-3, -2)) - _mul(2, s(-2, -1)) + _mul(1.5, s(-1)), h)
    return cat([first, _div(center, 2), last], d)


def _coordinates(f: Tensor, x: Tensor, d: int, edge_order: int) -> Tensor:
    s = lambda a, b=_END: slice_dim(f, d, a, b)  # noqa: E731
    shape = [1] * f._data.ndim
    shape[d] = -1
    dx = diff(x, 1, 0)
    dx1, dx2 = slice_dim(dx, 0, 0, -1), slice_dim(dx, 0, 1, _END)
    a = (-dx2 / (dx1 * (dx1 + dx2))).reshape(shape)
    b = ((dx2 - dx1) / (dx1 * dx2)).reshape(shape)
    c = (dx1 / (dx2 * (dx1 + dx2))).reshape(shape)
    center = a * s(0, -2) + b * s(1, -1) + c * s(2)
    h0, h1 = select(dx, 0, 0), select(dx, 0, 1) if edge_order == 2 else None
    hl, hm = select(dx, 0, -1), select(dx, 0, -2) if edge_order == 2 else None
    if edge_order == 1:
        first = (s(1, 2) - s(0, 1)) / h0
        last = (s(-1) - s(-2, -1)) / hl
    else:
        assert h1 is not None and hm is not None
        a0 = -(2.0 * h0 + h1) / (h0 * (h0 + h1))
        b0 = (h0 + h1) / (h0 * h1)
        c0 = -h0 / (h1 * (h0 + h1))
        first = a0 * s(0, 1) + b0 * s(1, 2) + c0 * s(2, 3)
        a1 = hl / (hm * (hl + hm))
        b1 = -(hl + hm) / (hl * hm)
        c1 = (2 * hl + hm) / (hl * (hl + hm))
        last = a1 * s(-3, -2) + b1 * s(-2, -1) + c1 * s(-1)
    return cat([first, center, last], d)


def _dims(dim: Any) -> tuple[list[int] | None, bool]:
    """The dims asked for (None: every dim) and whether ``dim`` was a list."""
    if dim is None:
        return None, False
    if isinstance(dim, (int, np.integer)) and not isinstance(dim, bool):
        return [int(dim)], False
    if isinstance(dim, (list, tuple)) and all(
        isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in dim
    ):
        return [int(d) for d in dim], True
    raise TypeError


def _spacing(spacing: Any) -> tuple[str, list[Any]]:
    """``spacing`` as one of PyTorch's forms: a number, numbers, or coordinate tensors."""
    if spacing is None:
        return "none", []
    if is_number(spacing) and not isinstance(spacing, (list, tuple)):
        return "scalar", [spacing.item() if isinstance(spacing, Tensor) else spacing]
    if isinstance(spacing, (list, tuple)):
        if all(isinstance(v, Tensor) for v in spacing) and spacing:
            return "tensors", list(spacing)
        if all(is_number(v) and not isinstance(v, Tensor) for v in spacing):
            return "scalars", list(spacing)
    raise TypeError


def _check(f: np.ndarray, sizes: int | None, dims: list[int] | None, edge_order: int) -> None:
    if f.dtype == np.uint8:
        raise RuntimeError("torch.gradient does not support uint8 input.")
    if sizes is not None and dims is None and sizes != f.ndim:
        raise RuntimeError(
            "torch.gradient expected spacing to be unspecified, a scalar, or a list of length "
            f"equal to 'self.dim() = {f.ndim}', since dim argument was not given, but got a "
            f"list of length {sizes}"
        )
    if sizes is not None and dims is not None and sizes != len(dims):
        raise RuntimeError(
            "torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
            f"arguments to have the same length, but got a spacing argument of length {sizes} "
            f"and a dim argument of length {len(dims)}."
        )
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    wrapped = [_dim(d, f.ndim) for d in dims] if dims is not None else range(f.ndim)
    if dims is not None:
        seen: set[int] = set()
        for d in wrapped:
            if d in seen:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
            seen.add(d)
    if not f.ndim and dims:
        raise IndexError(f"Dimension specified as {wrapped[0]} but tensor has no dimensions")
    if any(f.shape[d] < edge_order + 1 for d in wrapped):
        raise RuntimeError(
            "torch.gradient expected each dimension size to be at least edge_order+1"
        )


@declare("gradient", method=False)
def gradient(input: Any, *args: Any, **kwargs: Any) -> tuple[Tensor, ...]:  # noqa: A002
    """The derivative estimate of ``input`` along each of ``dim`` (every dim if None)."""
    spacing, dim = kwargs.get("spacing"), kwargs.get("dim")
    edge_order = kwargs.get("edge_order", 1)
    try:
        if args or not isinstance(input, Tensor) or set(kwargs) - {"spacing", "dim", "edge_order"}:
            raise TypeError
        if not isinstance(edge_order, (int, np.integer)) or isinstance(edge_order, bool):
            raise TypeError
        dims, listed = _dims(dim)
        form, values = _spacing(spacing)
    except TypeError:
        raise invalid_combination("gradient", (input, *args), kwargs) from None
    f = input._data
    edge_order = int(edge_order)
    if form == "scalar" and listed:
        values = values * len(dims or ())
    elif form in ("scalar", "none"):
        values = (values or [1.0]) * (len(dims) if dims is not None else f.ndim)
    checked = None if form == "none" and not listed else len(values)
    _check(f, checked, dims, edge_order)
    todo = dims if dims is not None else list(range(f.ndim))
    out = []
    for i, d in enumerate(todo):
        d = _dim(d, f.ndim)
        if form == "tensors":
            x = values[i]
            if x._data.ndim != 1:
                raise RuntimeError(
                    "torch.gradient expected each element of spacing to have one dimension, but "
                    f"got an element with {x._data.ndim} dimensions!"
                )
            out.append(_coordinates(input, x, d, edge_order))
        else:
            out.append(_uniform(input, values[i], d, edge_order))
    return tuple(out)
