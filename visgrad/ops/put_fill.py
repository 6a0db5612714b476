"""Flat positions: ``put`` / ``put_`` (``take``'s inverse) and ``unravel_index`` (flat indices
to coordinates, PyTorch's Python composite).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from visgrad.arg_parser import type_name
from visgrad.dtypes import dtype
from visgrad.ops.base import Op, apply
from visgrad.ops.gather_extra import TakeBackward0
from visgrad.ops.inplace import inplace
from visgrad.ops.linalg_common import type_name as scalar_name
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

_PUT_SELF = (
    "where(accumulate, grad, grad * (zeros_like(self).reshape([-1]).index_add(0, "
    "index.reshape([-1]), ones_like(source).reshape([-1])).reshape(self.shape) == 0))"
)


class PutBackward0(Op):
    op_name = "put"
    input_names = ("self", "source")
    formulas = {
        "self": _PUT_SELF,
        "source": "grad.reshape([-1]).index_select(0, index.reshape([-1])).reshape(source.shape)",
    }

    def forward(self, a: Tensor, src: Tensor, index: np.ndarray, accumulate: bool) -> np.ndarray:
        x = a._data
        self.save(index=index, accumulate=accumulate)
        self._shapes = (x.shape, src._data.shape)
        flat = x.reshape(-1).copy()
        pos = np.where(index < 0, index + x.size, index).reshape(-1)
        values = src._data.reshape(-1)
        if accumulate:
            np.add.at(flat, pos, values)
        else:
            flat[pos] = values
        return flat.reshape(x.shape)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, ns = self.needs_input_grad
        shape, src_shape = self._shapes
        idx = self.saved("index")
        ga = None
        if na:
            ga = g
            if not self.saved("accumulate"):
                keep = np.ones(int(np.prod(shape)), g._data.dtype)
                keep[np.where(idx < 0, idx + keep.size, idx).reshape(-1)] = 0
                ga = g * Tensor._make(keep.reshape(shape), False, None, 0)
        gs = apply(TakeBackward0, g, index=idx).reshape(src_shape) if ns else None
        return ga, gs


def _check_put(t: Tensor, index: Tensor, source: Tensor) -> np.ndarray:
    idx = index._data
    if idx.dtype != np.int64:
        raise RuntimeError(
            f"put_(): Expected a long tensor for index, but got {scalar_name(idx.dtype)}"
        )
    x, s = t._data, source._data
    if x.dtype != s.dtype:
        raise RuntimeError(
            "put_(): self and source expected to have the same dtype, but got self.dtype = "
            f"{scalar_name(x.dtype)} and source.dtype = {scalar_name(s.dtype)}"
        )
    if s.size != idx.size:
        raise IndexError(
            "put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {s.size}, index.numel() = {idx.size}"
        )
    bad = (idx >= x.size) | (idx < -x.size)
    if bad.any():
        raise IndexError(
            f"out of range: tried to access index {int(idx[bad].flat[0])} on a tensor of "
            f"{x.size} elements."
        )
    return idx


def put_(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:  # noqa: A002
    idx = _check_put(input, index, source)
    attrs = {"index": idx, "accumulate": accumulate}
    return inplace(input, PutBackward0, (source,), attrs, "put_")


@declare("put", nodes=PutBackward0, inplace=put_)
def put(
    input: Tensor,  # noqa: A002 - PyTorch's name
    index: Tensor,
    source: Tensor,
    accumulate: bool = False,
) -> Tensor:
    """A copy of ``input`` with ``source`` written (or added) at the flat positions ``index``."""
    idx = _check_put(input, index, source)
    return apply(PutBackward0, input, source, index=idx, accumulate=accumulate)


@declare("unravel_index", method=False)
def unravel_index(indices: Any, shape: Any) -> tuple[Tensor, ...]:
    """The coordinates, one tensor per dim of ``shape``, of the flat ``indices``."""
    if isinstance(indices, dtype):  # PyTorch calls the dtype's is_complex, a bool
        raise TypeError("'bool' object is not callable")
    if not isinstance(indices, Tensor):
        raise AttributeError(f"'{type_name(indices)}' object has no attribute 'is_complex'")
    x = indices._data
    if x.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        dims = (int(shape),)
    elif isinstance(shape, (tuple, list)):
        for d in shape:
            if not isinstance(d, (int, np.integer)):
                raise TypeError(
                    f"expected 'shape' sequence to only contain ints, but got {type(d)}"
                )
        dims = tuple(int(d) for d in shape)
    else:
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got {type(shape)}")
    if any(d < 0 for d in dims):
        raise ValueError(f"'shape' cannot have negative values, but got {dims}")
    coefs = [math.prod(dims[i + 1 :]) for i in range(len(dims))]
    with np.errstate(divide="ignore"):
        x64 = x.astype(np.int64)[..., None]
        q = np.floor_divide(x64, np.array(coefs, np.int64))
        r = np.remainder(q, np.array(dims, np.int64))
    return tuple(Tensor._make(np.array(r[..., i]), False, None, 0) for i in range(len(dims)))
