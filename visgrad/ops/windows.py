"""``Tensor.unfold(dimension, size, step)``: every window of ``size`` along one dim, as a view.

The windows become a new last dim and the unfolded dim counts them, so ``x.unfold(1, 3, 2)`` of a
(3, 8) tensor is a (3, 3, 3) view whose strides step two elements between windows and one within
a window, as PyTorch's ``unfold`` strides it. Overlapping windows share memory (``step < size``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.arg_parser import is_int, type_name
from visgrad.ops.base import Op, apply
from visgrad.ops.registry import declare
from visgrad.ops.shape import _as_view
from visgrad.tensor import Tensor, _dim

__all__ = ["unfold_windows", "window_view"]


def window_view(x: np.ndarray, dim: int, size: int, step: int) -> np.ndarray:
    """The windows of ``x`` along ``dim`` as a strided view (a 0-d ``x`` is one element long)."""
    if x.ndim == 0:
        return np.lib.stride_tricks.as_strided(
            x, shape=(size,), strides=(x.itemsize,), writeable=bool(x.flags.writeable)
        )
    count = (x.shape[dim] - size) // step + 1
    shape = x.shape[:dim] + (count,) + x.shape[dim + 1 :] + (size,)
    strides = x.strides[:dim] + (x.strides[dim] * step,) + x.strides[dim + 1 :] + (x.strides[dim],)
    return np.lib.stride_tricks.as_strided(
        x, shape=shape, strides=strides, writeable=bool(x.flags.writeable)
    )


class UnfoldBackward0(Op):
    op_name = "unfold"
    formulas = {"self": "unfold_backward(grad, self.shape, dimension, size, step)"}

    def forward(self, a: Tensor, dimension: int, size: int, step: int) -> np.ndarray:
        x = a._data
        self.save(self_sym_sizes=x.shape, dimension=dimension, size=size, step=step)
        return window_view(x, dimension, size, step)

    def backward(self, g: Tensor) -> Tensor:
        return apply(
            UnfoldBackwardBackward0,
            g,
            input_sizes=self.saved("self_sym_sizes"),
            dim=self.saved("dimension"),
            size=self.saved("size"),
            step=self.saved("step"),
        )


class UnfoldBackwardBackward0(Op):
    """``unfold``'s backward as an op: each window's gradient added back where it was taken."""

    op_name = "unfold_backward"
    input_names = ("grad_in",)
    formulas = {"grad_in": "grad.unfold(dim, size, step)"}

    def forward(self, g: Tensor, input_sizes: Any, dim: int, size: int, step: int) -> np.ndarray:
        self.save(dim=dim, size=size, step=step)
        return unfold_sum(g._data, tuple(input_sizes), dim, size, step)

    def backward(self, gg: Tensor) -> Tensor:
        return unfold_windows(gg, self.saved("dim"), self.saved("size"), self.saved("step"))


def unfold_sum(g: np.ndarray, sizes: tuple[int, ...], dim: int, size: int, step: int) -> np.ndarray:
    """Zeros of ``sizes`` with every window of ``g`` (window dim last) added in place."""
    out = np.zeros(sizes, g.dtype)
    if not sizes:
        return np.asarray(g.sum(), g.dtype) if size else out
    moved = np.moveaxis(g, (dim, g.ndim - 1), (0, 1))  # (windows, size, ...rest)
    target = np.moveaxis(out, dim, 0)
    for w in range(moved.shape[0]):
        target[w * step : w * step + size] += moved[w]
    return out


@declare("unfold", nodes=(UnfoldBackward0, UnfoldBackwardBackward0), torch=False)
def unfold_windows(a: Tensor, dimension: Any, size: Any, step: Any) -> Tensor:
    """Every window of ``size`` elements along ``dimension``, ``step`` apart, as a view."""
    for position, (name, v) in enumerate(
        (("dimension", dimension), ("size", size), ("step", step))
    ):
        if not is_int(v):  # a method: PyTorch counts the arguments after ``self``
            raise TypeError(
                f"unfold(): argument '{name}' (position {position + 1}) must be int, not "
                f"{type_name(v)}"
            )
    dimension, size, step = int(dimension), int(size), int(step)
    x = a._data
    d = _dim(dimension, max(x.ndim, 1))
    longest = x.shape[d] if x.ndim else 1
    if size > longest:
        raise RuntimeError(
            f"maximum size for tensor at dimension {d} is {longest} but size is {size}"
        )
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return _as_view(apply(UnfoldBackward0, a, dimension=d, size=size, step=step), a)
