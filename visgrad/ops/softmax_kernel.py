"""float32 softmax and log_softmax over the last dimension, in ATen's order of operations.

ATen's CPU kernels (``softmax_lastdim_kernel`` / ``log_softmax_lastdim_kernel``, run with
AVX-512 vectors of 16 floats) treat each row alone:

* the row's max;
* ``exp(x - max)`` with Sleef's expf, summed in 16 lanes as ``vec::map_reduce_all`` adds
  (``vecmath.lane_sum``);
* softmax: every ``exp(x - max)`` times ``1 / sum``; log_softmax: ``(x - max) - log(sum)``,
  in that order, with Sleef's logf.

Rows never share work, so the result does not depend on the thread count. Other dimensions run
a different kernel and keep NumPy's arithmetic.
"""

from __future__ import annotations

import numpy as np

from visgrad.ops import vecmath

F32 = np.float32


def _rows(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The input as (rows, n) and each row's ``x - max``."""
    rows = np.ascontiguousarray(x, F32).reshape(-1, x.shape[-1])
    with np.errstate(invalid="ignore"):
        return rows, rows - rows.max(axis=1, keepdims=True)


def softmax_lastdim(x: np.ndarray) -> np.ndarray:
    """``softmax(x, -1)`` of a non-empty float32 array as PyTorch's CPU kernel rounds it."""
    _, shifted = _rows(x)
    e = vecmath.expf(shifted.ravel()).reshape(shifted.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = F32(1) / vecmath.lane_sum(e)
        e *= inv[:, None]
    return e.reshape(x.shape)


def log_softmax_lastdim(x: np.ndarray) -> np.ndarray:
    """``log_softmax(x, -1)`` of a non-empty float32 array as PyTorch's CPU kernel rounds it."""
    _, shifted = _rows(x)
    e = vecmath.expf(shifted.ravel()).reshape(shifted.shape)
    log_sum = vecmath.logf(vecmath.lane_sum(e))
    with np.errstate(invalid="ignore"):
        shifted -= log_sum[:, None]
    return shifted.reshape(x.shape)


def softmax_forward(x: np.ndarray, dim: int) -> np.ndarray:
    """softmax of a floating array: PyTorch's rounding for float32 over the last dimension."""
    if not x.size:
        return x.copy()
    if x.dtype == F32 and dim == x.ndim - 1:
        return softmax_lastdim(x)
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def log_softmax_forward(x: np.ndarray, dim: int) -> np.ndarray:
    """log_softmax of a floating array: PyTorch's rounding for float32 over the last dimension."""
    if not x.size:
        return x.copy()
    if x.dtype == F32 and dim == x.ndim - 1:
        return log_softmax_lastdim(x)
    # Shift by the max so exp never overflows: log_softmax(x) = s - log(sum(exp(s))).
    s = x - x.max(axis=dim, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=dim, keepdims=True))
