"""``nn.EmbeddingBag`` beyond one call (values, graphs and errors against PyTorch are in
``tests/engine/test_nn_ops_vs_torch.py``, topic ``embedding_bags``)."""

from __future__ import annotations

import numpy as np
import pytest

import visgrad as torch
import visgrad.nn.functional as F
from visgrad import nn


def test_the_padding_row_starts_at_zero_gets_no_gradient_and_is_not_counted_by_the_mean() -> None:
    torch.manual_seed(0)
    bag = nn.EmbeddingBag(4, 2, padding_idx=0)
    assert list(bag.state_dict()) == ["weight"]
    np.testing.assert_array_equal(bag.weight.detach().numpy()[0], [0.0, 0.0])
    x = torch.tensor([[0, 1, 2], [3, 0, 0]])
    y = bag(x)
    w = bag.weight.detach().numpy()
    np.testing.assert_allclose(y.detach().numpy(), [(w[1] + w[2]) / 2, w[3]], rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(bag.weight.grad.numpy(), [[0, 0], [0.5, 0.5], [0.5, 0.5], [1, 1]])


def test_offsets_cut_a_flat_input_as_the_rows_of_a_2d_input_would() -> None:
    w = torch.randn(5, 3)
    flat = torch.tensor([4, 1, 1, 0, 2, 3])
    for mode in ("sum", "mean", "max"):
        a = F.embedding_bag(flat, w, torch.tensor([0, 3]), mode=mode)
        b = F.embedding_bag(flat.reshape(2, 3), w, mode=mode)
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_the_old_argument_order_is_swapped_back_with_a_warning() -> None:
    w = torch.randn(5, 3)
    idx = torch.tensor([[1, 2]])
    with pytest.warns(UserWarning, match="Argument order of nn.functional.embedding_bag"):
        y = F.embedding_bag(w, idx)
    np.testing.assert_array_equal(y.numpy(), F.embedding_bag(idx, w).numpy())
