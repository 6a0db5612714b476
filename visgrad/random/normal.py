"""Normal samples exactly as ATen's CPU ``normal_`` draws them.

Two algorithms, chosen as PyTorch chooses:

* a contiguous tensor of 16 or more elements is filled with uniforms first; then each block of
  16 becomes 8 Box-Muller pairs (``u1`` from the first half, ``u2`` from the second, cosines in
  the first half, sines in the second); if the size is not a multiple of 16, 16 fresh uniforms
  recompute the last 16 elements. float32 uses 24-bit uniforms and, on x86-64, the AVX2 kernel's
  own ``log``/``sincos`` (``avx_math``); elsewhere the C library's float functions. float64 uses
  53-bit uniforms and the C library's double functions.
* anything smaller (or not contiguous) takes one double-precision Box-Muller pair per two
  elements, keeping the unused sine in the generator (``next_double_normal``) for the next draw.

``ATEN_CPU_CAPABILITY=default`` selects the portable float kernel, as it does in PyTorch.
"""

from __future__ import annotations

import math
import os
import platform

import numpy as np

from visgrad.random.avx_math import log_ps, sincos_ps
from visgrad.random.exact import fma32, fma64, libm, libm32
from visgrad.random.generator import Generator

TWO_PI = 2.0 * math.pi


def unit24(words: np.ndarray) -> np.ndarray:
    """float32 uniforms in [0, 1) from 32-bit words (the low 24 bits)."""
    return (words & np.uint32(0xFFFFFF)).astype(np.float32) * np.float32(2.0**-24)


def unit53(words: np.ndarray) -> np.ndarray:
    """float64 uniforms in [0, 1) from 64-bit words (the low 53 bits)."""
    return (words & np.uint64(2**53 - 1)).astype(np.float64) * 2.0**-53


def _avx2_kernel() -> bool:
    machine = platform.machine().lower()
    capability = os.environ.get("ATEN_CPU_CAPABILITY", "").lower()
    return machine in ("x86_64", "amd64") and capability != "default"


AVX2 = _avx2_kernel()


_ROWS = 4096  # rows of 16 per pass: the float64 temporaries stay in the CPU's cache


def _fill16_float(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Blocks of 16 float32 uniforms (rows) to 16 normals each."""
    if len(u) > _ROWS:
        return np.concatenate(
            [_fill16_float(u[i : i + _ROWS], mean, std) for i in range(0, len(u), _ROWS)]
        )
    u1 = np.float32(1) - u[:, :8]
    u2 = u[:, 8:]
    if AVX2:
        radius = np.sqrt(np.float32(-2) * log_ps(u1))
        sin, cos = sincos_ps(np.float32(TWO_PI) * u2)
    else:
        radius = np.sqrt(np.float32(-2) * libm32("logf", u1))
        theta = (TWO_PI * u2.astype(np.float64)).astype(np.float32)
        sin, cos = libm32("sinf", theta), libm32("cosf", theta)
    m, s = np.float32(mean), np.float32(std)
    return np.concatenate([fma32(radius * cos, s, m), fma32(radius * sin, s, m)], axis=1)


def _fill16_double(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    radius = np.sqrt(-2.0 * libm(math.log, 1.0 - u[:, :8]))
    theta = TWO_PI * u[:, 8:]
    cos, sin = libm(math.cos, theta), libm(math.sin, theta)
    return np.concatenate([fma64(radius * cos, std, mean), fma64(radius * sin, std, mean)], axis=1)


def normal_fill(gen: Generator, n: int, dtype: np.dtype, mean: float, std: float) -> np.ndarray:
    """``n`` >= 16 normals by the 16-at-a-time kernel, as a flat array of ``dtype``."""
    dtype = np.dtype(dtype)
    double = dtype == np.float64
    fill = _fill16_double if double else _fill16_float

    def uniforms(k: int) -> np.ndarray:
        return unit53(gen.random64(k)) if double else unit24(gen.random32(k))

    full, tail = divmod(n, 16)
    if dtype in (np.float32, np.float64):
        out = fill(uniforms(n)[: 16 * full].reshape(full, 16), mean, std).ravel()
        if tail:
            out = np.concatenate([out, np.empty(tail, out.dtype)])
            out[n - 16 :] = fill(uniforms(16).reshape(1, 16), mean, std).ravel()
        return out.astype(dtype, copy=False)
    # float16: each block draws its own 16 uniforms (no draws for the tail's first pass).
    out = np.empty(n, np.float32)
    blocks = fill(uniforms(16 * full).reshape(full, 16), mean, std).ravel()
    out[: 16 * full] = blocks
    if tail:
        out[n - 16 :] = fill(uniforms(16).reshape(1, 16), mean, std).ravel()
    return out.astype(dtype)


def normal_scalar(gen: Generator, n: int, mean: float, std: float) -> np.ndarray:
    """``n`` normals by ``at::normal_distribution<double>``, as float64 (the caller casts)."""
    raw = np.empty(n, np.float64)
    start = 0
    if n and gen.next_double_normal is not None:
        raw[0] = gen.next_double_normal
        gen.next_double_normal = None
        start = 1
    pairs = (n - start + 1) // 2
    if pairs:
        u = unit53(gen.random64(2 * pairs)).reshape(pairs, 2)
        r = np.sqrt(-2.0 * libm(math.log1p, -u[:, 1]))
        theta = TWO_PI * u[:, 0]
        both = np.stack([r * libm(math.cos, theta), r * libm(math.sin, theta)], axis=1).ravel()
        raw[start:] = both[: n - start]
        if (n - start) % 2:
            gen.next_double_normal = float(both[-1])
    if mean == 0.0 and std == 1.0:
        return raw
    return fma64(raw, std, mean)


def normal(
    gen: Generator, n: int, dtype: np.dtype, mean: float, std: float, contiguous: bool = True
) -> np.ndarray:
    """``n`` normal samples of ``dtype`` in fill order, choosing PyTorch's kernel."""
    if n >= 16 and contiguous:
        return normal_fill(gen, n, dtype, mean, std)
    return normal_scalar(gen, n, mean, std).astype(dtype)
