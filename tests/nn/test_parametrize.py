"""``nn.utils.parametrize``, the weight-norm and spectral-norm parametrizations and hooks.

Values, graphs and error texts against PyTorch are in ``tests/engine/test_nn_ops_vs_torch.py``
(topic ``parametrizations``); here the printouts and state-dict keys PyTorch recorded, and the
behaviour a program relies on beyond one call.
"""

from __future__ import annotations

import copy
import json
import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import visgrad as torch
from visgrad import nn
from visgrad.nn.utils import parametrizations as P
from visgrad.nn.utils import parametrize

DOC = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "torch" / "parametrizations.json").read_text()
)


@pytest.mark.parametrize("row", DOC["modules"], ids=lambda r: r["expr"])
def test_printout_class_and_state_keys_match_pytorch(row: dict[str, Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = eval(row["expr"], {"torch": torch})  # noqa: S307 - the fixture's expressions
    assert repr(m) == row["repr"]
    assert type(m).__name__ == row["class"]
    assert list(m.state_dict()) == row["state_dict"]
    assert [n for n, _ in m.named_parameters()] == row["parameters"]
    assert [n for n, _ in m.named_buffers()] == row["buffers"]
    assert {k: dict(v) for k, v in m.state_dict()._metadata.items()} == row["metadata"]


class Symmetric(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.triu() + x.triu(1).mT

    def right_inverse(self, a: torch.Tensor) -> torch.Tensor:
        return a.triu()


def test_a_custom_parametrization_is_computed_on_each_read_and_assigned_through_its_inverse() -> (
    None
):
    layer = nn.Linear(3, 3)
    before = layer.weight.detach().numpy().copy()
    parametrize.register_parametrization(layer, "weight", Symmetric())
    w = layer.weight.detach().numpy()
    np.testing.assert_array_equal(w, w.T)
    np.testing.assert_array_equal(np.triu(w), np.triu(before))
    assert parametrize.is_parametrized(layer) and parametrize.is_parametrized(layer, "weight")
    assert not parametrize.is_parametrized(layer, "bias")
    assert parametrize.type_before_parametrizations(layer) is nn.Linear
    assert isinstance(layer, nn.Linear) and type(layer).__name__ == "ParametrizedLinear"
    # Assigning stores right_inverse(value) in the original: reading gives the symmetric part.
    a = torch.arange(9.0).reshape(3, 3)
    layer.weight = a
    np.testing.assert_array_equal(
        layer.parametrizations.weight.original.detach().numpy(), np.triu(a.numpy())
    )
    np.testing.assert_array_equal(
        layer.weight.detach().numpy(), np.triu(a.numpy()) + np.triu(a.numpy(), 1).T
    )
    # Each read runs the parametrization anew; under cached() it runs once.
    assert layer.weight is not layer.weight
    with parametrize.cached():
        assert layer.weight is layer.weight
    assert layer.weight is not layer.weight


def test_gradients_reach_the_original_and_an_optimizer_step_keeps_the_parametrization() -> None:
    layer = nn.Linear(3, 3, bias=False)
    parametrize.register_parametrization(layer, "weight", Symmetric())
    (original,) = layer.parameters()
    assert original is layer.parametrizations.weight.original
    opt = torch.optim.SGD(layer.parameters(), lr=0.5)
    layer(torch.ones(2, 3)).sum().backward()
    # d/dO of sum over rows of (x @ (triu O + triu(O, 1)^T)^T): 2 on and above the diagonal
    # (the upper part is read twice), 0 below it (tril(O, -1) is never read).
    np.testing.assert_array_equal(original.grad.numpy(), np.triu(np.full((3, 3), 2.0)) + np.triu(
        np.full((3, 3), 2.0), 1))  # fmt: skip
    opt.step()
    w = layer.weight.detach().numpy()
    np.testing.assert_array_equal(w, w.T)


def test_remove_parametrizations_leaves_the_value_or_the_original() -> None:
    layer = nn.Linear(2, 2)
    parametrize.register_parametrization(layer, "weight", Symmetric())
    parametrized = layer.weight.detach().numpy().copy()
    original = layer.parametrizations.weight.original
    parametrize.remove_parametrizations(layer, "weight")
    assert type(layer) is nn.Linear and not hasattr(layer, "parametrizations")
    assert layer.weight is original  # the same Parameter, now holding the parametrized value
    np.testing.assert_array_equal(layer.weight.detach().numpy(), parametrized)
    assert [n for n, _ in layer.named_parameters()] == ["bias", "weight"]

    layer = nn.Linear(2, 2)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    parametrize.register_parametrization(layer, "weight", Symmetric())
    parametrize.remove_parametrizations(layer, "weight", leave_parametrized=False)
    # right_inverse (triu) was stored at registration: the original now holds that.
    np.testing.assert_array_equal(layer.weight.detach().numpy(), [[1.0, 2.0], [0.0, 4.0]])


def test_parametrizations_chain_in_order_and_may_not_change_the_shape_unless_unsafe() -> None:
    class Double(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x * 2

    layer = nn.Linear(2, 2)
    w = layer.weight.detach().numpy().copy()
    parametrize.register_parametrization(layer, "weight", Symmetric())
    parametrize.register_parametrization(layer, "weight", Double())
    sym = np.triu(w) + np.triu(w, 1).T
    np.testing.assert_allclose(layer.weight.detach().numpy(), 2 * sym)
    assert len(layer.parametrizations.weight) == 2
    with pytest.raises(ValueError, match="may not change the shape"):
        parametrize.register_parametrization(layer, "weight", nn.Flatten(0))
    parametrize.register_parametrization(layer, "bias", nn.Flatten(0), unsafe=True)
    assert layer.parametrizations.bias.unsafe


def test_a_parametrized_module_refuses_pickling_but_round_trips_its_state_dict() -> None:
    torch.manual_seed(0)
    a = P.weight_norm(nn.Linear(3, 2))
    with pytest.raises(RuntimeError, match="only supported through state_dict"):
        pickle.dumps(a)
    b = P.weight_norm(nn.Linear(3, 2))
    b.load_state_dict(a.state_dict())
    x = torch.randn(4, 3)
    np.testing.assert_array_equal(b(x).detach().numpy(), a(x).detach().numpy())


def test_weight_norm_splits_the_weight_into_its_row_norms_and_direction() -> None:
    layer = nn.Linear(2, 2, bias=False)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[3.0, 4.0], [0.0, -2.0]]))
    P.weight_norm(layer)
    g = layer.parametrizations.weight.original0
    v = layer.parametrizations.weight.original1
    np.testing.assert_array_equal(g.detach().numpy(), [[5.0], [2.0]])
    np.testing.assert_array_equal(v.detach().numpy(), [[3.0, 4.0], [0.0, -2.0]])
    with torch.no_grad():
        g.mul_(2)
    np.testing.assert_allclose(layer.weight.detach().numpy(), [[6.0, 8.0], [0.0, -4.0]])
    # The hook form holds the same two tensors as weight_g and weight_v.
    old = nn.Linear(2, 2, bias=False)
    with torch.no_grad():
        old.weight.copy_(torch.tensor([[3.0, 4.0], [0.0, -2.0]]))
    with pytest.warns(FutureWarning, match="deprecated in favor of"):
        nn.utils.weight_norm(old)
    np.testing.assert_array_equal(old.weight_g.detach().numpy(), [[5.0], [2.0]])
    with torch.no_grad():
        old.weight_g.mul_(2)
    old(torch.ones(1, 2))  # the pre-hook recomputes weight
    np.testing.assert_allclose(old.weight.detach().numpy(), [[6.0, 8.0], [0.0, -4.0]])


def test_spectral_norm_brings_the_largest_singular_value_to_one() -> None:
    torch.manual_seed(1)
    layer = P.spectral_norm(nn.Linear(5, 4), n_power_iterations=4)
    for _ in range(5):
        layer(torch.randn(2, 5))  # each training forward runs the power iteration
    sigma = np.linalg.svd(layer.weight.detach().numpy(), compute_uv=False)[0]
    assert abs(sigma - 1) < 1e-5
    old = nn.utils.spectral_norm(nn.Linear(5, 4), n_power_iterations=4)
    for _ in range(5):
        old(torch.randn(2, 5))
    assert abs(np.linalg.svd(old.weight.detach().numpy(), compute_uv=False)[0] - 1) < 1e-5


def test_a_parametrized_module_deep_copies_into_an_independent_one() -> None:
    a = P.weight_norm(nn.Linear(3, 2))
    b = copy.deepcopy(a)
    assert type(b) is type(a)
    x = torch.randn(4, 3)
    np.testing.assert_array_equal(b(x).detach().numpy(), a(x).detach().numpy())
    with torch.no_grad():
        b.parametrizations.weight.original0.mul_(2)
    # a's weight is untouched; b's rows are twice as long.
    np.testing.assert_allclose(b.weight.detach().numpy(), 2 * a.weight.detach().numpy(), rtol=1e-6)
