"""Which index PyTorch's CPU ``kthvalue`` and ``mode`` report among tied values and NaNs: the
answer of ATen's quickselect and of libstdc++'s ``std::sort`` (an introsort past 16 elements).
Writes ``tests/fixtures/torch/select_ties.json``: rows (with NaN as null), and per row the
kthvalue index for every k and the mode's value index."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "select_ties.json"


def main() -> None:
    rng = np.random.default_rng(20261204)
    rows = []
    for n in (3, 5, 9, 16, 17, 24, 40, 75, 130):
        rows.append(rng.integers(0, 3, n).astype(np.float32))
        rows.append(rng.integers(0, max(2, n // 4), n).astype(np.float32))
        with_nan = rng.integers(0, 4, n).astype(np.float32)
        with_nan[rng.random(n) < 0.25] = np.nan
        rows.append(with_nan)
    cases = []
    for row in rows:
        x = torch.from_numpy(row)
        kth = [int(torch.kthvalue(x, k).indices) for k in range(1, row.size + 1)]
        cases.append({
            "row": [None if np.isnan(v) else float(v) for v in row],
            "kthvalue": kth,
            "mode": int(torch.mode(x).indices),
        })  # fmt: skip
    OUT.write_text(json.dumps({"torch": torch.__version__, "cases": cases}) + "\n")


if __name__ == "__main__":
    main()
