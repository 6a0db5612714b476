"""Statistics that stand in for an array too large to send or keep in full.

An ``ArraySummary`` is what the codec sends instead of an array past the payload limit, what the
memory budget keeps of an evicted array, and what the views show of either: shape, dtype, range,
mean, norm, NaN and Inf counts and a short preview.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PREVIEW", "ArraySummary", "stats", "summarize"]

PREVIEW = 16


@dataclass(frozen=True, slots=True)
class ArraySummary:
    """Statistics standing in for an array too large to send in full."""

    shape: tuple[int, ...]
    dtype: str
    min: float
    max: float
    mean: float
    norm: float
    nan: int
    inf: int
    preview: tuple[float, ...]

    @property
    def size(self) -> int:
        n = 1
        for s in self.shape:
            n *= s
        return n

    @property
    def ndim(self) -> int:
        return len(self.shape)


def summarize(a: np.ndarray, preview: int = PREVIEW) -> ArraySummary:
    """Statistics of ``a`` (NaN/Inf counted, not propagated into min/max/mean)."""
    flat = np.asarray(a).reshape(-1)
    if flat.dtype.kind == "b":
        flat = flat.astype(np.int64)
    with np.errstate(all="ignore"):
        f = flat.astype(np.float64)
        finite = f[np.isfinite(f)]
        nan = int(np.isnan(f).sum())
        inf = int(np.isinf(f).sum())
        if finite.size:
            lo, hi, mean = float(finite.min()), float(finite.max()), float(finite.mean())
            norm = float(np.sqrt(np.square(finite).sum()))
        else:
            lo = hi = mean = norm = float("nan")
    return ArraySummary(
        shape=tuple(int(s) for s in a.shape),
        dtype=str(a.dtype),
        min=lo,
        max=hi,
        mean=mean,
        norm=norm,
        nan=nan,
        inf=inf,
        preview=tuple(float(x) for x in f[:preview]),
    )


def stats(a: np.ndarray | ArraySummary) -> ArraySummary:
    """Statistics of an array or summary (a summary is returned as it is)."""
    return a if isinstance(a, ArraySummary) else summarize(a)
