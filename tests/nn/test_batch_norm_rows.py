"""Training batch norm of float32 ``(N, C)`` inputs equals PyTorch 2.13 bit for bit: output,
running statistics and gradients (``scripts/torch_fixtures/batch_norm_rows.py`` recorded them).

The last bits matter: a ``Linear`` bias feeding a BatchNorm has an exactly-zero gradient whose
float32 rounding noise Adam turns into full-size steps (see ``visgrad/ops/batch_norm_rows.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import visgrad as torch
from tests.engine.float_bits import same_bits, threads

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "torch" / "batch_norm_rows.npz"
RECORDED = dict(np.load(FIXTURE))
KEYS = sorted({k.split("/")[0] for k in RECORDED if "/" in k})


@pytest.mark.parametrize("key", KEYS)
def test_training_batch_norm_of_rows_matches_pytorch_bit_for_bit(key):
    r = {name: RECORDED[f"{key}/{name}"] for name in ("x", "w", "b", "rm0", "rv0", "dy")}
    x = torch.tensor(r["x"], requires_grad=True)
    w = torch.tensor(r["w"], requires_grad=True)
    b = torch.tensor(r["b"], requires_grad=True)
    rm, rv = torch.tensor(r["rm0"]), torch.tensor(r["rv0"])
    with threads(int(RECORDED["threads"])):
        y = torch.nn.functional.batch_norm(x, rm, rv, w, b, training=True, momentum=0.1)
        y.backward(torch.tensor(r["dy"]))
    got = {"y": y, "rm": rm, "rv": rv, "gx": x.grad, "gw": w.grad, "gb": b.grad}
    for name, t in got.items():
        same_bits(t.detach().numpy(), RECORDED[f"{key}/{name}"])


def test_a_different_thread_count_splits_the_sums_differently():
    # The recorded rounding depends on PyTorch's split of the rows among threads.
    r = {name: RECORDED[f"1000x16/{name}"] for name in ("x", "w", "b")}
    outs = []
    for n in (int(RECORDED["threads"]), 7):
        with threads(n):
            y = torch.nn.functional.batch_norm(
                torch.tensor(r["x"]), None, None, torch.tensor(r["w"]), torch.tensor(r["b"]),
                training=True,
            )  # fmt: skip
        outs.append(y.numpy())
    assert (outs[0] != outs[1]).any()
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-5, atol=1e-5)
