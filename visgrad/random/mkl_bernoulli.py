"""Intel MKL's MCG31 Bernoulli stream, which PyTorch's x86 builds once used for ``bernoulli_(p)``.

Older x86 builds of PyTorch, on a CPU whose vendor is Intel, took one 32-bit word from the
generator as the seed of an MKL ``VSL_BRNG_MCG31`` stream and drew
``viRngBernoulli(VSL_RNG_METHOD_BERNOULLI_ICDF)`` from it, element ``i`` using the stream's
``i``-th number. PyTorch 2.13 links MKL for BLAS only (its ``libtorch_cpu`` has no
``viRngBernoulli``): on every CPU, Intel's included, ``bernoulli_(p)`` and so dropout draw the
generator's own 53-bit uniforms (checked on an Intel Xeon against torch 2.13). So ``INTEL`` is
off; the stream stays, checked against MKL itself, for a build that still uses it.

MCG31m1 is the multiplicative congruential generator ``x = a * x mod (2**31 - 1)`` with
``a = 1132489760``, and the ICDF method yields 1 when ``x / m < p``; the stream's powers of ``a``
are computed here by doubling, so the whole mask is a handful of vectorised multiplications.
"""

from __future__ import annotations

import numpy as np

A = 1132489760
M = 2**31 - 1


# Whether ``bernoulli_(p)`` draws from this stream: not in PyTorch 2.13 (see the docstring).
INTEL = False


def _mulmod(a: np.ndarray, b: np.ndarray | int) -> np.ndarray:
    # Both factors are below 2**31, so the product fits in 62 bits.
    return (a.astype(np.uint64) * np.asarray(b, np.uint64)) % np.uint64(M)


def stream(seed: int, n: int) -> np.ndarray:
    """The first ``n`` numbers x_0..x_{n-1} of MKL's MCG31 stream seeded with ``seed``.

    MKL starts the stream at ``x_0 = seed mod m`` (1 if that is 0) and returns x_0 first.
    """
    x0 = seed % M or 1
    powers = np.array([1], np.uint64)  # a**0 .. a**(k-1)
    while powers.size < n:
        powers = np.concatenate([powers, _mulmod(powers, int(_mulmod(powers[-1:], A)[0]))])
    return _mulmod(powers[:n], x0)


def bernoulli(seed: int, n: int, p: float) -> np.ndarray:
    """``n`` Bernoulli(p) draws from an MCG31 stream, as booleans."""
    if n <= 0:
        return np.zeros(0, np.bool_)
    return stream(seed, n).astype(np.float64) / M < p
