"""Formula-language helpers for the class-margin losses' nodes, in plain float64 NumPy.

Written as loops over frames and classes straight from the losses' definitions (not shared with
the engine's vectorised kernels), so evaluating a formula from events also checks the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from visgrad.trace.formula_nn import _f


def _grid(x: Any, target: Any) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    xs = _f(x)
    frames = 1 if xs.ndim <= 1 else xs.shape[0]
    return xs.reshape(frames, -1), np.asarray(target, dtype=np.int64), xs.shape


def _per_frame(grad: Any, frames: int, reduction: Any, per_frame_out: bool) -> np.ndarray:
    """The gradient each frame's loss received (1/N of it for 'mean')."""
    g = _f(grad)
    if int(reduction) == 0 and per_frame_out:
        return g.reshape(frames)
    return np.full(frames, float(g) / (frames if int(reduction) == 1 else 1))


def multi_margin_loss_backward(
    grad: Any, x: Any, target: Any, p: Any, margin: Any, weight: Any, reduction: Any
) -> np.ndarray:
    """d/dx of ``Σ_{j≠y} max(0, margin − x[y] + x[j])^p · w[y] / C`` per frame."""
    xs, t, shape = _grid(x, target)
    frames, dim = xs.shape
    gf = _per_frame(grad, frames, reduction, t.ndim > 0)
    t = t.reshape(frames)
    out = np.zeros_like(xs)
    for n in range(frames):
        y = int(t[n])
        w = 1.0 if weight is None else float(_f(weight)[y])
        for j in range(dim):
            z = float(margin) - xs[n, y] + xs[n, j]
            if j == y or z <= 0:
                continue
            slope = 1.0 if int(p) == 1 else 2 * z
            out[n, j] += gf[n] * w * slope / dim
            out[n, y] -= gf[n] * w * slope / dim
    return out.reshape(shape)


def multilabel_margin_loss_backward(grad: Any, x: Any, target: Any, reduction: Any) -> np.ndarray:
    """d/dx of ``Σ_j Σ_{k not a target} max(0, 1 − x[y_j] + x[k]) / C`` per frame."""
    xs, t, shape = _grid(x, target)
    frames, dim = xs.shape
    gf = _per_frame(grad, frames, reduction, len(shape) > 1)
    t = t.reshape(frames, dim)
    out = np.zeros_like(xs)
    for n in range(frames):
        listed: list[int] = []
        for c in t[n]:
            if c == -1:
                break
            listed.append(int(c))
        for y in listed:
            for k in range(dim):
                if k in listed or 1 - xs[n, y] + xs[n, k] <= 0:
                    continue
                out[n, k] += gf[n] / dim
                out[n, y] -= gf[n] / dim
    return out.reshape(shape)


LOSS_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "multi_margin_loss_backward": multi_margin_loss_backward,
    "multilabel_margin_loss_backward": multilabel_margin_loss_backward,
}
