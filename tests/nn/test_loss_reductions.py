"""nll_loss (the reduction of cross_entropy) and the elementwise losses reduce as PyTorch's CPU
kernels add, bit for bit (fixture: scripts/torch_fixtures/loss_reductions.py, whose recipes this
test runs on visgrad): a seeded program printing ``loss.item()`` shows PyTorch's digits."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import visgrad as torch
from tests.scripts_loader import load_script
from visgrad.ops.nll_kernel import _with_ignored, cascade_total

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "torch" / "loss_reductions.json"
CASES = json.loads(FIXTURE.read_text())["cases"]


RECIPES = load_script("scripts/torch_fixtures/loss_reductions.py")


def _id(case: dict) -> str:
    return f"{case['loss']}-{case['dtype']}-{case['batch']}x{case['classes']}"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_loss_matches_pytorch_bit_for_bit(case: dict) -> None:
    got = RECIPES.run(torch, case)
    assert got.shape == ()
    assert got.detach().numpy().tobytes().hex() == case["result"], "the last bits differ"


def test_the_cascade_is_not_a_plain_sum() -> None:
    # The fixture discriminates: a running float32 total of the same terms gives other bits.
    rng = np.random.default_rng(3)
    terms = (rng.standard_normal(4097) * 3).astype(np.float32)
    kept = np.ones(len(terms), bool)
    plain = np.add.accumulate(terms)[-1]
    assert cascade_total(terms, kept).tobytes() != plain.tobytes()
    # With every sample kept, the vectorised cascade and the sample-by-sample one agree.
    assert cascade_total(terms, kept).tobytes() == _with_ignored(terms, kept).tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_vectorised_cascade_agrees_for_every_batch_size(dtype) -> None:  # type: ignore[no-untyped-def]
    # Short batches leave the upper levels empty (the vectorised cascade stops there); every
    # length up to two full levels, and a few past them, adds as the sample-by-sample loop.
    rng = np.random.default_rng(4)
    for n in [*range(1, 600), 4096, 4097, 70000]:
        terms = (rng.standard_normal(n) * 10.0 ** rng.integers(-3, 4, n)).astype(dtype)
        if n % 5 == 0:
            terms[:] = -0.0
        kept = np.ones(n, bool)
        got, want = cascade_total(terms, kept), _with_ignored(terms, kept)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes(), f"{n} samples"
