"""``nn.RReLU``, ``nn.MaxUnpool2d`` and the other parameter-free layers beyond one call (values,
graphs, errors and reprs against PyTorch are in ``tests/engine/test_nn_ops_vs_torch.py``, topic
``extra_layers``)."""

from __future__ import annotations

import numpy as np
import pytest

import visgrad as torch
import visgrad.nn.functional as F
from visgrad import nn


def test_rrelu_draws_a_slope_per_negative_value_in_training_and_uses_their_mean_in_eval() -> None:
    layer = nn.RReLU(0.1, 0.3)
    x = -torch.ones(1000)
    torch.manual_seed(0)
    a = layer(x)
    torch.manual_seed(0)
    np.testing.assert_array_equal(layer(x).numpy(), a.numpy())  # the same stream, the same slopes
    slopes = -a.numpy()
    assert 0.1 <= slopes.min() and slopes.max() < 0.3 and len(np.unique(slopes)) > 900
    assert abs(slopes.mean() - 0.2) < 0.01
    np.testing.assert_array_equal(layer(torch.ones(4)).numpy(), np.ones(4))  # no slope drawn
    layer.eval()
    np.testing.assert_allclose(layer(torch.tensor([-2.0, 3.0])).numpy(), [-0.4, 3.0], rtol=1e-6)


def test_max_unpool_puts_each_maximum_back_and_zeros_the_rest() -> None:
    x = torch.rand(2, 3, 4, 6) + 0.1  # positive: the zeros put back are below every maximum
    pooled, indices = F.max_pool2d(x, 2, return_indices=True)
    back = nn.MaxUnpool2d(2)(pooled, indices).numpy()
    xs = x.numpy()
    kept = back != 0
    np.testing.assert_array_equal(back[kept], xs[kept])
    assert kept.reshape(2, 3, -1).sum(-1).tolist() == [[6] * 3] * 2  # one per 2 x 2 window
    np.testing.assert_array_equal(F.max_pool2d(torch.tensor(back), 2).numpy(), pooled.numpy())


def test_native_channel_shuffle_records_a_node_whose_backward_raises_as_pytorchs() -> None:
    x = torch.randn(1, 4, 3, requires_grad=True)
    y = F.native_channel_shuffle(x, 2)
    np.testing.assert_array_equal(y.detach().numpy(), F.channel_shuffle(x, 2).detach().numpy())
    assert y.grad_fn.name() == "torch::autograd::NotImplemented"
    with pytest.raises(RuntimeError, match="derivative for aten::native_channel_shuffle is not"):
        y.sum().backward()
