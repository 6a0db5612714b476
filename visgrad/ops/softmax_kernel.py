"""float32 softmax and log_softmax over the last dimension, in ATen's order of operations.

ATen's CPU kernels (``softmax_lastdim_kernel`` / ``log_softmax_lastdim_kernel``, run with
AVX-512 vectors of 16 floats) treat each row alone:

* the row's max;
* ``exp(x - max)`` with Sleef's expf, summed in 16 lanes as ``vec::map_reduce_all`` adds
  (``vecmath.lane_sum``);
* softmax: every ``exp(x - max)`` times ``1 / sum``; log_softmax: ``(x - max) - log(sum)``,
  in that order, with Sleef's logf.

Rows never share work, so the result does not depend on the thread count. Any other dimension
runs per position of the dimensions after it (``softmax_dim``, ``log_softmax_dim``): Sleef's exp
in vectors of 16 positions, glibc's scalar expf (``vecmath.libm_expf``) on the positions left
over, and the exps added in order along the dimension. float64 keeps NumPy's arithmetic.
"""

from __future__ import annotations

import numpy as np

from visgrad.ops import vecmath
from visgrad.ops.sum_cascade import _seq as sum_in_order
from visgrad.ops.vecmath import LANES

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


def _split(x: np.ndarray, dim: int) -> np.ndarray:
    """The input as (outer, dim, inner), contiguous, as ATen's non-last-dim kernels see it."""
    shape = x.shape
    outer = int(np.prod(shape[:dim], dtype=np.int64))
    return np.ascontiguousarray(x, F32).reshape(outer, shape[dim], -1)


def _softmax_vector_lanes(outer: int, dim_size: int, inner: int, threads: int) -> np.ndarray:
    """Which (outer, inner) positions ``_vec_softmax`` runs in vectors of 16, as a mask.

    The outer * inner positions are split evenly among all threads (PyTorch 2.13 splits even a
    few dozen; measured); within a thread's range each stretch inside one row of ``inner`` runs
    in whole vectors from its start and the rest in the scalar loop (libm's expf)."""
    n = outer * inner
    chunk = -(-n // max(1, min(threads, n)))
    p = np.arange(n, dtype=np.int64)
    begin = np.maximum(p // chunk * chunk, p // inner * inner)
    end = np.minimum(np.minimum(p // chunk * chunk + chunk, n), p // inner * inner + inner)
    return ((p - begin) < (end - begin) // LANES * LANES).reshape(outer, inner)


def _log_softmax_vector_lanes(dim_size: int, inner: int) -> np.ndarray:
    """Which inner positions ``serial_vec_logsoftmax_range`` runs in vectors: inner is cut into
    chunks of about 128 KiB of rows, and each chunk's last ``size % 16`` run scalar."""
    chunk = max((131072 // dim_size) // 4, LANES) // LANES * LANES
    chunk = min(chunk, inner)
    i = np.arange(inner, dtype=np.int64)
    size = np.minimum(chunk, inner - i // chunk * chunk)
    return (i % chunk) < size - size % LANES


def _exp_by_lanes(shifted: np.ndarray, scalar: np.ndarray) -> np.ndarray:
    """Sleef's exp where the kernel ran vectors, libm's where ``scalar`` (broadcast) is set."""
    e = vecmath.expf(shifted)
    where = np.broadcast_to(scalar, shifted.shape)
    if where.any():
        e[where] = vecmath.libm_expf(shifted[where])
    return e


def softmax_dim(x: np.ndarray, dim: int, threads: int) -> np.ndarray:
    """``softmax(x, dim)`` of a float32 array for a dim that is not the last, as ATen's
    ``_vec_softmax``: per position, the max, ``exp(x - max)`` added in order along dim, and
    each exp divided by the sum."""
    x3 = _split(x, dim)
    outer, dim_size, inner = x3.shape
    scalar = ~_softmax_vector_lanes(outer, dim_size, inner, threads)[:, None, :]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        top = x3.max(axis=1, keepdims=True)
        if np.isnan(top).any():  # std::max in the scalar loop skips a nan after the first
            first = x3[:, :1].copy()
            for d in range(1, dim_size):
                np.copyto(first, x3[:, d : d + 1], where=first < x3[:, d : d + 1])
            top = np.where(scalar, first, top)
        e = _exp_by_lanes(x3 - top, scalar)
        total = sum_in_order(np.moveaxis(e, 1, 0))
        e /= total[:, None, :]
    return e.reshape(x.shape)


def log_softmax_dim(x: np.ndarray, dim: int) -> np.ndarray:
    """``log_softmax(x, dim)`` of a float32 array for a dim that is not the last, as ATen's
    ``serial_vec_logsoftmax_range``: the max skips nans (it starts at -inf and takes only
    greater values), the exps add in order along dim, and ``(x - max) - log(sum)``."""
    x3 = _split(x, dim)
    _, dim_size, inner = x3.shape
    scalar = ~_log_softmax_vector_lanes(dim_size, inner)[None, None, :]
    with np.errstate(invalid="ignore", over="ignore"):
        top = np.fmax.reduce(x3, axis=1, keepdims=True)
        top[np.isnan(top)] = -np.inf
        shifted = x3 - top
        e = _exp_by_lanes(shifted, scalar)
        shifted -= vecmath.logf(sum_in_order(np.moveaxis(e, 1, 0)))[:, None, :]
    return shifted.reshape(x.shape)


def softmax_forward(x: np.ndarray, dim: int, threads: int) -> np.ndarray:
    """softmax of a floating array, with PyTorch's rounding for float32."""
    if not x.size:
        return x.copy()
    if x.dtype == F32:
        if x.ndim == 0 or dim == x.ndim - 1:  # a 0-d input runs as one element
            return softmax_lastdim(x.reshape(x.shape or (1,))).reshape(x.shape)
        return softmax_dim(x, dim, threads)
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def log_softmax_forward(x: np.ndarray, dim: int) -> np.ndarray:
    """log_softmax of a floating array, with PyTorch's rounding for float32."""
    if not x.size:
        return x.copy()
    if x.dtype == F32:
        if x.ndim == 0 or dim == x.ndim - 1:
            return log_softmax_lastdim(x.reshape(x.shape or (1,))).reshape(x.shape)
        return log_softmax_dim(x, dim)
    # Shift by the max so exp never overflows: log_softmax(x) = s - log(sum(exp(s))).
    s = x - x.max(axis=dim, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=dim, keepdims=True))
