"""PyTorch's float32 sigmoid and SiLU to the last bit, and its exp/log for a measure of agreement.

sigmoid (and SiLU, ``x / (1 + exp(-x))``) runs Sleef's vectorised expf on each pair of 16-float vectors and libm's expf on the
rest of each thread's chunk, so the sizes straddle 32 and the 32,768-element split among
threads, and the layouts cover the dense, row-contiguous and strided loops. exp and log go to
MKL's VML on this build (not reproducible from its algorithm); their outputs let a test measure
how often visgrad's correctly rounded results agree. Writes
``tests/fixtures/torch/sleef_pointwise.npz``."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "sleef_pointwise.npz"
SIZES = [1, 5, 31, 32, 33, 1000]
LONG = [32768, 32769, 40001, 70001]  # one chunk; two chunks, each with a tail


def long_input(n: int) -> np.ndarray:
    return (np.random.default_rng(n).standard_normal(n) * 8).astype(np.float32)


def main() -> None:
    g = torch.Generator().manual_seed(20261203)
    arrays: dict[str, np.ndarray] = {"threads": np.array(torch.get_num_threads())}
    for n in SIZES:
        x = torch.randn(n, generator=g) * 8
        arrays[f"sigmoid_x{n}"] = x.numpy()
        arrays[f"sigmoid_y{n}"] = torch.sigmoid(x).numpy()
    for n in LONG:
        y = torch.sigmoid(torch.from_numpy(long_input(n))).numpy()
        arrays[f"long_sha256_{n}"] = np.array(hashlib.sha256(y.tobytes()).hexdigest())
    edges = torch.tensor(
        [0.0, -0.0, float("inf"), -float("inf"), float("nan"), 1e-45, -1e-45, 88.5, -88.5]
        + [-87.0, -103.9, -104.5, 100.5, 1e30, -1e30, 16.6, -16.6, 40.0, -40.0] * 3
    )
    arrays["sigmoid_edges_x"] = edges.numpy()
    arrays["sigmoid_edges_y"] = torch.sigmoid(edges).numpy()
    base = torch.randn(20, 64, generator=g) * 8
    arrays["layout_x"] = base.numpy()
    arrays["layout_rows"] = torch.sigmoid(base[:, :50]).numpy()  # rows of 50: 32 + 18
    arrays["layout_strided"] = torch.sigmoid(base[:, ::2]).numpy()
    arrays["layout_transposed"] = torch.sigmoid(base.t()).numpy()
    x = torch.randn(5000, generator=g) * 10
    arrays["exp_x"] = x.numpy()
    arrays["exp_y"] = torch.exp(x).numpy()
    p = torch.rand(5000, generator=g) * 100
    arrays["log_x"] = p.numpy()
    arrays["log_y"] = torch.log(p).numpy()
    # SiLU of the same inputs (no further draws, so the arrays above stay as they were).
    silu = torch.nn.functional.silu
    for n in SIZES:
        arrays[f"silu_y{n}"] = silu(torch.from_numpy(arrays[f"sigmoid_x{n}"])).numpy()
    for n in LONG:
        y = silu(torch.from_numpy(long_input(n))).numpy()
        arrays[f"silu_long_sha256_{n}"] = np.array(hashlib.sha256(y.tobytes()).hexdigest())
    arrays["silu_edges_y"] = silu(edges).numpy()
    arrays["silu_layout_rows"] = silu(base[:, :50]).numpy()
    arrays["silu_layout_strided"] = silu(base[:, ::2]).numpy()
    arrays["silu_layout_transposed"] = silu(base.t()).numpy()
    np.savez(OUT, torch=np.array(torch.__version__), **arrays)


if __name__ == "__main__":
    main()
