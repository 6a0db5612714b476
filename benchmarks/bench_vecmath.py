"""Sleef-exact float32 exp/log and the softmax family against NumPy's own arithmetic.

Run ``python benchmarks/bench_vecmath.py``. Single process; the candidates alternate within
each repetition and each number is the median, in microseconds per call.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from visgrad.ops import softmax_kernel, vecmath  # noqa: E402

rng = np.random.default_rng(0)
X = (rng.standard_normal(100_000) * 10).astype(np.float32)
P = np.abs(X) + np.float32(1e-3)
ROWS = (rng.standard_normal((100, 1000)) * 3).astype(np.float32)
LOGITS = rng.standard_normal((64, 10)).astype(np.float32)
ACTS = rng.standard_normal((64, 256)).astype(np.float32)


def _np_softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _np_log_softmax(x: np.ndarray) -> np.ndarray:
    s = x - x.max(-1, keepdims=True)
    return s - np.log(np.exp(s).sum(-1, keepdims=True))


PAIRS: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {
    "exp(100_000)": (lambda: vecmath.expf(X), lambda: np.exp(X)),
    "log(100_000)": (lambda: vecmath.logf(P), lambda: np.log(P)),
    "log(64)": (lambda: vecmath.logf(P[:64]), lambda: np.log(P[:64])),
    "log_softmax(64 x 10, -1)": (
        lambda: softmax_kernel.log_softmax_lastdim(LOGITS),
        lambda: _np_log_softmax(LOGITS),
    ),
    "sigmoid(64 x 256)": (lambda: vecmath.sigmoid(ACTS, 1), lambda: 1 / (1 + np.exp(-ACTS))),
    "softmax(100 x 1000, -1)": (
        lambda: softmax_kernel.softmax_lastdim(ROWS),
        lambda: _np_softmax(ROWS),
    ),
    "sigmoid(100_000)": (lambda: vecmath.sigmoid(X, 2), lambda: 1 / (1 + np.exp(-X))),
    "softmax(100 x 1000, 0)": (
        lambda: softmax_kernel.softmax_dim(ROWS, 0, 2),
        lambda: _np_softmax(ROWS.T),
    ),
    "log_softmax(100 x 1000, -1)": (
        lambda: softmax_kernel.log_softmax_lastdim(ROWS),
        lambda: _np_log_softmax(ROWS),
    ),
}


def _time(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1e6


def main(repeats: int = 31) -> None:
    print(f"{'workload':30} {'sleef-exact':>12} {'numpy':>10} {'ratio':>7}")
    for name, (ours, theirs) in PAIRS.items():
        ours(), theirs()  # warm up
        a, b = [], []
        for _ in range(repeats):
            a.append(_time(ours))
            b.append(_time(theirs))
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"{name:30} {ma:12.0f} {mb:10.0f} {ma / mb:7.1f}")


if __name__ == "__main__":
    main()
