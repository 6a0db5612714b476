"""The last bits of PyTorch's elementwise backward kernels (float32): ``tanh`` (its ``1 - y*y``
is one fused multiply-add) and ``sigmoid`` (``(grad * (1 - y)) * y``). Records inputs, PyTorch's
forward outputs and ``x.grad``; writes ``tests/fixtures/torch/backward_kernels.npz``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "backward_kernels.npz"


def main() -> None:
    rng = np.random.default_rng(20261203)
    arrays = {}
    for op in ("tanh", "sigmoid"):
        x = torch.tensor((rng.standard_normal(4099) * 2).astype(np.float32), requires_grad=True)
        v = torch.tensor(rng.standard_normal(4099).astype(np.float32))
        y = getattr(torch, op)(x)
        y.backward(v)
        arrays |= {f"{op}/x": x.detach().numpy(), f"{op}/v": v.numpy()}
        arrays |= {f"{op}/y": y.detach().numpy(), f"{op}/grad": x.grad.numpy()}
    np.savez_compressed(OUT, **arrays)


if __name__ == "__main__":
    main()
