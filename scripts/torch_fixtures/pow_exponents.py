"""PyTorch's ``x ** e`` for the exponents its CPU kernel computes by multiplication (2, 3, -2,
-0.5), and a few it does not, in float32 and float64, bit for bit.

Writes ``tests/fixtures/torch/pow_exponents.json``: the inputs and, per dtype and exponent, the
results as float64 (exact for float32 values) with NaN and infinities as strings.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "pow_exponents.json"
EXPONENTS = [2, 3, -2, -0.5, 2.0, 3.0, -1, 1, 0]
SPECIAL = [0.0, -0.0, 1.0, -1.0, float("inf"), float("-inf"), float("nan")]


def encode(values: list[float]) -> list[float | str]:
    return [v if np.isfinite(v) else repr(v) for v in values]


def main() -> None:
    rng = np.random.default_rng(0)
    inputs = [float(v) for v in rng.standard_normal(48) * 3] + SPECIAL
    out: dict = {"torch": torch.__version__, "inputs": encode(inputs), "results": {}}
    for dtype in ("float32", "float64"):
        x = torch.tensor(inputs, dtype=getattr(torch, dtype))
        for e in EXPONENTS:
            r = (x**e).double().tolist()
            out["results"][f"{dtype} {e!r}"] = encode(r)
    OUT.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
