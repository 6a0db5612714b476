"""``aminmax`` (both extremes, one node), ``take`` (indices into the flattened input), and the
composites ``msort``, ``inner``, ``diagflat`` and ``chain_matmul``, recorded as PyTorch records
them (``inner`` is ``tensordot`` over the last dims, ``diagflat`` a ``diag_embed`` of the
flattened input, ``chain_matmul`` the deprecated ``multi_dot``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.arg_parser import type_name as arg_type_name
from visgrad.ops.base import Op, apply
from visgrad.ops.linalg_common import MultiOutput, result_type, type_name
from visgrad.ops.linalg_products import multi_dot
from visgrad.ops.linalg_warnings import warn_once
from visgrad.ops.minmax import _tie_weights
from visgrad.ops.products import tensordot
from visgrad.ops.rearrange import DiagEmbedBackward0, diag_embed
from visgrad.ops.reduce import expand_back, kept_shape
from visgrad.ops.registry import declare
from visgrad.ops.scan import SortBackward0, sort
from visgrad.ops.scatter import IndexAddBackward0
from visgrad.ops.shape import CloneBackward0, ViewBackward0, clone
from visgrad.tensor import Tensor, _dim

AminmaxResult = result_type("aminmax", ("min", "max"))


def _const(x: np.ndarray) -> Tensor:
    return Tensor._make(x, False, None, 0)


class AminmaxBackward0(MultiOutput, Op):
    """Both extremes of ``aminmax``; each output's gradient is shared among its ties."""

    op_name = "aminmax"
    num_outputs = 2
    differentiable = (0, 1)
    formulas = {
        "self": (
            "grads[0].restore_dims(dim, keepdim, self.ndim) * evenly(self == result.restore_dims("
            "dim, keepdim, self.ndim), dim) + grads[1].restore_dims(dim, keepdim, self.ndim) * "
            "evenly(self == indices.restore_dims(dim, keepdim, self.ndim), dim)"
        )
    }

    def forward(self, a: Tensor, dim: int | None, keepdim: bool) -> tuple[np.ndarray, np.ndarray]:
        x = a._data
        if dim is None:
            if x.size == 0:
                raise RuntimeError(
                    "aminmax(): cannot compute aminmax over an empty dimension as the operation "
                    "has no identity."
                )
            dims = tuple(range(x.ndim))
        else:
            d = _dim(dim, max(x.ndim, 1))
            if x.ndim and x.shape[d] == 0:
                raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
            dims = (d,) if x.ndim else ()
        self.save(self=a, dim=dims, keepdim=keepdim)
        self._dims, self._keep = dims, keepdim
        lo = np.asarray(np.min(x, axis=dims, keepdims=keepdim))
        hi = np.asarray(np.max(x, axis=dims, keepdims=keepdim))
        self._lo_hi = (lo, hi)
        return self.outputs(lo, hi)

    def backward(self, g_min: Tensor, g_max: Tensor) -> Tensor:
        x = self.saved("self")._data
        lo, hi = self._lo_hi
        shape = kept_shape(x.shape, self._dims)
        out = None
        for g, r in ((g_min, lo), (g_max, hi)):
            part = expand_back(g, x.shape, self._dims, self._keep) * _const(
                _tie_weights(x, r.reshape(shape), self._dims)
            )
            out = part if out is None else out + part
        return out


@declare("aminmax", nodes=AminmaxBackward0)
def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:  # noqa: A002
    """``(min, max)`` of ``input`` (over ``dim`` when given)."""
    lo, hi = apply(AminmaxBackward0, input, dim=dim, keepdim=keepdim)
    return AminmaxResult(lo, hi)


class TakeBackward0(Op):
    op_name = "take"
    input_names = ("self",)
    formulas = {
        "self": "zeros_like(self).reshape([-1]).index_add(0, index.reshape([-1]), grad.reshape([-1]))"
        ".reshape(self.shape)"
    }

    def forward(self, a: Tensor, index: np.ndarray) -> np.ndarray:
        x = a._data
        n = x.size
        bad = (index >= n) | (index < -n)
        if bad.any():
            i = int(index[bad].flat[0])
            raise IndexError(
                f"out of range: tried to access index {i} on a tensor of {n} elements."
            )
        self.save(self=a, index=index)
        flat = x.reshape(-1)[np.where(index < 0, index + n, index).reshape(-1)]
        return flat.reshape(index.shape)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")._data
        idx = self.saved("index")
        flat = np.where(idx < 0, idx + x.size, idx).reshape(-1)
        zeros = _const(np.zeros(x.size, g._data.dtype))
        spread = apply(IndexAddBackward0, zeros, g.reshape(-1), dim=0, index=flat, alpha=1)
        return spread.reshape(x.shape)


@declare("take", nodes=TakeBackward0)
def take(input: Tensor, index: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """The elements of the flattened ``input`` at ``index``, in ``index``'s shape."""
    if index._data.dtype != np.int64:
        raise RuntimeError(
            f"take(): Expected a long tensor for index, but got {type_name(index._data.dtype)}"
        )
    return apply(TakeBackward0, input, index=index._data)


@declare("msort", nodes=SortBackward0)
def msort(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """``input`` sorted along its first dim."""
    return sort(input, 0).values


@declare("inner", nodes=ViewBackward0)
def inner(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """The dot products of the last dims (a product when either is 0-d)."""
    a, b = input._data, other._data
    if a.ndim == 0 or b.ndim == 0:
        return input * other
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(
            "inner() the last dimension must match on both input tensors but got shapes "
            f"{list(a.shape)} and {list(b.shape)}"
        )
    return tensordot(input, other, ([-1], [-1]))


@declare("diagflat", nodes=(DiagEmbedBackward0, ViewBackward0))
def diagflat(input: Tensor, offset: int = 0) -> Tensor:  # noqa: A002 - PyTorch's name
    """A square matrix with the flattened ``input`` on diagonal ``offset``."""
    return diag_embed(input.contiguous().view(-1), offset)


_CHAIN = (
    "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
    "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
    "multiple parameters."
)


@declare("chain_matmul", nodes=CloneBackward0, method=False)
def chain_matmul(*matrices: Tensor) -> Tensor:
    """The product of the matrices (deprecated: ``torch.linalg.multi_dot``)."""
    warn_once(_CHAIN)
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for i, m in enumerate(matrices):
        if not isinstance(m, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {arg_type_name(m)}"
            )
    for m in matrices:
        if m._data.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m._data.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        return clone(matrices[0])
    return multi_dot(list(matrices))
