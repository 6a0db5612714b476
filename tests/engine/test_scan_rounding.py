"""float32 cumsum rounds as PyTorch's does, bit for bit (fixture: scripts/torch_fixtures/
scan_rounding.py): a running total accumulated in float32 drifts from PyTorch's after a few
hundred terms, and a seeded program printing it would differ."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import visgrad as torch

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "torch" / "scan_rounding.json"
CASES = json.loads(FIXTURE.read_text())["cases"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_float32_cumsum_matches_pytorch_bit_for_bit(name: str) -> None:
    case = CASES[name]
    x = torch.tensor(np.array(case["x"], dtype=np.float32))
    got = x.cumsum(case["dim"])
    assert got.dtype == torch.float32
    np.testing.assert_array_equal(got.numpy(), np.array(case["cumsum"], dtype=np.float32))


def test_float32_cumsum_differs_from_a_float32_running_total() -> None:
    # The fixture's long row is one where float32 accumulation gives other bits: the test above
    # can fail.
    x = np.array(CASES["long_row"]["x"], dtype=np.float32)
    assert not np.array_equal(np.cumsum(x), np.array(CASES["long_row"]["cumsum"], np.float32))
