"""Training batch norm of a float32 ``(N, C)`` input, rounded as PyTorch's CPU kernel rounds.

Why it matters: a layer's bias just before a BatchNorm has a gradient that is exactly zero in
exact arithmetic; in float32 it is rounding noise (~1e-7), and Adam's ``m / √v`` turns the noise's
sign into full ``±lr`` steps. So the bias, and the running mean it shifts, follow the last bits of
the batch-norm backward: a program that saved, reloaded and trained a ``Linear → BatchNorm1d``
printed a running mean off in the third decimal (-0.1179 where PyTorch has -0.1137) while every
loss agreed. Matching PyTorch there means matching its kernel bit for bit.

PyTorch treats an input with one value per channel and sample (``N×C`` or ``N×C×1…``) as
channels-last (ATen ``batch_norm_kernel.cpp``): the rows are split into one contiguous chunk per
thread (``get_num_threads()``); each chunk sums its rows in float32, one row after another, into
a per-thread buffer, and the buffers are added in float64. The mean is that sum / N; the variance
sum accumulates ``(x − mean)²`` with fused multiply-adds the same way; ``invstd`` is
``1/√(var_sum/N + eps)`` with ``var_sum/N`` rounded to float32 first. The output is one fused
``x·alpha + beta``. The backward sums ``dy`` and ``(x − mean)·dy`` (fused) in the same chunks;
its input gradient fuses ``dy − mean(dy) − (x − mean)·k`` on the channels its 8-wide vector
loop covers and rounds twice on the remainder. The running statistics are updated in float32:
``m·mean + (1−m)·rm`` twice rounded, the variance's fused. Each of these was checked against
PyTorch 2.13 on six shapes (2×4 to 1000×16): every element equal.

Fused multiply-adds are computed in float64 (the product of two float32 numbers is exact there)
and rounded once to float32, as ``optim._kernels`` does.
"""

from __future__ import annotations

import numpy as np

from visgrad import _threads

_F32, _F64 = np.float32, np.float64
_VECTOR = 8  # float32 lanes of the backward's vector loop


def applies(x: np.ndarray, training: bool) -> bool:
    """Whether this path computes ``x``'s batch norm (float32, one value per channel and row)."""
    return training and x.dtype == _F32 and x.ndim >= 2 and x.size == x.shape[0] * x.shape[1]


def _fma(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    return (a.astype(_F64) * b + c).astype(_F32)


def _chunks(rows: np.ndarray) -> np.ndarray:
    """``(threads, chunk, C)``: PyTorch's split of the rows, the last chunk padded with zeros."""
    n, c = rows.shape
    threads = min(_threads.get_num_threads(), n)
    size = -(-n // threads)
    threads = -(-n // size)
    padded = np.zeros((threads * size, c), _F32)
    padded[:n] = rows
    return padded.reshape(threads, size, c)


def _sequential_sum(chunks: np.ndarray) -> np.ndarray:
    """Each chunk's rows added one after another in float32, the chunks then in float64."""
    acc = np.zeros(chunks.shape[::2], _F32)
    for j in range(chunks.shape[1]):
        acc += chunks[:, j]
    return acc.astype(_F64).sum(axis=0)


def _fused_sum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``acc = fma(a_row, b_row, acc)`` along each chunk, the chunks then added in float64."""
    acc = np.zeros(a.shape[::2], _F32)
    for j in range(a.shape[1]):
        acc = _fma(a[:, j], b[:, j], acc)
    return acc.astype(_F64).sum(axis=0)


def stats(x: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-channel ``mean``, ``var_sum`` and ``invstd`` (float32), as PyTorch computes them."""
    rows = x.reshape(x.shape[0], x.shape[1])
    n = rows.shape[0]
    mean = (_sequential_sum(_chunks(rows)) / n).astype(_F32)
    centred = _chunks(rows - mean)
    if rows.shape[0] <= _threads.get_num_threads():
        # Too few rows to split: one float64 accumulation per channel, unfused.
        var_sum = (centred * centred).astype(_F64).sum(axis=(0, 1)).astype(_F32)
    else:
        var_sum = _fused_sum(centred, centred).astype(_F32)
    var = var_sum / _F32(n)
    invstd = (1 / np.sqrt(var.astype(_F64) + eps)).astype(_F32)
    return mean, var_sum, invstd


def forward(
    x: np.ndarray, mean: np.ndarray, invstd: np.ndarray, w: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """``x·alpha + beta`` fused, ``alpha = invstd·w``, ``beta = b − mean·alpha`` fused."""
    alpha = invstd * w if w.size else invstd
    beta = _fma(-mean, alpha, b if b.size else np.zeros_like(mean))
    rows = x.reshape(x.shape[0], x.shape[1])
    return _fma(rows, alpha, beta).reshape(x.shape)


def update_running(
    rm: np.ndarray | None, rv: np.ndarray | None, mean: np.ndarray, var_sum: np.ndarray,
    n: int, momentum: float,
) -> None:  # fmt: skip
    """PyTorch's float32 update of the running mean and (unbiased) running variance."""
    m, keep = _F32(momentum), _F32(1 - momentum)
    if rm is not None:
        rm[...] = m * mean + keep * rm.reshape(-1)
    if rv is not None:
        unbiased = var_sum / _F32(max(n - 1, 1))
        rv[...] = _fma(np.full_like(unbiased, m), unbiased, keep * rv.reshape(-1))


def backward(
    g: np.ndarray, x: np.ndarray, mean: np.ndarray, invstd: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(grad_input, grad_weight, grad_bias)`` of the training forward."""
    shape = x.shape
    n, c = shape[0], shape[1]
    rows, dy = x.reshape(n, c), g.reshape(n, c).astype(_F32, copy=False)
    total = _sequential_sum(_chunks(dy)).astype(_F32)
    centred = rows - mean
    dotp = _fused_sum(_chunks(centred), _chunks(dy)).astype(_F32)
    k = dotp * invstd * invstd / _F32(n)
    grad_mean = total / _F32(n)
    rest = dy - grad_mean
    wide = c - c % _VECTOR
    out = np.empty_like(rest)
    out[:, :wide] = _fma(-centred[:, :wide], k[:wide], rest[:, :wide])
    out[:, wide:] = rest[:, wide:] - centred[:, wide:] * k[wide:]
    out *= invstd
    if w.size:
        out *= w
    return out.reshape(shape), dotp * invstd, total
