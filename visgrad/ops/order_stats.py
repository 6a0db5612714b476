"""Order statistics: ``median`` / ``nanmedian``, ``kthvalue``, ``mode``, and the sorted-sequence
lookups ``searchsorted`` / ``bucketize``.

The reductions over a dim reuse ``max(dim)``'s node (values, and the index each came from; the
gradient goes to that index); the full ``median()`` shares its gradient evenly between ties, as
``max()`` does. Medians are the lower of the two middle values, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.arg_parser import invalid_combination, is_int, is_number, type_name
from visgrad.ops.aten_select import mode_index, quick_select
from visgrad.ops.base import apply
from visgrad.ops.minmax import MaxBackward0, MaxBackward1
from visgrad.ops.registry import declare
from visgrad.ops.results import result_type
from visgrad.tensor import Tensor, _dim

MedianResult = result_type("median")
NanmedianResult = result_type("nanmedian")
KthvalueResult = result_type("kthvalue")
ModeResult = result_type("mode")
_NO_DIM: Any = object()  # ``median()`` without a dim (an explicit None is PyTorch's TypeError)


def _lower_median_index(x: np.ndarray, axis: int, skip_nan: bool) -> np.ndarray:
    """The index of the lower median along ``axis``; a NaN's index where NaN makes the median."""
    order = np.argsort(x, axis=axis, kind="stable")  # NaNs sort last
    nans = np.isnan(x).sum(axis=axis, keepdims=True) if x.dtype.kind == "f" else 0
    n = x.shape[axis] - (nans if skip_nan else 0)
    k = np.where(np.asarray(n) > 0, (np.asarray(n) - 1) // 2, 0)
    if not skip_nan and x.dtype.kind == "f":
        k = np.where(nans > 0, x.shape[axis] - nans, k)  # the first NaN: the median is NaN
    k = np.broadcast_to(k, np.take(order, [0], axis=axis).shape)
    return np.take_along_axis(order, k, axis=axis).squeeze(axis)


class MedianBackward1(MaxBackward0):
    op_name = "median"

    def _arg(self, x: np.ndarray, axis: int) -> np.ndarray:
        return _lower_median_index(x, axis, skip_nan=False)


class NanmedianBackward1(MaxBackward0):
    op_name = "nanmedian"

    def _arg(self, x: np.ndarray, axis: int) -> np.ndarray:
        return _lower_median_index(x, axis, skip_nan=True)


def _full_median(skip_nan: bool) -> Any:
    def median_of(x: np.ndarray) -> np.ndarray:
        flat = x.reshape(-1)
        return flat[_lower_median_index(flat, 0, skip_nan)]

    return staticmethod(median_of)


class MedianBackward0(MaxBackward1):
    op_name = "median"
    _np = _full_median(skip_nan=False)

    def forward(self, a: Tensor) -> np.ndarray:
        if a._data.size == 0:  # NaN, recorded: its gradient is the empty input's
            self.save(self=a)
            with np.errstate(invalid="ignore"):  # an integer NaN: the dtype's least value
                return np.array(np.nan).astype(a._data.dtype)
        return super().forward(a)


class NanmedianBackward0(MedianBackward0):
    op_name = "nanmedian"
    _np = _full_median(skip_nan=True)


@declare("median", nodes=(MedianBackward0, MedianBackward1))
def median(input: Tensor, dim: Any = _NO_DIM, keepdim: Any = _NO_DIM) -> Any:  # noqa: A002
    """The lower median of all elements, or ``(values, indices)`` along ``dim``; NaN if any."""
    return _median(MedianBackward0, MedianBackward1, MedianResult, input, dim, keepdim)


@declare("nanmedian", nodes=(NanmedianBackward0, NanmedianBackward1))
def nanmedian(input: Tensor, dim: Any = _NO_DIM, keepdim: Any = _NO_DIM) -> Any:  # noqa: A002
    """``median`` ignoring NaNs (NaN only where every element is NaN)."""
    return _median(NanmedianBackward0, NanmedianBackward1, NanmedianResult, input, dim, keepdim)


def _not_for_bool(a: Tensor, kernel: str) -> None:
    if a._data.dtype == np.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _median(full: type, by_dim: type, result: type, a: Tensor, dim: Any, keepdim: Any) -> Any:
    _not_for_bool(a, "median_cpu")
    op = full.op_name
    if dim is None or (dim is not _NO_DIM and not is_int(dim)):
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type_name(dim)}")
    if dim is _NO_DIM and keepdim is not _NO_DIM:  # even keepdim=None: PyTorch's parser
        raise TypeError(f'{op}() missing 1 required positional arguments: "dim"')
    keepdim = keepdim is not _NO_DIM and bool(keepdim)
    if dim is _NO_DIM:
        return apply(full, a)
    values, indices = apply(by_dim, a, dim=_dim(dim, a._data.ndim), keepdim=keepdim)
    return result(values, indices)


class KthvalueBackward0(MaxBackward0):
    op_name = "kthvalue"

    def forward(self, a: Tensor, dim: int, keepdim: bool, k: int = 1) -> Any:
        self._k = k
        return super().forward(a, dim, keepdim)

    def _arg(self, x: np.ndarray, axis: int) -> np.ndarray:
        order = np.argsort(x, axis=axis, kind="stable")
        picked = np.take(order, self._k - 1, axis=axis)
        # Where the k-th value ties with another (NaNs tie with each other), the index is the
        # one ATen's quickselect leaves there.
        moved = np.moveaxis(x, axis, -1)
        rows = moved.reshape(-1, moved.shape[-1]) if moved.ndim else moved.reshape(1, 1)
        flat = picked.reshape(-1)
        kth = rows[np.arange(rows.shape[0]), flat]
        same = (rows == kth[:, None]) | (np.isnan(rows) & np.isnan(kth)[:, None])
        for r in np.flatnonzero(same.sum(axis=1) > 1):
            flat[r] = quick_select(rows[r], self._k - 1)
        return flat.reshape(picked.shape)


@declare("kthvalue", nodes=KthvalueBackward0)
def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> Any:  # noqa: A002
    """The ``k``-th smallest element (from 1) along ``dim``, and its index."""
    _not_for_bool(input, "kthvalue_cpu")
    d = _dim(dim, input._data.ndim)
    size = input._data.shape[d] if input._data.ndim else 1
    if size == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {d} to have non-zero size.")
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    values, indices = apply(KthvalueBackward0, input, dim=d, keepdim=keepdim, k=k)
    return KthvalueResult(values, indices)


class ModeBackward0(MaxBackward0):
    op_name = "mode"

    def _arg(self, x: np.ndarray, axis: int) -> np.ndarray:
        # The most frequent value (the smallest among equally frequent ones), at the index ATen's
        # std::sort puts last among its copies: the last one where that sort is an insertion
        # sort (16 elements or fewer), else (or with a NaN, which compares false) that sort's.
        moved = np.moveaxis(x, axis, -1)
        flat = moved.reshape(-1, moved.shape[-1])
        out = np.empty(flat.shape[0], dtype=np.int64)
        floating = flat.dtype.kind == "f"
        for r, row in enumerate(flat):
            if floating and np.isnan(row).any():
                out[r] = mode_index(row)
                continue
            values, counts = np.unique(row, return_counts=True)
            i = np.argmax(counts)
            if row.size > 16 and counts[i] > 1:
                out[r] = mode_index(row)
            else:
                out[r] = np.flatnonzero(row == values[i])[-1]
        return out.reshape(moved.shape[:-1])


@declare("mode", nodes=ModeBackward0)
def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> Any:  # noqa: A002
    """The most frequent value along ``dim`` and an index where it occurs."""
    values, indices = apply(ModeBackward0, input, dim=_dim(dim, input._data.ndim), keepdim=keepdim)
    return ModeResult(values, indices)


def _lookup(seq: np.ndarray, x: np.ndarray, side: str) -> np.ndarray:
    """ATen's binary search of each value in its row of ``seq``, step for step (NumPy's reuses
    the previous value's bounds, which answers otherwise on a row that is not sorted)."""
    n = seq.shape[-1]
    if n == 0 or x.size == 0:
        return np.zeros(x.shape, np.int64)
    rows = seq.reshape(-1, n)
    vals = x.reshape(rows.shape[0], x.shape[-1]) if seq.ndim > 1 else x.reshape(1, -1)
    start = np.zeros(vals.shape, np.int64)
    end = np.full(vals.shape, n, np.int64)
    row = np.arange(rows.shape[0])[:, None]
    active = start < end
    while active.any():
        mid = start + ((end - start) >> 1)
        bound = rows[row, np.minimum(mid, n - 1)]
        # Lower bound: on while not (bound >= value); upper bound: while not (bound > value).
        on = ~(bound >= vals) if side == "left" else ~(bound > vals)
        start = np.where(active & on, mid + 1, start)
        end = np.where(active & ~on, mid, end)
        active = start < end
    return start.reshape(x.shape)


@declare("searchsorted", method=False)
def searchsorted(
    sorted_sequence: Tensor,
    input: Any,  # noqa: A002 - PyTorch's name
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: Tensor | None = None,
) -> Tensor:
    """Where each value of ``input`` would go in the sorted last dim of ``sorted_sequence``."""
    seq = sorted_sequence._data
    scalar = not isinstance(input, Tensor)
    if scalar and not is_number(input):
        raise TypeError(
            "searchsorted(): argument 'input' (position 2) must be Tensor, not "
            f"{type(input).__name__}"
        )
    x = np.asarray(input, dtype=seq.dtype) if scalar else input._data
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(
                f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}"
            )
        if right and side == "left":
            raise RuntimeError(
                "torch.searchsorted(): side and right can't be set to opposites, got side of "
                "left while right was True"
            )
        right = side == "right"
    if x.ndim == 0 and seq.ndim != 1:
        raise RuntimeError(
            "torch.searchsorted(): input value can be a scalar only when boundaries tensor "
            f"dimension is 1, but we got boundaries tensor dim({seq.ndim}) and input value's "
            f"dim({x.ndim}) numel({x.size})"
        )
    if seq.ndim == 0:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
            "dimension"
        )
    if seq.ndim != 1 and seq.shape[:-1] != x.shape[:-1]:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor {list(x.shape)}"
        )
    if sorter is not None:
        if sorter._data.shape != seq.shape:
            raise RuntimeError(
                "torch.searchsorted(): boundary and sorter must have the same size, but got "
                f"boundary tensor {list(seq.shape)}and got sorter tensor {list(sorter.shape)}"
            )
        seq = np.take_along_axis(seq, sorter._data, axis=-1)
    out = _lookup(seq, x, "right" if right else "left")
    return Tensor._make(np.asarray(out).astype(np.int32 if out_int32 else np.int64), False, None, 0)


@declare("bucketize", method=False)
def bucketize(
    input: Any,  # noqa: A002 - PyTorch's name
    boundaries: Tensor,
    *,
    out_int32: bool = False,
    right: bool = False,
) -> Tensor:
    """The bucket of each value of ``input`` between the sorted 1-D ``boundaries``."""
    if not isinstance(input, Tensor) and not is_number(input):
        raise invalid_combination("bucketize", (input, boundaries), {})
    if boundaries._data.ndim != 1:
        raise RuntimeError(
            f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})"
        )
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)
