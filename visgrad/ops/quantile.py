"""``quantile`` and ``nanquantile``: PyTorch's composite, op for op, so the graph has its nodes.

The input is sorted along the reduced dim (flattened when there is none), each ``q`` becomes a
rank in ``[0, n - 1]`` (the last index where a NaN is present, for ``quantile``; ranks among the
non-NaN values for ``nanquantile``), and the values at the ranks below and above are gathered
and interpolated with ``lerp``. The in-place views that end PyTorch's composite
(``unsqueeze_(0).transpose_(0, -1).squeeze_(-1)``) are recorded under their in-place nodes'
names.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import events
from visgrad.arg_parser import invalid_combination, is_int, is_number
from visgrad.ops.base import apply
from visgrad.ops.binary_math import LerpBackward1
from visgrad.ops.linalg_common import const
from visgrad.ops.registry import declare
from visgrad.ops.scan import GatherBackward0, SortBackward0
from visgrad.ops.shape import (
    SqueezeBackward4,
    TransposeBackward0,
    UnsqueezeBackward0,
    ViewBackward0,
)
from visgrad.ops.view_inplace import TransposeBackward1, UnsqueezeBackward1
from visgrad.tensor import Tensor, _dim

__all__ = ["nanquantile", "quantile"]

_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


_NODES = (
    SortBackward0,
    ViewBackward0,
    GatherBackward0,
    LerpBackward1,
    SqueezeBackward4,
    UnsqueezeBackward1,
    TransposeBackward1,
    UnsqueezeBackward0,
    TransposeBackward0,
)


def _args(op: str, x: Tensor, q: Any, dim: Any, keepdim: Any, interpolation: Any) -> None:
    """PyTorch's parser: ``q`` a float or a Tensor, ``dim`` an int or None, a bool, a str."""
    ok = (isinstance(q, Tensor) or (is_number(q) and not isinstance(q, Tensor))) and (
        dim is None or is_int(dim)
    )
    ok = ok and isinstance(keepdim, (bool, np.bool_)) and isinstance(interpolation, str)
    if not ok or not isinstance(x, Tensor):
        kwargs = {"dim": dim} if dim is not None else {}
        if keepdim is not False:
            kwargs["keepdim"] = keepdim
        if interpolation != "linear":
            kwargs["interpolation"] = interpolation
        raise invalid_combination(op, (x, q), kwargs)


def _compute(
    x: Tensor, q: Any, dim: Any, keepdim: bool, interpolation: str, ignore_nan: bool
) -> Tensor:
    if not isinstance(q, Tensor):
        v = float(q)
        if not 0 <= v <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {v:g}")
    if interpolation not in _MODES:
        raise RuntimeError(
            "quantile() interpolation must be one of linear, lower, higher, midpoint or "
            f"nearest, but got {interpolation}"
        )
    a = x._data
    if a.size == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if isinstance(q, Tensor) and q._data.ndim > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    if a.dtype not in (np.float32, np.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    qa = q._data if isinstance(q, Tensor) else np.asarray(q, dtype=a.dtype)
    if qa.dtype != a.dtype:
        raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
    wrapped = _dim(int(dim), a.ndim) if dim is not None else 0
    out_shape: list[int] = []
    if dim is not None and a.ndim > 0:
        out_shape = list(a.shape)
        if keepdim:
            out_shape[wrapped] = 1
        else:
            del out_shape[wrapped]
    elif keepdim:
        out_shape = [1] * a.ndim
    if qa.ndim > 0:
        out_shape.insert(0, qa.size)
    if not np.all((qa >= 0) & (qa <= 1)):
        raise RuntimeError("quantile() q values must be in the range [0, 1]")
    if dim is None:
        flat = x.flatten()
    elif wrapped == a.ndim - 1:
        flat = x
    else:
        flat = x.unsqueeze(-1).transpose(wrapped, -1)
    ordered = flat.sort()[0]
    if qa.ndim == 0:
        out_shape.insert(0, 1)
    ordered = ordered.view(tuple(out_shape[1:]) + (ordered._data.shape[-1],))
    return _interpolate(ordered, qa.reshape(-1), interpolation, ignore_nan, qa.ndim == 0)


def _made(a: np.ndarray, interpolation: str) -> Tensor:
    """A constant the composite computes (the lerp weights), announced as a new tensor."""
    t = const(a)
    if events.SINKS:
        t._announce("full_like" if interpolation == "midpoint" else "sub")
    return t


def _interpolate(
    ordered: Tensor, qa: np.ndarray, interpolation: str, ignore_nan: bool, scalar_q: bool
) -> Tensor:
    s = ordered._data
    nans = np.isnan(s)
    with np.errstate(invalid="ignore"):
        if ignore_nan:
            ranks = qa * ((~nans).sum(-1, keepdims=True) - 1).astype(s.dtype)
            ranks = np.where(ranks < 0, 0, ranks).astype(s.dtype)
        else:
            last = s.shape[-1] - 1
            rq = qa * s.dtype.type(last)
            shape = np.broadcast_shapes(rq.shape, nans.any(-1, keepdims=True).shape)
            ranks = np.where(nans.any(-1, keepdims=True), s.dtype.type(last), rq)
            ranks = np.broadcast_to(ranks, shape).astype(s.dtype)
    if interpolation == "lower":
        ranks = np.floor(ranks)
    elif interpolation == "higher":
        ranks = np.ceil(ranks)
    elif interpolation == "nearest":
        ranks = np.round(ranks)
    below = ranks.astype(np.int64)
    values = ordered.gather(-1, const(below))
    if interpolation in ("linear", "midpoint"):
        weights = np.full_like(ranks, 0.5) if interpolation == "midpoint" else ranks - below
        above = ordered.gather(-1, const(np.ceil(ranks).astype(np.int64)))
        values = apply(LerpBackward1, values, above, _made(weights.astype(s.dtype), interpolation))
    if scalar_q:
        return apply(SqueezeBackward4, values, dim=-1)
    values = apply(UnsqueezeBackward1, values, dim=0)
    values = apply(TransposeBackward1, values, dim0=0, dim1=values._data.ndim - 1)
    return apply(SqueezeBackward4, values, dim=-1)


@declare("quantile", nodes=_NODES)
def quantile(
    input: Any,  # noqa: A002 - PyTorch's names
    q: Any,
    dim: Any = None,
    keepdim: Any = False,
    *,
    interpolation: Any = "linear",
) -> Tensor:
    """The ``q``-th quantiles of ``input`` (over ``dim``, or all of it)."""
    _args("quantile", input, q, dim, keepdim, interpolation)
    return _compute(input, q, dim, bool(keepdim), interpolation, ignore_nan=False)


@declare("nanquantile", nodes=_NODES)
def nanquantile(
    input: Any,  # noqa: A002 - PyTorch's names
    q: Any,
    dim: Any = None,
    keepdim: Any = False,
    *,
    interpolation: Any = "linear",
) -> Tensor:
    """``quantile`` ignoring NaNs (NaN only where a slice is all NaN)."""
    _args("nanquantile", input, q, dim, keepdim, interpolation)
    return _compute(input, q, dim, bool(keepdim), interpolation, ignore_nan=True)
