"""``torch.testing.assert_close``: which calls pass and the whole text of each failure. Writes
``tests/fixtures/torch/testing.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch.testing import assert_close

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "testing.json"
CALLS = [
    "assert_close(torch.tensor([1., 2., 3.]), torch.tensor([1., 2.5, 3.]))",
    "assert_close(torch.tensor([1., 2.]), torch.tensor([1., 2.], dtype=torch.float64))",
    "assert_close(torch.tensor([1., 2.]), torch.tensor([1., 2.], dtype=torch.float64), "
    "check_dtype=False)",
    "assert_close(torch.ones(2), torch.ones(3))",
    "assert_close(torch.tensor([1., float('nan')]), torch.tensor([1., float('nan')]))",
    "assert_close(torch.tensor([1., float('nan')]), torch.tensor([1., float('nan')]), "
    "equal_nan=True)",
    "assert_close(torch.tensor([float('inf'), 1.]), torch.tensor([float('inf'), 1.]))",
    "assert_close(torch.tensor([1, 2]), torch.tensor([1, 3]))",
    "assert_close(1.0, 1.1)",
    "assert_close(3, 3)",
    "assert_close(torch.tensor([[1., 2.], [3., 4.]]), torch.tensor([[1., 2.], [3., 4.001]]))",
    "assert_close(torch.tensor([1., 2.]), torch.tensor([1., 2.1]), rtol=0.1, atol=0)",
    "assert_close(torch.tensor([1., 2.]), torch.tensor([1., 2.1]), rtol=0.1)",
    "assert_close(torch.tensor([1., 2.]), [1., 2.])",
    "assert_close(torch.tensor(2.), torch.tensor(3.), msg='custom')",
    "assert_close(torch.tensor([0., 1.]), torch.tensor([0., 1.000001]))",
    "assert_close(torch.tensor([True, False]), torch.tensor([True, True]))",
    "assert_close(torch.tensor([1., 2.], dtype=torch.float64), "
    "torch.tensor([1., 2. + 1e-6], dtype=torch.float64))",
]


def main() -> None:
    out = {}
    for call in CALLS:
        try:
            eval(call, {"torch": torch, "assert_close": assert_close})  # noqa: S307
            out[call] = None
        except Exception as e:  # noqa: BLE001 - recording whatever PyTorch raises
            out[call] = {"type": type(e).__name__, "message": str(e)}
    OUT.write_text(json.dumps({"torch": torch.__version__, "calls": out}, indent=1) + "\n")


if __name__ == "__main__":
    main()
