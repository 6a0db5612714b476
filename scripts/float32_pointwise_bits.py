"""Count float32 elements where visgrad's activations differ from PyTorch's CPU results.

Record PyTorch's results with the torch environment, then compare with visgrad's:

    /work/torchenv/bin/python scripts/float32_pointwise_bits.py --record /tmp/bits.npz
    python scripts/float32_pointwise_bits.py /tmp/bits.npz

On 100,000 inputs ``4 * randn`` (torch 2.13, one thread) it prints, per op, how many results
differ, the largest difference in units in the last place, and how many differ by more than
4 units: the measurement that decides which ops need ATen's float32 kernels reproduced.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

OPS = {
    "logsigmoid": lambda F, x, t: F.logsigmoid(x),
    "softplus": lambda F, x, t: F.softplus(x),
    "bce_with_logits": lambda F, x, t: F.binary_cross_entropy_with_logits(x, t, reduction="none"),
    "gelu": lambda F, x, t: F.gelu(x),
    "gelu_tanh": lambda F, x, t: F.gelu(x, approximate="tanh"),
    "silu": lambda F, x, t: F.silu(x),
    "elu": lambda F, x, t: F.elu(x),
}


def _inputs(n: int = 100_000) -> tuple[np.ndarray, np.ndarray]:
    x = (np.random.default_rng(0).standard_normal(n) * 4).astype(np.float32)
    return x, np.random.default_rng(1).random(n).astype(np.float32)


def record(path: str) -> None:
    import torch

    torch.set_num_threads(1)
    x, t = _inputs()
    F = torch.nn.functional
    np.savez(path, **{k: op(F, torch.tensor(x), torch.tensor(t)).numpy() for k, op in OPS.items()})


def compare(path: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import visgrad

    visgrad.set_num_threads(1)
    x, t = _inputs()
    want_all = np.load(path)
    print(f"{'op':16} {'differ':>8} {'max ulp':>10} {'> 4 ulp':>8}")
    for name, op in OPS.items():
        got = op(visgrad.nn.functional, visgrad.tensor(x), visgrad.tensor(t)).numpy()
        ulp = np.abs(got.view(np.int32).astype(np.int64) - want_all[name].view(np.int32))
        print(f"{name:16} {np.count_nonzero(ulp):8} {ulp.max():10} {np.count_nonzero(ulp > 4):8}")


if __name__ == "__main__":
    if sys.argv[1] == "--record":
        record(sys.argv[2])
    else:
        compare(sys.argv[1])
