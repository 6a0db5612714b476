"""Formula-language helpers for the layers' nodes: convolution, pooling, padding, norms,
embedding and attention, in plain float64 NumPy.

Each is a small reference implementation of the node's derivative, written from the definition
(not shared with the engine's kernels, which the debugger never imports), so evaluating a formula
from events also checks the engine. Where a derivative needs a value the events do not carry
(an attribute array too large to travel), the formula reports an unknown name rather than guess.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

Ints = tuple[int, ...]


def _f(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _ints(v: Any) -> Ints:
    return tuple(int(x) for x in (v if isinstance(v, (tuple, list)) else (v,)))


# -- convolution ----------------------------------------------------------------------------------
def _windows(
    padded: np.ndarray, kernel: Ints, stride: Ints, dilation: Ints, positions: Ints
) -> Any:
    """(kernel offset, view of ``padded`` that offset meets at every output position)."""
    for off in itertools.product(*[range(k) for k in kernel]):
        key = tuple(
            slice(o * d, o * d + s * (p - 1) + 1, s)
            for o, s, d, p in zip(off, stride, dilation, positions, strict=True)
        )
        yield off, (Ellipsis, *key)


def _conv(x: np.ndarray, w: np.ndarray, stride: Ints, dilation: Ints, groups: int) -> np.ndarray:
    """Cross-correlation of an already padded ``x`` (N, C, *S) with ``w`` (O, C/g, *K)."""
    n, c = x.shape[:2]
    o, kernel = w.shape[0], w.shape[2:]
    positions = tuple(
        (s - d * (k - 1) - 1) // st + 1
        for s, k, st, d in zip(x.shape[2:], kernel, stride, dilation, strict=True)
    )
    out = np.zeros((n, groups, o // groups, *positions))
    xg = x.reshape(n, groups, c // groups, *x.shape[2:])
    wg = w.reshape(groups, o // groups, c // groups, *kernel)
    for off, key in _windows(xg, kernel, stride, dilation, positions):
        out += np.einsum("ngc...,goc->ngo...", xg[key], wg[(Ellipsis, *off)])
    return out.reshape(n, o, *positions)


def _conv_adjoint(
    g: np.ndarray, w: np.ndarray, padded: Ints, stride: Ints, dilation: Ints, groups: int
) -> np.ndarray:
    """The adjoint of ``_conv`` in its input: (N, C, *padded) from an output gradient."""
    n, o = g.shape[:2]
    kernel = w.shape[2:]
    c = w.shape[1] * groups
    out = np.zeros((n, groups, c // groups, *padded))
    gg = g.reshape(n, groups, o // groups, *g.shape[2:])
    wg = w.reshape(groups, o // groups, c // groups, *kernel)
    for off, key in _windows(out, kernel, stride, dilation, g.shape[2:]):
        out[key] += np.einsum("ngo...,goc->ngc...", gg, wg[(Ellipsis, *off)])
    return out.reshape(n, c, *padded)


def _conv_weight(
    g: np.ndarray, x: np.ndarray, wshape: Ints, stride: Ints, dilation: Ints, groups: int
) -> np.ndarray:
    """d/dw of ``_conv(x, w)`` against gradient ``g`` (``x`` already padded)."""
    n, c = x.shape[:2]
    o, kernel = wshape[0], wshape[2:]
    xg = x.reshape(n, groups, c // groups, *x.shape[2:])
    gg = g.reshape(n, groups, o // groups, *g.shape[2:])
    out = np.zeros((groups, o // groups, c // groups, *kernel))
    for off, key in _windows(xg, kernel, stride, dilation, g.shape[2:]):
        xs = xg[key].reshape(n, groups, c // groups, -1)
        out[(Ellipsis, *off)] = np.einsum(
            "ngop,ngcp->goc", gg.reshape(n, groups, o // groups, -1), xs
        )
    return out.reshape(wshape)


def _pad(x: np.ndarray, padding: Ints) -> np.ndarray:
    return np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in padding])


def _crop(x: np.ndarray, padding: Ints, lengths: Ints) -> np.ndarray:
    return x[(Ellipsis, *(slice(p, p + n) for p, n in zip(padding, lengths, strict=True)))]


def conv_input_grad(
    grad: Any, input: Any, weight: Any, stride: Any, padding: Any, dilation: Any,  # noqa: A002
    transposed: Any, groups: Any,
) -> np.ndarray:  # fmt: skip
    """dL/dinput of ``convolution`` (a transposed convolution, or a convolution when transposed)."""
    g, x, w = _f(grad), _f(input), _f(weight)
    s, p, d = _ints(stride), _ints(padding), _ints(dilation)
    if not transposed:
        padded = tuple(n + 2 * q for n, q in zip(x.shape[2:], p, strict=True))
        return _crop(_conv_adjoint(g, w, padded, s, d, int(groups)), p, x.shape[2:])
    reach = tuple((n - 1) * st + dd * (k - 1) + 1
                  for n, st, dd, k in zip(x.shape[2:], s, d, w.shape[2:], strict=True))  # fmt: skip
    gp = _pad(g, p)[(Ellipsis, *(slice(0, r) for r in reach))]
    return _conv(gp, w, s, d, int(groups))


def conv_weight_grad(
    grad: Any, input: Any, weight: Any, stride: Any, padding: Any, dilation: Any,  # noqa: A002
    transposed: Any, groups: Any,
) -> np.ndarray:  # fmt: skip
    """dL/dweight of ``convolution``."""
    g, x, w = _f(grad), _f(input), _f(weight)
    s, p, d = _ints(stride), _ints(padding), _ints(dilation)
    if not transposed:
        return _conv_weight(g, _pad(x, p), w.shape, s, d, int(groups))
    reach = tuple((n - 1) * st + dd * (k - 1) + 1
                  for n, st, dd, k in zip(x.shape[2:], s, d, w.shape[2:], strict=True))  # fmt: skip
    gp = _pad(g, p)[(Ellipsis, *(slice(0, r) for r in reach))]
    return _conv_weight(x, gp, w.shape, s, d, int(groups))


def sum_except(grad: Any, dim: int) -> np.ndarray:
    """``grad`` summed over every dim but ``dim`` (a per-channel bias's gradient)."""
    g = _f(grad)
    return g.sum(axis=tuple(i for i in range(g.ndim) if i != int(dim)))


# -- padding --------------------------------------------------------------------------------------
def _pairs(pad: Any, ndim: int) -> list[tuple[int, int]]:
    pad = _ints(pad)
    widths = [(0, 0)] * ndim
    for i in range(len(pad) // 2):
        widths[ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return widths


def unpad(grad: Any, pad: Any) -> np.ndarray:
    """The gradient of constant padding: the padded borders cut off again (negative pads: zeros)."""
    g = _f(grad)
    widths = _pairs(pad, g.ndim)
    grown = np.pad(g, [(max(-lo, 0), max(-hi, 0)) for lo, hi in widths])
    key = tuple(
        slice(max(lo, 0), n - max(hi, 0)) for (lo, hi), n in zip(widths, grown.shape, strict=True)
    )
    return grown[key]


def border_pad_backward(grad: Any, shape: Any, padding: Any, mode: str) -> np.ndarray:
    """The gradient of reflect / replicate padding: each border element's gradient summed onto
    the element it copies."""
    out = _f(grad)
    np_mode = {"reflect": "reflect", "replicate": "edge"}[mode]
    for d, (lo, hi) in enumerate(_pairs(padding, out.ndim)):
        if lo or hi:
            src = np.pad(np.arange(shape[d]), (lo, hi), mode=np_mode)
            moved = np.moveaxis(out, d, 0)
            acc = np.zeros((shape[d],) + moved.shape[1:])
            np.add.at(acc, src, moved)
            out = np.moveaxis(acc, 0, d)
    return out


def border_pad(x: Any, padding: Any, mode: str) -> np.ndarray:
    np_mode = {"reflect": "reflect", "replicate": "edge"}[mode]
    a = _f(x)
    return np.pad(a, _pairs(padding, a.ndim), mode=np_mode)


# -- pooling ----------------------------------------------------------------------------------------
def max_pool_backward(grad: Any, indices: Any, shape: Any, kernel_size: Any) -> np.ndarray:
    """Each window's gradient added at its maximum (``indices``: flat positions in the plane)."""
    k = len(_ints(kernel_size))
    shape = tuple(shape)
    plane = int(np.prod(shape[len(shape) - k :]))
    idx = np.asarray(indices, dtype=np.int64)
    rows = idx.reshape(-1, int(np.prod(idx.shape[idx.ndim - k :])))
    out = np.zeros((rows.shape[0], plane))
    np.add.at(out, (np.arange(rows.shape[0])[:, None], rows), _f(grad).reshape(rows.shape))
    return out.reshape(shape)


def max_pool_gather(grad: Any, index: Any, kernel_size: Any) -> np.ndarray:
    """The gradient of ``max_pool_backward`` in its gradient: each window's maximum's value."""
    k = len(_ints(kernel_size))
    idx = np.asarray(index, dtype=np.int64)
    g = _f(grad)
    rows = g.reshape(-1, int(np.prod(g.shape[g.ndim - k :])))
    return np.take_along_axis(rows, idx.reshape(rows.shape[0], -1), axis=1).reshape(idx.shape)


def _pool_size(n: int, k: int, s: int, p: int, ceil: bool) -> int:
    out = (n + 2 * p - k + (s - 1 if ceil else 0)) // s + 1
    return out - 1 if ceil and (out - 1) * s >= n + p else out


def _avg_windows(shape: Ints, kernel: Ints, stride: Ints, padding: Ints, ceil: bool,
                 include: bool, divisor: Any) -> list[tuple[Ints, list[slice], float]]:  # fmt: skip
    """(output position, input slices, divisor) for every window of an average pool."""
    k = len(kernel)
    spatial = shape[len(shape) - k :]
    sizes = [
        _pool_size(n, kk, s, p, ceil)
        for n, kk, s, p in zip(spatial, kernel, stride, padding, strict=True)
    ]
    out = []
    for pos in itertools.product(*[range(q) for q in sizes]):
        slices, count, real = [], 1, 1
        for i, n, kk, s, p in zip(pos, spatial, kernel, stride, padding, strict=True):
            start = i * s - p
            end = min(start + kk, n + p)
            count *= end - start
            lo, hi = max(start, 0), min(end, n)
            real *= hi - lo
            slices.append(slice(lo, hi))
        out.append((pos, slices, float(divisor or (count if include else real))))
    return out


def avg_pool_backward(
    grad: Any, shape: Any, kernel_size: Any, stride: Any, padding: Any, ceil_mode: Any,
    count_include_pad: Any, divisor_override: Any,
) -> np.ndarray:  # fmt: skip
    """Each window's gradient over its divisor, spread over the window's input elements."""
    k = len(_ints(kernel_size))
    g = _f(grad)
    out = np.zeros(tuple(shape))
    for pos, slices, div in _avg_windows(tuple(shape), _ints(kernel_size), _ints(stride),
                                         _ints(padding), bool(ceil_mode), bool(count_include_pad),
                                         divisor_override):  # fmt: skip
        out[(Ellipsis, *slices)] += g[(Ellipsis, *pos)][(...,) + (None,) * k] / div
    return out


def avg_pool(
    x: Any, kernel_size: Any, stride: Any, padding: Any, ceil_mode: Any, count_include_pad: Any,
    divisor_override: Any,
) -> np.ndarray:  # fmt: skip
    """An average pool (the gradient of ``avg_pool_backward`` in its gradient)."""
    a = _f(x)
    k = len(_ints(kernel_size))
    windows = _avg_windows(a.shape, _ints(kernel_size), _ints(stride), _ints(padding),
                           bool(ceil_mode), bool(count_include_pad), divisor_override)  # fmt: skip
    sizes = tuple(max(p[i] for p, _, _ in windows) + 1 for i in range(k)) if windows else (0,) * k
    out = np.zeros(a.shape[: a.ndim - k] + sizes)
    for pos, slices, div in windows:
        out[(Ellipsis, *pos)] = a[(Ellipsis, *slices)].sum(axis=tuple(range(-k, 0))) / div
    return out


def _adaptive_matrix(n: int, m: int) -> np.ndarray:
    i = np.arange(m)
    start, end = (i * n) // m, -((-(i + 1) * n) // m)
    j = np.arange(n)
    mat = ((j >= start[:, None]) & (j < end[:, None])).astype(np.float64)
    return mat / mat.sum(axis=1, keepdims=True)


def adaptive_avg_pool_backward(grad: Any, shape: Any) -> np.ndarray:
    g = _f(grad)
    mh = _adaptive_matrix(shape[-2], g.shape[-2])
    mw = _adaptive_matrix(shape[-1], g.shape[-1])
    return mh.T @ g @ mw


def adaptive_avg_pool(x: Any, size: Any) -> np.ndarray:
    a = _f(x)
    size = _ints(size)
    return _adaptive_matrix(a.shape[-2], size[0]) @ a @ _adaptive_matrix(a.shape[-1], size[1]).T


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


NN_FUNCTIONS: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (
        conv_input_grad, conv_weight_grad, sum_except, unpad, border_pad_backward, border_pad,
        max_pool_backward, max_pool_gather, avg_pool_backward, avg_pool,
        adaptive_avg_pool_backward, adaptive_avg_pool, batch_norm_input_grad,
        batch_norm_weight_grad, layer_norm_input_grad, layer_norm_weight_grad, sum_leading,
        group_norm_input_grad, group_norm_weight_grad, embedding_backward, embedding_rows,
        sdpa_backward, glu_backward, gelu_slope, gelu_curvature,
    )
}  # fmt: skip
