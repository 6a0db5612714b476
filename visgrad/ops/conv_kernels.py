"""NumPy kernels of convolution: im2col, col2im and the batched matmuls between them.

Every loop here runs over kernel offsets (9 for a 3×3 kernel), never over pixels: each offset
copies one strided block of the padded input into the column array (im2col) or adds one block
back (col2im). Arrays are laid out (N, groups, channels·kernel, positions) so that one
``np.matmul`` over the (N, groups) stack does all the arithmetic, in the output's own layout.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

Ints = tuple[int, ...]


def out_size(length: Ints, kernel: Ints, stride: Ints, dilation: Ints) -> Ints:
    """Output length per spatial dim for an (already padded) input."""
    return tuple(
        (n - d * (k - 1) - 1) // s + 1
        for n, k, s, d in zip(length, kernel, stride, dilation, strict=True)
    )


def _window(off: Ints, stride: Ints, dilation: Ints, positions: Ints) -> tuple[slice, ...]:
    """The padded-input elements kernel offset ``off`` meets at every output position."""
    return tuple(
        slice(o * d, o * d + s * (p - 1) + 1, s)
        for o, s, d, p in zip(off, stride, dilation, positions, strict=True)
    )


def im2col(
    xp: np.ndarray, kernel: Ints, stride: Ints, dilation: Ints, positions: Ints
) -> np.ndarray:
    """(N, C, *kernel, *positions): every receptive field of padded ``xp``, one offset at a time."""
    n, c = xp.shape[:2]
    cols = np.empty((n, c, *kernel, *positions), dtype=xp.dtype)
    lead = (slice(None), slice(None))
    for off in itertools.product(*[range(k) for k in kernel]):
        cols[lead + off] = xp[lead + _window(off, stride, dilation, positions)]
    return cols


def col2im(cols: np.ndarray, padded: Ints, stride: Ints, dilation: Ints) -> np.ndarray:
    """The adjoint of ``im2col``: add each column back where it came from (N, C, *padded)."""
    k = (cols.ndim - 2) // 2
    kernel, positions = cols.shape[2 : 2 + k], cols.shape[2 + k :]
    out = np.zeros(cols.shape[:2] + tuple(padded), dtype=cols.dtype)
    lead = (slice(None), slice(None))
    for off in itertools.product(*[range(n) for n in kernel]):
        out[lead + _window(off, stride, dilation, positions)] += cols[lead + off]
    return out


def pad_spatial(x: np.ndarray, padding: Ints) -> np.ndarray:
    if not any(padding):
        return x
    return np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in padding])


def crop_spatial(x: np.ndarray, padding: Ints, lengths: Ints) -> np.ndarray:
    idx = (slice(None), slice(None)) + tuple(
        slice(p, p + n) for p, n in zip(padding, lengths, strict=True)
    )
    return x[idx]


def columns(
    x: np.ndarray, kernel: Ints, stride: Ints, padding: Ints, dilation: Ints, groups: int
) -> tuple[np.ndarray, Ints]:
    """The im2col columns of ``x`` (N, groups, C/groups·K, P), and the output positions."""
    n, c = x.shape[:2]
    xp = pad_spatial(x, padding)
    positions = out_size(xp.shape[2:], kernel, stride, dilation)
    cols = im2col(xp, kernel, stride, dilation, positions)
    return cols.reshape(
        n, groups, (c // groups) * math.prod(kernel), math.prod(positions)
    ), positions


def conv(
    x: np.ndarray, w: np.ndarray, stride: Ints, padding: Ints, dilation: Ints, groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """Cross-correlation of ``x`` (N, C, *S) with ``w`` (O, C/groups, *K); also returns the
    columns (N, groups, C/groups·K, P) the weight gradient reuses."""
    n = x.shape[0]
    o = w.shape[0]
    cols, positions = columns(x, w.shape[2:], stride, padding, dilation, groups)
    wm = w.reshape(groups, o // groups, -1)
    out = np.matmul(wm, cols)  # (N, groups, O/groups, P): already the output's layout
    return out.reshape(n, o, *positions), cols


def conv_weight_grad(g: np.ndarray, cols: np.ndarray, wshape: Ints, groups: int) -> np.ndarray:
    """dL/dw from the output gradient (N, O, *P) and the forward's columns."""
    n = g.shape[0]
    gm = g.reshape(n, groups, wshape[0] // groups, -1)
    return np.matmul(gm, cols.transpose(0, 1, 3, 2)).sum(axis=0).reshape(wshape)


def conv_input_grad(
    g: np.ndarray,
    w: np.ndarray,
    in_shape: Ints,
    stride: Ints,
    padding: Ints,
    dilation: Ints,
    groups: int,
) -> np.ndarray:
    """dL/dx (N, C, *S) of a convolution: transposed matmul, then col2im, then crop the padding.

    This is also the forward of a transposed convolution (``in_shape`` its output shape).
    """
    n, o = g.shape[:2]
    positions, kernel = g.shape[2:], w.shape[2:]
    c = in_shape[1]
    gm = g.reshape(n, groups, o // groups, -1)
    wm = w.reshape(groups, o // groups, -1).transpose(0, 2, 1)
    gcols = np.matmul(wm, gm).reshape(n, c, *kernel, *positions)
    padded = tuple(s + 2 * p for s, p in zip(in_shape[2:], padding, strict=True))
    # A stride that does not divide the padded input leaves its last elements unread (grad 0);
    # col2im covers only what the windows reach.
    reach = tuple(
        (pp - 1) * s + d * (k - 1) + 1
        for pp, s, d, k in zip(positions, stride, dilation, kernel, strict=True)
    )
    full = col2im(gcols, reach, stride, dilation)
    if reach != padded:
        grown = np.zeros((n, c, *padded), dtype=full.dtype)
        grown[(slice(None), slice(None)) + tuple(slice(0, r) for r in reach)] = full
        full = grown
    return crop_spatial(full, padding, in_shape[2:])
