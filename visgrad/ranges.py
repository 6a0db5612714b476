"""The values of ``arange``, ``linspace`` and ``logspace`` as ATen's CPU kernels compute them.

``linspace`` fills the first half as ``start + step * i`` and the second half backwards as
``end - step * (steps - 1 - i)``, each product fused into its addition (the kernels are built with
FMA contraction); ``logspace`` raises ``base`` to the same exponents with the C library's ``pow``.
``arange`` accumulates in double: element ``i`` is ``start + step * i``, except that its x86 kernel
writes whole vectors (8 floats or 4 doubles, two vectors per pass) from a base rounded to the
dtype, ``base + k * step``. Beyond 32768 elements PyTorch splits the work between threads and the
vectors start where each thread's share starts; here it is one share, as with one thread.
"""

from __future__ import annotations

import math
import platform

import numpy as np

from visgrad.random.exact import fma32, fma64, libm

_X86 = platform.machine().lower() in ("x86_64", "amd64")


def _fma(dtype: np.dtype) -> object:
    return fma64 if np.dtype(dtype) == np.float64 else fma32


def _halves(start: float, end: float, steps: int, dtype: np.dtype) -> np.ndarray:
    """linspace's values (or logspace's exponents) in ``dtype`` (float32 for float16)."""
    work = np.float64 if np.dtype(dtype) == np.float64 else np.float32
    t = np.dtype(work).type
    s, e = t(start), t(end)
    if steps == 1:
        return np.array([s], work)
    step = (e - s) / t(steps - 1)
    i = np.arange(steps)
    fma = _fma(work)
    first = fma(step, i.astype(work), s)
    second = fma(-step, (steps - 1 - i).astype(work), e)
    return np.where(i < steps // 2, first, second).astype(work)


def linspace_values(start: float, end: float, steps: int, dtype: np.dtype) -> np.ndarray:
    """``steps`` evenly spaced values from ``start`` to ``end`` in ``dtype``."""
    if np.dtype(dtype).kind != "f":
        # Integer outputs step in double and truncate, like the kernel's integral branch.
        if steps == 1:
            return np.array([start], dtype)
        step = (float(end) - float(start)) / (steps - 1)
        i = np.arange(steps, dtype=np.float64)
        k = steps - 1 - i
        vals = np.where(i < steps // 2, fma64(step, i, start), fma64(-step, k, end))
        return vals.astype(dtype)
    return _halves(start, end, steps, dtype).astype(dtype)


def logspace_values(
    start: float, end: float, steps: int, base: float, dtype: np.dtype
) -> np.ndarray:
    """``base ** linspace(start, end, steps)`` with the exponents computed as linspace does."""
    exps = _halves(start, end, steps, dtype).astype(np.float64)

    def power(x: float) -> float:
        try:
            return math.pow(base, x)
        except (OverflowError, ValueError):
            return float(np.power(np.float64(base), x))

    return libm(power, exps).astype(dtype)


def arange_values(start: float, end: float, step: float, dtype: np.dtype) -> np.ndarray:
    """``arange`` of floats: ``start + step * i`` in double, vectors from a rounded base on x86."""
    size = math.ceil((float(end) - float(start)) / float(step))
    n = max(size, 0)
    i = np.arange(n, dtype=np.float64)
    out = fma64(step, i, start).astype(dtype)
    width = {4: 8, 8: 4}.get(np.dtype(dtype).itemsize, 0) if _X86 else 0
    vec_end = n - n % (2 * width) if width else 0
    if vec_end:
        bases = out[:vec_end:width].astype(np.float64)  # each vector's first element, rounded
        k = np.arange(width, dtype=np.float64)
        out[:vec_end] = fma64(k[None, :], step, bases[:, None]).astype(dtype).ravel()
    return out
