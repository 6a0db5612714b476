"""Float32 exp and log as ATen's CPU kernels compute them, bit for bit.

The softmax family (``softmax``, ``log_softmax`` and so ``cross_entropy``) and ``sigmoid`` run
``Vectorized<float>::exp()`` / ``log()``, which are Sleef's ``expf_u10`` / ``logf_u10`` built for
AVX-512 with fused multiply-adds. Their results differ from the correctly rounded ones (and from
NumPy's) in about one element of ten, so a softmax over NumPy's exp differs from PyTorch's in the
last bit for most rows. This module evaluates the same algorithms with NumPy on whole arrays: the
Cody-Waite reduction by ln 2 and Sleef's degree-6 polynomial for exp; for log the reduction to a
mantissa in [0.75, 1.5) (AVX-512's getexp/getmant) and the atanh series in double-float
arithmetic. The constants are those of Sleef's algorithms.

A float32 fma is exact in float64 up to the final addition: the product of two float32 has at
most 48 significant bits. ``fma32`` then rounds the sum to odd in float64 (nudging an even,
inexact sum one unit toward the exact value, found by TwoSum) before the float32 cast, so the
double rounding gives the correctly rounded fma. ``expf`` skips that nudge in its polynomial: the
reduction steps are exact in float64, and ``scripts/check_sleef_exp.py --busy`` finds no float32
input in 2**-30 <= |d| <= 104 (the range where a step can land on a midpoint) where it differs
from an fma32 evaluation.

The elements an ATen loop leaves after its last whole vector run the scalar code, glibc's
``expf`` (``libm_expf``: a table of 2**(i/32) and a cubic, in double), which ``sigmoid`` and the
other-dimension softmax kernels need.

``torch.exp`` and ``torch.log`` themselves do not run this code: a build with MKL hands float
tensors to MKL's VML (``vmsExp``/``vmsLn`` in high-accuracy mode), whose algorithm is not
public, so those ops stay correctly rounded (``pointwise._correctly_rounded``).
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from typing import Any

import numpy as np

F32 = np.float32
F64 = np.float64
LANES = 16  # Vectorized<float> on an AVX-512 CPU
GRAIN_SIZE = 32768  # at::internal::GRAIN_SIZE: loops past it split among threads

_R_LN2 = F32(1.442695040888963407359924681001892137426645954152985934135449406931)
_L2U = 0.693145751953125  # ln 2's leading 15 bits: q * _L2U is exact
_L2L = float(F32(1.428606765330187045e-06))  # the rest of ln 2, rounded to float32
_EXP_POLY = (
    0.000198527617612853646278381,
    0.00139304355252534151077271,
    0.00833336077630519866943359,
    0.0416664853692054748535156,
    0.166666671633720397949219,
    0.5,
)
_EXP_POLY_F = tuple(float(F32(c)) for c in _EXP_POLY)
_LN2_HI = F32(0.69314718246459960938)
_LN2_LO = F32(-1.904654323148236017e-09)
_LOG_POLY = (F32(0.3027294874), F32(0.3996108174), F32(0.6666694880))


def fma32(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """The correctly rounded float32 ``a * b + c`` (one rounding, as the FMA instruction)."""
    with np.errstate(all="ignore"):
        return _fma32(a, b, c)


def _fma32(a: np.ndarray, b: np.ndarray, c: Any) -> np.ndarray:
    """``fma32`` for callers already ignoring floating-point errors (``logf``)."""
    p = np.multiply(a, b, dtype=F64)
    s = p + c
    # The float32 cast of the float64 sum rounds as once unless the sum sits exactly on a
    # float32 midpoint, whose low 28 mantissa bits are zero; only those few are checked.
    tie = (s.view(np.int64) & 0xFFFFFFF) == 0
    if tie.any():
        _round_to_odd_where(s, p, c, tie)
    return s.astype(F32)


def _round_to_odd_where(s: np.ndarray, p: np.ndarray, c: Any, where: np.ndarray) -> None:
    """Round the float64 sums ``s = p + c`` (``p`` the exact product) to odd in place where
    ``where`` is set: an even, inexact sum is nudged one unit toward the exact value (its error
    found by TwoSum over the whole arrays: cheaper than picking the few out), so the float32
    cast then rounds as if once."""
    bv = s - p
    err = (p - (s - bv)) + (c - bv)
    fix = where & (err != 0) & ((s.view(np.int64) & 1) == 0) & np.isfinite(err)
    if fix.any():
        s[fix] = np.nextafter(s[fix], np.copysign(np.inf, err[fix]))


def _pow2(e: np.ndarray) -> np.ndarray:
    """2**e as float32 for integers e in [-126, 127], from the exponent bits."""
    return ((e + 127) << 23).view(F32)


def _round(x: np.ndarray, via: np.ndarray) -> None:
    """Round the float64 array ``x`` to float32 in place, through the float32 array ``via``."""
    np.copyto(via, x, casting="same_kind")
    np.copyto(x, via)


def expf(d: np.ndarray) -> np.ndarray:
    """Sleef's ``expf_u10`` (AVX-512, FMA) of a float32 array.

    Every step writes into a few scratch arrays: a fresh array of 10**5 floats costs more in
    page faults than the arithmetic on it.
    """
    d = np.ascontiguousarray(d, F32)
    out = np.empty_like(d)
    with np.errstate(all="ignore"):
        q = np.multiply(d, _R_LN2)
        np.rint(q, out=q)  # vrint: round half to even
        # d - q*L2U is exact in float32; subtracting q*L2L in float64 and casting is Sleef's
        # second fma (the one rounding to float32).
        s32 = np.multiply(q, F32(-_L2U))
        s32 += d
        s = np.multiply(q, _L2L, dtype=F64)
        np.subtract(s32, s, out=s, dtype=F64)
        np.copyto(s32, s, casting="same_kind")
        np.copyto(s, s32)
        w = np.multiply(s, _EXP_POLY_F[0])
        for i, c in enumerate(_EXP_POLY_F[1:]):  # u = fma(u, s, c): exact product, one rounding
            w += c
            _round(w, out)
            if i < 4:
                w *= s
        # 1 + fma(s*s, u, s), the square rounded to float32 first
        np.multiply(s32, s32, out=s32)
        np.multiply(s32, w, out=w, dtype=F64)
        w += s
        np.copyto(out, w, casting="same_kind")
        out += F32(1)
        edge = None
        if not (d.max(initial=-np.inf) <= 86 and d.min(initial=np.inf) >= -86):
            edge = ~(np.abs(d) <= 86)  # beyond it the result leaves the normal floats
            edges = (out[edge], q[edge].astype(np.int32), d[edge])
        # u * 2**q: adding q to the exponent bits is exact while the result stays normal
        qi = q.astype(np.int32)
        qi <<= 23
        out.view(np.int32)[...] += qi
        if edge is not None:
            out[edge] = _scale_edges(*edges)
    return out


def _scale_edges(u: np.ndarray, q: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Sleef's two-step scaling by 2**q (rounding once into the subnormals) and its limits."""
    half = q >> 1
    r = u * _pow2(half) * _pow2(q - half)
    r[d < -104] = 0
    r[d > 100] = np.inf
    r[np.isnan(d)] = np.nan
    return r


def _ln2_table() -> tuple[np.ndarray, np.ndarray]:
    """ln 2 * e as Sleef's float pair (``sx``, ``sy``) for every exponent e that ``logf``'s
    getexp yields (-150 for the least subnormal up to 128), indexed by e + 150."""
    e = np.arange(-150, 129, dtype=F32)
    sx = _LN2_HI * e
    return sx, fma32(_LN2_LO, e, fma32(_LN2_HI, e, -sx))


_LN2_E = _ln2_table()
_FOUR_THIRDS = F32(1.0 / 0.75)


def _exact_fma(a: np.ndarray, b: np.ndarray, c: np.ndarray | float) -> np.ndarray:
    """``a * b + c`` where the exact result is a float32 (the error of a rounded product or
    of a rounded quotient): float64 computes it without rounding."""
    s = np.multiply(a, b, dtype=F64)
    s += c
    return s.astype(F32)


def logf(d: np.ndarray) -> np.ndarray:
    """Sleef's ``logf_u10`` (AVX-512, FMA) of a float32 array.

    getexp(d * 4/3) indexes a table of ln 2 * e; getmant(d) is normalised to [0.75, 1.5).
    Two of the reduction's sums are exact (m - 1, and 0 as its error), and three of its
    fmas give a float32 exactly (``_exact_fma``); the other four round (``fma32``).
    """
    d = np.asarray(d, F32)
    with np.errstate(all="ignore"):
        _, ex = np.frexp(d * _FOUR_THIRDS)  # d * 4/3 = frac * 2**ex, frac in [0.5, 1)
        m, _ = np.frexp(np.abs(d))
        np.multiply(m, F32(2), out=m, where=m < 0.75)
        ex += 149
        sx, sy = _LN2_E[0][ex], _LN2_E[1][ex]
        # x = (m - 1) / (m + 1) as a float pair: m - 1 is exact (m is in [0.75, 1.5))
        nx = m - F32(1)
        dx = m + F32(1)
        dv = dx - F32(1)
        dy = (F32(1) - (dx - dv)) + (m - dv)
        t = F32(1) / dx
        xx = nx * t
        u = _exact_fma(t, nx, -xx)
        v = _fma32(-dy, t, _exact_fma(-dx, t, 1.0))
        xy = _fma32(xx, v, u)
        x2 = xx * xx
        poly = _fma32(_fma32(_LOG_POLY[0], x2, _LOG_POLY[1]), x2, _LOG_POLY[2])
        # s += 2x (pair + pair), then s += x**3 * poly (pair + float)
        bx, by = xx * F32(2), xy * F32(2)
        s1 = sx + bx
        sy = (((sx - s1) + bx) + sy) + by
        w = (x2 * xx) * poly
        s2 = s1 + w
        r = s2 + (((s1 - s2) + w) + sy)
        # fixupimm: zero -> -inf, +inf -> +inf, negative / -inf / nan -> nan
        r[d == 0] = -np.inf
        r[d == np.inf] = np.inf
        r[~(d >= 0)] = np.nan
    return r


def lane_sum(e: np.ndarray) -> np.ndarray:
    """Sums along the last axis in ``vec::map_reduce_all``'s order with 16-float vectors.

    Lane j adds elements j, j + 16, ... in turn (the tail vector updates only its lanes), then
    the 16 lanes are added pairwise across halves (lanes i and i ^ 8, then ^ 4, ^ 2, ^ 1). A row
    shorter than one vector is added element by element.
    """
    n = e.shape[-1]
    if n < LANES:
        acc = e[..., 0].copy()
        for i in range(1, n):
            acc += e[..., i]
        return acc
    k = -(-n // LANES)
    if k * LANES != n:
        padded = np.zeros(e.shape[:-1] + (k * LANES,), F32)
        padded[..., :n] = e  # +0 leaves a sum of non-negative terms unchanged
        e = padded
    acc = np.add.reduce(e.reshape(e.shape[:-1] + (k, LANES)), axis=-2)
    while acc.shape[-1] > 1:
        h = acc.shape[-1] // 2
        acc = acc[..., :h] + acc[..., h:]
    return acc[..., 0]


def _exp2_table() -> np.ndarray:
    """2**(i/32) for i < 32, correctly rounded to double (from 40-digit decimals)."""
    with decimal.localcontext() as ctx:
        ctx.prec = 40
        return np.array([float(decimal.Decimal(2) ** (decimal.Decimal(i) / 32)) for i in range(32)])


_EXP2_32 = _exp2_table()
_INV_LN2_32 = float.fromhex("0x1.71547652b82fep+0") * 32
_GLIBC_POLY = (  # the cubic of glibc's expf, scaled to a step of 1/32
    float.fromhex("0x1.c6af84b912394p-5") / 32**3,
    float.fromhex("0x1.ebfce50fac4f3p-3") / 32**2,
    float.fromhex("0x1.62e42ff0c52d6p-1") / 32,
)


def libm_expf(d: np.ndarray) -> np.ndarray:
    """glibc's scalar ``expf``, which ATen's loops use on the elements after their last whole
    vector: x * 32/ln2 = k + r, exp(x) = 2**(k/32) * (1 + c2 r + c1 r**2 + c0 r**3) in double,
    one rounding to float. (glibc fuses the multiply-adds; in double that changes the float
    result only where the double lands within 2**-29 of a float midpoint.)"""
    d = np.asarray(d, F32)
    with np.errstate(all="ignore"):
        z = d.astype(F64) * _INV_LN2_32
        k = np.rint(z)
        r = z - k
        ki = np.where(np.isfinite(k), k, 0).astype(np.int64)
        j = ki & 31
        s = np.ldexp(_EXP2_32[j], (ki - j) >> 5)
        y = (_GLIBC_POLY[0] * r + _GLIBC_POLY[1]) * (r * r) + (_GLIBC_POLY[2] * r + 1)
        out = (y * s).astype(F32)
        out[d > F32(float.fromhex("0x1.62e42ep6"))] = np.inf
        out[d < F32(float.fromhex("-0x1.9fe368p6"))] = 0
        out[np.isnan(d)] = np.nan
    return out


Kernel = Callable[[np.ndarray], np.ndarray]


def _flat(x: np.ndarray, vector: Kernel, scalar: Kernel, threads: int) -> np.ndarray:
    """An ATen float32 pointwise kernel on a contiguous 1-D array: ``vector`` (the Sleef code)
    on each pair of 16-float vectors, ``scalar`` (libm's) on each chunk's tail."""
    n = x.size
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        out = vector(x)
        # TensorIterator splits past GRAIN_SIZE elements into one chunk per thread.
        parts = 1 if n <= GRAIN_SIZE else max(1, min(threads, -(-n // GRAIN_SIZE)))
        chunk = -(-n // parts)
        for begin in range(0, n, chunk):
            end = min(n, begin + chunk)
            tail = begin + (end - begin) // (2 * LANES) * (2 * LANES)
            if tail < end:
                out[tail:end] = scalar(x[tail:end])
    return out


def by_layout(x: np.ndarray, vector: Kernel, scalar: Kernel, threads: int) -> np.ndarray:
    """A float32 pointwise op as PyTorch's CPU kernel rounds it, by the input's layout: a dense
    array runs in memory order; one whose last axis is contiguous runs row by row (each row's
    tail in the scalar loop); any other layout runs the scalar loop throughout. ``vector`` and
    ``scalar`` compute the op elementwise as the kernel's vector and scalar loops do."""
    if not x.size:
        return x.copy()
    if x.flags.c_contiguous:
        return _flat(x.ravel(), vector, scalar, threads).reshape(x.shape)
    if x.flags.f_contiguous:
        return _flat(x.T.ravel(), vector, scalar, threads).reshape(x.T.shape).T
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        if x.ndim and x.strides[-1] == x.itemsize:  # (the split among threads is left out)
            rows = np.ascontiguousarray(x)
            out = vector(rows)
            tail = x.shape[-1] // (2 * LANES) * (2 * LANES)
            out[..., tail:] = scalar(rows[..., tail:])
            return out
        return scalar(x)


def sigmoid(x: np.ndarray, threads: int) -> np.ndarray:
    """float32 sigmoid as ATen's CPU kernel: ``1 / (1 + exp(-x))`` (see ``by_layout``)."""
    return by_layout(
        x,
        lambda v: F32(1) / (expf(F32(0) - v) + F32(1)),
        lambda v: F32(1) / (F32(1) + libm_expf(-v)),
        threads,
    )


def silu(x: np.ndarray, threads: int) -> np.ndarray:
    """float32 SiLU as ATen's CPU kernel: ``x / (1 + exp(-x))`` (see ``by_layout``)."""
    return by_layout(
        x,
        lambda v: v / (F32(1) + expf(-v)),
        lambda v: v / (F32(1) + libm_expf(-v)),
        threads,
    )
