"""``renorm`` (each slice along ``dim`` scaled down to a p-norm of at most ``maxnorm``) and
``mvlgamma`` (the multivariate log-gamma), with PyTorch's kernels' order of operations.

``renorm`` computes each slice's norm in the input's dtype, the factor
``maxnorm / (norm + 1e-7)`` where the norm exceeds ``maxnorm`` (1 elsewhere), then one multiply.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from visgrad.ops.base import Op, apply
from visgrad.ops.elementwise import where
from visgrad.ops.inplace import inplace
from visgrad.ops.linalg_common import type_name
from visgrad.ops.pointwise import sign
from visgrad.ops.reduce import vector_norm
from visgrad.ops.registry import declare
from visgrad.ops.special_math import _lgamma, digamma
from visgrad.tensor import Tensor, _dim


def _norms(x: np.ndarray, p: float, dims: tuple[int, ...]) -> np.ndarray:
    ax = np.abs(x)
    kw: dict[str, Any] = {"axis": dims, "keepdims": True}
    with np.errstate(all="ignore"):
        if p == float("inf"):
            return np.asarray(ax.max(**kw), x.dtype)
        if p == 1:
            return np.asarray(ax.sum(**kw), x.dtype)
        if p == 2:
            return np.asarray(np.sqrt((ax * ax).sum(**kw)), x.dtype)
        return np.asarray((ax**p).sum(**kw) ** (1.0 / p), x.dtype)


class RenormBackward0(Op):
    op_name = "renorm"
    formulas = {"self": "renorm_backward(grad, self, p, dim, maxnorm)"}

    def forward(self, a: Tensor, p: float, dim: int, maxnorm: float) -> np.ndarray:
        x = a._data
        dims = tuple(d for d in range(x.ndim) if d != dim)
        self.save(self=a, p=p, dim=dim, maxnorm=maxnorm)
        norm = _norms(x, p, dims)
        m = x.dtype.type(maxnorm)
        with np.errstate(divide="ignore"):
            factor = np.where(norm > m, m / (norm + x.dtype.type(1e-7)), x.dtype.type(1))
        return x * factor.astype(x.dtype, copy=False)

    def backward(self, g: Tensor) -> Tensor:
        x, p = self.saved("self"), self.saved("p")
        dim, maxnorm = self.saved("dim"), self.saved("maxnorm")
        dims = tuple(d for d in range(x._data.ndim) if d != dim)
        norm = vector_norm(x, p, dims, True)
        go = (x * g).sum(dims, keepdim=True)
        if p == 1:
            nb = go * sign(x)
        elif p == float("inf"):
            hit = (np.abs(x._data) == norm._data).astype(x._data.dtype)
            share = Tensor._make(hit / hit.sum(axis=dims, keepdims=True), False, None, 0)
            nb = go * sign(x) * share
        elif p == 2:
            nb = go * x / norm
        else:
            nb = go * sign(x) * x.abs() ** (p - 1) / norm ** (p - 1)
        invnorm = (norm + 1e-7).reciprocal()
        return where(norm > maxnorm, invnorm * maxnorm * (g - invnorm * nb), g)


def _renorm_args(a: Tensor, p: float, dim: int, maxnorm: float) -> dict[str, Any]:
    x = a._data
    if not p > 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if not maxnorm >= 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {_num(maxnorm)}")
    if x.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {x.ndim} dimensions")
    d = _dim(dim, x.ndim)
    if x.dtype.kind != "f":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. "
            f"Got {type_name(x.dtype)}"
        )
    return {"p": float(p), "dim": d, "maxnorm": float(maxnorm)}


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def renorm_(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:  # noqa: A002
    attrs = _renorm_args(input, p, dim, maxnorm)
    return inplace(input, RenormBackward0, (), attrs, "renorm_")


@declare("renorm", nodes=RenormBackward0, inplace=renorm_)
def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:  # noqa: A002
    """Each slice along ``dim`` scaled so that its ``p``-norm is at most ``maxnorm``."""
    return apply(RenormBackward0, input, **_renorm_args(input, p, dim, maxnorm))


def _mv_args(p: int, dt: np.dtype) -> np.ndarray:
    """PyTorch's ``arange(-p/2 + 1/2, 1/2, 1/2)``: the shifts ``-(p-1)/2, ..., -1/2, 0``."""
    return np.arange(-p * 0.5 + 0.5, 0.5, 0.5).astype(dt)


class MvlgammaBackward0(Op):
    op_name = "mvlgamma"
    formulas = {"self": "grad * mvdigamma(self, p)"}

    def forward(self, a: Tensor, p: int) -> np.ndarray:
        x = a._data if a._data.dtype.kind == "f" else a._data.astype(np.float32)
        self.save(self=a, p=p)
        shifted = x[..., None] + _mv_args(p, x.dtype)
        with np.errstate(all="ignore"):
            terms = _lgamma(shifted.astype(np.float64)).astype(x.dtype)
        const = x.dtype.type(p * (p - 1) / 4 * math.log(math.pi))
        return np.asarray(terms.sum(-1) + const, x.dtype)

    def backward(self, g: Tensor) -> Tensor:
        x, p = self.saved("self"), self.saved("p")
        total = None
        for shift in _mv_args(p, np.dtype(np.float64)):
            term = digamma(x + float(shift))
            total = term if total is None else total + term
        return g * total


def _check_p(p: int) -> None:
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")


def mvlgamma_(input: Tensor, p: int) -> Tensor:  # noqa: A002
    _check_p(p)
    return inplace(input, MvlgammaBackward0, (), {"p": p}, "mvlgamma_")


@declare("mvlgamma", nodes=MvlgammaBackward0, inplace=mvlgamma_)
def mvlgamma(input: Tensor, p: int) -> Tensor:  # noqa: A002
    """The multivariate log-gamma of dimension ``p``."""
    _check_p(p)
    return apply(MvlgammaBackward0, input, p=p)
