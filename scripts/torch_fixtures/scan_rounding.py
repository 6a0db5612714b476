"""PyTorch's float32 cumsum to the last bit: its CPU scan accumulates in double and rounds each
running total once. Writes ``tests/fixtures/torch/scan_rounding.json`` (inputs and results as
float32 values written exactly)."""

from __future__ import annotations

import json
from pathlib import Path

import torch

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "scan_rounding.json"


def main() -> None:
    g = torch.Generator().manual_seed(20261202)
    cases = {}
    for name, shape, dim in [
        ("long_row", (600,), 0),
        ("rows", (4, 200), 1),
        ("columns", (200, 3), 0),
    ]:
        x = torch.rand(shape, generator=g) - 0.25
        cases[name] = {"dim": dim, "x": x.tolist(), "cumsum": x.cumsum(dim).tolist()}
    OUT.write_text(json.dumps({"torch": torch.__version__, "cases": cases}) + "\n")


if __name__ == "__main__":
    main()
