"""Rearranging ops: ``diag_embed``, ``rot90``, ``diff`` and the ``tril_indices`` /
``triu_indices`` factories."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.arg_parser import int_list, type_name
from visgrad.factories import check_size
from visgrad.ops.base import Op, apply
from visgrad.ops.gate_tables import _C_NAMES
from visgrad.ops.index import narrow
from visgrad.ops.join import cat
from visgrad.ops.logical import logical_xor
from visgrad.ops.registry import declare
from visgrad.ops.tile_mask import DiagEmbedBackward0
from visgrad.tensor import Tensor, _dim


@declare("diag_embed", nodes=DiagEmbedBackward0)
def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: A002
    """The last dim of ``input`` placed on diagonals of new (``dim1``, ``dim2``) matrices."""
    n = input._data.ndim + 1
    d1, d2 = _dim(dim1, n), _dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    x = input._data
    m = (x.shape[-1] if x.ndim else 1) + abs(offset)
    check_size(x.shape[:-1] + (m, m), x.itemsize)
    return apply(DiagEmbedBackward0, input, offset=offset, dim1=d1, dim2=d2)


class Rot90Backward0(Op):
    op_name = "rot90"
    formulas = {"self": "grad.rot90(-k, dims)"}

    def forward(self, a: Tensor, k: int, dims: tuple[int, int]) -> np.ndarray:
        self.save(k=k, dims=dims)
        return np.ascontiguousarray(np.rot90(a._data, k, dims))

    def backward(self, g: Tensor) -> Tensor:
        return apply(Rot90Backward0, g, k=-self.saved("k"), dims=self.saved("dims"))


@declare("rot90", nodes=Rot90Backward0)
def rot90(input: Tensor, k: int = 1, dims: Any = (0, 1)) -> Tensor:  # noqa: A002
    """Rotate by 90 degrees ``k`` times, from the first of ``dims`` toward the second."""
    dims = int_list("rot90", "dims", dims)
    n = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    if dims[0] == dims[1] or abs(dims[0] - dims[1]) == n:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}"
        )
    return apply(Rot90Backward0, input, k=k % 4, dims=(_dim(dims[0], n), _dim(dims[1], n)))


def _with_ends(x: Tensor, dim: int, prepend: Any, append: Any) -> Tensor:
    parts = []
    for t in (prepend, x, append):
        if t is None:
            continue
        if t is not x:
            if t._data.ndim != x._data.ndim:
                raise RuntimeError(
                    "diff expects prepend or append to be the same dimension as input"
                )
            for d in range(x._data.ndim):
                if d != dim and t.shape[d] != x.shape[d]:
                    raise RuntimeError(
                        "diff expects the shape of tensor to prepend or append to match that of "
                        "input except along the differencing dimension; input.size("
                        f"{d}) = {x.shape[d]}, but got tensor.size({d}) = {t.shape[d]}"
                    )
        parts.append(t)
    return cat(parts, dim) if len(parts) > 1 else x


@declare("diff")
def diff(
    input: Tensor,  # noqa: A002 - PyTorch's name
    n: int = 1,
    dim: int = -1,
    prepend: Tensor | None = None,
    append: Tensor | None = None,
) -> Tensor:
    """The ``n``-th forward difference along ``dim``, after joining ``prepend`` and ``append``."""
    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _dim(dim, input._data.ndim)
    out = _with_ends(input, d, prepend, append)
    if n == 0:
        return out.new_empty(out.shape).copy_(out)
    for _ in range(min(n, out.shape[d])):  # PyTorch stops at an empty result
        size = max(out.shape[d] - 1, 0)
        hi, lo = narrow(out, d, 1 if size else 0, size), narrow(out, d, 0, size)
        out = logical_xor(hi, lo) if out._data.dtype == np.bool_ else hi - lo
    return out


def _row_counts(row: int, col: int, offset: int, lower: bool) -> tuple[int, int, int]:
    """The first and past-last rows holding elements of the triangle, and its element count
    (in closed form: the rows may be too many to list)."""
    if lower:  # row r holds min(col, r + offset + 1) elements, from r = -offset on
        lo, hi = max(0, -offset), row if col > 0 else 0
        lo = min(lo, hi)
        full = max(lo, min(hi, col - offset - 1))  # rows before ``full`` are not yet clipped
        ramp = (full - lo) * (lo + full - 1 + 2 * (offset + 1)) // 2
        return lo, hi, ramp + (hi - full) * col
    # upper: row r holds col - max(0, r + offset) elements, while r + offset < col
    hi = max(0, min(row, col - offset))
    flat = max(0, min(hi, -offset))  # rows whose triangle starts at column 0
    ramp = (hi - flat) * (2 * col - (flat + offset) - (hi - 1 + offset)) // 2
    return 0, hi, flat * col + ramp


def _indices(name: str, row: int, col: int, offset: int, dtype: Any, layout: Any) -> Tensor:
    if layout is not None:  # strided, the only layout, is the default
        raise TypeError(
            f"{name}(): argument 'layout' must be torch.layout, not {type_name(layout)}"
        )
    dt = dtypes.int64 if dtype is None else dtype
    if dt.np.kind not in "iu":
        raise NotImplementedError(f"\"{name}\" not implemented for '{_C_NAMES[dt.np.name]}'")
    for what, v in (("row", row), ("col", col)):
        if v < 0:
            raise RuntimeError(f"{what} must be non-negative, got{v}")
    lower = name == "tril_indices"
    lo, hi, count = _row_counts(row, col, offset, lower)
    check_size((2, count), dt.np.itemsize)
    r = np.arange(lo, hi)
    if lower:
        starts, ends = np.zeros_like(r), np.minimum(col, r + offset + 1)
    else:
        starts, ends = np.maximum(0, r + offset), np.full_like(r, col)
    lengths = np.maximum(ends - starts, 0)
    rows = np.repeat(r, lengths)
    cols = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    cols += np.repeat(starts, lengths)
    return Tensor._make(np.stack([rows, cols]).astype(dt.np), False, None, 0)


@declare("tril_indices", method=False)
def tril_indices(
    row: int,
    col: int,
    offset: int = 0,
    *,
    dtype: Any = None,
    device: Any = None,
    layout: Any = None,
) -> Tensor:
    """The (row, column) indices of the lower triangle of a ``row`` x ``col`` matrix, as a 2xN."""
    return _indices("tril_indices", row, col, offset, dtype, layout)


@declare("triu_indices", method=False)
def triu_indices(
    row: int,
    col: int,
    offset: int = 0,
    *,
    dtype: Any = None,
    device: Any = None,
    layout: Any = None,
) -> Tensor:
    """The (row, column) indices of the upper triangle of a ``row`` x ``col`` matrix, as a 2xN."""
    return _indices("triu_indices", row, col, offset, dtype, layout)
