"""``randperm`` and ``multinomial`` by ATen's CPU algorithms (arrays in, arrays out)."""

from __future__ import annotations

import numpy as np

from visgrad.random.draws import exponential
from visgrad.random.generator import Generator
from visgrad.random.normal import unit53

# Below this n PyTorch keeps its original shuffle; above it, an inside-out Fisher-Yates.
_SMALL_PERM = (2**32 - 1) // 20


def randperm(gen: Generator, n: int) -> np.ndarray:
    """A permutation of 0..n-1 (int64) in PyTorch's order for the generator's state."""
    if n < _SMALL_PERM:
        # Swap position i with i + (word % (n - i)), one 32-bit word per position but the last.
        # The swaps depend on each other, so this stays a loop (over Python ints: fastest here).
        offsets = (gen.random32(max(n - 1, 0)) % np.arange(n, 1, -1, dtype=np.uint32)).tolist()
        perm = list(range(n))
        for i, z in enumerate(offsets):
            j = i + z
            perm[i], perm[j] = perm[j], perm[i]
        return np.array(perm, np.int64)
    picks = (gen.random64(n) % np.arange(1, n + 1, dtype=np.uint64)).tolist()
    perm = [0] * n
    for i, z in enumerate(picks):
        perm[i] = perm[z]
        perm[z] = i
    return np.array(perm, np.int64)


def multinomial_with_replacement(gen: Generator, probs: np.ndarray, k: int) -> np.ndarray:
    """``k`` draws per row of a 2-D weight array: binary search of a 53-bit uniform in the CDF."""
    rows, cats = probs.shape
    out = np.empty((rows, k), np.int64)
    acc = np.float32 if probs.dtype == np.float16 else probs.dtype
    for r in range(rows):
        # A sequential running sum in the weights' precision, normalised, with the last bucket 1.
        cdf = np.cumsum(probs[r].astype(acc), dtype=acc)
        cdf = cdf / cdf[-1]
        cdf[-1] = 1
        u = unit53(gen.random64(k))
        out[r] = np.searchsorted(cdf.astype(np.float64), u, side="left")
    return out


def multinomial_without_replacement(gen: Generator, probs: np.ndarray, k: int) -> np.ndarray:
    """``k`` distinct draws per row: the top ``k`` of ``p / q`` with q ~ Exp(1) (Gumbel top-k)."""
    q = exponential(gen, probs.size, probs.dtype, 1.0).reshape(probs.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        keys = probs / q
    if k == 1:
        return np.argmax(keys, axis=-1)[:, None]
    # topk: largest first; equal keys keep index order (stable sort of the negated keys).
    return np.argsort(-keys, axis=-1, kind="stable")[:, :k]
