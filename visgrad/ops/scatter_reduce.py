"""``scatter_reduce`` / ``scatter_reduce_``: reduce ``src`` into ``self`` at ``index`` along
``dim`` with ``sum``, ``prod``, ``mean``, ``amax`` or ``amin`` (``include_self``: whether the
values already there take part), and PyTorch's gradient of each reduction."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.ops.base import Op, apply
from visgrad.ops.inplace import inplace
from visgrad.ops.registry import declare
from visgrad.ops.scan import _fit, _grid
from visgrad.ops.scatter import _same_dtype, _scatter_index
from visgrad.tensor import Tensor, _dim

_REDUCE = ("sum", "prod", "mean", "amax", "amin")
_UFUNC = {
    "sum": np.add,
    "mean": np.add,
    "prod": np.multiply,
    "amax": np.maximum,
    "amin": np.minimum,
    "max": np.maximum,  # undocumented spellings PyTorch's forward takes, and its backward refuses
    "min": np.minimum,
}


def _identity(reduce: str, dtype: np.dtype) -> Any:
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f":
        return -np.inf if reduce in ("amax", "max") else np.inf
    if dtype.kind == "b":
        return reduce == "amin"
    info = np.iinfo(dtype)
    return info.min if reduce in ("amax", "max") else info.max


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


class ScatterReduceBackward0(Op):
    op_name = "scatter_reduce"
    input_names = ("self", "src")
    saves_output = "result"
    formulas = {
        "self": "scatter_reduce_backward(grad, self, dim, index, src, reduce, include_self, "
        "result)[0]",
        "src": "scatter_reduce_backward(grad, self, dim, index, src, reduce, include_self, "
        "result)[1]",
    }

    def forward(
        self,
        a: Tensor,
        src: Tensor,
        dim: int,
        index: np.ndarray,
        reduce: str,
        include_self: bool,
    ) -> np.ndarray:
        self.save(
            dim=dim,
            include_self=include_self,
            index=_const(index),
            reduce=reduce,
            self=a,
            src=src,
        )
        out = a._data.copy()
        if not index.size:
            return out
        x = out if out.ndim else out.reshape(1)
        idx = index if index.ndim else index.reshape(1)
        part = src._data[tuple(slice(0, n) for n in idx.shape)] if src._data.ndim else src._data
        part = np.broadcast_to(part, idx.shape).astype(x.dtype, copy=False)
        grid = _grid(idx, dim)
        if not include_self:
            x[grid] = _identity(reduce, x.dtype)
        _UFUNC[reduce].at(x, grid, part)
        if reduce == "mean":
            count = np.full(x.shape, 1 if include_self else 0, dtype=x.dtype)
            np.add.at(count, grid, 1)
            count[count == 0] = 1
            if x.dtype.kind == "f":
                x /= count
            else:
                np.floor_divide(x, count, out=x)
        return out

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, ns = self.needs_input_grad
        index, src = self.saved("index"), self.saved("src")
        _check_reduce(self.saved("reduce"))
        if ns and index.shape != src.shape:
            # PyTorch's src gradient has the index's shape, which its engine then refuses.
            raise RuntimeError(
                f"Function ScatterReduceBackward0 returned an invalid gradient at index 1 - got "
                f"{list(index.shape)} but expected shape compatible with {list(src.shape)}"
            )
        ga, gs = scatter_reduce_backward(
            g,
            self.saved("self"),
            self.saved("dim"),
            self.saved("index"),
            self.saved("src"),
            self.saved("reduce"),
            self.saved("include_self"),
            self.saved("result"),
        )
        return (ga if na else None), (gs if ns else None)


def scatter_reduce_backward(
    g: Tensor,
    a: Tensor,
    dim: int,
    index: Tensor,
    src: Tensor,
    reduce: str,
    include_self: bool,
    result: Tensor,
) -> tuple[Tensor, Tensor]:
    """PyTorch's gradients of ``self`` and ``src``, written with ops (``create_graph`` works)."""
    _check_reduce(reduce)
    part = src
    if src.shape != index.shape and src._data.ndim:
        part = src[tuple(slice(0, n) for n in index.shape)]
    if reduce == "sum":
        ga, gs = g, g.gather(dim, index)
    elif reduce == "mean":
        n = (g.new_ones(g.shape) if include_self else g.new_zeros(g.shape)).scatter_add(
            dim, index, part.new_ones(part.shape).detach()
        )
        n = n.masked_fill(n == 0, 1)
        ga, gs = g / n, g.gather(dim, index) / n.gather(dim, index)
    elif reduce == "prod":
        ga, gs = _prod_backward(g, a, dim, index, part, include_self, result)
    else:
        value = result.gather(dim, index)
        self_is = (a == result).to(a.dtype)
        src_is = (part == value).to(a.dtype)
        spread = g / self_is.scatter_add(dim, index, src_is)
        ga = (a == result) * spread
        gs = (part == value) * spread.gather(dim, index)
    if not include_self:
        ga = ga.scatter(dim, index, 0)
    return ga, _fit(gs, src.shape)


def _check_reduce(reduce: str) -> None:
    if reduce not in _REDUCE:
        raise RuntimeError(
            "Expected 'reduce' to be one of 'sum', 'prod', 'mean', 'amax', 'amin' but got "
            f"{reduce}."
        )


def _prod_backward(
    g: Tensor, a: Tensor, dim: int, index: Tensor, part: Tensor, include_self: bool, result: Tensor
) -> tuple[Tensor, Tensor]:
    """The product's gradients without dividing by a zero factor (PyTorch's exclusive products)."""
    masked_self = a.masked_fill(a == 0, 1)
    masked_result = masked_self.scatter_reduce(dim, index, part, "prod", include_self=include_self)
    ga = g * masked_result / masked_self
    src_zero = part == 0
    zeros = a.new_zeros(a.shape).detach().scatter_add(dim, index, src_zero.to(a.dtype))
    single_zero = src_zero & (zeros.gather(dim, index) == 1)
    masked_src = part.masked_fill(single_zero, 1)
    masked_src_result = a.scatter_reduce(dim, index, masked_src, "prod", include_self=include_self)
    gs = (
        (g * masked_src_result)
        .gather(dim, index)
        .where(single_zero, (g * result).gather(dim, index) / part.masked_fill(src_zero, 1))
    )
    return ga, gs


def _args(name: str, a: Tensor, dim: int, index: Any, src: Any, reduce: Any) -> Any:
    if reduce not in _UFUNC:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    d = _dim(dim, max(a._data.ndim, 1))
    _same_dtype(name, a, src)
    return d, _scatter_index(name, a, d, index, src)


def scatter_reduce_(
    input: Tensor,  # noqa: A002 - PyTorch's names
    dim: int,
    index: Tensor,
    src: Tensor,
    reduce: str,
    *,
    include_self: bool = True,
) -> Tensor:
    """``scatter_reduce`` written into ``input``."""
    d, idx = _args("scatter_reduce_", input, dim, index, src, reduce)
    attrs = {"dim": d, "index": idx, "reduce": reduce, "include_self": bool(include_self)}
    return inplace(input, ScatterReduceBackward0, (src,), attrs, "scatter_reduce_")


@declare("scatter_reduce", nodes=ScatterReduceBackward0, inplace=scatter_reduce_)
def scatter_reduce(
    input: Tensor,  # noqa: A002 - PyTorch's names
    dim: int,
    index: Tensor,
    src: Tensor,
    reduce: str,
    *,
    include_self: bool = True,
) -> Tensor:
    """``input`` with each ``src[i][j]`` reduced into ``[index[i][j]][j]`` (shown for dim=1)."""
    d, idx = _args("scatter_reduce", input, dim, index, src, reduce)
    return apply(
        ScatterReduceBackward0,
        input,
        src,
        dim=d,
        index=idx,
        reduce=reduce,
        include_self=bool(include_self),
    )
