"""Reductions: sum, mean, var, std, prod, norm (max / min and friends are in ``minmax``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from visgrad import events
from visgrad.arg_parser import dims_arg
from visgrad.autograd.grad_mode import MODES
from visgrad.dtypes import to_np
from visgrad.ops.base import OBSERVED, Op, apply
from visgrad.ops.elementwise import where
from visgrad.ops.gate_tables import c_name
from visgrad.ops.operand_checks import moment_args
from visgrad.ops.pointwise import sign
from visgrad.ops.registry import declare
from visgrad.ops.sum_kernel import float_sum, reduce_sum
from visgrad.ops.var_kernel import variance
from visgrad.tensor import Tensor, _dim


def norm_dims(dim: Any, ndim: int) -> tuple[int, ...]:
    """``dim`` (None, int, or a tuple; empty: every dim, as PyTorch) as sorted dims >= 0."""
    dims = () if dim is None else dims_arg(dim)
    return tuple(sorted({_dim(d, ndim) for d in dims})) if dims else tuple(range(ndim))


def kept_shape(shape: tuple[int, ...], dims: tuple[int, ...]) -> tuple[int, ...]:
    """The reduced shape with size-1 dims left in place (keepdim=True)."""
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def broadcast_view(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``np.broadcast_to(a, shape)``: the same read-only view (strides 0 along broadcast dims,
    ``a`` as its base), made without NumPy's Python-level argument handling, which costs more
    than the rest of a small reduction's backward. Anything unusual goes to NumPy itself."""
    lead = len(shape) - a.ndim
    if lead < 0 or not a.flags.c_contiguous or a.size == 0 or a.dtype.hasobject:
        return np.broadcast_to(a, shape)
    strides = [0] * lead
    for s, n, st in zip(a.shape, shape[lead:], a.strides, strict=True):
        if s == 1:  # NumPy gives every size-1 dim stride 0, broadcast or not
            strides.append(0)
        elif s == n:
            strides.append(st)
        else:
            return np.broadcast_to(a, shape)
    r = np.ndarray(shape, a.dtype, a, 0, tuple(strides))
    r.flags.writeable = False
    return r


def expand_back(g: Tensor, shape: tuple[int, ...], dims: tuple[int, ...], keepdim: bool) -> Tensor:
    """Broadcast a reduced gradient back over the reduced dims."""
    if not MODES.enabled:
        # Nothing records (no create_graph): a read-only broadcast view is all the engine needs,
        # without the view ops' bookkeeping.
        a = g._data
        if not keepdim and dims:
            a = a.reshape(kept_shape(shape, dims))
        return Tensor._make(broadcast_view(a, shape), False, None, 0)
    if not keepdim and dims:
        g = g.reshape(kept_shape(shape, dims))
    return g.expand(shape)


class SumBackward0(Op):
    op_name = "sum"
    formulas = {"self": "grad.restore_dims(dim, keepdim, self.ndim).expand(self.shape)"}

    def forward(self, a: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Any:
        x = a._data
        dims = norm_dims(dim, x.ndim)
        self.save(self_sym_sizes=x.shape)
        if dim is not None or keepdim:
            self.save(dim=dims, keepdim=keepdim)
        self._dims, self._keep = dims, keepdim
        out_dt = dtype if dtype is not None else (np.int64 if x.dtype.kind in "biu" else x.dtype)
        return float_sum(x, dims, keepdim, out_dt)

    def backward(self, g: Tensor) -> Tensor:
        return expand_back(g, self.saved("self_sym_sizes"), self._dims, self._keep)


class MeanBackward0(Op):
    op_name = "mean"
    formulas = {
        "self": "grad.restore_dims(dim, keepdim, self.ndim).expand(self.shape) * numel(result) / numel(self)"
    }

    def forward(self, a: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Any:
        x = a._data
        if x.dtype.kind != "f" and dtype is None:
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {c_name(x.dtype)}"
            )
        dims = norm_dims(dim, x.ndim)
        n = 1
        for d in dims:
            n *= x.shape[d]
        self.save(self_sym_sizes=x.shape, self_sym_numel=x.size)
        if dim is not None:
            self.save(dim=dims, keepdim=keepdim)
        self._dims, self._keep, self._n = dims, keepdim, n
        out_dt = np.dtype(dtype or x.dtype)
        total = float_sum(x, dims, keepdim, out_dt)
        with np.errstate(invalid="ignore", divide="ignore"):
            # PyTorch's mean is its sum divided by the count, in the result's dtype
            return np.asarray(total / out_dt.type(n), dtype=out_dt)

    def backward(self, g: Tensor) -> Tensor:
        return expand_back(g, self.saved("self_sym_sizes"), self._dims, self._keep) / self._n


class SumBackward1(SumBackward0):
    """``sum(dim)``: same formula, PyTorch's other node name."""


class MeanBackward1(MeanBackward0):
    """``mean(dim)``."""


def _long_name(dt: np.dtype) -> str:
    return {"i": "Long", "b": "Bool", "u": "Byte"}.get(dt.kind, dt.name)


@declare("sum", nodes=(SumBackward0, SumBackward1))
def sum(a: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A001
    if (
        dim is None
        and not keepdim
        and dtype is None
        and not OBSERVED
        and not (events.SINKS and not MODES.in_backward)
        and not (MODES.enabled and a._rg)
    ):
        x = a._data
        if x.dtype.kind == "f" and x.itemsize >= 4:
            # Nothing to record or publish: the whole-tensor sum of a float tensor, as the op's
            # forward computes it, without a node.
            return Tensor._make(reduce_sum(x, tuple(range(x.ndim)), False), False, None, 0)
    cls = SumBackward0 if dim is None and not keepdim else SumBackward1  # sum(t, None, True): 1
    return apply(cls, a, dim=dim, keepdim=keepdim, dtype=to_np(dtype))


@declare("mean", nodes=(MeanBackward0, MeanBackward1))
def mean(a: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    return apply(
        MeanBackward0 if dim is None else MeanBackward1,
        a,
        dim=dim,
        keepdim=keepdim,
        dtype=to_np(dtype),
    )


def _count(shape: tuple[int, ...], dims: tuple[int, ...]) -> int:
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def _const(x: np.ndarray) -> Tensor:
    return Tensor._make(x, False, None, 0)


class VarBackward0(Op):
    op_name = "var"
    take_sqrt = False  # the square root in double before rounding: std
    formulas = {
        "self": (
            "grad.restore_dims(dim, keepdim, self.ndim) * 2 * (self - self.mean(dim, keepdim=True)) "
            "/ (numel(self) / numel(result) - correction)"
        )
    }

    def forward(self, a: Tensor, dim: Any, correction: Any, keepdim: bool) -> np.ndarray:
        x = a._data
        dims = norm_dims(dim, x.ndim)
        self.save(
            self=a, dim=dims if dim is not None else None, correction=correction, keepdim=keepdim
        )
        self._dims, self._keep, self._dof = dims, keepdim, _count(x.shape, dims) - correction
        return variance(x, dims, correction, keepdim, self.take_sqrt)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        centred = x - x.mean(self._dims, keepdim=True)
        return (
            expand_back(g, x._data.shape, self._dims, self._keep)
            * centred
            * (
                2 / self._dof
                if self._dof
                else math.inf  # no degrees of freedom: nan, as in PyTorch
            )
        )


class StdBackward0(VarBackward0):
    op_name = "std"
    saves_output = "result"
    formulas = {
        # 0 where the std is 0, as in PyTorch (dividing by inf).
        "self": "grad.restore_dims(dim, keepdim, self.ndim) * (self - self.mean(dim, keepdim=True)) "
        "/ ((numel(self) / numel(result) - correction) "
        "* where(result == 0, inf, result).restore_dims(dim, keepdim, self.ndim))"
    }

    take_sqrt = True

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        r = expand_back(self.saved("result"), x._data.shape, self._dims, self._keep)
        centred = x - x.mean(self._dims, keepdim=True)
        g = expand_back(g, x._data.shape, self._dims, self._keep)
        # PyTorch masks the gradient to 0 where the std is 0 (every entry equal), instead of 0/0.
        zero = r == 0
        return where(zero, 0.0, g) * centred / (where(zero, 1.0, r) * self._dof)


def _var_args(op: str, a: Tensor, dim: Any, unbiased: Any, correction: Any) -> tuple[Any, Any]:
    if a._data.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if isinstance(dim, bool):  # ``a.var(False)`` is the old ``unbiased`` flag
        dim, unbiased = None, dim
    moment_args(op, dim, correction)
    if isinstance(dim, (tuple, list)) and not dim:  # no dims: all of them, as in PyTorch
        dim = None
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return dim, correction


@declare("var", nodes=VarBackward0)
def var(
    a: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    """Variance with Bessel's correction by default (``correction=1``)."""
    dim, correction = _var_args("var", a, dim, unbiased, correction)
    return apply(VarBackward0, a, dim=dim, correction=correction, keepdim=keepdim)


@declare("std", nodes=StdBackward0)
def std(
    a: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    """Standard deviation, ``sqrt(var)``."""
    dim, correction = _var_args("std", a, dim, unbiased, correction)
    return apply(StdBackward0, a, dim=dim, correction=correction, keepdim=keepdim)


def _exclusive_prod(x: np.ndarray) -> np.ndarray:
    """For each element, the product of the others along the last axis (exact with zeros)."""
    ones = np.ones_like(x[..., :1])
    before = np.cumprod(np.concatenate([ones, x[..., :-1]], -1), -1)
    rev = np.flip(x, -1)
    after = np.flip(np.cumprod(np.concatenate([ones, rev[..., :-1]], -1), -1), -1)
    return before * after


class ProdBackward0(Op):
    op_name = "prod"
    saves_output = "result"
    formulas = {"self": "grad.restore_dims(dim, keepdim, self.ndim) * prod_others(self, dim)"}

    def forward(self, a: Tensor, dim: Any = None, keepdim: bool = False) -> np.ndarray:
        x = a._data
        self.save(self=a)
        if dim is not None:
            self.save(dim=dim, keepdim=keepdim)
        self._dims = norm_dims(dim, x.ndim)
        self._keep = keepdim
        out_dt = np.int64 if x.dtype.kind in "biu" else x.dtype
        return np.prod(x, axis=self._dims, keepdims=keepdim, dtype=out_dt)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        shape = x._data.shape
        g = expand_back(g, shape, self._dims, self._keep)
        xd = x._data
        if np.all(xd != 0):
            # result / x keeps the graph differentiable for create_graph.
            return g * expand_back(self.saved("result"), shape, self._dims, self._keep) / x
        if len(self._dims) == xd.ndim:
            others = _exclusive_prod(xd.reshape(-1)).reshape(shape)
        else:
            d = self._dims[0]
            others = np.moveaxis(_exclusive_prod(np.moveaxis(xd, d, -1)), -1, d)
        return g * _const(others)


class ProdBackward1(ProdBackward0):
    """``prod(dim)``."""


@declare("prod", nodes=(ProdBackward0, ProdBackward1))
def prod(a: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Product of the elements (over one dim when ``dim`` is given)."""
    if dtype is not None:
        a = a.to(dtype)
    cls = ProdBackward0 if dim is None else ProdBackward1
    return apply(cls, a, dim=None if dim is None else _dim(dim, a._data.ndim), keepdim=keepdim)


class LinalgVectorNormBackward0(Op):
    op_name = "linalg_vector_norm"
    saves_output = "result"
    formulas = {
        "self": (
            "where(ord == inf, grad.restore_dims(dim, keepdim, self.ndim) * sign(self) * evenly(abs(self) == result.restore_dims(dim, "
            "keepdim, self.ndim), dim), grad.restore_dims(dim, keepdim, self.ndim) * self * abs(self) ** (ord - 2) "
            "/ where(result == 0, 1, result).restore_dims(dim, keepdim, self.ndim) ** (ord - 1))"
        )
    }

    def forward(
        self,
        a: Tensor,
        ord: Any,  # noqa: A002
        dim: Any,
        keepdim: bool,
        dtype: Any = None,
    ) -> np.ndarray:
        x = a._data
        if x.dtype.kind != "f":
            raise RuntimeError(
                "linalg.vector_norm: Expected a floating point or complex tensor as input. "
                f"Got {_long_name(x.dtype)}"
            )
        if dtype is not None:
            x = x.astype(dtype)  # computed in ``dtype``; the gradient comes back in a's
        dims = norm_dims(dim, x.ndim)
        self.save(self=a, ord=ord, dim=dims if dim is not None else None, keepdim=keepdim)
        self._dims, self._keep = dims, keepdim
        ax = np.abs(x)
        kw = {"axis": dims, "keepdims": keepdim}
        with np.errstate(all="ignore"):
            if ord == float("inf"):
                r = ax.max(**kw) if x.size else np.zeros(kept_shape(x.shape, dims))
            elif ord == float("-inf"):
                r = ax.min(**kw)
            elif ord == 0:
                r = (ax != 0).sum(**kw)
            elif ord == 1:
                r = ax.sum(**kw)
            elif ord == 2:
                r = np.sqrt((ax * ax).sum(**kw))
            else:
                r = (ax**ord).sum(**kw) ** (1.0 / ord)
        return np.asarray(r, dtype=x.dtype)

    def backward(self, g: Tensor) -> Tensor | None:
        x, p = self.saved("self"), self.saved("ord")
        shape = x._data.shape
        g = expand_back(g, shape, self._dims, self._keep)
        r = expand_back(self.saved("result"), shape, self._dims, self._keep)
        if p == 0:
            return None  # PyTorch's norm_backward: no gradient at all for the 0-"norm"
        if p == 1:
            return g * sign(x)
        if p in (float("inf"), float("-inf")):
            hit = (np.abs(x._data) == r._data).astype(x._data.dtype)
            count = hit.sum(axis=self._dims, keepdims=True)
            return g * sign(x) * _const(hit / count)
        safe = where(r == 0, 1.0, r)
        if p == 2:
            return g * x / safe
        return g * sign(x) * x.abs() ** (p - 1) / safe ** (p - 1)


def vector_norm(
    a: Tensor,
    ord: Any = 2,  # noqa: A002
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """The vector ``ord``-norm of ``a`` over ``dim`` (all elements without it): one
    LinalgVectorNormBackward0 node; ``torch.linalg.vector_norm`` checks its arguments first."""
    return apply(
        LinalgVectorNormBackward0, a, ord=ord, dim=dim, keepdim=keepdim, dtype=to_np(dtype)
    )
