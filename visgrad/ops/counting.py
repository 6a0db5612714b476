"""Counting and locating: ``bincount``, ``histc``, ``histogram``, ``nonzero``, ``argwhere`` and
``where(condition)`` with one argument. None of them is differentiable (as in PyTorch):
``histogram`` records a node whose backward raises, as PyTorch's does."""

from __future__ import annotations

import collections
from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.arg_parser import invalid_combination
from visgrad.factories import check_size
from visgrad.ops.base import apply
from visgrad.ops.no_derivative import HistogramNotImplemented
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["argwhere", "bincount", "histc", "histogram", "nonzero"]


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


def _type(d: np.dtype) -> str:
    return dtypes.from_numpy(d).tensor_type.removesuffix("Tensor")


@declare("bincount")
def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:  # noqa: A002
    """How often each value 0, 1, ... occurs in a 1-D tensor of non-negative integers (or the sum
    of ``weights`` there)."""
    x = input._data
    if x.dtype.kind not in "iu":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_type(x.dtype)}'")
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    check_size((minlength,), 8)
    if weights is None:
        return _const(np.bincount(x, minlength=minlength).astype(np.int64))
    w = weights._data
    if w.ndim != 1 or w.shape[0] != x.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    out_dtype = np.float32 if w.dtype == np.float32 else np.float64
    return _const(
        np.bincount(x, weights=w.astype(np.float64), minlength=minlength).astype(out_dtype)
    )


def _bin_positions(x: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each finite element inside [edges[0], edges[-1]] and its bin (the last bin is closed)."""
    inside = (x >= edges[0]) & (x <= edges[-1])
    vals = x[inside]
    pos = np.searchsorted(edges, vals, side="right") - 1
    pos = np.minimum(pos, len(edges) - 2)
    return vals, pos


@declare("histc")
def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """Counts in ``bins`` equal bins over [min, max] (the data's range when both are 0)."""
    x = input._data
    if x.dtype.kind != "f":  # a bool input fails first in the bin edges' linspace
        kernel = "linspace_cpu" if x.dtype == np.bool_ else "histogram_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_type(x.dtype)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    check_size((bins + 1,), x.dtype.itemsize)  # the bin edges
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{_num(lo)}, {_num(hi)}] is not finite")
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    edges = np.linspace(lo, hi, bins + 1).astype(x.dtype)
    _, pos = _bin_positions(x.reshape(-1), edges)
    return _const(np.bincount(pos, minlength=bins).astype(x.dtype))


def _num(v: float) -> str:
    return "-nan" if np.isnan(v) else str(v)


class _HistogramResult(collections.namedtuple("histogram", ["hist", "bin_edges"])):
    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.return_types.histogram(\nhist={self.hist!r},\nbin_edges={self.bin_edges!r})"


def _range(x: np.ndarray, given: Any) -> tuple[float, float]:
    """The histogram's outer edges, checked as ``histogramdd`` checks them."""
    if given is None:
        lo, hi = (float(x.min()), float(x.max())) if x.size else (0.0, 1.0)
    else:
        if len(given) != 2:
            raise RuntimeError(
                "torch.histogramdd: for a 1-dimensional histogram range should have 2 elements, "
                f"but got {len(given)}"
            )
        lo, hi = float(given[0]), float(given[1])
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histogramdd: dimension 0's range [{lo:g}, {hi:g}] is not finite")
    if lo > hi:
        raise RuntimeError(
            f"torch.histogramdd: min should not exceed max, but got min {lo:g} max {hi:g} for "
            "dimension 0"
        )
    return (lo - 0.5, hi + 0.5) if lo == hi else (lo, hi)


@declare("histogram", nodes=HistogramNotImplemented)
def histogram(
    input: Tensor,  # noqa: A002
    bins: Any = 100,
    *,
    range: tuple[float, float] | None = None,  # noqa: A002
    weight: Tensor | None = None,
    density: bool = False,
) -> _HistogramResult:
    """``(hist, bin_edges)``: counts (or summed ``weight``) in each bin; ``bins`` is a count of
    equal bins over ``range`` (the data's range by default) or a 1-D tensor of edges."""
    x = input._data
    if x.dtype not in (np.float32, np.float64):
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{_type(x.dtype)}'")
    if range is not None and not isinstance(range, (tuple, list)):
        raise invalid_combination("histogram", (input,), {"range": range, "bins": bins})
    if weight is not None and weight._data.size != x.size:
        raise RuntimeError(
            "torch.histogramdd: if weight tensor is provided it should have the same shape as "
            "the input tensor excluding its innermost dimension, but got input with shape "
            f"[{x.size}, 1] and weight with shape [{weight._data.size}]"
        )
    if isinstance(bins, Tensor):
        edges = bins._data.astype(x.dtype)
    else:
        if int(bins) <= 0:
            raise RuntimeError(
                f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0"
            )
        lo, hi = _range(x, range)
        edges = np.linspace(lo, hi, int(bins) + 1).astype(x.dtype)
    flat = x.reshape(-1)
    w = None if weight is None else weight._data.reshape(-1).astype(np.float64)
    inside = (
        (flat >= edges[0]) & (flat <= edges[-1]) if edges.size > 1 else np.zeros(flat.shape, bool)
    )
    if edges.size > 1 and edges[-1] >= edges[0]:
        _, pos = _bin_positions(flat, edges)
        hist = np.bincount(pos, weights=None if w is None else w[inside], minlength=edges.size - 1)
    else:
        hist = np.zeros(max(edges.size - 1, 0))
    hist = hist.astype(np.float64)
    if density and hist.sum() > 0:
        hist = hist / hist.sum() / np.diff(edges.astype(np.float64))
    hist = hist.astype(x.dtype)
    needs = [t for t in (input, bins, weight) if isinstance(t, Tensor)]
    # Recorded (PyTorch's NotImplemented node) where an input requires grad.
    out = apply(HistogramNotImplemented, *needs, hist=hist, bin_edges=edges)
    return _HistogramResult(*out)


@declare("nonzero")
def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:  # noqa: A002
    """The indices of the non-zero elements: an (n, ndim) tensor, or one tensor per dim."""
    x = input._data
    if as_tuple:
        if x.ndim == 0:
            return (_const(np.zeros(int(bool(x)), dtype=np.int64)),)
        return tuple(_const(i.astype(np.int64)) for i in np.nonzero(x))
    if x.ndim == 0:
        return _const(np.zeros((int(bool(x)), 0), dtype=np.int64))
    return _const(np.argwhere(x).astype(np.int64))


@declare("argwhere")
def argwhere(input: Tensor) -> Tensor:  # noqa: A002
    """``nonzero(input)``: an (n, ndim) tensor of the indices of the non-zero elements."""
    return nonzero(input)
