"""``nn.init.trunc_normal_``'s sampler: PyTorch's two rejection schemes, draw for draw.

When [a, b] holds more than 30 % of the mass, whole-tensor normal draws replace the samples that
fell outside until none do; otherwise uniform candidates on [a, b] are accepted with probability
``pdf(x) / pdf(mode)`` (a whole-tensor uniform per round decides). The draws are PyTorch's; the
acceptance test compares a float32 ``log`` (NumPy's here, SLEEF's in PyTorch), which can differ
in the last bit, so a candidate within one ulp of its threshold may be decided differently.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from visgrad.random import draws
from visgrad.random.generator import Generator
from visgrad.random.normal import normal


def _norm_cdf(x: float) -> float:
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def trunc_normal_values(
    gen: Generator, data: np.ndarray, mean: float, std: float, a: float, b: float
) -> np.ndarray:
    """Samples for ``data``'s shape and dtype, in fill order."""
    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=3,
        )
    dtype, n, contig = data.dtype, data.size, data.flags.c_contiguous
    if _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std) > 0.3:
        lo, hi = float(dtype.type(a)), float(dtype.type(b))
        result = normal(gen, n, dtype, mean, std, contig)
        while True:
            outside = (result < lo) | (result > hi)
            if not outside.any():
                return result
            result = np.where(outside, normal(gen, n, dtype, mean, std, contig), result)
    mode = max(a, min(mean, b))
    log_peak = -0.5 * ((mode - mean) / std) ** 2
    t = dtype.type

    def log_ratio(x: np.ndarray) -> np.ndarray:
        z = (x - t(mean)) / t(std)
        return z * z * t(-0.5) - t(log_peak)

    def rejected(candidates: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.log(draws.uniform(gen, n, dtype, 0.0, 1.0)) > log_ratio(candidates)

    result = draws.uniform(gen, n, dtype, a, b)
    pending = rejected(result)
    while pending.any():
        candidates = draws.uniform(gen, n, dtype, a, b)
        result = np.where(pending, candidates, result)
        pending = np.where(pending, rejected(candidates), pending)
    return result
