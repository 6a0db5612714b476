"""torch.utils.checkpoint: the same values and gradients as running the function plainly, with
PyTorch's reentrant node, warnings and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import visgrad as torch
from visgrad import nn
from visgrad.utils.checkpoint import checkpoint, checkpoint_sequential


def _block() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5), nn.Tanh(), nn.Linear(4, 2))


def _grads(model: nn.Module, x: torch.Tensor) -> list[np.ndarray]:
    return [x.grad._data.copy()] + [p.grad._data.copy() for p in model.parameters()]


@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpoint_gives_the_plain_run_s_values_and_gradients(reentrant: bool) -> None:
    model = _block()
    x = torch.randn(3, 4, requires_grad=True)
    torch.manual_seed(7)
    plain = model(x)
    plain.pow(2).sum().backward()
    want = _grads(model, x)
    model.zero_grad()
    x.grad = None
    torch.manual_seed(7)
    out = checkpoint(model, x, use_reentrant=reentrant)
    between = torch.rand(1).item()
    out.pow(2).sum().backward()  # the recomputed dropout draws the forward's masks again
    after_backward = torch.rand(1).item()
    np.testing.assert_array_equal(out._data, plain._data)
    for got, exp in zip(_grads(model, x), want, strict=True):
        np.testing.assert_array_equal(got, exp)
    torch.manual_seed(7)
    model(x)
    # backward's recomputation leaves the random stream where it found it
    assert (between, after_backward) == (torch.rand(1).item(), torch.rand(1).item())
    assert out.grad_fn.name() == ("CheckpointFunctionBackward" if reentrant else "AddmmBackward0")


def test_reentrant_checkpoint_without_an_input_that_requires_grad_has_no_graph() -> None:
    model = _block()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = checkpoint(model, torch.randn(3, 4))
    assert [str(w.message)[:60] for w in caught] == [
        "torch.utils.checkpoint: the use_reentrant parameter should b",
        "None of the inputs have requires_grad=True. Gradients will b",
    ]
    assert out.grad_fn is None and not out.requires_grad


def test_unexpected_keywords_are_refused_by_the_reentrant_form() -> None:
    with pytest.raises(ValueError, match="^Unexpected keyword arguments: foo,bar$"):
        checkpoint(_block(), torch.randn(1, 4), use_reentrant=True, foo=1, bar=2)


@pytest.mark.parametrize("segments", [1, 2, 4])
def test_checkpoint_sequential_runs_the_layers_in_order(segments: int) -> None:
    torch.manual_seed(0)
    seq = nn.Sequential(*[nn.Linear(3, 3) for _ in range(4)])
    x = torch.randn(2, 3, requires_grad=True)
    out = checkpoint_sequential(seq, segments, x, use_reentrant=True)
    np.testing.assert_allclose(out._data, seq(x)._data, rtol=0, atol=0)
    out.sum().backward()
    g = x.grad._data.copy()
    x.grad = None
    seq(x).sum().backward()
    np.testing.assert_array_equal(g, x.grad._data)
    assert out.grad_fn.name() == "AddmmBackward0"  # the last segment runs plainly
