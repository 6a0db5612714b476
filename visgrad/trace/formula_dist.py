"""Formula functions of the distance and quantile nodes, in float64 NumPy, merged into
``formula_functions``' table: ``cdist_backward`` (PyTorch's ``_cdist_backward``), its Euclidean
matrix-product form and ``pdist_backward``, written from the definitions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def _a(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _cdist(grad: Any, x1: Any, x2: Any, p: Any, dist: Any) -> np.ndarray:
    """d dist[i, j] / d x1[i]: the subgradient of the p-norm of ``x1[i] - x2[j]``, 0 at 0."""
    a, b, p = _a(x1), _a(x2), float(p)
    diff = a[..., :, None, :] - b[..., None, :, :]
    shape = np.broadcast_shapes(diff.shape[:-1], np.shape(grad), np.shape(dist))
    g = np.broadcast_to(_a(grad), shape)[..., None]
    d = np.broadcast_to(_a(dist), shape)[..., None]
    ad, sd = np.abs(diff), np.sign(diff)
    with np.errstate(divide="ignore", invalid="ignore"):
        if p == 0:
            out = np.zeros(diff.shape)
        elif p == 1:
            out = g * sd
        elif np.isinf(p):
            out = g * sd * (ad == d)
        else:
            out = np.where(
                (d == 0) | ((ad == 0) & (p < 1)), 0.0, sd * ad ** (p - 1) * g / d ** (p - 1)
            )
    return out.sum(-2)


def _euclid(grad: Any, x1: Any, x2: Any, result: Any) -> tuple[np.ndarray, np.ndarray]:
    a, b, d = _a(x1), _a(x2), _a(result)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(d == 0, 0.0, _a(grad) / d)
    g1 = a * ratio.sum(-1, keepdims=True) - ratio @ b
    g2 = b * ratio.sum(-2)[..., None] - np.swapaxes(ratio, -1, -2) @ a
    return g1, g2


def _pdist(grad: Any, x: Any, p: Any, result: Any) -> np.ndarray:
    n = np.shape(x)[0]
    i, j = np.triu_indices(n, 1)
    g, d = np.zeros((n, n)), np.zeros((n, n))
    g[i, j] = g[j, i] = _a(grad)
    d[i, j] = d[j, i] = _a(result)
    return _cdist(g, x, x, p, d)


DIST_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "cdist_backward": _cdist,
    "euclidean_dist_backward": _euclid,
    "pdist_backward": _pdist,
}
