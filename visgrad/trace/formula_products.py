"""Formula functions and methods of the product, rearranging and linear-algebra ops
(``block_diag_backward``, ``unfold_backward``, ``.rot90()``, ``.unfold()``), merged into ``formula_functions``' tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def _as_array(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _block(shape: tuple[int, ...]) -> tuple[int, int]:
    return (1, 1) if not shape else (1, shape[0]) if len(shape) == 1 else (shape[0], shape[1])


def _block_diag_backward(grad: Any, shapes: Any, i: Any) -> np.ndarray:
    """The ``i``-th block of ``grad``, shaped as the ``i``-th input."""
    blocks = [_block(tuple(s)) for s in shapes]
    r0 = sum(r for r, _ in blocks[: int(i)])
    c0 = sum(c for _, c in blocks[: int(i)])
    r, c = blocks[int(i)]
    return _as_array(grad)[r0 : r0 + r, c0 : c0 + c].reshape(tuple(shapes[int(i)]))


def _windows(a: Any, dim: Any, size: Any, step: Any) -> np.ndarray:
    """``a.unfold(dim, size, step)``: the windows along ``dim`` as a new last dim (a copy)."""
    x = _as_array(a)
    if x.ndim == 0:
        return np.full((int(size),), x)
    d, size, step = int(dim), int(size), int(step)
    starts = range(0, x.shape[d] - size + 1, step)
    picked = [np.moveaxis(np.take(x, np.arange(s, s + size), axis=d), d, -1) for s in starts]
    return (
        np.stack(picked, axis=d)
        if picked
        else np.zeros(x.shape[:d] + (0,) + x.shape[d + 1 :] + (size,))
    )


def _unfold_backward(grad: Any, sizes: Any, dim: Any, size: Any, step: Any) -> np.ndarray:
    """Zeros of ``sizes`` with each window of ``grad`` (window dim last) added where it was."""
    g, shape = _as_array(grad), tuple(int(s) for s in sizes)
    if not shape:
        return np.asarray(g.sum())
    out = np.zeros(shape)
    d, size, step = int(dim), int(size), int(step)
    for w in range(g.shape[d]):
        window = np.moveaxis(np.take(g, w, axis=d), -1, d)
        index = [slice(None)] * len(shape)
        index[d] = slice(w * step, w * step + size)
        out[tuple(index)] += window
    return out


PRODUCT_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "block_diag_backward": _block_diag_backward,
    "unfold_backward": _unfold_backward,
}
PRODUCT_METHODS: dict[str, Callable[..., Any]] = {
    "unfold": _windows,
    "rot90": lambda a, k, dims: np.rot90(_as_array(a), int(k), (int(dims[0]), int(dims[1]))),
    "diagonal": lambda a, offset=0, dim1=0, dim2=1: np.diagonal(
        _as_array(a), int(offset), int(dim1), int(dim2)
    ).copy(),
}
