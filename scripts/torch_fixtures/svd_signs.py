"""The signs of PyTorch's singular vectors: MKL's gesdd reduces a wide matrix (m < n < 20 m) to
bidiagonal form directly, where reference LAPACK factors ``A = L Q`` first once n >= 11 m / 6, so
their U and V columns differ in sign there. Writes ``tests/fixtures/torch/svd_signs.npz``: per
case the input and ``torch.linalg.svd``'s U, S, Vh (float64; thin and full)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "svd_signs.npz"
SHAPES = [
    (2, 3), (2, 4), (3, 5), (3, 6), (4, 10), (5, 7), (4, 5), (2, 39), (2, 40), (3, 60), (1, 4),
    (7, 4), (6, 3), (3, 3), (2, 3, 8), (2, 2, 4, 9),
]  # fmt: skip


def main() -> None:
    g = torch.Generator().manual_seed(20261204)
    arrays = {}
    for shape in SHAPES:
        a = torch.randn(shape, generator=g, dtype=torch.float64)
        name = "x".join(map(str, shape))
        arrays[f"{name}/a"] = a.numpy()
        for full in (False, True):
            u, s, vh = torch.linalg.svd(a, full_matrices=full)
            tag = "full" if full else "thin"
            arrays[f"{name}/{tag}/U"] = u.numpy()
            arrays[f"{name}/{tag}/S"] = s.numpy()
            arrays[f"{name}/{tag}/Vh"] = vh.numpy()
    np.savez_compressed(OUT, **arrays)


if __name__ == "__main__":
    main()
