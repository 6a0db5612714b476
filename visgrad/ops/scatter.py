"""Writes by index: ``scatter``, ``scatter_add``, ``index_add``, ``index_copy``, ``index_fill``,
each with its in-place form (``scatter_``, ...); the masked writes are in ``masked``.

The nodes of scatter, scatter_add and index_add live in ``scan`` (they are also the gradients of
gather, sort and index_select); the others are here, each with its gradient beside it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.arg_parser import invalid_combination, is_number
from visgrad.ops.base import Op, apply, wrap
from visgrad.ops.index_checks import in_bounds, source_checked, vector_index
from visgrad.ops.inplace import inplace
from visgrad.ops.registry import declare
from visgrad.ops.scan import (
    IndexAddBackward0,
    IndexSelectBackward0,
    ScatterAddBackward0,
    ScatterBackward0,
    ScatterBackward1,
)
from visgrad.tensor import Tensor, _dim

__all__ = [
    "index_add",
    "index_copy",
    "index_fill",
    "scatter",
    "scatter_add",
]


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


# -- checks -----------------------------------------------------------------------------------------
def _scatter_index(name: str, a: Tensor, dim: int, index: Any, src: Tensor | None) -> np.ndarray:
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if not idx.size:  # PyTorch checks an empty index for nothing: nothing is written
        return idx.astype(np.int64)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{_checker(name)}(): Expected dtype int32/int64 for index")
    x = a._data
    if idx.ndim != x.ndim and not (idx.ndim <= 1 and x.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if (
        src is not None
        and src._data.ndim != idx.ndim
        and not (idx.ndim <= 1 and src._data.ndim <= 1)
    ):
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    s = src._data if src is not None else None
    wrong = any(
        (d != dim and x.ndim and idx.shape[d] > x.shape[d])
        or (s is not None and s.ndim and idx.shape[d] > s.shape[d])
        for d in range(idx.ndim)
    )
    if wrong:  # one message for both, naming src where there is one
        tail = f" and to be no larger size than src {list(s.shape)}" if s is not None else ""
        raise RuntimeError(
            f"Expected index {list(idx.shape)} to be no larger than self {list(x.shape)} apart "
            f"from dimension {dim}{tail}"
        )
    size = x.shape[dim] if x.ndim else 1
    if idx.size and (idx.min() < -size or idx.max() >= size):
        bad = int(idx[(idx < -size) | (idx >= size)].reshape(-1)[0])
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
    return (idx % max(size, 1)).reshape(idx.shape if x.ndim else idx.shape)


def _same_dtype(name: str, a: Tensor, other: Tensor, what: str = "src") -> None:
    if a._data.dtype != other._data.dtype:
        raise RuntimeError(f"{_checker(name)}(): Expected self.dtype to be equal to {what}.dtype")


def _checker(name: str) -> str:
    """The name ATen's shared checks say: every scatter variant's is ``scatter``."""
    return "scatter" if name.startswith("scatter") else name


# -- scatter ----------------------------------------------------------------------------------------
def _scatter_args(a: Tensor, dim: int, index: Any, src: Any, value: Any, name: str) -> Any:
    d = _dim(dim, max(a._data.ndim, 1)) if a._data.ndim else _dim(dim, 1)
    if src is None and value is None:
        raise TypeError(f"{name}() missing 1 required positional argument: 'src' or 'value'")
    # PyTorch's signatures take a tensor ``src`` or a number ``value``, one of them.
    if (src is not None and value is not None) or not (
        src is None or isinstance(src, Tensor) or is_number(src)
    ):
        given = {"value": value} if value is not None else {}
        raise invalid_combination(name, (a, dim, index, src), given)
    if value is None and not isinstance(src, Tensor):
        src, value = None, src
    if src is not None:
        _same_dtype(name, a, src)
        return d, _scatter_index(name, a, d, index, src), src, None
    return d, _scatter_index(name, a, d, index, None), None, value


def scatter_(
    input: Tensor,  # noqa: A002
    dim: int,
    index: Tensor,
    src: Any = None,
    value: Any = None,
    *,
    reduce: str | None = None,
) -> Tensor:
    """``scatter`` written into ``input``."""
    if reduce is not None:
        return _scatter_reduce_legacy(input, dim, index, src, value, reduce)
    d, idx, src, value = _scatter_args(input, dim, index, src, value, "scatter_")
    if src is not None:
        return inplace(input, ScatterBackward0, (src,), {"dim": d, "index": idx}, "scatter_")
    return inplace(
        input, ScatterBackward1, (), {"dim": d, "index": idx, "value": value}, "scatter_"
    )


@declare("scatter", nodes=(ScatterBackward0, ScatterBackward1), inplace=scatter_)
def scatter(
    input: Tensor,  # noqa: A002
    dim: int,
    index: Tensor,
    src: Any = None,
    value: Any = None,
    *,
    reduce: str | None = None,
) -> Tensor:
    """``input`` with ``src[i][j]`` (or ``value``) written at ``[index[i][j]][j]`` along ``dim``."""
    if reduce is not None:
        return _scatter_reduce_legacy(input.clone(), dim, index, src, value, reduce)
    d, idx, src, value = _scatter_args(input, dim, index, src, value, "scatter")
    if src is not None:
        return apply(ScatterBackward0, input, src, dim=d, index=idx)
    return apply(ScatterBackward1, input, dim=d, index=idx, value=value)


def _scatter_reduce_legacy(
    t: Tensor, dim: int, index: Tensor, src: Any, value: Any, reduce: str
) -> Tensor:
    """``scatter(..., reduce='add' | 'multiply')``: PyTorch gives this no gradient."""
    if reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    d, idx, src, value = _scatter_args(t, dim, index, src, value, "scatter_")
    vals = src._data[tuple(slice(0, n) for n in idx.shape)] if src is not None else value
    grid = list(np.indices(idx.shape, sparse=True))
    grid[d] = idx
    ufunc = np.add if reduce == "add" else np.multiply
    ufunc.at(
        t._data, tuple(grid), np.broadcast_to(np.asarray(vals, dtype=t._data.dtype), idx.shape)
    )
    t._version.value += 1
    return t


def _scatter_add_args(a: Tensor, dim: int, index: Any, src: Tensor, name: str) -> Any:
    d = _dim(dim, max(a._data.ndim, 1)) if a._data.ndim else _dim(dim, 1)
    src = wrap(src, a)
    _same_dtype(name, a, src)
    return d, _scatter_index(name, a, d, index, src), src


def scatter_add_(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:  # noqa: A002
    """``scatter_add`` written into ``input``."""
    d, idx, src = _scatter_add_args(input, dim, index, src, "scatter_add_")
    return inplace(input, ScatterAddBackward0, (src,), {"dim": d, "index": idx}, "scatter_add_")


@declare("scatter_add", nodes=ScatterAddBackward0, inplace=scatter_add_)
def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:  # noqa: A002
    """``input`` with ``src[i][j]`` added at ``[index[i][j]][j]`` (repeated indices add up)."""
    d, idx, src = _scatter_add_args(input, dim, index, src, "scatter_add")
    return apply(ScatterAddBackward0, input, src, dim=d, index=idx)


# -- index_add / index_copy / index_fill ------------------------------------------------------------
def _index_args(name: str, a: Tensor, dim: int, index: Any, source: Tensor) -> Any:
    d = _dim(dim, max(a._data.ndim, 1)) if a._data.ndim else _dim(dim, 1)
    late = name in ("index_add", "index_copy")  # their kernels check index values last
    idx = vector_index(name, a, d, index, bounds=not late)
    source = wrap(source, a)
    source_checked(name, a, d, idx, source)
    return d, in_bounds(name, a, d, idx) if late else idx, source


def index_add_(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """``index_add`` written into ``input``."""
    d, idx, source = _index_args("index_add", input, dim, index, source)
    attrs = {"dim": d, "index": idx, "alpha": alpha}
    return inplace(input, IndexAddBackward0, (source,), attrs, "index_add_")


@declare("index_add", nodes=IndexAddBackward0, inplace=index_add_)
def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """``input`` with ``alpha * source`` rows added at ``index`` along ``dim``."""
    d, idx, source = _index_args("index_add", input, dim, index, source)
    return apply(IndexAddBackward0, input, source, dim=d, index=idx, alpha=alpha)


class IndexCopyBackward0(Op):
    op_name = "index_copy"
    input_names = ("self", "source")
    formulas = {
        "self": "index_fill(grad, dim, index, 0)",
        "source": "grad.index_select(dim, index)",
    }

    def forward(self, a: Tensor, source: Tensor, dim: int, index: np.ndarray) -> np.ndarray:
        self.save(dim=dim, index=index)
        out = a._data.copy()
        if out.ndim == 0:
            return source._data.reshape(()).astype(out.dtype)
        key = (slice(None),) * dim + (index,)
        out[key] = source._data
        return out

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, ns = self.needs_input_grad
        dim, index = self.saved("dim"), self.saved("index")
        ga = apply(IndexFillBackward0, g, dim=dim, index=index, value=0) if na else None
        gs = apply(IndexSelectBackward0, g, dim=dim, index=index) if ns else None
        return ga, gs


def index_copy_(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:  # noqa: A002
    """``index_copy`` written into ``input``."""
    d, idx, source = _index_args("index_copy", input, dim, index, source)
    return inplace(input, IndexCopyBackward0, (source,), {"dim": d, "index": idx}, "index_copy_")


@declare("index_copy", nodes=IndexCopyBackward0, inplace=index_copy_)
def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:  # noqa: A002
    """``input`` with the rows of ``source`` written at ``index`` along ``dim``."""
    d, idx, source = _index_args("index_copy", input, dim, index, source)
    return apply(IndexCopyBackward0, input, source, dim=d, index=idx)


class IndexFillBackward0(Op):
    """``index_fill`` with a number: the filled rows get no gradient."""

    op_name = "index_fill"
    formulas = {"self": "index_fill(grad, dim, index, 0)"}

    def forward(self, a: Tensor, dim: int, index: np.ndarray, value: Any) -> np.ndarray:
        self.save(dim=dim, index=index)
        out = a._data.copy()
        if out.ndim == 0:
            return np.asarray(value, dtype=out.dtype) if len(index) else out
        out[(slice(None),) * dim + (index,)] = value
        return out

    def backward(self, g: Tensor) -> Tensor:
        return apply(
            IndexFillBackward0, g, dim=self.saved("dim"), index=self.saved("index"), value=0
        )


class IndexFillBackward1(Op):
    """``index_fill`` with a 0-d tensor value: its gradient is the filled rows' sum."""

    op_name = "index_fill"
    input_names = ("self", "value")
    formulas = {
        "self": "index_fill(grad, dim, index, 0)",
        "value": "grad.index_select(dim, index).sum()",
    }

    def forward(self, a: Tensor, v: Tensor, dim: int, index: np.ndarray) -> np.ndarray:
        self.save(dim=dim, index=index)
        out = a._data.copy()
        if out.ndim == 0:
            return v._data.astype(out.dtype) if len(index) else out
        out[(slice(None),) * dim + (index,)] = v._data
        return out

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, nv = self.needs_input_grad
        dim, index = self.saved("dim"), self.saved("index")
        ga = apply(IndexFillBackward0, g, dim=dim, index=index, value=0) if na else None
        gv = apply(IndexSelectBackward0, g, dim=dim, index=index).sum() if nv else None
        return ga, gv


def _fill_args(name: str, a: Tensor, dim: int, index: Any, value: Any) -> Any:
    d = _dim(dim, max(a._data.ndim, 1)) if a._data.ndim else _dim(dim, 1)
    idx = vector_index(name, a, d, index)
    if isinstance(value, Tensor) and value._data.ndim != 0:
        raise RuntimeError(
            "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value._data.ndim} dimension(s)."
        )
    return d, idx


def index_fill_(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:  # noqa: A002
    """``index_fill`` written into ``input``."""
    d, idx = _fill_args("index_fill", input, dim, index, value)
    if isinstance(value, Tensor):
        return inplace(input, IndexFillBackward1, (value,), {"dim": d, "index": idx}, "index_fill_")
    attrs = {"dim": d, "index": idx, "value": value}
    return inplace(input, IndexFillBackward0, (), attrs, "index_fill_")


@declare(
    "index_fill",
    nodes=(IndexFillBackward0, IndexFillBackward1),
    inplace=index_fill_,
)
def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:  # noqa: A002
    """``input`` with the rows at ``index`` along ``dim`` set to ``value``."""
    d, idx = _fill_args("index_fill", input, dim, index, value)
    if isinstance(value, Tensor):
        return apply(IndexFillBackward1, input, value, dim=d, index=idx)
    return apply(IndexFillBackward0, input, dim=d, index=idx, value=value)
