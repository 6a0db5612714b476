"""``torch._weight_norm`` and ``torch.norm_except_dim``: a weight as a direction times a length.

``w = v · g / ‖v‖``, the norm taken over every dim but ``dim``. As in PyTorch, ``dim`` 0 or the
last dim runs the fused kernel (one ``WeightNormInterfaceBackward0`` of ``v`` and ``g``); any other
dim, and ``dim=-1`` (the norm of the whole tensor), is the composite ``v * (g / norm_except_dim(v,
2, dim))``.
"""

from __future__ import annotations

import numpy as np

from visgrad.autograd.grad_mode import MODES
from visgrad.ops.base import Op, apply
from visgrad.ops.gate_tables import c_name
from visgrad.ops.losses import NormBackward1
from visgrad.ops.reduce import LinalgVectorNormBackward0
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["norm_except_dim", "weight_norm_"]


class NormBackward0(LinalgVectorNormBackward0):
    """``at::norm(self, p)``: the norm of every element (C++ composites call it)."""

    op_name = "norm"


def _others(ndim: int, dim: int) -> tuple[int, ...]:
    return tuple(d for d in range(ndim) if d != dim)


class WeightNormInterfaceBackward0(Op):
    op_name = "_weight_norm_interface"
    input_names = ("v", "g")
    formulas = {
        "v": (
            "g / norm_except_dim(v, 2, dim) * (grad - v * sum_except_dim(grad * v, dim) "
            "/ norm_except_dim(v, 2, dim) ** 2)"
        ),
        "g": "sum_except_dim(grad * v, dim) / norm_except_dim(v, 2, dim)",
    }

    def forward(self, v: Tensor, g: Tensor, dim: int) -> np.ndarray:
        self.save(v=v, g=g, dim=dim)
        vd = v._data
        others = _others(vd.ndim, dim)
        norm = np.sqrt((vd * vd).sum(axis=others, keepdims=True))
        self._norm = norm
        return (vd * (g._data.reshape(norm.shape) / norm)).astype(vd.dtype, copy=False)

    def backward(self, gw: Tensor) -> tuple[Tensor | None, Tensor | None]:
        v, g, dim = self.saved("v"), self.saved("g"), self.saved("dim")
        others = _others(v._data.ndim, dim)
        if MODES.enabled:  # create_graph: the norm's own dependence on v is differentiated too
            norm = (v * v).sum(others, keepdim=True).sqrt()
        else:
            norm = Tensor._make(self._norm, False, None, 0)
        g = g.reshape(self._norm.shape)
        per_dim = (gw * v).sum(others, keepdim=True)
        a = g / norm
        gv = a * gw - (a * per_dim / (norm * norm)) * v if self.needs_input_grad[0] else None
        gg = None
        if self.needs_input_grad[1]:
            gg = (per_dim / norm).reshape(self.saved("g")._data.shape)
        return gv, gg


@declare("norm_except_dim", nodes=(NormBackward0, NormBackward1), method=False)
def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:  # noqa: A002
    """The ``pow``-norm of ``v`` over every dim but ``dim``, shaped to broadcast against ``v``
    (``dim=-1``: the norm of the whole tensor, a 0-d tensor)."""
    nd = v._data.ndim
    if v._data.dtype.kind != "f":
        raise RuntimeError(
            "norm(): input dtype should be either floating point or complex. "
            f"Got {c_name(v._data.dtype)} instead."
        )
    if dim == -1:
        return apply(NormBackward0, v, ord=pow, dim=None, keepdim=False)
    if dim == 0:
        shape = (v.shape[0],) + (1,) * (nd - 1)
        rows = apply(NormBackward1, v.contiguous().view(v.shape[0], -1), ord=pow, dim=1,
                     keepdim=False)  # fmt: skip
        return rows.view(shape)
    if dim == nd - 1:
        shape = (1,) * (nd - 1) + (v.shape[nd - 1],)
        cols = apply(NormBackward1, v.contiguous().view(-1, v.shape[nd - 1]), ord=pow, dim=0,
                     keepdim=False)  # fmt: skip
        return cols.view(shape)
    return norm_except_dim(v.transpose(0, dim), pow, 0).transpose(0, dim)


@declare("_weight_norm", nodes=WeightNormInterfaceBackward0, method=False)
def weight_norm_(v: Tensor, g: Tensor, dim: int = 0) -> Tensor:
    """``v * (g / ‖v‖)``, the norm over every dim but ``dim`` (``-1``: over all of ``v``)."""
    nd = v._data.ndim
    if nd > 0 and dim in (0, nd - 1):
        if v._data.dtype.kind != "f":
            raise NotImplementedError(
                f"\"weight_norm_kernel\" not implemented for '{c_name(v._data.dtype)}'"
            )
        if g._data.size != v._data.shape[dim]:
            raise RuntimeError(
                f"_weight_norm: expected g to hold {v._data.shape[dim]} elements (the size of "
                f"dim {dim} of v), but got {g._data.size}"
            )
        return apply(WeightNormInterfaceBackward0, v.contiguous(), g.contiguous(), dim=dim)
    return v * (g / norm_except_dim(v, 2, dim))
