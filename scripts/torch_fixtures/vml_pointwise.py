"""PyTorch's float32 transcendental functions on this build (MKL's VML), to measure agreement.

x86 builds of PyTorch hand float32 ``sin``, ``cos``, ``tan``, ``tanh``, ``sinh``, ``cosh``,
``asin``, ``acos``, ``atan``, ``log10``, ``log2``, ``log1p``, ``expm1`` and ``sqrt`` to MKL's VML,
whose algorithms are not public; a test measures how often visgrad's correctly rounded results
agree. Writes ``tests/fixtures/torch/vml_pointwise.npz``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "vml_pointwise.npz"
N = 5000
# op -> (scale, positive only): inputs spread over the range programs use.
OPS = {
    "sin": (10, False), "cos": (10, False), "tan": (1.5, False), "tanh": (5, False),
    "sinh": (5, False), "cosh": (5, False), "asin": (1, False), "acos": (1, False),
    "atan": (10, False), "log10": (100, True), "log2": (100, True), "log1p": (10, True),
    "expm1": (10, False), "sqrt": (100, True),
}  # fmt: skip


def main() -> None:
    rng = np.random.default_rng(20261204)
    arrays = {}
    for op, (scale, positive) in OPS.items():
        u = rng.random(N)
        x = (u * scale if positive else (2 * u - 1) * scale).astype(np.float32)
        arrays[f"{op}_x"] = x
        arrays[f"{op}_y"] = getattr(torch, op)(torch.from_numpy(x)).numpy()
    np.savez_compressed(OUT, torch=np.array(torch.__version__), **arrays)


if __name__ == "__main__":
    main()
