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


def _bag_inputs(weight: Any, indices: Any, offset2bag: Any) -> tuple[np.ndarray, ...]:
    return _f(weight), np.asarray(indices, np.int64).reshape(-1), np.asarray(offset2bag, np.int64)


def embedding_bag_weight_grad(
    grad: Any,
    weight: Any,
    indices: Any,
    offset2bag: Any,
    bag_size: Any,
    mode: Any,
    padding_idx: Any,
    scale_grad_by_freq: Any,
    per_sample_weights: Any = None,
) -> np.ndarray:
    """d/dweight of the bags: each kept index's row gets its bag's gradient (times its sample
    weight, over the bag's size for 'mean', over its count for scale_grad_by_freq); for 'max',
    each column of a bag's gradient goes to the row that held the column's maximum."""
    w, idx, bag = _bag_inputs(weight, indices, offset2bag)
    g, sizes = _f(grad), np.asarray(bag_size, np.int64)
    psw = None if per_sample_weights is None or np.size(per_sample_weights) == 0 else _f(
        per_sample_weights).reshape(-1)  # fmt: skip
    out = np.zeros_like(w)
    if int(mode) == 2:
        for b in range(g.shape[0]):
            members = [int(i) for p, i in enumerate(idx) if bag[p] == b and i != padding_idx]
            for d in range(w.shape[1]):
                if members:
                    best = max(members, key=lambda i: (w[i, d], -members.index(i)))
                    out[best, d] += g[b, d]
        return out
    # scale_grad_by_freq as PyTorch's kernel divides: the k-th smallest distinct index by the
    # count of the k-th smallest index (repeats included).
    ordered = sorted(int(i) for i in idx)
    distinct = sorted(set(ordered))
    divisor = {v: ordered.count(ordered[k]) for k, v in enumerate(distinct)}
    for p, i in enumerate(idx):
        if i == padding_idx:
            continue
        c = 1.0 if psw is None else psw[p]
        if int(mode) == 1 and sizes[bag[p]] > 0:
            c /= sizes[bag[p]]
        if scale_grad_by_freq:
            c /= divisor[int(i)]
        out[i] += c * g[bag[p]]
    return out


def embedding_bag_sample_grad(
    grad: Any, weight: Any, indices: Any, offset2bag: Any, padding_idx: Any
) -> np.ndarray:
    """d/dper_sample_weights of a 'sum' bag: each sample's row dotted with its bag's gradient."""
    w, idx, bag = _bag_inputs(weight, indices, offset2bag)
    g = _f(grad)
    return np.array([0.0 if i == padding_idx else g[bag[p]] @ w[i] for p, i in enumerate(idx)])


LAYER_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "embedding_bag_weight_grad": embedding_bag_weight_grad,
    "embedding_bag_sample_grad": embedding_bag_sample_grad,
    "sum_except_dim": sum_except_dim,
    "norm_except_dim": norm_except_dim,
}
