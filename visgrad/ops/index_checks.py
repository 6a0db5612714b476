"""The index and source checks of ``index_add``, ``index_copy`` and ``index_fill``, in the order
and words of each one's PyTorch kernel."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.ops.gate_tables import _C_NAMES
from visgrad.tensor import Tensor


def _type(d: np.dtype) -> str:
    return dtypes.from_numpy(d).tensor_type.removesuffix("Tensor")


def vector_index(name: str, a: Tensor, dim: int, index: Any, bounds: bool = True) -> np.ndarray:
    """The index of ``index_add`` / ``index_copy`` / ``index_fill``, checked in the order and
    words of each one's PyTorch kernel (they differ: index_fill checks the dtype first)."""
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if name == "index_fill" and idx.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if idx.ndim > 1:
        if name == "index_fill":
            raise RuntimeError("Index has to be a vector/scalar")
        if name == "index_copy":
            raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {idx.ndim})")
        raise IndexError(
            f"{name}_(): Index is supposed to be a vector, but got dim: {idx.ndim} with type: "
            f"{_type(idx.dtype)} and size: {list(idx.shape)}"
        )
    if name == "index_copy" and idx.ndim <= 1 and idx.dtype != np.int64:
        raise RuntimeError(
            f"index_copy_(): Expected a long tensor for index, but got {_type(idx.dtype)}"
        )
    if idx.dtype.kind not in "iu":
        # PyTorch's texts name the in-place kernel (``index_add_()``) for both forms.
        raise RuntimeError(
            f"{name}_(): Expected dtype int32/int64 for index but got: {_type(idx.dtype)}"
        )
    idx = idx.reshape(-1).astype(np.int64)
    return in_bounds(name, a, dim, idx) if bounds else idx


def in_bounds(name: str, a: Tensor, dim: int, idx: np.ndarray) -> np.ndarray:
    """``idx`` checked to index ``a``'s ``dim`` (negative ones wrapped)."""
    size = a._data.shape[dim] if a._data.ndim else 1
    if idx.size and (idx.min() < -size or idx.max() >= size):
        bad = int(idx[(idx < -size) | (idx >= size)][0])
        error = IndexError if name == "index_fill" else RuntimeError
        raise error(f"index {bad} is out of bounds for dimension {dim} with size {size}")
    return idx % max(size, 1)


def source_checked(name: str, a: Tensor, dim: int, index: np.ndarray, source: Tensor) -> None:
    src, x = source._data, a._data
    if name == "index_copy":
        if src.ndim == 0 and len(index) != 1:
            raise IndexError(
                f"index_copy_(): When source is scalar, index should have one element (got "
                f"{len(index)})"
            )
        if src.ndim != x.ndim and src.ndim and x.ndim:
            raise IndexError(
                "index_copy_(): When source and destination are not scalars, their "
                f"dimensionality must match. Source dimensionality ({src.ndim}), destination "
                f"dimensionality ({x.ndim})"
            )
    if src.dtype != x.dtype:
        a_name, s_name = _C_NAMES[x.dtype.name], _C_NAMES[src.dtype.name]
        if name == "index_copy":
            raise RuntimeError(
                "index_copy_(): self and source expected to have the same dtype, but got "
                f"(self) {a_name} and (source) {s_name}"
            )
        raise RuntimeError(
            f"{name}_(): self ({a_name}) and source ({s_name}) must have the same scalar type"
        )
    if name == "index_add":
        _index_add_source(x, dim, len(index), src)
        return
    n = src.shape[dim] if src.ndim else 1
    if name == "index_copy" and src.ndim and x.ndim:
        want = [s for i, s in enumerate(x.shape) if i != dim]
        have = [s for i, s in enumerate(src.shape) if i != dim]
        if want != have:
            raise RuntimeError(
                "index_copy_(): Source/destination tensor must have same slice shapes. "
                f"Destination slice shape: {', '.join(map(str, want))} at dimension {dim} and "
                f"source slice shape: {', '.join(map(str, have))} at dimension 0."
            )
    if len(index) != n:
        if name == "index_copy":
            raise IndexError(
                f"index_copy_(): Number of indices ({len(index)}) should be equal to "
                f"source.size(dim) ({n})"
            )
        raise RuntimeError(
            f"{name}_(): Number of indices ({len(index)}) should be equal to source.size(dim): "
            f"({n}), for dim: {dim}"
        )
    want_full = list(x.shape)
    if want_full:
        want_full[dim] = len(index)
    if list(src.shape) != want_full and src.ndim:
        raise RuntimeError(
            f"{name}_(): Source/destination tensor must have same slice shapes. Destination "
            f"slice shape: {want_full} at dimension {dim} and source slice shape: "
            f"{list(src.shape)} at dimension {dim}."
        )


def _index_add_source(x: np.ndarray, dim: int, count: int, src: np.ndarray) -> None:
    """index_add's checks of its source, in ATen's order: the dim exists in it, one slice per
    index, and the other dims match self's."""
    if dim != 0 and dim >= src.ndim:
        raise RuntimeError(
            f"index_add_(): Indexing dim {dim} is out of bounds of the source tensor with dim "
            f"{src.ndim}"
        )
    n = src.shape[dim] if src.ndim else 1
    if count != n:
        raise RuntimeError(
            f"index_add_(): Number of indices ({count}) should be equal to source.size(dim): "
            f"({n}), for dim: {dim}"
        )
    keep_x, keep_s = list(x.shape), list(src.shape)
    if x.ndim and src.ndim:
        del keep_x[dim], keep_s[dim]
    if keep_x != keep_s:
        raise RuntimeError(
            "source tensor shape must match self tensor shape, excluding the specified "
            f"dimension. Got self.shape = {list(x.shape)} source.shape = {list(src.shape)}"
        )
