"""Formula-language helpers for the weight-norm, embedding-bag and CTC nodes, in float64 NumPy.

Written from the ops' definitions (not shared with the engine's kernels), so evaluating a formula
from events also checks the engine. Qt-free and engine-free.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from visgrad.trace.formula_nn import _f


def _others(ndim: int, dim: Any) -> tuple[int, ...]:
    return tuple(d for d in range(ndim) if d != int(dim))


def sum_except_dim(x: Any, dim: Any) -> np.ndarray:
    """``x`` summed over every dim but ``dim``, the summed dims kept (size 1)."""
    a = _f(x)
    return a.sum(axis=_others(a.ndim, dim), keepdims=True)


def norm_except_dim(v: Any, p: Any, dim: Any) -> np.ndarray:
    """The ``p``-norm of ``v`` over every dim but ``dim`` (``-1``: all of them), dims kept."""
    a = np.abs(_f(v)) ** float(p)
    axes = tuple(range(a.ndim)) if int(dim) == -1 else _others(a.ndim, dim)
    return a.sum(axis=axes, keepdims=True) ** (1.0 / float(p))


LAYER_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sum_except_dim": sum_except_dim,
    "norm_except_dim": norm_except_dim,
}
