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


def _logadd(a: float, b: float) -> float:
    if a == -np.inf:
        return b
    if b == -np.inf:
        return a
    m = max(a, b)
    return m + float(np.log(np.exp(a - m) + np.exp(b - m)))


def ctc_loss_backward(
    grad: Any,
    log_probs: Any,
    targets: Any,
    input_lengths: Any,
    target_lengths: Any,
    result: Any,
    blank: Any,
    zero_infinity: Any,
) -> np.ndarray:
    """What the CTC node sends: per frame and class, ``exp(lp) − Σ_s αβ / (p · exp(lp))`` over the
    positions ``s`` of the blank-extended target holding the class, times the sample's gradient
    (zero past its input length, and for an infinite loss under ``zero_infinity``)."""
    lp = _f(log_probs)
    tg = np.asarray(targets, np.int64)
    il = [int(n) for n in np.atleast_1d(input_lengths)]
    tl = [int(n) for n in np.atleast_1d(target_lengths)]
    g, nll = np.atleast_1d(_f(grad)), np.atleast_1d(_f(result))
    out = np.zeros_like(lp)
    start = 0
    for b, (frames, n) in enumerate(zip(il, tl, strict=True)):
        label = tg[start : start + n] if tg.ndim == 1 else tg[b, :n]
        start += n
        if frames == 0 or (zero_infinity and nll[b] == np.inf):
            continue
        ext = [int(blank)]
        for c in label:
            ext += [int(c), int(blank)]
        size = len(ext)
        alpha = np.full((frames, size), -np.inf)
        beta = np.full((frames, size), -np.inf)
        alpha[0, 0] = lp[0, b, ext[0]]
        if size > 1:
            alpha[0, 1] = lp[0, b, ext[1]]
        beta[-1, -1] = lp[frames - 1, b, ext[-1]]
        if size > 1:
            beta[-1, -2] = lp[frames - 1, b, ext[-2]]
        for t in range(1, frames):
            for s in range(size):
                acc = alpha[t - 1, s]
                if s > 0:
                    acc = _logadd(acc, alpha[t - 1, s - 1])
                if s > 1 and ext[s] != ext[s - 2]:
                    acc = _logadd(acc, alpha[t - 1, s - 2])
                alpha[t, s] = acc + lp[t, b, ext[s]]
        for t in range(frames - 2, -1, -1):
            for s in range(size):
                acc = beta[t + 1, s]
                if s < size - 1:
                    acc = _logadd(acc, beta[t + 1, s + 1])
                if s < size - 2 and ext[s] != ext[s + 2]:
                    acc = _logadd(acc, beta[t + 1, s + 2])
                beta[t, s] = acc + lp[t, b, ext[s]]
        for t in range(frames):
            for c in range(lp.shape[2]):
                lab = -np.inf
                for s in range(size):
                    if ext[s] == c:
                        lab = _logadd(lab, alpha[t, s] + beta[t, s])
                x = lp[t, b, c]
                out[t, b, c] = (np.exp(x) - np.exp(lab + nll[b] - x)) * g[b]
    return out


def channel_shuffle(x: Any, groups: Any) -> np.ndarray:
    """Channels ``(groups, C/groups)`` read as ``(C/groups, groups)``."""
    a = _f(x)
    n, c = a.shape[:2]
    g = int(groups)
    return a.reshape(n, g, c // g, *a.shape[2:]).swapaxes(1, 2).reshape(a.shape)


LAYER_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "channel_shuffle": channel_shuffle,
    "ctc_loss_backward": ctc_loss_backward,
    "embedding_bag_weight_grad": embedding_bag_weight_grad,
    "embedding_bag_sample_grad": embedding_bag_sample_grad,
    "sum_except_dim": sum_except_dim,
    "norm_except_dim": norm_except_dim,
}
