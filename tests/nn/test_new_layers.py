"""Layers added for real programs: padding modules, channel dropout, PReLU and the rest.

Values, graphs, error texts and reprs against PyTorch are in ``tests/engine/test_nn_ops_vs_torch.py``
(topic ``nnmods``); here the behaviour a program relies on beyond one call.
"""

from __future__ import annotations

import numpy as np
import pytest

import visgrad as torch
import visgrad.nn.functional as F
from visgrad import nn


@pytest.mark.parametrize("cls", [nn.Dropout1d, nn.Dropout2d])
def test_channel_dropout_draws_what_the_functional_draws_and_stops_in_eval(cls: type) -> None:
    x = torch.ones(3, 6, 4) if cls is nn.Dropout1d else torch.ones(3, 6, 2, 2)
    fn = F.dropout1d if cls is nn.Dropout1d else F.dropout2d
    layer = cls(0.4)
    torch.manual_seed(5)
    got = layer(x)
    torch.manual_seed(5)
    np.testing.assert_array_equal(got.numpy(), fn(x, 0.4).numpy())
    flat = got.numpy().reshape(3, 6, -1)
    # Whole channels are kept (scaled by 1/(1-p)) or zeroed.
    assert (flat.min(-1) == flat.max(-1)).all()
    kept = flat[..., 0] != 0
    np.testing.assert_allclose(flat[kept], np.float32(1 / 0.6), rtol=1e-7)
    assert 0 < kept.sum() < kept.size
    layer.eval()
    assert layer(x) is x


def test_padding_modules_chain_in_a_sequential_and_print_as_pytorch() -> None:
    model = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(2, 3, 3), nn.ZeroPad2d((0, 1, 0, 1)))
    assert model(torch.randn(1, 2, 5, 5)).shape == (1, 3, 6, 6)
    assert repr(model) == (
        "Sequential(\n"
        "  (0): ReflectionPad2d((1, 1, 1, 1))\n"
        "  (1): Conv2d(2, 3, kernel_size=(3, 3), stride=(1, 1))\n"
        "  (2): ZeroPad2d((0, 1, 0, 1))\n"
        ")"
    )


def test_prelu_learns_one_slope_per_channel_through_its_weight() -> None:
    layer = nn.PReLU(2)
    assert [n for n, _ in layer.named_parameters()] == ["weight"]
    np.testing.assert_array_equal(layer.weight.detach().numpy(), np.float32([0.25, 0.25]))
    x = torch.tensor([[-1.0, 2.0], [-3.0, 5.0]])
    y = layer(x)
    np.testing.assert_array_equal(y.detach().numpy(), np.float32([[-0.25, 2.0], [-0.75, 5.0]]))
    y.sum().backward()
    # Only the negative inputs move a slope: channel 0 saw -1 and -3, channel 1 nothing.
    np.testing.assert_array_equal(layer.weight.grad.numpy(), np.float32([-4.0, 0.0]))
    with torch.no_grad():
        layer.weight.fill_(2.0)
    layer.reset_parameters()
    np.testing.assert_array_equal(layer.weight.detach().numpy(), np.float32([0.25, 0.25]))


@pytest.mark.parametrize(
    ("kwargs", "keys"),
    [
        ({}, []),
        ({"affine": True}, ["weight", "bias"]),
        ({"track_running_stats": True}, ["running_mean", "running_var", "num_batches_tracked"]),
        (
            {"affine": True, "track_running_stats": True},
            ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"],
        ),
    ],
)
def test_instance_norm_state_holds_what_pytorchs_holds(kwargs: dict, keys: list[str]) -> None:
    # PyTorch 2.13 lists these keys for InstanceNorm1d(3, **kwargs).state_dict().
    layer = nn.InstanceNorm1d(3, **kwargs)
    assert list(layer.state_dict()) == keys


def test_instance_norm_tracks_running_stats_in_training_and_uses_them_in_eval() -> None:
    layer = nn.InstanceNorm1d(2, momentum=0.5, track_running_stats=True)
    x = torch.tensor([[[1.0, 3.0], [0.0, 4.0]], [[5.0, 7.0], [2.0, 2.0]]])
    layer(x)
    # Per (sample, channel) means 2, 2 | 6, 2 and unbiased variances 2, 8 | 2, 0, averaged
    # over the batch after each copy moved halfway from 0 (mean) or 1 (variance).
    np.testing.assert_allclose(layer.running_mean.numpy(), [2.0, 1.0])
    np.testing.assert_allclose(layer.running_var.numpy(), [1.5, 2.5])
    assert int(layer.num_batches_tracked) == 0  # as PyTorch: instance norm never counts
    layer.eval()
    y = layer(torch.tensor([[[2.0, 3.5], [1.0, 1.0]]]))
    np.testing.assert_allclose(
        y.numpy(), [[[0.0, 1.5 / np.sqrt(1.5 + 1e-5)], [0.0, 0.0]]], rtol=1e-6
    )
