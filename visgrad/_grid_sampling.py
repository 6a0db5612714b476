"""The arithmetic of ``affine_grid`` and ``grid_sample`` on NumPy arrays, as ATen's CPU kernels do
it: shared by the ops (``visgrad.ops.affine_grid``, ``visgrad.ops.grid_sample``) and by the
formula language, which evaluates their gradients from events (so it imports no engine).

Grid component k addresses spatial dim ``d - 1 - k`` of the input (x the last, width). Modes:
bilinear/trilinear (``0``), nearest (``1``) and bicubic (``2``, 4-D inputs); padding: zeros (``0``), border (``1``),
reflection (``2``).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from visgrad.ranges import linspace_values


def _steps(n: int, align_corners: bool, dtype: np.dtype) -> np.ndarray:
    if n <= 1:
        return np.zeros(1, dtype)
    r = linspace_values(-1.0, 1.0, n, dtype)
    if not align_corners:
        r = (r * dtype.type(n - 1) / dtype.type(n)).astype(dtype)
    return r


def base_grid(sizes: tuple[int, ...], align_corners: bool, dtype: Any) -> np.ndarray:
    """``(*spatial, d + 1)``: the normalised coordinates of each output point, x first, then 1."""
    dtype = np.dtype(dtype)
    d = len(sizes)
    out = np.empty((*sizes, d + 1), dtype)
    for k in range(d):
        axis = d - 1 - k
        shape = [1] * d
        shape[axis] = sizes[axis]
        out[..., k] = _steps(sizes[axis], align_corners, dtype).reshape(shape)
    out[..., d] = 1
    return out


def affine_grid_backward(grad: Any, size: Any, align_corners: Any) -> np.ndarray:
    """d(grid)/d(theta) applied to ``grad``: ``(base^T @ grad)^T`` per sample."""
    g = np.asarray(grad)
    n, d = g.shape[0], g.shape[-1]
    base = base_grid(tuple(size[2:]), bool(align_corners), g.dtype).reshape(1, -1, d + 1)
    return np.matmul(base.transpose(0, 2, 1), g.reshape(n, -1, d)).transpose(0, 2, 1)


def _reflect(x: np.ndarray, twice_low: int, twice_high: int) -> tuple[np.ndarray, np.ndarray]:
    """Reflect into [low, high] (halves given doubled), with the slope's sign."""
    if twice_low == twice_high:
        return np.zeros_like(x), np.zeros_like(x)
    t = x.dtype.type
    low, span = t(twice_low / 2), t((twice_high - twice_low) / 2)
    shifted = x - low
    sign = np.where(shifted < 0, t(-1), t(1))
    a = np.abs(shifted)
    extra = np.fmod(a, span)
    flips = np.floor(a / span)
    even = np.fmod(flips, 2) == 0
    out = np.where(even, extra + low, span - extra + low)
    return out.astype(x.dtype), np.where(even, sign, -sign).astype(x.dtype)


def _clip(x: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    t = x.dtype.type
    inside = (x > 0) & (x < size - 1)
    return np.clip(x, t(0), t(size - 1)).astype(x.dtype), inside.astype(x.dtype)


def source(
    coord: np.ndarray, size: int, padding: int, align: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The input position of each normalised coordinate, and d(position)/d(coordinate)."""
    t = coord.dtype.type
    scale = t((size - 1) / 2) if align else t(size / 2)
    x = ((coord + t(1)) * scale).astype(coord.dtype)
    if not align:
        x = (x - t(0.5)).astype(coord.dtype)
    slope = np.full_like(x, scale)
    if padding == 1:
        x, s = _clip(x, size)
        slope = slope * s
    elif padding == 2:
        x, s = _reflect(x, 0, 2 * (size - 1)) if align else _reflect(x, -1, 2 * size - 1)
        slope = slope * s
        x, s = _clip(x, size)
        slope = slope * s
    return x, slope


_A = -0.75  # the cubic convolution's parameter (Keys; PyTorch's and OpenCV's)


def _cubic(t: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The four cubic-convolution weights of the neighbours at -1, 0, 1, 2 of a fraction ``t``,
    and their derivatives along ``t``."""
    a = t.dtype.type(_A)

    def near(x: np.ndarray) -> np.ndarray:  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: np.ndarray) -> np.ndarray:  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    def d_near(x: np.ndarray) -> np.ndarray:
        return (3 * (a + 2) * x - 2 * (a + 3)) * x

    def d_far(x: np.ndarray) -> np.ndarray:
        return (3 * a * x - 10 * a) * x + 8 * a

    one, two = t.dtype.type(1), t.dtype.type(2)
    w = [far(t + one), near(t), near(one - t), far(two - t)]
    dw = [d_far(t + one), d_near(t), -d_near(one - t), -d_far(two - t)]
    return [x.astype(t.dtype) for x in w], [x.astype(t.dtype) for x in dw]


def _pad_index(i: np.ndarray, size: int, padding: int, align: bool) -> np.ndarray:
    """A neighbour's integer position moved inside by the padding (bicubic reads these)."""
    if padding == 1:
        return _clip(i, size)[0]
    if padding == 2:
        i = (_reflect(i, 0, 2 * (size - 1)) if align else _reflect(i, -1, 2 * size - 1))[0]
        return _clip(i, size)[0]
    return i


class Plan:
    """Where each output point reads the input: per corner, flat indices, in-bounds masks and
    weights, and each weight's derivative along each grid component."""

    def __init__(
        self, spatial: tuple[int, ...], grid: np.ndarray, mode: int, padding: int, align: bool
    ) -> None:
        d = len(spatial)
        n = grid.shape[0]
        pos, slopes = [], []
        for k in range(d):
            # Bicubic pads each neighbour's position, not the point's.
            pad = 0 if mode == 2 else padding
            p, s = source(grid[..., k].reshape(n, -1), spatial[d - 1 - k], pad, align)
            pos.append(p)
            slopes.append(s)
        self.slopes = slopes
        self.corners: list[tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]] = []
        one = grid.dtype.type(1)
        if mode == 2:
            self._bicubic(spatial, pos, padding, align)
            return
        if mode == 1:
            idx = [np.rint(p) for p in pos]
            self._add(spatial, idx, np.ones_like(pos[0]), [np.zeros_like(p) for p in pos])
            return
        low = [np.floor(p) for p in pos]
        frac = [(p - f).astype(grid.dtype) for p, f in zip(pos, low, strict=True)]
        # Corners in ATen's order: nw, ne, sw, se (and top before bottom): x fastest.
        for bits in itertools.product((0, 1), repeat=d):
            b = bits[::-1]  # b[k] is component k's bit
            factors = [frac[k] if b[k] else (one - frac[k]) for k in range(d)]
            order = list(range(d))[::-1] if d == 2 else list(range(d))
            w = factors[order[0]]
            for k in order[1:]:
                w = w * factors[k]
            dws = []
            for k in range(d):
                dw = np.full_like(w, one if b[k] else -one)
                for j in range(d):
                    if j != k:
                        dw = dw * factors[j]
                dws.append(dw)
            self._add(spatial, [low[k] + b[k] for k in range(d)], w, dws)

    def _bicubic(
        self, spatial: tuple[int, ...], pos: list[np.ndarray], padding: int, align: bool
    ) -> None:
        low = [np.floor(p) for p in pos]
        (wx, dwx), (wy, dwy) = (
            _cubic((p - f).astype(p.dtype)) for p, f in zip(pos, low, strict=True)
        )
        sx, sy = spatial[1], spatial[0]
        for j in range(4):
            iy = _pad_index(low[1] + (j - 1), sy, padding, align)
            for i in range(4):
                ix = _pad_index(low[0] + (i - 1), sx, padding, align)
                w = wy[j] * wx[i]
                self._add(spatial, [ix, iy], w, [dwx[i] * wy[j], wx[i] * dwy[j]])

    def _add(
        self, spatial: tuple[int, ...], idx: list[np.ndarray], w: np.ndarray, dws: list[np.ndarray]
    ) -> None:
        d = len(spatial)
        inside = np.ones(w.shape, bool)
        flat = np.zeros(w.shape, np.int64)
        for k in range(d):
            size = spatial[d - 1 - k]
            i = idx[k]
            inside &= (i >= 0) & (i <= size - 1)
        for axis in range(d):
            i = np.where(inside, idx[d - 1 - axis], 0).astype(np.int64)
            flat = flat * spatial[axis] + i
        self.corners.append((flat, inside, w, dws))


def sample(x: np.ndarray, grid: np.ndarray, mode: int, padding: int, align: bool) -> np.ndarray:
    """``grid_sampler``'s output: ``(N, C, *grid's spatial)``."""
    n, c = x.shape[:2]
    plan = Plan(tuple(x.shape[2:]), grid, mode, padding, align)
    flat_x = x.reshape(n, c, -1)
    out = np.zeros((n, c, plan.corners[0][0].shape[1]), x.dtype)
    for flat, inside, w, _ in plan.corners:
        vals = np.take_along_axis(flat_x, np.broadcast_to(flat[:, None], (n, c, flat.shape[1])), 2)
        out = out + np.where(inside[:, None], vals * w[:, None], x.dtype.type(0))
    return out.astype(x.dtype).reshape(n, c, *grid.shape[1:-1])


def sample_backward(
    g: np.ndarray, x: np.ndarray, grid: np.ndarray, mode: int, padding: int, align: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The gradients ``grid_sampler`` sends to its input and to its grid."""
    n, c = x.shape[:2]
    d = x.ndim - 2
    plan = Plan(tuple(x.shape[2:]), grid, mode, padding, align)
    flat_x = x.reshape(n, c, -1)
    gf = g.reshape(n, c, -1)
    gx = np.zeros_like(flat_x)
    ggrid = [np.zeros(gf.shape[::2], x.dtype) for _ in range(d)]
    rows = np.arange(n)[:, None, None]
    chans = np.arange(c)[None, :, None]
    for flat, inside, w, dws in plan.corners:
        contrib = np.where(inside[:, None], gf * w[:, None], x.dtype.type(0))
        np.add.at(gx, (rows, chans, np.broadcast_to(flat[:, None], gf.shape)), contrib)
        if mode == 1:
            continue
        vals = np.take_along_axis(flat_x, np.broadcast_to(flat[:, None], gf.shape), 2)
        gv = np.where(inside[:, None], vals * gf, x.dtype.type(0)).sum(1)
        for k in range(d):
            ggrid[k] = ggrid[k] + gv * dws[k]
    gg = np.stack([ggrid[k] * plan.slopes[k] for k in range(d)], -1).astype(x.dtype)
    return gx.reshape(x.shape), gg.reshape(grid.shape)
