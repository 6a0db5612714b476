"""Ops that pick or accumulate along one dim: sort, argsort, topk, cumsum, gather, index_select.

Their gradients put values back where they came from; those scatters are ops too (with gather /
index_select as their own gradients), so ``create_graph=True`` works through them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.ops.base import Op, apply
from visgrad.ops.gate_tables import _CPP_NAMES
from visgrad.ops.inplace import inplace
from visgrad.ops.join import flip
from visgrad.ops.minmax import _return_type
from visgrad.ops.pad import pad
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor, _dim

SortResult = _return_type("sort")
TopkResult = _return_type("topk")


def _grid(index: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
    """Full coordinates for ``out[grid] = src``: ``index`` along ``dim``, the position elsewhere."""
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    return tuple(grid)


def _order(x: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """Stable sorting indices along ``dim`` (ties keep their order either way, as PyTorch's)."""
    if descending:
        key = -x.astype(np.int64) if x.dtype.kind in "bu" else -x
    else:
        key = x
    order = np.argsort(key, axis=dim, kind="stable")
    if descending and x.dtype.kind == "f":
        # NaN is PyTorch's largest value: first when descending (NumPy puts it last).
        nan = np.take_along_axis(np.isnan(x), order, dim)
        if nan.any():
            order = np.take_along_axis(order, np.argsort(~nan, axis=dim, kind="stable"), dim)
    return order


def _zeros(shape: tuple[int, ...], like: Tensor) -> Tensor:
    return Tensor._make(np.zeros(shape, dtype=like._data.dtype), False, None, 0)


def _fit(g: Tensor, shape: tuple[int, ...]) -> Tensor:
    """``g`` (the index's shape) padded with zeros up to ``shape`` (a source larger than the
    index gets no gradient where the index does not reach)."""
    if tuple(g._data.shape) == tuple(shape):
        return g
    widths: list[int] = []
    for have, want in zip(reversed(g._data.shape), reversed(shape), strict=True):
        widths += [0, want - have]
    return pad(g, tuple(widths))


class ScatterAddBackward0(Op):
    """``self.scatter_add(dim, index, src)``; also the gradient of gather (``self`` zeros)."""

    op_name = "scatter_add"
    input_names = ("self", "src")
    formulas = {"self": "grad", "src": "grad.gather(dim, index)"}

    def forward(self, a: Tensor, src: Tensor, dim: int, index: np.ndarray) -> Any:
        self.save(dim=dim, index=index, src_sym_sizes=src._data.shape)
        out = a._data.copy()
        if not index.size:  # an empty index writes nothing (whatever the shapes)
            return out
        part = src._data[tuple(slice(0, n) for n in index.shape)]
        # add.at, not assignment: an index repeated along ``dim`` collects every contribution.
        np.add.at(out, _grid(index, dim), part.astype(out.dtype, copy=False))
        return out

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, ns = self.needs_input_grad
        gs = None
        if ns:
            picked = apply(GatherBackward0, g, dim=self.saved("dim"), index=self.saved("index"))
            gs = _fit(picked, self.saved("src_sym_sizes"))
        return (g if na else None), gs


class ScatterBackward0(Op):
    """``self.scatter(dim, index, src)``; also the gradient of sort and topk (``self`` zeros)."""

    op_name = "scatter"
    input_names = ("self", "src")
    formulas = {"self": "grad.scatter(dim, index, 0)", "src": "grad.gather(dim, index)"}

    def forward(self, a: Tensor, src: Tensor, dim: int, index: np.ndarray) -> Any:
        self.save(dim=dim, index=index, src_sym_sizes=src._data.shape)
        out = a._data.copy()
        if not index.size:  # an empty index writes nothing (whatever the shapes)
            return out
        part = src._data[tuple(slice(0, n) for n in index.shape)]
        out[_grid(index, dim)] = part
        return out

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, ns = self.needs_input_grad
        dim, index = self.saved("dim"), self.saved("index")
        ga = gs = None
        if na:
            ga = apply(ScatterBackward1, g, dim=dim, index=index, value=0)
        if ns:
            gs = _fit(apply(GatherBackward0, g, dim=dim, index=index), self.saved("src_sym_sizes"))
        return ga, gs


class ScatterBackward1(Op):
    """``self.scatter(dim, index, value)`` with a number."""

    op_name = "scatter"
    formulas = {"self": "grad.scatter(dim, index, 0)"}

    def forward(self, a: Tensor, dim: int, index: np.ndarray, value: Any) -> Any:
        self.save(dim=dim, index=index)
        out = a._data.copy()
        out[_grid(index, dim)] = value
        return out

    def backward(self, g: Tensor) -> Tensor:
        return apply(ScatterBackward1, g, dim=self.saved("dim"), index=self.saved("index"), value=0)


class SortBackward0(Op):
    op_name = "sort"
    formulas = {"self": "zeros(self.shape).scatter(dim, indices, grad)"}

    def forward(self, a: Tensor, dim: int, descending: bool) -> tuple[np.ndarray, np.ndarray]:
        x = a._data
        self.save(dim=dim, self_sym_sizes=x.shape)
        if x.ndim == 0:
            return x.copy(), np.zeros((), np.int64)
        idx = _order(x, dim, descending)
        self._idx = idx
        return np.take_along_axis(x, idx, dim), idx.astype(np.int64)

    def backward(self, g: Tensor) -> Tensor:
        shape = self.saved("self_sym_sizes")
        if not shape:
            return g
        return apply(ScatterBackward0, _zeros(shape, g), g, dim=self.saved("dim"), index=self._idx)


class TopkBackward0(Op):
    op_name = "topk"
    formulas = {"self": "zeros(self.shape).scatter(dim, indices, grad)"}

    def forward(self, a: Tensor, k: int, dim: int, largest: bool) -> tuple[np.ndarray, np.ndarray]:
        x = a._data
        size = x.shape[dim] if x.ndim else 1
        if not 0 <= k <= size:
            raise RuntimeError("selected index k out of range")
        xx = x.reshape(1) if x.ndim == 0 else x
        idx = np.take(_order(xx, dim, largest), np.arange(k), axis=dim)
        self.save(dim=dim, self_sym_sizes=x.shape)
        self._idx = idx
        values = np.take_along_axis(xx, idx, dim)
        if x.ndim == 0:
            return values.reshape(()), idx.reshape(()).astype(np.int64)
        return values, idx.astype(np.int64)

    def backward(self, g: Tensor) -> Tensor:
        shape = self.saved("self_sym_sizes")
        if not shape:
            return g
        return apply(ScatterBackward0, _zeros(shape, g), g, dim=self.saved("dim"), index=self._idx)


class CumsumBackward0(Op):
    op_name = "cumsum"
    formulas = {"self": "grad.flip(dim).cumsum(dim).flip(dim)"}

    def forward(self, a: Tensor, dim: int, dtype: Any = None) -> np.ndarray:
        self.save(dim=dim)
        x = a._data
        if dtype is None and x.dtype.kind in "biu":
            dtype = np.int64
        if not x.ndim:
            return x.astype(dtype or x.dtype)
        out = np.dtype(dtype or x.dtype)
        if out == np.float32:  # PyTorch's CPU scan of floats accumulates in double
            return np.cumsum(x, axis=dim, dtype=np.float64).astype(np.float32)
        return np.cumsum(x, axis=dim, dtype=dtype)

    def backward(self, g: Tensor) -> Tensor:
        if g._data.ndim == 0:
            return g
        dim = self.saved("dim")
        return flip(cumsum(flip(g, dim), dim), dim)


class GatherBackward0(Op):
    op_name = "gather"
    formulas = {"self": "zeros(self.shape).scatter_add(dim, index, grad)"}

    def forward(self, a: Tensor, dim: int, index: np.ndarray) -> np.ndarray:
        self.save(dim=dim, self_sym_sizes=a._data.shape)
        self._index = index
        return a._data[_grid(index, dim)]

    def backward(self, g: Tensor) -> Tensor:
        sizes = self.saved("self_sym_sizes")
        zeros = _zeros(sizes, g)
        return apply(ScatterAddBackward0, zeros, g, dim=self.saved("dim"), index=self._index)


class IndexAddBackward0(Op):
    """``self.index_add(dim, index, source, alpha=alpha)``; also the gradient of index_select."""

    op_name = "index_add"
    input_names = ("self", "source")
    formulas = {"self": "grad", "source": "grad.index_select(dim, index) * alpha"}

    def forward(
        self, a: Tensor, source: Tensor, dim: int, index: np.ndarray, alpha: Any = 1
    ) -> Any:
        self.save(dim=dim, index=index, alpha=alpha)
        out = a._data.copy()
        src = source._data if alpha == 1 else source._data * alpha
        if out.ndim == 0:
            out = out + src.reshape(()) * len(index)
            return out
        np.add.at(out, (slice(None),) * dim + (index,), src.astype(out.dtype, copy=False))
        return out

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, ns = self.needs_input_grad
        gs = None
        if ns:
            dim, index, alpha = self.saved("dim"), self.saved("index"), self.saved("alpha")
            gs = apply(IndexSelectBackward0, g, dim=dim, index=index)
            if alpha != 1:
                gs = gs * alpha
        return (g if na else None), gs


class IndexSelectBackward0(Op):
    op_name = "index_select"
    formulas = {"self": "zeros(self.shape).index_add(dim, index, grad)"}

    def forward(self, a: Tensor, dim: int, index: np.ndarray) -> np.ndarray:
        self.save(dim=dim, self_sym_sizes=a._data.shape)
        self._index = index
        return np.take(a._data, index, axis=dim)

    def backward(self, g: Tensor) -> Tensor:
        sizes = self.saved("self_sym_sizes")
        zeros = _zeros(sizes, g)
        return apply(IndexAddBackward0, zeros, g, dim=self.saved("dim"), index=self._index)


# -- functions --------------------------------------------------------------------------------------
@declare("sort", nodes=(SortBackward0, ScatterBackward0, ScatterBackward1))
def sort(
    a: Tensor, dim: int = -1, descending: bool = False, *, stable: bool | None = False
) -> SortResult:
    """``(values, indices)`` sorted along ``dim``; the sort is always stable."""
    dim = _dim(dim, a._data.ndim)
    values, indices = apply(SortBackward0, a, dim=dim, descending=descending)
    return SortResult(values, indices)


@declare("argsort")
def argsort(a: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
    x = a._data
    if x.ndim == 0:
        return Tensor._make(np.zeros((), np.int64), False, None, 0)
    idx = _order(x, _dim(dim, x.ndim), descending)
    return Tensor._make(idx.astype(np.int64), False, None, 0)


@declare("topk", nodes=(TopkBackward0, ScatterBackward0))
def topk(
    a: Tensor,
    k: int,
    dim: int = -1,
    largest: bool = True,
    sorted: bool = True,  # noqa: A002
) -> TopkResult:
    """The ``k`` largest (or smallest) values along ``dim`` and where they were."""
    dim = _dim(dim, a._data.ndim)
    if a._data.dtype.kind == "b":
        raise RuntimeError("topk does not support bool dtypes on CPU")
    values, indices = apply(TopkBackward0, a, k=int(k), dim=dim, largest=largest)
    return TopkResult(values, indices)


def cumsum_(a: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """``x.cumsum_(dim)``: the running sums written into ``x`` (in its own dtype)."""
    x, want = a._data, dtypes.to_np(dtype)
    if x.dtype == np.bool_:
        raise NotImplementedError("\"cumsum_out_cpu\" not implemented for 'Bool'")
    if want is not None and want != x.dtype:
        raise RuntimeError(
            f"Bad in-place call: input tensor dtype {_CPP_NAMES[x.dtype.name]} and output tensor "
            f"dtype {_CPP_NAMES[want.name]} should match"
        )
    attrs = {"dim": _dim(dim, x.ndim), "dtype": x.dtype}
    return inplace(a, CumsumBackward0, (), attrs, "cumsum_")


@declare("cumsum", nodes=CumsumBackward0, inplace=cumsum_)
def cumsum(a: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return apply(CumsumBackward0, a, dim=_dim(dim, a._data.ndim), dtype=dtypes.to_np(dtype))


@declare("gather", nodes=(GatherBackward0, ScatterAddBackward0))
def gather(a: Tensor, dim: int, index: Tensor) -> Tensor:
    """``out[i][j] = a[i][index[i][j]]`` along ``dim`` (shown for dim=1)."""
    x, idx = a._data, index._data
    dim = _dim(dim, x.ndim)
    if idx.dtype.kind not in "iu" and idx.size:  # an empty index is never read
        raise RuntimeError("gather(): Expected dtype int32/int64 for index")
    if idx.ndim != x.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for d, (i, s) in enumerate(zip(idx.shape, x.shape, strict=True)):
        if d != dim and i > s:
            raise RuntimeError(
                f"Size does not match at dimension {d} expected index {list(idx.shape)} to be no "
                f"larger than self {list(x.shape)} apart from dimension {dim}"
            )
    size = x.shape[dim]
    bad = idx[(idx < 0) | (idx >= size)]  # no negative indices, as in PyTorch
    if bad.size:
        raise RuntimeError(
            f"index {int(bad.flat[0])} is out of bounds for dimension {dim} with size {size}"
        )
    return apply(GatherBackward0, a, dim=dim, index=idx.astype(np.int64) % max(size, 1))


@declare("index_select", nodes=(IndexSelectBackward0, IndexAddBackward0))
def index_select(a: Tensor, dim: int, index: Tensor) -> Tensor:
    x, idx = a._data, index._data
    dim = _dim(dim, x.ndim)
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if idx.dtype.kind not in "iu":
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    size = x.shape[dim] if x.ndim else 1
    idx = idx.reshape(-1).astype(np.int64)
    bad = (idx < -size) | (idx >= size)
    if bad.any():
        if dim == 1 and x.ndim > 1:  # PyTorch's kernel for dim 1 words it its own way
            raise RuntimeError(
                f"INDICES element is out of DATA bounds, id={int(idx[bad][0])} axis_dim={size}"
            )
        raise IndexError("index out of range in self")
    if x.ndim == 0:
        a = a.reshape(1)
    out = apply(IndexSelectBackward0, a, dim=dim, index=idx % max(size, 1))
    return out.reshape(()) if x.ndim == 0 else out
