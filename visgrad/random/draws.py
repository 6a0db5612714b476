"""Uniform, integer, exponential, geometric, Cauchy, log-normal and Bernoulli draws as ATen's.

Every function takes the generator and the number of elements and returns a flat array in fill
order (the order PyTorch's ``cpu_serial_kernel`` visits the tensor). Which raw words are used:
``random32`` for float32/float16 uniforms and small integer ranges, ``random64`` for float64
uniforms, ranges of 2**28 or more, and every double-precision distribution (exponential,
geometric, Cauchy, log-normal, Bernoulli with a scalar ``p``).
"""

from __future__ import annotations

import math

import numpy as np

from visgrad.random import mkl_bernoulli
from visgrad.random.exact import fma32, fma64, libm
from visgrad.random.generator import Generator
from visgrad.random.normal import normal_scalar, unit24, unit53

_DIGITS = {np.dtype(np.float16): 11, np.dtype(np.float32): 24, np.dtype(np.float64): 53}


def _is_double(dtype: np.dtype) -> bool:
    return np.dtype(dtype) == np.float64


def uniform(gen: Generator, n: int, dtype: np.dtype, low: float, high: float) -> np.ndarray:
    """U[low, high): ``x * (to - from) + from`` fused, in the dtype's own precision."""
    dtype = np.dtype(dtype)
    if _is_double(dtype):
        out = fma64(unit53(gen.random64(n)), high - low, low)
        lo, hi = low, high
    else:  # float32, and float16 (computed in float32, then rounded)
        lo32, hi32 = np.float32(low), np.float32(high)
        out = fma32(unit24(gen.random32(n)), hi32 - lo32, lo32).astype(dtype)
        lo, hi = dtype.type(low), dtype.type(high)
    # A value that rounded up to the upper bound becomes the lower one (PyTorch's clamp).
    return np.where(out == hi, lo, out).astype(dtype, copy=False)


def random_from_to(gen: Generator, n: int, dtype: np.dtype, span: int, base: int) -> np.ndarray:
    """``random_(from, to)``: ``word % (to - from) + from``, 64-bit words when the span >= 2**28."""
    words = gen.random64(n) if span >= 2**28 else gen.random32(n).astype(np.uint64)
    values = (words % np.uint64(span)).astype(np.int64)
    # The addition wraps in uint64 as in C; then the value is read as int64.
    values = (values.view(np.uint64) + np.uint64(base % 2**64)).view(np.int64)
    return _cast_int(values, dtype)


def random_full_range(gen: Generator, n: int, dtype: np.dtype) -> np.ndarray:
    """``random_(-2**63, None)``: all 64 bits as int64."""
    return _cast_int(gen.random64(n).view(np.int64), dtype)


def random_default(gen: Generator, n: int, dtype: np.dtype) -> np.ndarray:
    """``random_()``: [0, 2**digits] for floats, [0, max] for integers, a bit for bool."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return (gen.random32(n) & np.uint32(1)).astype(np.bool_)
    if dtype.kind == "f":
        words = gen.random64(n) if _is_double(dtype) else gen.random32(n).astype(np.uint64)
        return (words % np.uint64(2 ** _DIGITS[dtype] + 1)).astype(dtype)
    words = gen.random64(n) if dtype == np.int64 else gen.random32(n).astype(np.uint64)
    return (words % np.uint64(int(np.iinfo(dtype).max) + 1)).astype(dtype)


def _cast_int(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    # Narrower integers wrap, as C's conversion does; floats round.
    return values.astype(dtype)


def _safe(fn: object, bad: float) -> object:
    """A ``math`` function that returns what C returns where Python raises."""

    def call(x: float) -> float:
        try:
            return fn(x)  # type: ignore[operator]
        except (ValueError, OverflowError):
            return bad if x <= 0 else math.inf

    return call


def exponential(gen: Generator, n: int, dtype: np.dtype, lambd: float) -> np.ndarray:
    """Exp(lambd): ``-1/lambd * log1p(-u)`` in double."""
    u = unit53(gen.random64(n))
    return (-1.0 / lambd * libm(math.log1p, -u)).astype(dtype)


def geometric(gen: Generator, n: int, dtype: np.dtype, p: float) -> np.ndarray:
    """Geometric(p) on {1, 2, ...}: ``ceil(log(u) / log1p(-p))`` in double."""
    u = unit53(gen.random64(n))
    logs = libm(_safe(math.log, -math.inf), u)  # log(0) is -inf in C
    with np.errstate(invalid="ignore", over="ignore"):
        return np.ceil(logs / math.log1p(-p)).astype(dtype)


def cauchy(gen: Generator, n: int, dtype: np.dtype, median: float, sigma: float) -> np.ndarray:
    """Cauchy(median, sigma): ``median + sigma * tan(pi * (u - 0.5))`` in double."""
    u = unit53(gen.random64(n))
    return fma64(sigma, libm(math.tan, math.pi * (u - 0.5)), median).astype(dtype)


def log_normal(gen: Generator, n: int, dtype: np.dtype, mean: float, std: float) -> np.ndarray:
    """exp(N(mean, std)) with the double-precision normal (and its cached sample)."""
    z = normal_scalar(gen, n, mean, std)
    return libm(_safe(math.exp, 0.0), z).astype(dtype)


def bernoulli_tensor(gen: Generator, p: np.ndarray) -> np.ndarray:
    """One draw per element of ``p`` (flat, fill order): ``u < p``, u in p's precision."""
    if p.dtype == np.float64:
        return unit53(gen.random64(p.size)) < p
    return unit24(gen.random32(p.size)) < p.astype(np.float32)


def bernoulli_scalar(gen: Generator, n: int, p: float) -> np.ndarray:
    """``bernoulli_(p)`` with a number: the stream PyTorch uses on this machine (see module)."""
    if mkl_bernoulli.INTEL:
        return mkl_bernoulli.bernoulli(int(gen.random32(1)[0]), n, p)
    return unit53(gen.random64(n)) < p
