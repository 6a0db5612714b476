"""``nn.LazyLinear`` over its life: uninitialised, then drawn and turned into a ``Linear`` by its
first forward (values, errors and reprs against PyTorch are in ``test_nn_ops_vs_torch``, topic
``lazy_layers``; the printouts before and after come from the same recording)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import visgrad as torch
from visgrad import nn
from visgrad.nn.parameter import UninitializedParameter

LIFE = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "torch" / "lazy_layers.json").read_text()
)["lifecycle"]


def test_the_first_forward_draws_the_weights_linear_would_and_becomes_a_linear() -> None:
    torch.manual_seed(0)
    lazy = nn.LazyLinear(4)
    assert repr(lazy) == LIFE["before"]["repr"]
    assert repr(lazy.weight) == LIFE["before"]["weight"]
    assert list(lazy.state_dict()) == LIFE["before"]["state_dict"]
    assert isinstance(lazy.weight, UninitializedParameter) and lazy.has_uninitialized_params()
    x = torch.randn(2, 3)
    state = torch.get_rng_state()
    y = lazy(x)
    assert repr(lazy) == LIFE["after"]["repr"]
    assert type(lazy).__name__ == LIFE["after"]["class"]
    assert type(lazy) is nn.Linear and type(lazy.weight) is nn.Parameter
    assert list(lazy.state_dict()) == LIFE["after"]["state_dict"]
    torch.set_rng_state(state)
    eager = nn.Linear(3, 4)  # drawn from the stream where the lazy layer drew
    np.testing.assert_array_equal(lazy.weight.detach().numpy(), eager.weight.detach().numpy())
    np.testing.assert_array_equal(y.detach().numpy(), eager(x).detach().numpy())


def test_an_optimizer_made_before_the_first_forward_trains_the_materialised_parameters() -> None:
    lazy = nn.LazyLinear(1)
    opt = torch.optim.SGD(lazy.parameters(), lr=0.1)
    x = torch.ones(4, 2)
    lazy(x)
    before = lazy.weight.detach().numpy().copy()
    lazy(x).sum().backward()
    opt.step()
    np.testing.assert_allclose(lazy.weight.detach().numpy(), before - 0.1 * 4, rtol=1e-6)


def test_a_checkpoint_gives_the_parameters_their_shapes_before_any_forward() -> None:
    source = nn.Linear(3, 2)
    lazy = nn.LazyLinear(2)
    lazy.load_state_dict(source.state_dict())
    assert type(lazy) is nn.LazyLinear and not lazy.has_uninitialized_params()
    x = torch.randn(5, 3)
    np.testing.assert_array_equal(lazy(x).detach().numpy(), source(x).detach().numpy())
    assert type(lazy) is nn.Linear and lazy.in_features == 3
