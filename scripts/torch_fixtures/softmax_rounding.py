"""PyTorch's float32 softmax, log_softmax and cross_entropy to the last bit: over the last
dimension its CPU kernel runs Sleef's vectorised expf/logf and sums each row in 16 lanes; over
another it runs Sleef's exp on vectors of 16 positions and glibc's expf on the rest, which
depends on the split among threads for softmax (``threads`` records the count).
Writes ``tests/fixtures/torch/softmax_rounding.npz`` (inputs and outputs as raw float32)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "softmax_rounding.npz"
DIMS = [((5, 3), 0), ((3, 10, 20), 1), ((4, 6, 1), 1), ((16, 10, 37), 1), ((2, 3, 17, 9), 1)]
DIMS += [((6, 33, 2), 0), ((2, 150, 20), 1), ((100, 20), 0)]
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
    for i, (shape, dim) in enumerate(DIMS):
        x = torch.randn(shape, generator=g) * 3
        if i == 1:
            x[0, 2, 5] = x[1, 0, 7] = float("nan")
            x[2, :, 3] = -float("inf")
            x[2, 4, 17] = float("inf")
        arrays[f"dim_x{i}"] = x.numpy()
        arrays[f"dim_dim{i}"] = np.array(dim)
        arrays[f"dim_softmax{i}"] = torch.softmax(x, dim).numpy()
        arrays[f"dim_log_softmax{i}"] = torch.log_softmax(x, dim).numpy()
    arrays["threads"] = np.array(torch.get_num_threads())
    seq = torch.randn(8, 5, 21, generator=g) * 2  # (N, C, L): the class dim is not the last
    seq_target = torch.randint(0, 5, (8, 21), generator=g)
    arrays["ce3_logits"], arrays["ce3_target"] = seq.numpy(), seq_target.numpy()
    arrays["ce3_none"] = F.cross_entropy(seq, seq_target, reduction="none").numpy()
    logits = torch.randn(64, 10, generator=g) * 2
    target = torch.randint(0, 10, (64,), generator=g)
    arrays["ce_logits"] = logits.numpy()
    arrays["ce_target"] = target.numpy()
    for reduction in ("none", "mean", "sum"):
        arrays[f"ce_{reduction}"] = F.cross_entropy(logits, target, reduction=reduction).numpy()
    np.savez(OUT, torch=np.array(torch.__version__), **arrays)


if __name__ == "__main__":
    main()
