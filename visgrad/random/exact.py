"""Floating-point steps as ATen's compiled kernels take them, on NumPy arrays.

PyTorch's CPU kernels are built with FMA contraction, so ``x * (to - from) + from`` is rounded
once, and they call the C library's ``log``/``sin``/``cos``. NumPy has no fused multiply-add and
its own SIMD ``log``, so this module supplies both: an exactly rounded fma (error-free
transformations plus round-to-odd, as in Boldo and Melquiond's proof) and element-wise calls of
the platform's libm through ``math`` (the library PyTorch links against on the same machine).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
from collections.abc import Callable

import numpy as np

_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp's splitter for binary64


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _two_prod(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = a * b
    c = a * _SPLIT
    ah = c - (c - a)
    c = b * _SPLIT
    bh = c - (c - b)
    al, bl = a - ah, b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _round_to_odd(s: np.ndarray, err: np.ndarray) -> np.ndarray:
    """``s`` (= RN(exact)) moved to the odd neighbour when inexact, so a later rounding is right."""
    fix = (err != 0) & ((s.view(np.int64) & 1) == 0)
    if not fix.any():
        return s
    return np.where(fix, np.nextafter(s, np.where(err > 0, np.inf, -np.inf)), s)


def fma32(a: object, b: object, c: object) -> np.ndarray:
    """``a * b + c`` in float32, rounded once (the product of two floats is exact in a double)."""
    s = np.multiply(a, b, dtype=np.float64)
    s += c
    out = s.astype(np.float32)
    # Rounding the double sum to float32 can only differ from rounding the exact sum when the
    # double lands exactly halfway between two floats (or in float32's subnormal range, where
    # fewer bits are kept): redo just those elements with round-to-odd.
    flat = np.atleast_1d(s)
    low = flat.view(np.int64) & 0x1FFFFFFF
    suspect = low == 0x10000000
    suspect |= np.abs(np.atleast_1d(out)) < np.float32(2.0**-125)
    if suspect.any():
        out = np.array(out, ndmin=1)
        pw = np.broadcast_to(np.multiply(a, b, dtype=np.float64), suspect.shape)[suspect]
        cw = np.broadcast_to(np.asarray(c, np.float64), suspect.shape)[suspect]
        sw, err = _two_sum(pw, cw)
        with np.errstate(invalid="ignore"):
            out[suspect] = _round_to_odd(sw, err).astype(np.float32)
        out = out.reshape(np.shape(s))
    return out


def fma64(a: object, b: object, c: object) -> np.ndarray:
    """``a * b + c`` in float64, rounded once (exact away from overflow and underflow)."""
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    with np.errstate(invalid="ignore", over="ignore"):
        uh, ul = _two_prod(a, b)
        th, tl = _two_sum(c, uh)
        v, err = _two_sum(tl, ul)
        out = th + _round_to_odd(v, err)
        # Infinities and NaNs poison the error terms; the plain expression is right for them.
        bad = ~np.isfinite(out) | ~np.isfinite(uh)
        if bad.any():
            out = np.where(bad, a * b + c, out)
    return out


def libm(fn: Callable[[float], float], x: np.ndarray) -> np.ndarray:
    """``fn`` (a ``math`` function: the C library's) applied to each element of a float64 array."""
    flat = np.ascontiguousarray(x, np.float64).ravel()
    return np.fromiter(map(fn, flat.tolist()), np.float64, flat.size).reshape(np.shape(x))


def _float_libm() -> dict[str, Callable[[float], float]]:
    """The C library's single-precision ``logf``/``sinf``/``cosf`` (no ``math`` equivalent)."""
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        fns = {}
        for name in ("logf", "sinf", "cosf"):
            f = getattr(lib, name)
            f.restype, f.argtypes = ctypes.c_float, [ctypes.c_float]
            fns[name] = f
        return fns
    except (OSError, AttributeError):
        # No loadable libm (unusual): the double functions rounded to float stand in.
        return {"logf": math.log, "sinf": math.sin, "cosf": math.cos}


_FLOAT_LIBM: dict[str, Callable[[float], float]] = {}


def libm32(name: str, x: np.ndarray) -> np.ndarray:
    """The C library's float function ``name`` (``logf``, ``sinf``, ``cosf``) on a float32 array."""
    if not _FLOAT_LIBM:
        _FLOAT_LIBM.update(_float_libm())
    fn = _FLOAT_LIBM[name]
    flat = np.ascontiguousarray(x, np.float32).ravel()
    out = np.fromiter(map(fn, flat.tolist()), np.float64, flat.size)
    return out.astype(np.float32).reshape(np.shape(x))
