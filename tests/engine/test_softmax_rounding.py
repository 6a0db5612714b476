"""float32 softmax, log_softmax and cross_entropy over the last dimension match PyTorch bit for
bit (fixture: scripts/torch_fixtures/softmax_rounding.py): PyTorch's kernel rounds as Sleef's
vectorised expf/logf do and adds each row in 16 lanes, so NumPy's exp and sum differ in the last
bit for most rows, and a seeded training loop printing its loss would drift."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import visgrad as torch
import visgrad.nn.functional as F
from tests.engine.float_bits import same_bits, threads

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "torch" / "softmax_rounding.npz"
DATA = dict(np.load(FIXTURE))
CASES = sorted(int(k[1:]) for k in DATA if k.startswith("x"))
DIM_CASES = sorted(int(k[len("dim_x") :]) for k in DATA if k.startswith("dim_x"))


@pytest.fixture
def recorded_threads() -> Iterator[None]:
    # softmax over another dim splits its positions among threads, and that moves the
    # positions that run glibc's scalar expf.
    with threads(int(DATA["threads"])):
        yield


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_float32_softmax_lastdim_matches_pytorch_bit_for_bit(op: str, case: int) -> None:
    x = torch.tensor(DATA[f"x{case}"])
    same_bits(getattr(torch, op)(x, -1).numpy(), DATA[f"{op}{case}"])


@pytest.mark.usefixtures("recorded_threads")
@pytest.mark.parametrize("case", DIM_CASES)
@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_float32_softmax_over_other_dims_matches_pytorch_bit_for_bit(op: str, case: int) -> None:
    x, dim = torch.tensor(DATA[f"dim_x{case}"]), int(DATA[f"dim_dim{case}"])
    same_bits(getattr(torch, op)(x, dim).numpy(), DATA[f"dim_{op}{case}"])


@pytest.mark.usefixtures("recorded_threads")
def test_float32_cross_entropy_of_a_sequence_matches_pytorch() -> None:
    logits, target = torch.tensor(DATA["ce3_logits"]), torch.tensor(DATA["ce3_target"])
    same_bits(F.cross_entropy(logits, target, reduction="none").numpy(), DATA["ce3_none"])


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_float32_cross_entropy_matches_pytorch_bit_for_bit(reduction: str) -> None:
    logits = torch.tensor(DATA["ce_logits"], requires_grad=True)
    target = torch.tensor(DATA["ce_target"])
    loss = F.cross_entropy(logits, target, reduction=reduction)
    same_bits(np.asarray(loss.detach().numpy(), np.float32), DATA[f"ce_{reduction}"])


def test_float32_softmax_of_a_scalar_and_of_empty_inputs() -> None:
    x = torch.tensor(2.0)
    assert torch.softmax(x, 0).item() == 1.0 and torch.log_softmax(x, 0).item() == 0.0
    assert torch.softmax(torch.ones(3, 0, 2), 1).shape == (3, 0, 2)


def test_numpy_exp_and_sum_give_other_bits() -> None:
    # The fixture's rows are ones where NumPy's softmax rounds differently: the tests above can
    # fail.
    x = DATA["x8"]
    e = np.exp(x - x.max(-1, keepdims=True))
    assert not np.array_equal(e / e.sum(-1, keepdims=True), DATA["softmax8"])
