"""Formula functions of the math ops added for real programs: ``renorm``'s backward and
``mvlgamma``'s derivative (the sum of digammas at the shifted points), in float64 NumPy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import special as _special


def _arr(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _norm_grad(
    go: np.ndarray, x: np.ndarray, p: float, norm: np.ndarray, dims: tuple[int, ...]
) -> np.ndarray:
    if p == 1:
        return go * np.sign(x)
    if p == np.inf:
        hit = (np.abs(x) == norm).astype(np.float64)
        return go * np.sign(x) * hit / hit.sum(axis=dims, keepdims=True)
    return go * np.sign(x) * np.abs(x) ** (p - 1) / norm ** (p - 1)


def _renorm_backward(grad: Any, x: Any, p: Any, dim: Any, maxnorm: Any) -> np.ndarray:
    """PyTorch's ``renorm_backward``: the slices over the limit are scaled, so their gradient
    is ``maxnorm / norm * (grad - x * <x, grad> / norm²)`` in the p-norm's form."""
    g, xs, pf, m = _arr(grad), _arr(x), float(p), float(maxnorm)
    dims = tuple(d for d in range(xs.ndim) if d != int(dim))
    ax = np.abs(xs)
    if pf == np.inf:
        norm = ax.max(axis=dims, keepdims=True)
    else:
        norm = (ax**pf).sum(axis=dims, keepdims=True) ** (1.0 / pf)
    go = (xs * g).sum(axis=dims, keepdims=True)
    inv = 1.0 / (norm + 1e-7)
    scaled = inv * m * (g - inv * _norm_grad(go, xs, pf, norm, dims))
    return np.where(norm > m, scaled, g)


def _mvdigamma(x: Any, p: Any) -> np.ndarray:
    """``d/dx mvlgamma(x, p)``: the digammas at ``x - j/2`` for ``j < p``, summed."""
    xs = _arr(x)
    return sum((_special.digamma(xs - j / 2) for j in range(int(p))), np.zeros_like(xs))


MORE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "renorm_backward": _renorm_backward,
    "mvdigamma": _mvdigamma,
}
