"""Writes and reads by a boolean mask: ``masked_scatter`` (and ``masked_scatter_``) and
``masked_select``, each node with its gradient beside it (each is the other's backward).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.ops.base import Op, apply
from visgrad.ops.gate_tables import c_name
from visgrad.ops.index_checks import _type
from visgrad.ops.inplace import inplace
from visgrad.ops.pad import pad
from visgrad.ops.registry import declare
from visgrad.ops.scatter import _const
from visgrad.tensor import Tensor

__all__ = ["masked_scatter", "masked_select"]


def _mask(name: str, a: Tensor, mask: Any) -> np.ndarray:
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        if name == "masked_select":
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        raise RuntimeError(
            f"masked_scatter_ only supports boolean masks, but got mask with dtype {_type(m.dtype)}"
        )
    try:
        return np.broadcast_to(m, np.broadcast_shapes(m.shape, a._data.shape))
    except ValueError:
        raise RuntimeError(
            f"The size of tensor a ({a._data.shape[-1] if a._data.ndim else 1}) must match the "
            f"size of tensor b ({m.shape[-1] if m.ndim else 1}) at non-singleton dimension "
            f"{max(a._data.ndim, m.ndim) - 1}"
        ) from None


class MaskedScatterBackward0(Op):
    op_name = "masked_scatter"
    input_names = ("self", "source")
    formulas = {
        "self": "grad.masked_fill(mask, 0)",
        "source": "masked_scatter_backward(grad, mask, source.shape)",
    }

    def forward(self, a: Tensor, source: Tensor, mask: np.ndarray) -> np.ndarray:
        self.save(mask=mask, source_sym_sizes=source._data.shape)
        out = np.broadcast_to(a._data, mask.shape).copy()
        n = int(mask.sum())
        src = source._data.reshape(-1)
        if src.size < n:
            raise RuntimeError("Number of elements of source < number of ones in mask")
        out[mask] = src[:n]
        return out

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, ns = self.needs_input_grad
        mask = self.saved("mask")
        ga = g.masked_fill(_const(np.ascontiguousarray(mask)), 0) if na else None
        gs = None
        if ns:
            shape = self.saved("source_sym_sizes")
            picked = apply(MaskedSelectBackward0, g, mask=mask)
            total = int(np.prod(shape, dtype=np.int64))
            if total > picked._data.size:
                picked = pad(picked, (0, total - picked._data.size))
            gs = picked.reshape(shape)
        return ga, gs


class MaskedSelectBackward0(Op):
    op_name = "masked_select"
    formulas = {"self": "masked_select_backward(grad, mask, self.shape)"}

    def forward(self, a: Tensor, mask: np.ndarray) -> np.ndarray:
        self.save(mask=mask, self_sym_sizes=a._data.shape)
        return np.broadcast_to(a._data, mask.shape)[mask]

    def backward(self, g: Tensor) -> Tensor:
        mask = self.saved("mask")
        zeros = _const(np.zeros(mask.shape, dtype=g._data.dtype))
        return apply(MaskedScatterBackward0, zeros, g, mask=mask)


def _same_dtype(input: Tensor, source: Tensor) -> None:  # noqa: A002
    a, b = input._data.dtype, source._data.dtype
    if a != b:  # (sic: no space after "got")
        raise RuntimeError(
            "masked_scatter: expected self and source to have same dtypes but got"
            f"{c_name(a)} and {c_name(b)}"
        )


def masked_scatter_(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:  # noqa: A002
    """``masked_scatter`` written into ``input``."""
    _same_dtype(input, source)  # ATen's first check
    m = _mask("masked_scatter_", input, mask)
    if m.shape != input._data.shape:
        raise RuntimeError("masked_scatter_: the mask must not broadcast the tensor written to")
    return inplace(input, MaskedScatterBackward0, (source,), {"mask": m}, "masked_scatter_")


@declare(
    "masked_scatter",
    nodes=MaskedScatterBackward0,
    inplace=masked_scatter_,
)
def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:  # noqa: A002
    """``input`` with the elements of ``source``, in order, written where ``mask`` is True."""
    m = _mask("masked_scatter_", input, mask)
    _same_dtype(input, source)
    return apply(MaskedScatterBackward0, input, source, mask=m)


@declare("masked_select", nodes=MaskedSelectBackward0)
def masked_select(input: Tensor, mask: Tensor) -> Tensor:  # noqa: A002
    """The elements of ``input`` where ``mask`` is True, as a 1-D tensor (row-major order)."""
    return apply(MaskedSelectBackward0, input, mask=_mask("masked_select", input, mask))
