"""Formula-language helpers for the indexing nodes: diagonals, masked select/scatter and
index_fill, in plain float64 NumPy (reference implementations, not the engine's kernels)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def _f(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def diagonal_nd(x: Any, offset: Any, dim1: Any, dim2: Any) -> np.ndarray:
    return np.diagonal(_f(x), int(offset), int(dim1), int(dim2)).copy()


def diagonal_backward_nd(grad: Any, shape: Any, offset: Any, dim1: Any, dim2: Any) -> np.ndarray:
    """``zeros(shape)`` with ``grad`` on the diagonal of dims ``dim1`` and ``dim2``."""
    out = np.zeros(tuple(shape))
    view = np.diagonal(out, int(offset), int(dim1), int(dim2))
    view.setflags(write=True)
    view[...] = _f(grad)
    return out


def masked_select_backward(grad: Any, mask: Any, shape: Any) -> np.ndarray:
    """``zeros(shape)`` with the selected elements' gradients put back where ``mask`` is True."""
    m = np.asarray(mask, dtype=bool)
    out = np.zeros(m.shape)
    out[m] = _f(grad)
    return out


def masked_scatter_backward(grad: Any, mask: Any, shape: Any) -> np.ndarray:
    """The gradient of ``masked_scatter``'s source: ``grad`` where ``mask`` is True, in order,
    then zeros for the source elements it did not use."""
    m = np.broadcast_to(np.asarray(mask, dtype=bool), np.shape(grad))
    picked = _f(grad)[m]
    out = np.zeros(int(np.prod(tuple(shape))))
    out[: picked.size] = picked
    return out.reshape(tuple(shape))


def index_fill(x: Any, dim: Any, index: Any, value: Any) -> np.ndarray:
    """``x`` with the entries at ``index`` along ``dim`` set to ``value``."""
    out = _f(x).copy()
    key: list[slice | np.ndarray] = [slice(None)] * out.ndim
    key[int(dim)] = np.asarray(index, dtype=np.int64).reshape(-1)
    out[tuple(key)] = value
    return out


INDEX_FUNCTIONS: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (
        diagonal_nd, diagonal_backward_nd, masked_select_backward, masked_scatter_backward,
        index_fill,
    )
}  # fmt: skip
