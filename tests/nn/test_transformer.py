"""The Transformer modules beyond one call: float64 gradients of whole layers against finite
differences, the stacks' copies, and the nested-tensor inference path's zeros.

Values, graphs, seeded initial weights, error texts and printouts against PyTorch are in
``tests/engine/test_nn_ops_vs_torch.py`` (topic ``transformer_layers``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import visgrad as torch
from tests.engine.gradcheck_util import check_grad
from visgrad import nn

F64 = torch.float64


def _x(*shape: int, seed: int = 0) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    return torch.tensor(rng.standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_layer_gradient_matches_finite_differences(
    norm_first: bool, activation: str
) -> None:
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(4, 2, 6, 0.0, activation, norm_first=norm_first, dtype=F64)
    mask = nn.Transformer.generate_square_subsequent_mask(3, dtype=F64)
    check_grad(lambda x: layer(x, src_mask=mask), _x(3, 2, 4))


@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_layer_gradient_matches_finite_differences(batch_first: bool) -> None:
    torch.manual_seed(1)
    layer = nn.TransformerDecoderLayer(4, 2, 6, 0.0, batch_first=batch_first, dtype=F64)
    pad = torch.tensor([[False, False, True], [False, False, False]])
    shape = (2, 3, 4) if batch_first else (3, 2, 4)
    check_grad(
        lambda t, m: layer(t, m, memory_key_padding_mask=pad), _x(*shape), _x(*shape, seed=2)
    )


def test_stacks_start_from_copies_of_one_layer_and_keep_pytorchs_names() -> None:
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 3)
    w = [layer.linear1.weight for layer in enc.layers]
    assert w[0] is not w[1]
    np.testing.assert_array_equal(w[0].detach().numpy(), w[2].detach().numpy())
    names = [n for n, _ in enc.named_parameters()][:8]
    assert names == [
        "layers.0.self_attn.in_proj_weight",
        "layers.0.self_attn.in_proj_bias",
        "layers.0.self_attn.out_proj.weight",
        "layers.0.self_attn.out_proj.bias",
        "layers.0.linear1.weight",
        "layers.0.linear1.bias",
        "layers.0.linear2.weight",
        "layers.0.linear2.bias",
    ]


def test_encoder_warns_as_pytorch_when_the_nested_path_is_off() -> None:
    with pytest.warns(UserWarning, match="self.use_nested_tensor is False because encoder_layer"
                      ".self_attn.batch_first was not True"):  # fmt: skip
        enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 1)
    assert enc.use_nested_tensor is False


def test_inference_with_padding_zeroes_padded_positions_only_without_gradients() -> None:
    torch.manual_seed(3)
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 1)
    enc.eval()
    x = torch.randn(2, 4, 8)
    pad = torch.tensor([[False] * 4, [False, False, True, True]])
    with torch.no_grad():
        y = enc(x, src_key_padding_mask=pad)
    assert (y[1, 2:] == 0).all() and (y[0] != 0).all()
    # With gradients wanted, PyTorch takes the ordinary path: every position is computed.
    z = enc(x, src_key_padding_mask=pad)
    assert (z[1, 2:] != 0).all()
    np.testing.assert_allclose(z[:, :2].detach().numpy(), y[:, :2].numpy(), rtol=1e-6)
