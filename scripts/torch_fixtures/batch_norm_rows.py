"""PyTorch's float32 training batch norm of ``(N, C)`` inputs (its channels-last CPU kernel):
output, running statistics and the three gradients, for shapes on both sides of the kernel's
8-lane vector loop and of the thread split (``threads`` records the count).
Writes ``tests/fixtures/torch/batch_norm_rows.npz`` (inputs and results as raw float32)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "batch_norm_rows.npz"
SHAPES = [(2, 4), (5, 3), (32, 8), (100, 20), (257, 7), (1000, 16), (7, 1, 1), (64, 9, 1)]


def main() -> None:
    g = torch.Generator().manual_seed(0)
    out: dict[str, np.ndarray] = {"threads": np.array(torch.get_num_threads())}
    for shape in SHAPES:
        c = shape[1]
        x = (torch.randn(shape, generator=g) * 3 + 1).requires_grad_()
        w = (torch.rand(c, generator=g) + 0.5).requires_grad_()
        b = torch.randn(c, generator=g).requires_grad_()
        rm, rv = torch.randn(c, generator=g), torch.rand(c, generator=g) + 0.5
        dy = torch.randn(shape, generator=g)
        key = "x".join(map(str, shape))
        for name, t in (("x", x), ("w", w), ("b", b), ("rm0", rm), ("rv0", rv), ("dy", dy)):
            out[f"{key}/{name}"] = t.detach().clone().numpy()
        y = torch.nn.functional.batch_norm(x, rm, rv, w, b, training=True, momentum=0.1)
        y.backward(dy)
        results = (("y", y), ("rm", rm), ("rv", rv), ("gx", x.grad), ("gw", w.grad), ("gb", b.grad))
        for name, t in results:
            out[f"{key}/{name}"] = t.detach().numpy()
    np.savez(OUT, **out)


if __name__ == "__main__":
    main()
