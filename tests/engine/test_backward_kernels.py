"""tanh and sigmoid gradients in float32 carry PyTorch's own last bits.

The fixture holds PyTorch's forward outputs and gradients. Where visgrad's forward output equals
PyTorch's (the forwards' own last bits are a separate matter), the gradient must be bit-equal:
the backward kernels' rounding (tanh's fused ``1 - y*y``, sigmoid's order) is what is checked.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import visgrad as torch

FIXTURE = np.load(
    Path(__file__).resolve().parents[1] / "fixtures" / "torch" / "backward_kernels.npz"
)


@pytest.mark.parametrize("op", ["tanh", "sigmoid"])
def test_float32_gradients_are_bit_equal_where_the_forwards_agree(op: str) -> None:
    x = torch.tensor(FIXTURE[f"{op}/x"], requires_grad=True)
    y = getattr(torch, op)(x)
    y.backward(torch.tensor(FIXTURE[f"{op}/v"]))
    same = y._data == FIXTURE[f"{op}/y"]
    assert same.mean() > 0.5, "too few equal forwards for the check to mean anything"
    got, want = x.grad._data[same], FIXTURE[f"{op}/grad"][same]
    assert got.dtype == np.float32
    assert np.array_equal(got, want), f"{np.sum(got != want)} of {same.sum()} differ"


def test_a_hand_written_tanh_gradient_differs_from_autograd_in_the_last_bit() -> None:
    # What a learner sees comparing their (1 - h**2) * dh with hpreact.grad: close, not exact.
    torch.manual_seed(0)
    x = torch.randn(64, 64, requires_grad=True)
    h = torch.tanh(x)
    dh = torch.randn(64, 64)
    h.backward(dh)
    manual = (1.0 - h**2) * dh
    assert torch.allclose(manual, x.grad)
    assert not torch.equal(manual, x.grad)
