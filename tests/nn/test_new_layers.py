"""Layers added for real programs: padding modules and channel dropout.

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
