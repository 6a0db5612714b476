"""``F.ctc_loss`` / ``nn.CTCLoss`` beyond one call (values, gradients, graphs and errors against
PyTorch are in ``tests/engine/test_nn_ops_vs_torch.py``, topic ``ctc_losses``)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import visgrad as torch
import visgrad.nn.functional as F
from visgrad import nn


def _collapse(path: tuple[int, ...], blank: int) -> tuple[int, ...]:
    merged = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
    return tuple(k for k in merged if k != blank)


@pytest.mark.parametrize(("target", "blank"), [((1, 2), 0), ((1, 1), 0), ((0,), 2), ((), 0)])
def test_the_loss_is_minus_the_log_of_the_summed_probability_of_every_alignment(
    target: tuple[int, ...], blank: int
) -> None:
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((4, 1, 3))
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    total = sum(
        math.prod(p[t, 0, k] for t, k in enumerate(path))
        for path in itertools.product(range(3), repeat=4)
        if _collapse(path, blank) == target
    )
    lp = torch.tensor(np.log(p))
    tg = torch.tensor([list(target) or [0]])
    loss = F.ctc_loss(lp, tg, [4], [len(target)], blank=blank, reduction="none")
    np.testing.assert_allclose(loss.numpy(), [-math.log(total)], rtol=1e-12)


def test_its_gradient_cannot_be_differentiated_again_as_in_pytorch() -> None:
    x = torch.randn(5, 2, 4, dtype=torch.float64, requires_grad=True)
    loss = nn.CTCLoss()(x.log_softmax(2), torch.tensor([[1, 2], [3, 3]]), [5, 4], [2, 2])
    (g,) = torch.autograd.grad(loss, x, create_graph=True)
    assert g.requires_grad
    with pytest.raises(RuntimeError, match="derivative for aten::_ctc_loss_backward is not"):
        g.sum().backward()


def test_a_model_trained_on_ctc_learns_to_emit_its_target() -> None:
    torch.manual_seed(0)
    layer = nn.Linear(3, 4)
    opt = torch.optim.Adam(layer.parameters(), lr=0.1)
    x = torch.randn(6, 1, 3)
    target = torch.tensor([[1, 3]])
    losses = []
    for _ in range(60):
        loss = F.ctc_loss(layer(x).log_softmax(2), target, [6], [2])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0]
    best = tuple(int(k) for k in layer(x).argmax(2)[:, 0])
    assert _collapse(best, 0) == (1, 3)
