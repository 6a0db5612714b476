"""Adaptive pooling: ``adaptive_avg_pool1d/2d`` and ``adaptive_max_pool1d/2d``.

Output cell ``i`` of a dim of length ``L`` pooled to ``n`` covers ``[floor(i·L/n), ceil((i+1)·L/n))``.
The average is two matmuls with 0/1 window matrices (then a division by the window sizes); the
maximum gathers each window offset for all cells at once. No loop runs over pixels.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.arg_parser import int_list
from visgrad.ops.base import Op, apply
from visgrad.ops.pool import _MaxPoolScatter
from visgrad.ops.reduce import mean
from visgrad.ops.registry import declare
from visgrad.ops.shape import squeeze, unsqueeze
from visgrad.tensor import Tensor

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool1d_functional",
    "adaptive_max_pool2d",
]

Ints = tuple[int, ...]
_INT64 = (1 << 63) - 1


def _bounds(length: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    i = np.arange(n)
    return (i * length) // n, -((-(i + 1) * length) // n)


def _window_matrix(length: int, n: int) -> np.ndarray:
    """(n, length) with ones on each output cell's window."""
    start, end = _bounds(length, n)
    j = np.arange(length)
    return ((j >= start[:, None]) & (j < end[:, None])).astype(np.float64)


def _window_sums(x: np.ndarray, n: int, axis: int) -> np.ndarray:
    """Each window's sum along ``axis``, window by window: a NaN or an infinity stays in its
    own windows (the 0/1 matrices would spread it, as ``0 * inf`` is NaN)."""
    start, end = _bounds(x.shape[axis], n)
    moved = np.moveaxis(x, axis, -1)
    sums = [moved[..., a:b].sum(-1) for a, b in zip(start, end, strict=True)]
    out = np.stack(sums, -1) if sums else np.zeros((*moved.shape[:-1], 0), x.dtype)
    return np.moveaxis(out, -1, axis)


def _avg_np(x: np.ndarray, size: Ints) -> np.ndarray:
    h, w = x.shape[-2:]
    mh, mw = _window_matrix(h, size[0]), _window_matrix(w, size[1])
    counts = np.outer(mh.sum(1), mw.sum(1))
    if np.isfinite(x).all():
        total = mh.astype(x.dtype) @ x @ mw.T.astype(x.dtype)
    else:
        total = _window_sums(_window_sums(x, size[0], -2), size[1], -1)
    return (total / counts).astype(x.dtype, copy=False)


def _spread_np(g: np.ndarray, shape: Ints) -> np.ndarray:
    mh = _window_matrix(shape[-2], g.shape[-2])
    mw = _window_matrix(shape[-1], g.shape[-1])
    counts = np.outer(mh.sum(1), mw.sum(1))
    share = (g / counts).astype(g.dtype, copy=False)
    return mh.T.astype(g.dtype) @ share @ mw.astype(g.dtype)


class AdaptiveAvgPool2DBackward0(Op):
    op_name = "adaptive_avg_pool2d"
    formulas = {"self": "adaptive_avg_pool_backward(grad, self.shape)"}

    def forward(self, a: Tensor, output_size: Ints) -> np.ndarray:
        self.save(self=a)
        return _avg_np(a._data, output_size)

    def backward(self, g: Tensor) -> Tensor:
        return apply(_AdaptiveAvgSpread, g, shape=self.saved("self")._data.shape)


class _AdaptiveAvgSpread(Op):
    op_name = "adaptive_avg_pool2d_backward"
    input_names = ("grad_output",)
    formulas = {"grad_output": "adaptive_avg_pool(grad, size)"}

    def forward(self, g: Tensor, shape: Ints) -> np.ndarray:
        size = g._data.shape
        _check_not_empty(size, range(1, len(size)), self.op_name, "grad_output")
        self.save(size=size[-2:])
        return _spread_np(g._data, shape)

    def backward(self, gg: Tensor) -> Tensor:
        return apply(AdaptiveAvgPool2DBackward0, gg, output_size=self.saved("size"))


class AdaptiveMaxPool2DBackward0(Op):
    op_name = "adaptive_max_pool2d"
    differentiable = (0,)
    formulas = {"self": "max_pool_backward(grad, indices, self.shape, (1, 1))"}

    def forward(self, a: Tensor, output_size: Ints) -> tuple[np.ndarray, np.ndarray]:
        x = a._data
        if 0 in output_size:
            shape = x.shape[:-2] + tuple(output_size)
            self.save(self=a, result1=Tensor._make(np.zeros(shape, np.int64), False, None, 0))
            return np.empty(shape, x.dtype), np.zeros(shape, np.int64)
        (sh, eh), (sw, ew) = (
            _bounds(x.shape[-2], output_size[0]),
            _bounds(x.shape[-1], output_size[1]),
        )
        best = which = None
        for da in range(int((eh - sh).max(initial=0))):
            rows = np.minimum(sh + da, x.shape[-2] - 1)
            for db in range(int((ew - sw).max(initial=0))):
                cols = np.minimum(sw + db, x.shape[-1] - 1)
                block = x[..., rows[:, None], cols[None, :]]
                valid = ((sh + da) < eh)[:, None] & ((sw + db) < ew)[None, :]
                flat = rows[:, None] * x.shape[-1] + cols[None, :]
                if best is None:
                    best = block.copy()
                    which = np.broadcast_to(flat, block.shape).copy()
                    continue
                take = (block > best) & valid
                if x.dtype.kind == "f":
                    take |= np.isnan(block) & valid
                best[take] = block[take]
                which[take] = np.broadcast_to(flat, block.shape)[take]
        self.save(self=a, result1=Tensor._make(which, False, None, 0))
        return best, which

    def backward(self, g: Tensor, _: Any = None) -> Tensor:
        index = self.saved("result1")._data
        return apply(_MaxPoolScatter, g, index=index, shape=self.saved("self")._data.shape, k=2)


def _with_defaults(value: Any, x: np.ndarray) -> Any:
    """``output_size`` as ``F.adaptive_*_pool2d``'s Python code passes it on: an int as it is,
    else one value per trailing dim, ``None`` keeping that dim's size."""
    if isinstance(value, (int, np.integer)):
        return value
    n = len(value)  # PyTorch's own TypeError for a value without one
    if x.ndim <= n:
        raise ValueError(f"Input dimension should be at least {n + 1}")
    return [d if v is None else v for v, d in zip(value, x.shape[x.ndim - n :], strict=False)]


def _output_size(value: Any, k: int, fn: str) -> Ints:
    vals = int_list(fn, "output_size", value, 2, size=k)
    if len(vals) != k:
        if k == 1:
            raise RuntimeError(
                f"{fn}() argument 'output_size' should contain one int (got {len(vals)})"
            )
        if fn.startswith("adaptive_max"):
            raise RuntimeError(f"{fn}(): internal error: output_size.size() must be {k}")
        raise RuntimeError(f"{fn}: output_size must be {k}")
    return vals


def _check_not_empty(shape: Ints, dims: Any, fn: str, what: str = "input") -> None:
    for i in dims:
        if shape[i] == 0:
            raise RuntimeError(
                f"{fn}(): Expected {what} to have non-zero size for non-batch dimensions, but "
                f"{what} has sizes {list(shape)} with dimension {i} being empty"
            )


def _check_input(x: np.ndarray, fn: str, size: Ints) -> None:
    maxing = fn.startswith("adaptive_max")
    if not maxing and any(v < 0 for v in size):
        raise RuntimeError(
            f"{fn}: elements of output_size must be greater than or equal to 0 but received "
            f"{{{', '.join(map(str, size))}}}"
        )
    if x.ndim not in (3, 4):
        colon = ":" if maxing else ""
        raise RuntimeError(f"{fn}(): Expected 3D or 4D tensor, but got{colon} {list(x.shape)}")
    # The maximum needs every dim but the first non-empty; the average only the pooled ones.
    _check_not_empty(x.shape, range(1, x.ndim) if maxing else (x.ndim - 2, x.ndim - 1), fn)
    shape = [*x.shape[:-2], *size]
    if maxing and any(v < 0 for v in size):
        bad = next(v for v in size if v < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {shape}")
    if math.prod(shape) > _INT64:
        if not maxing:
            raise RuntimeError("numel: integer multiplication overflow")
        raise RuntimeError(f"Storage size calculation overflowed with sizes={shape}")
    if x.dtype.kind != "f":
        name = dtypes.from_numpy(x.dtype).tensor_type.removesuffix("Tensor")
        raise NotImplementedError(f"\"{fn}\" not implemented for '{name}'")


@declare(
    "adaptive_avg_pool2d",
    nodes=(AdaptiveAvgPool2DBackward0, _AdaptiveAvgSpread),
    torch=False,
    method=False,
    functional=True,
)
def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """Average over windows chosen so the output is ``output_size`` (None keeps a dim)."""
    output_size = _with_defaults(output_size, input._data)
    size = _output_size(output_size, 2, "adaptive_avg_pool2d")
    if size == (1, 1):
        # PyTorch's shortcut for global pooling, before the kernel's checks: a mean
        # (MeanBackward1 in the graph), which takes any rank and empty dims.
        return mean(input, (-1, -2), keepdim=True)
    _check_input(input._data, "adaptive_avg_pool2d", size)
    return apply(AdaptiveAvgPool2DBackward0, input, output_size=size)


@declare(
    "adaptive_max_pool2d",
    nodes=AdaptiveMaxPool2DBackward0,
    torch=False,
    method=False,
    functional=True,
)
def adaptive_max_pool2d(
    input: Tensor,  # noqa: A002
    output_size: Any,
    return_indices: Any = False,
) -> Any:
    """The maximum over adaptive windows; ``return_indices`` adds each maximum's flat index
    (any true value, as PyTorch's Python dispatch tests it)."""
    output_size = _with_defaults(output_size, input._data)
    size = _output_size(output_size, 2, "adaptive_max_pool2d")
    _check_input(input._data, "adaptive_max_pool2d", size)
    out, idx = apply(AdaptiveMaxPool2DBackward0, input, output_size=size)
    return (out, idx) if return_indices else out


def _check_1d(x: np.ndarray, fn: str) -> None:
    if x.ndim not in (2, 3):
        raise RuntimeError(
            f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor for argument #1 "
            f"'self' (while checking arguments for {fn})"
        )
    if fn == "adaptive_max_pool1d":  # the average leaves it to adaptive_avg_pool2d
        _check_not_empty(x.shape, range(1, x.ndim), fn)


@declare("adaptive_avg_pool1d", nodes=AdaptiveAvgPool2DBackward0, method=False, functional=True)
def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """``adaptive_avg_pool2d`` over the last dim of (N, C, L) or (C, L)."""
    size = int_list("adaptive_avg_pool1d", "output_size", output_size, 2, size=1)
    _check_1d(input._data, "adaptive_avg_pool1d")
    (n,) = _output_size(size, 1, "adaptive_avg_pool1d")
    return squeeze(adaptive_avg_pool2d(unsqueeze(input, -2), (1, n)), -2)


@declare("adaptive_max_pool1d", nodes=AdaptiveMaxPool2DBackward0, method=False)
def adaptive_max_pool1d(input: Tensor, output_size: Any) -> tuple[Tensor, Tensor]:  # noqa: A002
    """``adaptive_max_pool2d`` over the last dim of (N, C, L) or (C, L): the maxima and their
    indices (``torch.adaptive_max_pool1d`` always returns both)."""
    size = int_list("adaptive_max_pool1d", "output_size", output_size, 2, size=1)
    _check_1d(input._data, "adaptive_max_pool1d")
    (n,) = _output_size(size, 1, "adaptive_max_pool1d")
    out, idx = adaptive_max_pool2d(unsqueeze(input, -2), (1, n), True)
    return squeeze(out, -2), squeeze(idx, -2)


@declare("adaptive_max_pool1d", torch=False, method=False, functional=True)
def adaptive_max_pool1d_functional(
    input: Tensor,  # noqa: A002
    output_size: Any,
    return_indices: bool = False,
) -> Any:
    """``torch.adaptive_max_pool1d``'s maxima, and their indices with ``return_indices``."""
    out, idx = adaptive_max_pool1d(input, output_size)
    return (out, idx) if return_indices else out
