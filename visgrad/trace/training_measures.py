"""The numbers training statistics are made of: norms, ratios, histograms, saturation (no Qt)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from visgrad.trace.summary import ArraySummary

NAN = math.nan
SATURATION = 0.97  # |tanh| above this, or sigmoid this close to 0 or 1, is saturated
HIST_BINS = 40


@dataclass(frozen=True, slots=True)
class Histogram:
    """Counts of finite values in ``HIST_BINS`` equal bins over ``[lo, hi]``."""

    lo: float
    hi: float
    counts: np.ndarray
    nonfinite: int

    @property
    def edges(self) -> np.ndarray:
        return np.linspace(self.lo, self.hi, len(self.counts) + 1)


def norm_of(a: Any) -> float:
    """‖a‖ in float64 (NaN/Inf propagate); a summary's norm, made NaN/Inf by what it counted."""
    if a is None:
        return NAN
    if isinstance(a, ArraySummary):
        if a.nan:
            return NAN
        return math.inf if a.inf else float(a.norm)
    f = np.asarray(a, dtype=np.float64).reshape(-1)
    return float(math.sqrt(np.dot(f, f)))


def scalar_of(a: Any) -> float:
    """The number a one-element array (or its summary) holds; NaN for anything else."""
    if isinstance(a, ArraySummary):
        return (NAN if a.nan else float(a.mean)) if a.size == 1 else NAN
    if isinstance(a, np.ndarray) and a.size == 1 and a.dtype.kind in "biuf":
        return float(a.reshape(-1)[0])
    return NAN


def histogram(a: np.ndarray, lo: float | None = None, hi: float | None = None) -> Histogram:
    """Counts of ``a``'s finite values over ``[lo, hi]`` (default: their own range)."""
    f = np.asarray(a, dtype=np.float64).reshape(-1)
    finite = np.isfinite(f)
    bad = int(f.size - np.count_nonzero(finite))
    if bad:
        f = f[finite]
    if lo is None or hi is None:
        lo, hi = (float(f.min()), float(f.max())) if f.size else (0.0, 1.0)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    # Equal bins: one multiply and a bincount (np.histogram's general path is several times
    # slower, and this runs for every activation and its gradient as events arrive).
    inside = f[(f >= lo) & (f <= hi)]
    idx = ((inside - lo) * (HIST_BINS / (hi - lo))).astype(np.intp)
    np.minimum(idx, HIST_BINS - 1, out=idx)  # hi itself falls in the last bin, as in np.histogram
    counts = np.bincount(idx, minlength=HIST_BINS)[:HIST_BINS]
    return Histogram(lo, hi, counts.astype(np.int32), bad)


def saturation(op: str, y: np.ndarray) -> tuple[float, float]:
    """(fraction of saturated elements, fraction of units saturated on every example)."""
    if op == "tanh":
        sat = np.abs(y) > SATURATION
    elif op == "sigmoid":
        sat = np.abs(y - 0.5) > SATURATION - 0.5
    else:
        sat = y <= 0
    frac = float(np.count_nonzero(sat)) / sat.size if sat.size else NAN
    if sat.ndim < 2 or not sat.size:
        return frac, NAN
    per_unit = sat.reshape(-1, sat.shape[-1]).all(axis=0)
    return frac, float(np.count_nonzero(per_unit)) / per_unit.size


def layer_range(op: str, y: np.ndarray) -> tuple[float | None, float | None]:
    """Histograms of bounded activations span their whole range, so iterations compare."""
    if op == "tanh":
        return -1.0, 1.0
    if op == "sigmoid":
        return 0.0, 1.0
    return None, None


def size_of(a: Any) -> int:
    return a.size if isinstance(a, (np.ndarray, ArraySummary)) else 1


def update_ratio(before: Any, after: Any) -> float:
    if not isinstance(before, np.ndarray) or not isinstance(after, np.ndarray):
        return NAN  # a summary: the change cannot be told from two summaries
    if before.shape != after.shape:
        return NAN
    b = before.astype(np.float64, copy=False).reshape(-1)
    d = after.astype(np.float64, copy=False).reshape(-1) - b
    nb = math.sqrt(float(np.dot(b, b)))
    nd = math.sqrt(float(np.dot(d, d)))
    if nb == 0:
        return math.inf if nd else NAN
    return nd / nb
