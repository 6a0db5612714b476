"""The float32 ``log`` and ``sincos`` PyTorch's x86 ``randn`` uses, step for step in NumPy.

On x86-64 ATen fills float32 normals 16 at a time with its AVX2 kernel, whose logarithm and
sine/cosine are Cephes-style polynomials (``avx_mathfun.h``) compiled with FMA contraction: every
multiply whose only use is an add is fused into it. The results differ from the C library's in the
last bit for about one value in a hundred, so the same polynomials are evaluated here in the same
order, fused where the compiled kernel fuses (measured against torch 2.13 bit for bit).
"""

from __future__ import annotations

import numpy as np

from visgrad.random.exact import fma32

f32 = np.float32

_LOG_P = (
    7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
    -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
)  # fmt: skip
_MIN_NORMAL = np.array(0x00800000, np.int32).view(np.float32)


def log_ps(x: np.ndarray) -> np.ndarray:
    """Natural logarithm of positive float32 values (NaN for x <= 0)."""
    x = np.asarray(x, np.float32)
    invalid = x <= 0
    x = np.maximum(x, _MIN_NORMAL)
    bits = x.view(np.int32)
    exponent = (bits.view(np.uint32) >> np.uint32(23)).astype(np.int32) - 0x7F
    x = ((bits & ~0x7F800000) | np.array(0.5, np.float32).view(np.int32)).view(np.float32)
    e = exponent.astype(np.float32) + f32(1)
    small = x < f32(0.707106781186547524)
    x = (x - f32(1)) + np.where(small, x, f32(0))
    e = e - np.where(small, f32(1), f32(0))
    z = x * x
    y = np.full_like(x, f32(_LOG_P[0]))
    for c in _LOG_P[1:]:
        y = fma32(y, x, f32(c))
    y = fma32(y * x, z, e * f32(-2.12194440e-4))
    y = fma32(z, f32(-0.5), y)
    x = fma32(e, f32(0.693359375), x + y)
    return np.where(invalid, f32(np.nan), x)


def sincos_ps(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sine and cosine of float32 values (accurate for |x| < 8192, as the original)."""
    x = np.asarray(x, np.float32)
    sign_sin = np.signbit(x)
    x = np.abs(x)
    j = ((x * f32(1.27323954473516)).astype(np.int32) + 1) & ~1  # octant, rounded up to even
    y = j.astype(np.float32)
    sign_sin = sign_sin ^ ((j & 4) != 0)
    sign_cos = (~(j - 2) & 4) != 0
    use_sin_poly = (j & 2) == 0
    # Cody-Waite reduction by pi/4 in three parts.
    x = fma32(y, f32(-0.78515625), x)
    x = fma32(y, f32(-2.4187564849853515625e-4), x)
    x = fma32(y, f32(-3.77489497744594108e-8), x)
    z = x * x
    cos_poly = fma32(f32(2.443315711809948e-005), z, f32(-1.388731625493765e-003))
    cos_poly = fma32(cos_poly, z, f32(4.166664568298827e-002)) * z
    cos_poly = fma32(cos_poly, z, -(z * f32(0.5))) + f32(1)
    sin_poly = fma32(f32(-1.9515295891e-4), z, f32(8.3321608736e-3))
    sin_poly = fma32(sin_poly, z, f32(-1.6666654611e-1))
    sin_poly = fma32(sin_poly * z, x, x)
    s = np.where(use_sin_poly, sin_poly, cos_poly)
    c = np.where(use_sin_poly, cos_poly, sin_poly)
    return np.where(sign_sin, -s, s), np.where(sign_cos, -c, c)
