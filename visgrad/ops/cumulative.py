"""Running reductions along a dim: ``cummax`` / ``cummin`` (values and the index each came
from) and ``logcumsumexp``."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.ops.base import Op, apply
from visgrad.ops.elementwise import zeros_like
from visgrad.ops.gate_tables import _C_NAMES
from visgrad.ops.pointwise import exp, log
from visgrad.ops.registry import declare
from visgrad.ops.results import result_type
from visgrad.ops.scatter import scatter_add
from visgrad.tensor import Tensor, _dim

CummaxResult = result_type("cummax")
CumminResult = result_type("cummin")


def _running(x: np.ndarray, dim: int, ufunc: Any) -> tuple[np.ndarray, np.ndarray]:
    """Running extreme along ``dim`` and, for each position, the last index holding it (a NaN
    sticks, at the index of the latest NaN), as PyTorch's kernel gives them."""
    if x.ndim == 0:
        return x.copy(), np.zeros((), np.int64)
    values = ufunc.accumulate(x, axis=dim)
    hit = x == values
    if x.dtype.kind == "f":
        hit |= np.isnan(x)
    shape = [1] * x.ndim
    shape[dim] = x.shape[dim]
    pos = np.broadcast_to(np.arange(x.shape[dim]).reshape(shape), x.shape)
    return values, np.maximum.accumulate(np.where(hit, pos, 0), axis=dim).astype(np.int64)


class CummaxBackward0(Op):
    op_name = "cummax"
    formulas = {"self": "zeros(self.shape).scatter_add(dim, indices, grad)"}
    _ufunc: Any = np.maximum

    def forward(self, a: Tensor, dim: int) -> tuple[np.ndarray, np.ndarray]:
        values, indices = _running(a._data, dim, self._ufunc)
        self.save(self=a, dim=dim, indices=Tensor._make(indices, False, None, 0))
        return values, indices

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        if x._data.ndim == 0:
            return g
        return scatter_add(zeros_like(g), self.saved("dim"), self.saved("indices"), g)


class CumminBackward0(CummaxBackward0):
    op_name = "cummin"
    _ufunc = np.minimum


@declare("cummax", nodes=CummaxBackward0)
def cummax(input: Tensor, dim: int) -> Any:  # noqa: A002 - PyTorch's name
    """The running maximum along ``dim`` and the index of each."""
    return CummaxResult(*apply(CummaxBackward0, input, dim=_scan_dim(input, dim, "cummax")))


@declare("cummin", nodes=CumminBackward0)
def cummin(input: Tensor, dim: int) -> Any:  # noqa: A002 - PyTorch's name
    """The running minimum along ``dim`` and the index of each."""
    return CumminResult(*apply(CumminBackward0, input, dim=_scan_dim(input, dim, "cummin")))


def _scan_dim(input: Tensor, dim: int, op: str) -> int:  # noqa: A002
    """The dim of cummax/cummin; PyTorch checks none on an empty tensor (nothing to scan)."""
    x = input._data
    if x.size == 0:
        return 0
    if x.ndim == 0 and dim not in (-1, 0):
        raise IndexError(f"{op}(): Expected reduction dim -1 or 0 for scalar but got {dim}")
    return _dim(dim, x.ndim)


class LogcumsumexpBackward0(Op):
    op_name = "logcumsumexp"
    saves_output = "result"
    formulas = {
        "self": "exp(self) * (grad * exp(-result)).flip(dim).cumsum(dim).flip(dim)",
    }

    def forward(self, a: Tensor, dim: int) -> np.ndarray:
        x = a._data
        if x.dtype.kind != "f":
            name = _C_NAMES[x.dtype.name]
            raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{name}'")
        self.save(self=a, dim=dim)
        if x.ndim == 0 or x.size == 0:
            return x.copy()
        with np.errstate(invalid="ignore"):
            return np.logaddexp.accumulate(x, axis=dim)

    def backward(self, g: Tensor) -> Tensor:
        # sum over j >= i of g_j * exp(x_i - r_j), in log space for each sign of g (so no
        # exp overflows): exp(x_i + reverse-logcumsumexp(log|g_j| - r_j)).
        x, r, d = self.saved("self"), self.saved("result"), self.saved("dim")
        if x._data.ndim == 0:
            return g
        out = None
        for part in (g.clamp(min=0), (-g).clamp(min=0)):
            acc = logcumsumexp((log(part) - r).flip(d), d).flip(d)
            term = exp(x + acc)
            out = term if out is None else out - term
        return out


@declare("logcumsumexp", nodes=LogcumsumexpBackward0)
def logcumsumexp(input: Tensor, dim: int) -> Tensor:  # noqa: A002 - PyTorch's name
    """``log(cumsum(exp(input), dim))``, without overflow."""
    return apply(LogcumsumexpBackward0, input, dim=_dim(dim, input._data.ndim))
