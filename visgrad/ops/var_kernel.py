"""Variance and standard deviation computed as ATen's CPU kernels compute them.

A reduction to one value (``x.var()``, ``x.std()``) takes PyTorch's two-pass path
(``std_var_all_cpu``): the mean is the tensor's own ``mean()`` (in its dtype, added in ATen's
order, then widened to double), the squared deviations are added in double one after the other in
memory order (one run per thread from 32,768 elements on, the runs' totals added), divided by
``max(0, n - correction)``, and the square root is taken in double before the single rounding to
the tensor's dtype. Reductions over some dimensions use Welford's algorithm in double, each output's elements in
memory order; so does this module, vectorised over the outputs, for up to 4,096 elements per output
(longer ones take two passes in double: the same float32 result, float64's may differ in the last
bits).
"""

from __future__ import annotations

import numpy as np

from visgrad import _threads as threads
from visgrad.ops.sum_kernel import GRAIN_SIZE, float_sum


def _memory_order(x: np.ndarray) -> np.ndarray:
    """The elements in the order the iterator walks a single input: by stride, largest first."""
    if x.flags.c_contiguous:
        return x.reshape(-1)
    order = sorted(range(x.ndim), key=lambda d: (abs(x.strides[d]), x.shape[d]), reverse=True)
    return x.transpose(order).reshape(-1)


def _squares_total(sq: np.ndarray) -> float:
    n = len(sq)
    nthreads = 1
    if n > GRAIN_SIZE:
        nthreads = max(1, min(threads.get_num_threads(), -(-n // GRAIN_SIZE)))
    chunk = -(-n // nthreads)
    total = 0.0
    for b in range(0, n, chunk):
        total += float(np.add.accumulate(sq[b : b + chunk])[-1])
    return total


def variance(
    x: np.ndarray, dims: tuple[int, ...], correction: float, keepdim: bool, take_sqrt: bool
) -> np.ndarray:
    """``x.var(dims, correction=..., keepdim=...)`` (or ``std``) as PyTorch computes it."""
    red = set(dims)
    shape = tuple(1 if i in red else s for i, s in enumerate(x.shape) if keepdim or i not in red)
    if x.dtype.kind != "f" or x.itemsize < 4 or x.size == 0:
        with np.errstate(invalid="ignore", divide="ignore"):
            v = np.var(x, axis=dims, ddof=correction, keepdims=keepdim)
            return (np.sqrt(v) if take_sqrt else v).astype(x.dtype)
    count = int(np.prod([x.shape[d] for d in red])) if red else 1
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if all(x.shape[i] == 1 for i in range(x.ndim) if i not in red):
            mean = float(float_sum(x, tuple(range(x.ndim)), False, x.dtype) / x.dtype.type(x.size))
            dx = _memory_order(x).astype(np.float64) - mean
            var = np.float64(_squares_total(dx * dx)) / max(0.0, count - correction)
            result = np.sqrt(var) if take_sqrt else var
            return np.asarray(result).astype(x.dtype).reshape(shape)
        if count <= WELFORD_MAX:
            m2 = _welford_m2(x, sorted(red))
        else:
            x64 = x.astype(np.float64)
            dev = x64 - x64.mean(axis=dims, keepdims=True)
            m2 = (dev * dev).sum(axis=dims)
        var = m2 / max(0.0, count - correction)
        result = np.sqrt(var) if take_sqrt else var
        return result.astype(x.dtype).reshape(shape)


WELFORD_MAX = 4096  # longer runs: two passes in double (float32 results still agree)


def _welford_m2(x: np.ndarray, red: list[int]) -> np.ndarray:
    """Welford's running mean and sum of squared deviations, in double, each output's elements
    taken in memory order (largest stride outermost), vectorised over the outputs."""
    kept = [d for d in range(x.ndim) if d not in red]
    walk = sorted(red, key=lambda d: (abs(x.strides[d]), x.shape[d]), reverse=True)
    runs = x.transpose(walk + kept).reshape((-1,) + tuple(x.shape[d] for d in kept))
    mean = np.zeros(runs.shape[1:])
    m2 = np.zeros(runs.shape[1:])
    for k in range(runs.shape[0]):
        value = runs[k].astype(np.float64)
        delta = value - mean
        mean = mean + delta / float(k + 1)
        m2 = m2 + delta * (value - mean)
    return m2
