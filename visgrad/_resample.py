"""Where each output position of ``F.interpolate`` reads from, as PyTorch's CPU kernels compute it.

Pure NumPy, shared by the engine's ops (``visgrad/ops/resample.py``) and the formula language
(``visgrad/trace/formula_nn.py``): each spatial dim gets an (out, in) matrix, one-hot for the
nearest modes and two weights per row for the linear ones, so a resample is one contraction per
dim and its gradient the contraction with the transposed matrix.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _scale(n_in: int, n_out: int, scale: float | None, dtype: Any) -> Any:
    """Input steps per output step: 1/scale_factor when given, else in/out (PyTorch's rule)."""
    t = np.dtype(dtype).type
    if scale is not None and scale > 0:
        return t(1.0 / scale)
    return t(n_in) / t(n_out)


def nearest_index(n_in: int, n_out: int, scale: float | None, exact: bool) -> np.ndarray:
    """The input position each output position copies (float32 arithmetic, as PyTorch)."""
    d = np.arange(n_out)
    if not exact and n_out == n_in:
        return d
    if not exact and n_out == 2 * n_in:
        return d >> 1
    s = _scale(n_in, n_out, scale, np.float32)
    src = (d + 0.5) * np.float64(s) if exact else d.astype(np.float32) * s
    return np.minimum(np.floor(src.astype(np.float32)).astype(np.int64), n_in - 1)


def matrix(
    n_in: int, n_out: int, mode: str, align_corners: bool | None, scale: float | None, dtype: Any
) -> np.ndarray:
    """The (n_out, n_in) matrix of one dim's resampling."""
    m = np.zeros((n_out, n_in), dtype=dtype)
    rows = np.arange(n_out)
    if mode in ("nearest", "nearest-exact"):
        m[rows, nearest_index(n_in, n_out, scale, mode == "nearest-exact")] = 1
        return m
    t = np.dtype(dtype).type
    if align_corners:
        s = t(n_in - 1) / t(n_out - 1) if n_out > 1 else t(0)
        src = s * rows.astype(dtype)
    else:
        s = _scale(n_in, n_out, scale, dtype)
        src = np.maximum(s * (rows.astype(dtype) + t(0.5)) - t(0.5), t(0))
    i0 = np.minimum(src.astype(np.int64), n_in - 1)
    i1 = i0 + (i0 < n_in - 1)
    w1 = (src - i0.astype(dtype)).astype(dtype)
    np.add.at(m, (rows, i0), t(1) - w1)
    np.add.at(m, (rows, i1), w1)
    return m


def resample(x: np.ndarray, mats: list[np.ndarray]) -> np.ndarray:
    """Contract the last ``len(mats)`` dims of ``x`` with one matrix each (out, in)."""
    lead = x.ndim - len(mats)
    for i, m in enumerate(mats):
        x = np.moveaxis(np.tensordot(x, m, axes=([lead + i], [1])), -1, lead + i)
    return np.ascontiguousarray(x)


def matrices(
    in_size: Any, out_size: Any, mode: str, align_corners: Any, scales: Any, dtype: Any
) -> list[np.ndarray]:
    """One matrix per spatial dim (sizes and scales list the spatial dims only)."""
    return [
        matrix(int(i), int(o), mode, align_corners, s, dtype)
        for i, o, s in zip(in_size, out_size, scales, strict=True)
    ]
