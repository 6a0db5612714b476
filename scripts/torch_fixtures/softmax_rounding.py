"""PyTorch's float32 softmax, log_softmax and cross_entropy over the last dimension, to the
last bit: its CPU kernel runs Sleef's vectorised expf/logf and sums each row in 16 lanes.
Writes ``tests/fixtures/torch/softmax_rounding.npz`` (inputs and outputs as raw float32)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "softmax_rounding.npz"
SHAPES = [(7, 1), (5, 3), (4, 15), (4, 16), (3, 17), (6, 33), (2, 100), (2, 3, 50), (8, 1000)]


def _edges(g: torch.Generator) -> torch.Tensor:
    """Rows of awkward values: masks, infinities, nan, huge and tiny numbers, signed zeros."""
    x = torch.randn(10, 40, generator=g) * 4
    x[0, 5:] = -float("inf")  # a causal mask
    x[1] = -float("inf")  # a fully masked row
    x[2, 3] = float("nan")
    x[3, 7] = float("inf")
    x[4] *= 1e30
    x[5] = torch.randn(40, generator=g) * 1e-40  # subnormal inputs
    x[6, ::2] = -0.0
    x[6, 1::2] = 0.0
    x[7] = torch.linspace(-120, 0, 40)  # exp underflows into the subnormals and to zero
    x[8] = 88.0  # all equal, large
    x[9, :20] = -1e38
    return x


def main() -> None:
    g = torch.Generator().manual_seed(20261203)
    arrays: dict[str, np.ndarray] = {}
    inputs = [torch.randn(s, generator=g) * 3 for s in SHAPES] + [_edges(g)]
    for i, x in enumerate(inputs):
        arrays[f"x{i}"] = x.numpy()
        arrays[f"softmax{i}"] = torch.softmax(x, -1).numpy()
        arrays[f"log_softmax{i}"] = torch.log_softmax(x, -1).numpy()
    logits = torch.randn(64, 10, generator=g) * 2
    target = torch.randint(0, 10, (64,), generator=g)
    arrays["ce_logits"] = logits.numpy()
    arrays["ce_target"] = target.numpy()
    for reduction in ("none", "mean", "sum"):
        arrays[f"ce_{reduction}"] = F.cross_entropy(logits, target, reduction=reduction).numpy()
    np.savez(OUT, torch=np.array(torch.__version__), **arrays)


if __name__ == "__main__":
    main()
