"""``kthvalue`` and ``mode`` pick PyTorch's index among tied values and NaNs.

The fixture (``scripts/torch_fixtures/select_ties.py``) holds rows with many ties, some with NaNs,
short (insertion-sorted by ``std::sort``) and long (introsorted), and PyTorch's indices.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import visgrad as torch

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "torch" / "select_ties.json"
CASES = json.loads(FIXTURE.read_text())["cases"]


def _row(case: dict) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in case["row"]], dtype=np.float32)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"n{len(c['row'])}")
def test_kthvalue_and_mode_indices_are_pytorchs(case: dict) -> None:
    x = torch.tensor(_row(case))
    kth = [int(torch.kthvalue(x, k).indices) for k in range(1, x.numel() + 1)]
    assert kth == case["kthvalue"]
    assert int(torch.mode(x).indices) == case["mode"]


def test_rows_of_a_batch_are_picked_one_by_one() -> None:
    rows = [_row(c) for c in CASES if len(c["row"]) == 17]
    x = torch.tensor(np.stack(rows))
    assert torch.mode(x, 1).indices.tolist() == [c["mode"] for c in CASES if len(c["row"]) == 17]
    k5 = torch.kthvalue(x.T, 5, dim=0).indices.tolist()
    assert k5 == [c["kthvalue"][4] for c in CASES if len(c["row"]) == 17]
