"""Formula-language helpers for the layers' nodes: convolution, pooling and padding, in plain
float64 NumPy (norms, embedding and attention are in ``formula_norm``).

Each is a small reference implementation of the node's derivative, written from the definition
(not shared with the engine's kernels, which the debugger never imports), so evaluating a formula
from events also checks the engine. Where a derivative needs a value the events do not carry
(an attribute array too large to travel), the formula reports an unknown name rather than guess.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any, Literal

import numpy as np

from visgrad import _resample as R

Ints = tuple[int, ...]
# NumPy's names of the border paddings PyTorch calls reflect and replicate.
_BORDER_MODES: dict[str, Literal["reflect", "edge"]] = {"reflect": "reflect", "replicate": "edge"}


def _last(items: Iterable[slice | int]) -> tuple[Any, ...]:
    """An index of the trailing axes: ``x[_last((a, b))]`` is ``x[..., a, b]``."""
    return (Ellipsis, *items)


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
    return x[_last(slice(p, p + n) for p, n in zip(padding, lengths, strict=True))]


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
    gp = _pad(g, p)[_last(slice(0, r) for r in reach)]
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
    gp = _pad(g, p)[_last(slice(0, r) for r in reach)]
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
    np_mode = _BORDER_MODES[mode]
    for d, (lo, hi) in enumerate(_pairs(padding, out.ndim)):
        if lo or hi:
            src = np.pad(np.arange(shape[d]), (lo, hi), mode=np_mode)
            moved = np.moveaxis(out, d, 0)
            acc = np.zeros((shape[d],) + moved.shape[1:])
            np.add.at(acc, src, moved)
            out = np.moveaxis(acc, 0, d)
    return out


def border_pad(x: Any, padding: Any, mode: str) -> np.ndarray:
    np_mode = _BORDER_MODES[mode]
    a = _f(x)
    return np.pad(a, _pairs(padding, a.ndim), mode=np_mode)


# -- resampling -----------------------------------------------------------------------------------
def _mats(input_size: Any, output_size: Any, mode: str, align_corners: Any, scales: Any) -> Any:
    k = len(_ints(output_size))
    return R.matrices(_ints(input_size)[-k:], _ints(output_size), mode, align_corners,
                      scales, np.float64)  # fmt: skip


def resample(
    x: Any, input_size: Any, output_size: Any, mode: str, align_corners: Any, scales: Any
) -> np.ndarray:
    """``F.interpolate`` of ``x`` (N, C, *input spatial) to ``output_size``."""
    return R.resample(_f(x), _mats(input_size, output_size, mode, align_corners, scales))


def resample_backward(
    grad: Any, input_size: Any, output_size: Any, mode: str, align_corners: Any, scales: Any
) -> np.ndarray:
    """The gradient of ``F.interpolate``: each output's gradient shared back to its sources."""
    mats = _mats(input_size, output_size, mode, align_corners, scales)
    return R.resample(_f(grad), [m.T for m in mats])


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
        out[_last(slices)] += g[_last(pos)][(...,) + (None,) * k] / div
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
    out: np.ndarray = np.zeros(a.shape[: a.ndim - k] + sizes)
    for pos, slices, div in windows:
        out[_last(pos)] = a[_last(slices)].sum(axis=tuple(range(-k, 0))) / div
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


# -- pixel shuffle -------------------------------------------------------------------------------
def pixel_shuffle(x: Any, r: Any) -> np.ndarray:
    """Output sub-pixel (i, j) of channel c is input channel ``c·r² + i·r + j``."""
    a, r = _f(x), int(r)
    *lead, c, h, w = a.shape
    out = np.zeros((*lead, c // (r * r), h * r, w * r))
    for i, j in itertools.product(range(r), range(r)):
        out[..., i::r, j::r] = a[..., i * r + j :: r * r, :, :]
    return out


def pixel_unshuffle(x: Any, r: Any) -> np.ndarray:
    a, r = _f(x), int(r)
    *lead, c, h, w = a.shape
    out = np.zeros((*lead, c * r * r, h // r, w // r))
    for i, j in itertools.product(range(r), range(r)):
        out[..., i * r + j :: r * r, :, :] = a[..., i::r, j::r]
    return out


# -- fold / unfold ---------------------------------------------------------------------------------
def _block_grid(size: Ints, k: Ints, d: Ints, p: Ints, s: Ints) -> Ints:
    return tuple((n + 2 * q - dd * (kk - 1) - 1) // ss + 1 for n, kk, dd, q, ss in zip(size, k, d, p, s, strict=True))  # fmt: skip


def unfold(x: Any, kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> np.ndarray:
    """Column ``c·kh·kw + i·kw + j`` at block ``(bh, bw)`` is padded ``x[c, bh·s + i·d, ...]``."""
    a = _f(x)
    a4 = a if a.ndim == 4 else a[None]
    k, d, p, s = (_ints(v) for v in (kernel_size, dilation, padding, stride))
    padded = np.pad(a4, [(0, 0), (0, 0)] + [(q, q) for q in p])
    grid = _block_grid(a4.shape[2:], k, d, p, s)
    cols = np.zeros(a4.shape[:2] + k + grid)
    for off, key in _windows(padded, k, s, d, grid):
        cols[(slice(None), slice(None), *off)] = padded[key]
    out = cols.reshape(a4.shape[0], -1, int(np.prod(grid)))
    return out if a.ndim == 4 else out[0]


def fold(
    x: Any, output_size: Any, kernel_size: Any, dilation: Any, padding: Any, stride: Any
) -> np.ndarray:
    a = _f(x)
    a3 = a if a.ndim == 3 else a[None]
    size = _ints(output_size)
    k, d, p, s = (_ints(v) for v in (kernel_size, dilation, padding, stride))
    grid = _block_grid(size, k, d, p, s)
    cols = a3.reshape(a3.shape[0], -1, *k, *grid)
    padded = np.zeros(cols.shape[:2] + tuple(n + 2 * q for n, q in zip(size, p, strict=True)))
    for off, key in _windows(padded, k, s, d, grid):
        padded[key] += cols[(slice(None), slice(None), *off)]
    out = padded[_last(slice(q, q + n) for q, n in zip(p, size, strict=True))]
    return out if a.ndim == 3 else out[0]


NN_FUNCTIONS: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (
        conv_input_grad, conv_weight_grad, sum_except, unpad, border_pad_backward, border_pad,
        max_pool_backward, max_pool_gather, avg_pool_backward, avg_pool,
        adaptive_avg_pool_backward, adaptive_avg_pool, resample, resample_backward,
        pixel_shuffle, pixel_unshuffle, unfold, fold,
    )
}  # fmt: skip
