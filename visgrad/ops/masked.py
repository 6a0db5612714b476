"""Writes and reads by a boolean mask: ``masked_scatter`` (and ``masked_scatter_``) and
``masked_select``, each node with its gradient beside it (each is the other's backward).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.autograd import errors
from visgrad.ops.base import Op, apply
from visgrad.ops.gate_tables import c_name
from visgrad.ops.index_checks import _type
from visgrad.ops.inplace import inplace
from visgrad.ops.pad import pad
from visgrad.ops.registry import declare
from visgrad.ops.scatter import _const
from visgrad.ops.shape import expanded_shape
from visgrad.tensor import Tensor

__all__ = ["masked_scatter", "masked_select"]


def _mask(name: str, a: Tensor, mask: Any) -> np.ndarray:
    """The bool mask broadcast with ``a`` (the mask's shape first, as ATen's expand_outplace
    takes them), checked to be bool (by masked_select before it broadcasts, after by
    masked_scatter)."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if name == "masked_select":
        _bool_mask(name, m)
    try:
        shape = np.broadcast_shapes(m.shape, a._data.shape)
    except ValueError:
        raise RuntimeError(errors.broadcast(m.shape, a._data.shape)) from None
    _bool_mask(name, m)
    return np.broadcast_to(m, shape)


def _bool_mask(name: str, m: np.ndarray) -> None:
    if m.dtype != np.bool_:
        if name == "masked_select":
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        raise RuntimeError(
            f"masked_scatter_ only supports boolean masks, but got mask with dtype {_type(m.dtype)}"
        )


def _mask_into(a: Tensor, mask: Any) -> np.ndarray:
    """``masked_scatter_``'s mask: expanded to ``a``'s shape (expand's errors, said of the
    dispatcher's tensor type), then checked to be bool."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    target = a._data.shape
    if m.ndim > len(target):
        raise RuntimeError(
            f"expand(CPU{_type(m.dtype)}Type{{{list(m.shape)}}}, size={list(target)}): the number "
            f"of sizes provided ({len(target)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({m.ndim})"
        )
    expanded_shape(m, target)
    _bool_mask("masked_scatter_", m)
    return np.broadcast_to(m, target)


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
    m = _mask_into(input, mask)
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
