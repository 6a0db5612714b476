"""Formula-language helpers for normalisation, embedding, attention and GLU/GELU nodes, in plain
float64 NumPy; written from the definitions, as ``formula_nn``'s are (see there).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from visgrad.trace.formula_nn import Ints, _f, _ints


# -- normalisation --------------------------------------------------------------------------------
def _normalized_input_grad(g: np.ndarray, x: np.ndarray, axes: Ints, eps: float) -> np.ndarray:
    mean = x.mean(axis=axes, keepdims=True)
    rstd = 1 / np.sqrt(((x - mean) ** 2).mean(axis=axes, keepdims=True) + eps)
    xhat = (x - mean) * rstd
    return rstd * (
        g - g.mean(axis=axes, keepdims=True) - xhat * (g * xhat).mean(axis=axes, keepdims=True)
    )


def _xhat(x: np.ndarray, axes: Ints, eps: float) -> np.ndarray:
    mean = x.mean(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(((x - mean) ** 2).mean(axis=axes, keepdims=True) + eps)


def _bn_axes(x: np.ndarray) -> Ints:
    return (0,) + tuple(range(2, x.ndim))


def _channels(v: Any, ndim: int) -> np.ndarray:
    return _f(v).reshape((1, -1) + (1,) * (ndim - 2))


def batch_norm_input_grad(
    grad: Any,
    input: Any,
    weight: Any,
    eps: Any,
    training: Any,
    running_var: Any,  # noqa: A002
) -> np.ndarray:
    """Training: through the batch statistics; eval: ``grad · weight / sqrt(running_var + eps)``."""
    x = _f(input)
    g = _f(grad) * _channels(weight, x.ndim)
    if not training:
        return g / np.sqrt(_channels(running_var, x.ndim) + float(eps))
    return _normalized_input_grad(g, x, _bn_axes(x), float(eps))


def batch_norm_weight_grad(
    grad: Any,
    input: Any,
    eps: Any,
    training: Any,
    running_mean: Any,
    running_var: Any,  # noqa: A002
) -> np.ndarray:
    x = _f(input)
    if training:
        xhat = _xhat(x, _bn_axes(x), float(eps))
    else:
        rm, rv = _channels(running_mean, x.ndim), _channels(running_var, x.ndim)
        xhat = (x - rm) / np.sqrt(rv + float(eps))
    return (_f(grad) * xhat).sum(axis=_bn_axes(x))


def _ln_axes(x: np.ndarray, normalized_shape: Any) -> Ints:
    k = len(_ints(normalized_shape))
    return tuple(range(x.ndim - k, x.ndim))


def layer_norm_input_grad(
    grad: Any, input: Any, weight: Any, normalized_shape: Any, eps: Any
) -> np.ndarray:  # noqa: A002
    x = _f(input)
    return _normalized_input_grad(
        _f(grad) * _f(weight), x, _ln_axes(x, normalized_shape), float(eps)
    )


def layer_norm_weight_grad(grad: Any, input: Any, normalized_shape: Any, eps: Any) -> np.ndarray:  # noqa: A002
    x = _f(input)
    axes = _ln_axes(x, normalized_shape)
    lead = tuple(range(x.ndim - len(axes)))
    return (_f(grad) * _xhat(x, axes, float(eps))).sum(axis=lead)


def sum_leading(grad: Any, normalized_shape: Any) -> np.ndarray:
    """``grad`` summed over every dim before the trailing ``normalized_shape``."""
    g = _f(grad)
    return g.sum(axis=tuple(range(g.ndim - len(_ints(normalized_shape)))))


def group_norm_input_grad(grad: Any, input: Any, weight: Any, group: Any, eps: Any) -> np.ndarray:  # noqa: A002
    x = _f(input)
    n, c = x.shape[:2]
    g = (_f(grad).reshape(n, c, -1) * _f(weight).reshape(1, c, 1)).reshape(n, int(group), -1)
    return _normalized_input_grad(g, x.reshape(n, int(group), -1), (2,), float(eps)).reshape(
        x.shape
    )


def group_norm_weight_grad(grad: Any, input: Any, group: Any, eps: Any) -> np.ndarray:  # noqa: A002
    x = _f(input)
    n, c = x.shape[:2]
    xhat = _xhat(x.reshape(n, int(group), -1), (2,), float(eps)).reshape(n, c, -1)
    return (_f(grad).reshape(n, c, -1) * xhat).sum(axis=(0, 2))


# -- embedding and attention ------------------------------------------------------------------------
def embedding_backward(
    grad: Any, indices: Any, num: Any, padding_idx: Any, by_freq: Any
) -> np.ndarray:
    """Each looked-up row's gradient summed into its index's row (none for ``padding_idx``)."""
    idx = np.asarray(indices, dtype=np.int64).reshape(-1)
    g = _f(grad).reshape(idx.size, -1)
    scale = np.ones(idx.size)
    if by_freq:
        scale = 1.0 / np.bincount(idx, minlength=int(num))[idx]
    if int(padding_idx) >= 0:
        scale = np.where(idx == int(padding_idx), 0.0, scale)
    out = np.zeros((int(num), g.shape[1]))
    np.add.at(out, idx, g * scale[:, None])
    return out


def embedding_rows(grad: Any, indices: Any, padding_idx: Any, by_freq: Any) -> np.ndarray:
    """The gradient of ``embedding_backward`` in its gradient: the rows looked up, scaled."""
    idx = np.asarray(indices, dtype=np.int64)
    flat = idx.reshape(-1)
    g = _f(grad)
    scale = np.ones(flat.size)
    if by_freq:
        scale = 1.0 / np.bincount(flat, minlength=g.shape[0])[flat]
    if int(padding_idx) >= 0:
        scale = np.where(flat == int(padding_idx), 0.0, scale)
    return (g[flat] * scale[:, None]).reshape(idx.shape + (g.shape[1],))


def sdpa_backward(
    grad: Any, query: Any, key: Any, value: Any, mask: Any, is_causal: Any, scale: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dq, dk, dv) of ``softmax(q kᵀ·scale + mask) v``, key/value heads repeated for groups."""
    q, k, v, g = _f(query), _f(key), _f(value), _f(grad)
    hq, hk = q.shape[1], k.shape[1]
    r = hq // hk
    kr, vr = np.repeat(k, r, axis=1), np.repeat(v, r, axis=1)
    s = float(scale) if scale is not None else 1 / np.sqrt(q.shape[-1])
    scores = q @ np.swapaxes(kr, -1, -2) * s
    if mask is not None:
        m = np.asarray(mask)
        scores = scores + (np.where(m, 0.0, -np.inf) if m.dtype == bool else _f(m))
    if is_causal:
        scores = scores + np.where(np.tril(np.ones(scores.shape[-2:], dtype=bool)), 0.0, -np.inf)
    top = scores.max(axis=-1, keepdims=True)
    p = np.exp(scores - np.where(np.isfinite(top), top, 0))
    p = np.nan_to_num(p / p.sum(axis=-1, keepdims=True))
    gv = np.swapaxes(p, -1, -2) @ g
    gp = g @ np.swapaxes(vr, -1, -2)
    gs = p * (gp - (gp * p).sum(axis=-1, keepdims=True))
    gq = gs @ kr * s
    gk = np.swapaxes(gs, -1, -2) @ q * s
    if r > 1:
        gk = gk.reshape(k.shape[0], hk, r, *k.shape[2:]).sum(2)
        gv = gv.reshape(v.shape[0], hk, r, *v.shape[2:]).sum(2)
    return gq, gk, gv


def glu_backward(grad: Any, x: Any, dim: Any) -> np.ndarray:
    a, b = np.split(_f(x), 2, axis=int(dim))
    g = _f(grad)
    sb = 1 / (1 + np.exp(-b))
    return np.concatenate([g * sb, g * a * sb * (1 - sb)], axis=int(dim))


def _gelu_tanh_parts(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    k = np.sqrt(2 / np.pi)
    th = np.tanh(k * (x + 0.044715 * x**3))
    dinner = k * (1 + 3 * 0.044715 * x * x)
    sech2 = 1 - th * th
    slope = 0.5 * (1 + th) + 0.5 * x * sech2 * dinner
    curve = sech2 * dinner + 0.5 * x * (-2 * th * sech2 * dinner**2 + sech2 * k * 6 * 0.044715 * x)
    return slope, curve


def gelu_slope(x: Any, approximate: str) -> np.ndarray:
    """gelu'(x): Φ(x) + x·φ(x) (or the tanh approximation's derivative)."""
    a = _f(x)
    if approximate == "tanh":
        return _gelu_tanh_parts(a)[0]
    cdf = 0.5 * (1 + np.vectorize(math.erf)(a / np.sqrt(2)))
    return cdf + a * np.exp(-0.5 * a * a) / np.sqrt(2 * np.pi)


def gelu_curvature(x: Any, approximate: str) -> np.ndarray:
    """gelu''(x): φ(x)·(2 − x²) (or the tanh approximation's second derivative)."""
    a = _f(x)
    if approximate == "tanh":
        return _gelu_tanh_parts(a)[1]
    return np.exp(-0.5 * a * a) / np.sqrt(2 * np.pi) * (2 - a * a)


NORM_FUNCTIONS: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (
        batch_norm_input_grad, batch_norm_weight_grad, layer_norm_input_grad,
        layer_norm_weight_grad, sum_leading, group_norm_input_grad, group_norm_weight_grad,
        embedding_backward, embedding_rows, sdpa_backward, glu_backward, gelu_slope,
        gelu_curvature,
    )
}  # fmt: skip
