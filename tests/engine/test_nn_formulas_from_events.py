"""The layers' formulas, evaluated from events, equal what their backward sent, over the
arguments the gradcheck table's single rows do not reach (groups, transposed and strided
convolution, eval-mode batch norm, masked and grouped attention, padded pools)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import visgrad as torch
import visgrad.nn.functional as F
from tests.engine.test_formulas_match_backward import _checks, _run

MASK = torch.tensor(np.array([[1, 0, 1], [1, 1, 0], [0, 0, 0]], dtype=bool))
# name -> (program, input shapes); EXPECTED names the layer node each must check.
PROGRAMS: dict[str, tuple[Callable[..., Any], list[tuple[int, ...]]]] = {
    "conv_groups_dilated": (
        lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2),
        [(2, 4, 5, 6), (6, 2, 2, 3), (6,)],
    ),
    "conv_transpose": (
        lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1, groups=2),
        [(1, 4, 3, 3), (4, 1, 3, 3)],
    ),
    "conv1d_same": (
        lambda x, w: F.conv1d(x, w, padding="same", dilation=2),
        [(2, 2, 7), (3, 2, 3)],
    ),
    "pad_constant_negative": (lambda x: F.pad(x, (-1, 2, 1, 0), value=0.5), [(2, 3, 4)]),
    "max_pool_ceil": (lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True), [(1, 2, 6, 7)]),
    "avg_pool_exclude": (
        lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        [(1, 2, 6, 7)],
    ),
    "avg_pool_divisor": (
        lambda x: F.avg_pool1d(F.avg_pool2d(x, 2, 1, divisor_override=3)[0], 2),
        [(1, 2, 4, 5)],
    ),
    "adaptive": (
        lambda x: F.adaptive_max_pool2d(F.adaptive_avg_pool2d(x, (3, 2)), 2),
        [(1, 2, 7, 5)],
    ),
    "batch_norm_eval": (
        lambda x, w, b: F.batch_norm(
            x, torch.tensor([0.1, -0.3]).double(), torch.tensor([0.5, 2.0]).double(), w, b
        ),
        [(3, 2, 4), (2,), (2,)],
    ),
    "layer_norm_2d": (lambda x, w, b: F.layer_norm(x, (2, 3), w, b), [(4, 2, 3), (2, 3), (2, 3)]),
    "group_norm": (lambda x, w, b: F.group_norm(x, 3, w, b), [(2, 6, 2, 2), (6,), (6,)]),
    "embedding_padding_freq": (
        lambda w: F.embedding(
            torch.tensor([[0, 2, 2], [1, 2, 0]]), w, padding_idx=0, scale_grad_by_freq=True
        ),
        [(3, 4)],
    ),
    "attention_mask_scale": (
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=MASK, scale=0.6),
        [(2, 2, 3, 4), (2, 2, 3, 4), (2, 2, 3, 4)],
    ),
    "attention_gqa_causal": (
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True),
        [(1, 4, 3, 2), (1, 2, 3, 2), (1, 2, 3, 2)],
    ),
    "losses": (
        lambda x, t: (
            F.smooth_l1_loss(x, t, reduction="sum", beta=0.3)
            + F.huber_loss(x, t, reduction="mean", delta=0.2)
        ),
        [(3, 4), (3, 4)],
    ),
}


EXPECTED = {
    "conv_groups_dilated": "ConvolutionBackward0",
    "conv_transpose": "ConvolutionBackward0",
    "conv1d_same": "ConvolutionBackward0",
    "pad_constant_negative": "ConstantPadNdBackward0",
    "max_pool_ceil": "MaxPool2DWithIndicesBackward0",
    "avg_pool_exclude": "AvgPool2DBackward0",
    "avg_pool_divisor": "AvgPool2DBackward0",
    "adaptive": "AdaptiveMaxPool2DBackward0",
    "batch_norm_eval": "NativeBatchNormBackward0",
    "layer_norm_2d": "NativeLayerNormBackward0",
    "group_norm": "NativeGroupNormBackward0",
    "embedding_padding_freq": "EmbeddingBackward0",
    "attention_mask_scale": "ScaledDotProductFlashAttentionForCpuBackward0",
    "attention_gqa_causal": "ScaledDotProductFlashAttentionForCpuBackward0",
    "losses": "HuberLossBackward0",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_formula_from_events_equals_what_backward_sent(name: str) -> None:
    fn, shapes = PROGRAMS[name]
    checks = _checks(_run(fn, shapes, np.random.default_rng(1)))
    assert EXPECTED[name] in {g for g, _ in checks}, "the layer's node was not checked"
    wrong = [(g, c.name, c.error) for g, c in checks if not c.agrees]
    assert wrong == []
