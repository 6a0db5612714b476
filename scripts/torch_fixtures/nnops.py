"""PyTorch's values, gradients, graphs, error texts and layer reprs for the layers' ops.

Covers convolution, pooling, normalisation, embedding, attention, padding, activations and the
extra losses. Every call is written as visgrad and PyTorch both spell it; the test evaluates the
same text with visgrad on the same inputs. Writes ``tests/fixtures/torch/nnops.json`` (calls,
node names, graphs, errors, reprs) and ``nnops.npz`` (inputs, outputs, gradients).
"""

from __future__ import annotations

from typing import Any

from _cases import B, C, N, P, S, write
from torch import nn

# name -> (call, {input: (shape, kind)}, dtype). Kinds: normal, pos, prob, index:N, bool, stat
# (a running statistic: no grad, its value after the call is recorded), const (no grad).
CASES: dict[str, tuple[str, dict[str, tuple[tuple[int, ...], str]], str]] = {
    # -- convolution ---------------------------------------------------------------------------
    "conv2d": (
        "F.conv2d(x, w, b)",
        {"x": ((2, 3, 6, 7), N), "w": ((4, 3, 3, 3), N), "b": ((4,), N)},
        "float64",
    ),
    "conv2d_f32": (
        "F.conv2d(x, w, b, padding=1)",
        {"x": ((2, 3, 8, 8), N), "w": ((4, 3, 3, 3), N), "b": ((4,), N)},
        "float32",
    ),
    "conv2d_strided": (
        "F.conv2d(x, w, stride=2, padding=(1, 2), dilation=(2, 1))",
        {"x": ((2, 3, 9, 8), N), "w": ((4, 3, 3, 2), N)},
        "float64",
    ),
    "conv2d_groups": (
        "F.conv2d(x, w, b, groups=2, stride=(1, 2))",
        {"x": ((1, 4, 6, 6), N), "w": ((6, 2, 2, 3), N), "b": ((6,), N)},
        "float64",
    ),
    "conv2d_same_even": (
        "F.conv2d(x, w, padding='same')",
        {"x": ((1, 2, 5, 6), N), "w": ((3, 2, 2, 4), N)},
        "float64",
    ),
    "conv2d_valid": (
        "F.conv2d(x, w, padding='valid')",
        {"x": ((1, 2, 5, 6), N), "w": ((3, 2, 3, 3), N)},
        "float64",
    ),
    "conv2d_unbatched": (
        "F.conv2d(x, w, b, padding=1)",
        {"x": ((2, 5, 5), N), "w": ((3, 2, 3, 3), N), "b": ((3,), N)},
        "float64",
    ),
    "conv1d": (
        "F.conv1d(x, w, b, stride=2, padding=1, dilation=2)",
        {"x": ((2, 3, 11), N), "w": ((5, 3, 3), N), "b": ((5,), N)},
        "float64",
    ),
    "conv1d_same": (
        "F.conv1d(x, w, padding='same', groups=3)",
        {"x": ((2, 3, 7), N), "w": ((6, 1, 4), N)},
        "float64",
    ),
    "conv3d": (
        "F.conv3d(x, w, b, padding=1)",
        {"x": ((1, 2, 4, 4, 3), N), "w": ((3, 2, 2, 3, 2), N), "b": ((3,), N)},
        "float64",
    ),
    "conv_transpose2d": (
        "F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1)",
        {"x": ((2, 3, 4, 5), N), "w": ((3, 2, 3, 3), N), "b": ((2,), N)},
        "float64",
    ),
    "conv_transpose2d_groups": (
        "F.conv_transpose2d(x, w, stride=(2, 1), groups=2, dilation=(1, 2))",
        {"x": ((1, 4, 3, 4), N), "w": ((4, 3, 2, 2), N)},
        "float64",
    ),
    "conv_transpose1d": (
        "F.conv_transpose1d(x, w, b, stride=3)",
        {"x": ((2, 2, 4), N), "w": ((2, 3, 2), N), "b": ((3,), N)},
        "float64",
    ),
    "conv2d_module_reflect": (
        "torch.conv2d(F.pad(x, (1, 1, 2, 2), mode='reflect'), w, b)",
        {"x": ((1, 2, 5, 5), N), "w": ((2, 2, 3, 3), N), "b": ((2,), N)},
        "float64",
    ),
    # -- padding --------------------------------------------------------------------------------
    "pad_constant": ("F.pad(x, (1, 2, 0, 1), value=0.5)", {"x": ((2, 3, 4), N)}, "float64"),
    "pad_negative": ("F.pad(x, (-1, 2))", {"x": ((2, 5), N)}, "float64"),
    "pad_reflect2d": (
        "F.pad(x, (2, 1, 1, 2), mode='reflect')",
        {"x": ((1, 2, 4, 5), N)},
        "float64",
    ),
    "pad_replicate1d": ("F.pad(x, (3, 1), mode='replicate')", {"x": ((2, 3, 4), N)}, "float64"),
    "pad_circular": ("F.pad(x, (2, 1), mode='circular')", {"x": ((1, 2, 4), N)}, "float64"),
    # -- pooling --------------------------------------------------------------------------------
    "max_pool2d": ("F.max_pool2d(x, 2)", {"x": ((2, 3, 6, 7), N)}, "float64"),
    "max_pool2d_f32": (
        "F.max_pool2d(x, 3, stride=2, padding=1)",
        {"x": ((2, 3, 8, 8), N)},
        "float32",
    ),
    "max_pool2d_ceil": (
        "F.max_pool2d(x, (3, 2), stride=2, padding=1, dilation=(1, 2), ceil_mode=True, return_indices=True)",
        {"x": ((1, 2, 7, 9), N)},
        "float64",
    ),
    "max_pool2d_unbatched": ("F.max_pool2d(x, 2, 1)", {"x": ((2, 5, 5), N)}, "float64"),
    "max_pool1d": (
        "F.max_pool1d(x, 3, stride=2, padding=1, return_indices=True)",
        {"x": ((2, 3, 9), N)},
        "float64",
    ),
    "max_pool3d": ("F.max_pool3d(x, 2, stride=1)", {"x": ((1, 2, 3, 4, 4), N)}, "float64"),
    "avg_pool2d": ("F.avg_pool2d(x, 2)", {"x": ((2, 3, 6, 7), N)}, "float64"),
    "avg_pool2d_pad": (
        "F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)",
        {"x": ((1, 2, 7, 8), N)},
        "float64",
    ),
    "avg_pool2d_exclude": (
        "F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)",
        {"x": ((1, 2, 7, 8), N)},
        "float64",
    ),
    "avg_pool2d_divisor": (
        "F.avg_pool2d(x, (2, 3), stride=1, padding=1, divisor_override=4)",
        {"x": ((1, 2, 4, 5), N)},
        "float64",
    ),
    "avg_pool1d": ("F.avg_pool1d(x, 3, stride=2, padding=1)", {"x": ((2, 3, 9), N)}, "float64"),
    "adaptive_avg_pool2d": (
        "F.adaptive_avg_pool2d(x, (3, 4))",
        {"x": ((2, 3, 7, 9), N)},
        "float64",
    ),
    "adaptive_avg_pool2d_f32": (
        "F.adaptive_avg_pool2d(x, (5, None))",
        {"x": ((2, 3, 7, 6), N)},
        "float32",
    ),
    "adaptive_avg_pool2d_global": (
        "F.adaptive_avg_pool2d(x, 1)",
        {"x": ((2, 3, 4, 5), N)},
        "float64",
    ),
    "adaptive_avg_pool1d": ("F.adaptive_avg_pool1d(x, 4)", {"x": ((2, 3, 10), N)}, "float64"),
    "adaptive_max_pool2d": (
        "F.adaptive_max_pool2d(x, (3, 2), return_indices=True)",
        {"x": ((2, 3, 7, 5), N)},
        "float64",
    ),
    "adaptive_max_pool1d": ("F.adaptive_max_pool1d(x, 3)", {"x": ((2, 3, 8), N)}, "float64"),
    # -- normalisation --------------------------------------------------------------------------
    "batch_norm_train": (
        "F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.3)",
        {
            "x": ((4, 3, 5), N),
            "rm": ((3,), S),
            "rv": ((3,), "stat_pos"),
            "w": ((3,), N),
            "b": ((3,), N),
        },
        "float64",
    ),
    "batch_norm_train_f32": (
        "F.batch_norm(x, rm, rv, w, b, training=True)",
        {
            "x": ((8, 3, 4, 4), N),
            "rm": ((3,), S),
            "rv": ((3,), "stat_pos"),
            "w": ((3,), N),
            "b": ((3,), N),
        },
        "float32",
    ),
    "batch_norm_eval": (
        "F.batch_norm(x, rm, rv, w, b)",
        {
            "x": ((4, 3, 2, 2), N),
            "rm": ((3,), S),
            "rv": ((3,), "stat_pos"),
            "w": ((3,), N),
            "b": ((3,), N),
        },
        "float64",
    ),
    "batch_norm_no_stats": (
        "F.batch_norm(x, None, None, training=True)",
        {"x": ((5, 4), N)},
        "float64",
    ),
    "layer_norm": (
        "F.layer_norm(x, (5,), w, b)",
        {"x": ((4, 3, 5), N), "w": ((5,), N), "b": ((5,), N)},
        "float64",
    ),
    "layer_norm_f32": (
        "F.layer_norm(x, (3, 5), w, b, eps=1e-3)",
        {"x": ((4, 3, 5), N), "w": ((3, 5), N), "b": ((3, 5), N)},
        "float32",
    ),
    "layer_norm_plain": ("F.layer_norm(x, [6])", {"x": ((2, 6), N)}, "float64"),
    "group_norm": (
        "F.group_norm(x, 3, w, b)",
        {"x": ((2, 6, 5), N), "w": ((6,), N), "b": ((6,), N)},
        "float64",
    ),
    "group_norm_2d": ("F.group_norm(x, 2, eps=1e-3)", {"x": ((2, 4, 3, 3), N)}, "float64"),
    # -- embedding ------------------------------------------------------------------------------
    "embedding": ("F.embedding(i, w)", {"i": ((3, 4), "index:7"), "w": ((7, 5), N)}, "float64"),
    "embedding_padding": (
        "F.embedding(i, w, padding_idx=2)",
        {"i": ((6,), "index:4"), "w": ((4, 3), N)},
        "float64",
    ),
    "embedding_freq": (
        "F.embedding(i, w, padding_idx=-1, scale_grad_by_freq=True)",
        {"i": ((2, 5), "index:4"), "w": ((4, 3), N)},
        "float64",
    ),
    "embedding_max_norm": (
        "F.embedding(i, w, max_norm=1.0)",
        {"i": ((5,), "index:6"), "w": ((6, 3), "const_big")},
        "float64",
    ),
    # -- attention ------------------------------------------------------------------------------
    "sdpa": (
        "F.scaled_dot_product_attention(q, k, v)",
        {"q": ((2, 3, 5, 4), N), "k": ((2, 3, 6, 4), N), "v": ((2, 3, 6, 4), N)},
        "float64",
    ),
    "sdpa_f32_causal": (
        "F.scaled_dot_product_attention(q, k, v, is_causal=True)",
        {"q": ((2, 2, 6, 8), N), "k": ((2, 2, 6, 8), N), "v": ((2, 2, 6, 8), N)},
        "float32",
    ),
    "sdpa_bool_mask": (
        "F.scaled_dot_product_attention(q, k, v, attn_mask=m, scale=0.7)",
        {"q": ((2, 3, 5, 4), N), "k": ((2, 3, 6, 4), N), "v": ((2, 3, 6, 4), N), "m": ((5, 6), B)},
        "float64",
    ),
    "sdpa_float_mask_causal": (
        "F.scaled_dot_product_attention(q, k, v, attn_mask=m, is_causal=True)",
        {"q": ((1, 2, 5, 4), N), "k": ((1, 2, 5, 4), N), "v": ((1, 2, 5, 4), N), "m": ((5, 5), C)},
        "float64",
    ),
    "sdpa_math_3d": (
        "F.scaled_dot_product_attention(q, k, v, attn_mask=m)",
        {"q": ((2, 5, 4), N), "k": ((2, 6, 4), N), "v": ((2, 6, 3), N), "m": ((5, 6), B)},
        "float64",
    ),
    "sdpa_math_causal": (
        "F.scaled_dot_product_attention(q, k, v, is_causal=True)",
        {"q": ((3, 5, 4), N), "k": ((3, 5, 4), N), "v": ((3, 5, 4), N)},
        "float64",
    ),
    "sdpa_gqa": (
        "F.scaled_dot_product_attention(q, k, v, enable_gqa=True)",
        {"q": ((2, 4, 5, 4), N), "k": ((2, 2, 6, 4), N), "v": ((2, 2, 6, 4), N)},
        "float64",
    ),
    "sdpa_broadcast_batch": (
        "F.scaled_dot_product_attention(q, k, v)",
        {"q": ((1, 3, 5, 4), N), "k": ((2, 3, 6, 4), N), "v": ((2, 3, 6, 4), N)},
        "float64",
    ),
    # -- activations (float32 and float64) -------------------------------------------------------
    **{
        f"{fn}_{dt}": (f"F.{fn}(x{args})", {"x": ((4, 6), "wide")}, f"float{dt}")
        for fn, args in [
            ("silu", ""),
            ("softplus", ""),
            ("softplus", ", beta=2.0, threshold=1.5"),
            ("elu", ", alpha=0.5"),
            ("selu", ""),
            ("celu", ", alpha=0.7"),
            ("hardtanh", ", -0.5, 2.0"),
            ("relu6", ""),
            ("mish", ""),
            ("logsigmoid", ""),
            ("hardswish", ""),
            ("hardsigmoid", ""),
            ("threshold", ", 0.3, -2.0"),
            ("glu", ""),
            ("softsign", ""),
            ("tanhshrink", ""),
            ("softmin", ", dim=1"),
            ("gelu", ""),
            ("leaky_relu", ", 0.2"),
        ]
        for dt in ("32", "64")
        if not (fn == "softplus" and args and dt == "32")
    },
    "softplus_args_64": (
        "F.softplus(x, beta=2.0, threshold=1.5)",
        {"x": ((4, 6), "wide")},
        "float64",
    ),
    "elu_inplace": ("F.elu(x * 1, 0.8, inplace=True)", {"x": ((3, 4), "wide")}, "float64"),
    "hardtanh_inplace": ("F.relu6(x * 1, inplace=True)", {"x": ((3, 4), "wide")}, "float64"),
    # -- losses ---------------------------------------------------------------------------------
    **{
        f"{name}_{red}": (call.format(red=red), inputs, "float64")
        for red in ("mean", "sum", "none")
        for name, call, inputs in [
            ("l1", "F.l1_loss(x, t, reduction='{red}')", {"x": ((3, 4), N), "t": ((3, 4), N)}),
            (
                "smooth_l1",
                "F.smooth_l1_loss(x, t, reduction='{red}', beta=0.7)",
                {"x": ((3, 4), N), "t": ((3, 4), N)},
            ),
            (
                "huber",
                "F.huber_loss(x, t, reduction='{red}', delta=0.6)",
                {"x": ((3, 4), N), "t": ((3, 4), N)},
            ),
            (
                "kl_div",
                "F.kl_div(x, t, reduction='{red}')",
                {"x": ((3, 4), N), "t": ((3, 4), "prob")},
            ),
            (
                "kl_div_log",
                "F.kl_div(x, t, reduction='{red}', log_target=True)",
                {"x": ((3, 4), N), "t": ((3, 4), N)},
            ),
            (
                "ce_smooth",
                "F.cross_entropy(x, t, reduction='{red}', label_smoothing=0.2)",
                {"x": ((5, 4), N), "t": ((5,), "index:4")},
            ),
            (
                "ce_smooth_weight",
                "F.cross_entropy(x, t, w, reduction='{red}', label_smoothing=0.3)",
                {"x": ((5, 4), N), "t": ((5,), "index:4"), "w": ((4,), "const_pos")},
            ),
            (
                "ce_smooth_probs",
                "F.cross_entropy(x, t, reduction='{red}', label_smoothing=0.2)",
                {"x": ((5, 4), N), "t": ((5, 4), "prob")},
            ),
        ]
    },
    "kl_div_batchmean": (
        "F.kl_div(x, t, reduction='batchmean')",
        {"x": ((3, 4), N), "t": ((3, 4), "prob")},
        "float64",
    ),
    "smooth_l1_beta0": (
        "F.smooth_l1_loss(x, t, beta=0.0)",
        {"x": ((3, 4), N), "t": ((3, 4), N)},
        "float64",
    ),
    "smooth_l1_broadcast": (
        "F.smooth_l1_loss(x, t)",
        {"x": ((3, 4), N), "t": ((4,), C)},
        "float64",
    ),
    "cosine_similarity": (
        "F.cosine_similarity(x, y)",
        {"x": ((3, 4), N), "y": ((3, 4), N)},
        "float64",
    ),
    "cosine_similarity_broadcast": (
        "F.cosine_similarity(x, y, dim=-1)",
        {"x": ((3, 4), N), "y": ((4,), N)},
        "float64",
    ),
    "pairwise_distance": (
        "F.pairwise_distance(x, y)",
        {"x": ((3, 4), N), "y": ((3, 4), N)},
        "float64",
    ),
    "pairwise_distance_p1": (
        "F.pairwise_distance(x, y, p=1.0, keepdim=True)",
        {"x": ((3, 4), N), "y": ((4,), C)},
        "float64",
    ),
    "normalize": ("F.normalize(x)", {"x": ((3, 4), N)}, "float64"),
    "normalize_p1": ("F.normalize(x, p=1.0, dim=0)", {"x": ((3, 4), N)}, "float64"),
    "one_hot": ("F.one_hot(i, 5)", {"i": ((2, 3), "index:5")}, "float64"),
    "xlogy": ("torch.xlogy(x, y)", {"x": ((3, 4), "prob"), "y": ((3, 4), P)}, "float64"),
    # Global average pooling is a mean before any of the kernel's checks: any rank passes.
    "adaptive_avg_pool2d_global_5d": (
        "F.adaptive_avg_pool2d(x, 1)",
        {"x": ((2, 1, 2, 3, 3), N)},
        "float64",
    ),
    "adaptive_max_pool1d_torch": (
        "torch.adaptive_max_pool1d(x, 3)[0]",
        {"x": ((2, 3, 8), N)},
        "float64",
    ),
}

# name -> (call, inputs): calls that must raise; the exception's class and first line are kept.
ERRORS: dict[str, tuple[str, dict[str, tuple[tuple[int, ...], str]]]] = {
    "conv_channels": ("F.conv2d(x, w)", {"x": ((2, 4, 8, 8), C), "w": ((6, 2, 3, 3), C)}),
    "conv_groups_channels": (
        "F.conv2d(x, w, groups=3)",
        {"x": ((2, 4, 8, 8), C), "w": ((6, 2, 3, 3), C)},
    ),
    "conv_groups_divide": (
        "F.conv2d(x, w, groups=3)",
        {"x": ((2, 6, 8, 8), C), "w": ((4, 2, 3, 3), C)},
    ),
    "conv_kernel_too_big": ("F.conv2d(x, w)", {"x": ((2, 4, 8, 8), C), "w": ((6, 4, 9, 9), C)}),
    "conv_kernel_dilated": (
        "F.conv2d(x, w, dilation=4, padding=1)",
        {"x": ((2, 4, 6, 6), C), "w": ((6, 4, 3, 3), C)},
    ),
    "conv_input_rank": ("F.conv2d(x, w)", {"x": ((8, 8), C), "w": ((6, 4, 3, 3), C)}),
    "conv1d_input_rank": ("F.conv1d(x, w)", {"x": ((2, 4, 8, 8), C), "w": ((6, 4, 3), C)}),
    "conv_weight_rank": ("F.conv2d(x, w)", {"x": ((2, 4, 8, 8), C), "w": ((6, 4, 3), C)}),
    "conv_bias": (
        "F.conv2d(x, w, b)",
        {"x": ((2, 4, 8, 8), C), "w": ((6, 4, 3, 3), C), "b": ((5,), C)},
    ),
    "conv_stride0": ("F.conv2d(x, w, stride=0)", {"x": ((2, 4, 8, 8), C), "w": ((6, 4, 3, 3), C)}),
    "conv_negative_padding": (
        "F.conv2d(x, w, padding=-1)",
        {"x": ((2, 4, 8, 8), C), "w": ((6, 4, 3, 3), C)},
    ),
    "conv_dilation0": (
        "F.conv2d(x, w, dilation=0)",
        {"x": ((2, 4, 8, 8), C), "w": ((6, 4, 3, 3), C)},
    ),
    "conv_groups0": ("F.conv2d(x, w, groups=0)", {"x": ((2, 4, 8, 8), C), "w": ((6, 4, 3, 3), C)}),
    "conv_same_strided": (
        "F.conv2d(x, w, padding='same', stride=2)",
        {"x": ((2, 4, 8, 8), C), "w": ((6, 4, 3, 3), C)},
    ),
    "conv_bad_padding_string": (
        "F.conv2d(x, w, padding='full')",
        {"x": ((2, 4, 8, 8), C), "w": ((6, 4, 3, 3), C)},
    ),
    "conv_stride_length": (
        "F.conv2d(x, w, stride=(1, 2, 3))",
        {"x": ((2, 4, 8, 8), C), "w": ((6, 4, 3, 3), C)},
    ),
    "conv_dtype": ("F.conv2d(x.double(), w)", {"x": ((2, 4, 8, 8), C), "w": ((6, 4, 3, 3), C)}),
    "conv_bias_dtype": (
        "F.conv2d(x, w, b.double())",
        {"x": ((2, 4, 8, 8), C), "w": ((6, 4, 3, 3), C), "b": ((6,), C)},
    ),
    "conv_transpose_channels": (
        "F.conv_transpose2d(x, w)",
        {"x": ((2, 4, 8, 8), C), "w": ((2, 6, 3, 3), C)},
    ),
    "conv_transpose_output_padding": (
        "F.conv_transpose2d(x, w, stride=2, output_padding=2)",
        {"x": ((2, 4, 8, 8), C), "w": ((4, 3, 3, 3), C)},
    ),
    "max_pool_pad": ("F.max_pool2d(x, 3, padding=2)", {"x": ((2, 4, 8, 8), C)}),
    "max_pool_stride0": ("F.max_pool2d(x, 3, stride=0)", {"x": ((2, 4, 8, 8), C)}),
    "max_pool_too_small": ("F.max_pool2d(x, 20)", {"x": ((2, 4, 8, 8), C)}),
    "max_pool_rank": ("F.max_pool2d(x, 2)", {"x": ((8, 8), C)}),
    "max_pool_dilation0": ("F.max_pool2d(x, 2, dilation=0)", {"x": ((2, 4, 8, 8), C)}),
    "max_pool_kernel_len": ("F.max_pool2d(x, (2, 2, 2))", {"x": ((2, 4, 8, 8), C)}),
    "max_pool_stride_len": ("F.max_pool2d(x, 2, (2, 2, 2))", {"x": ((2, 4, 8, 8), C)}),
    "max_pool1d_rank": ("F.max_pool1d(x, 2)", {"x": ((8,), C)}),
    "max_pool1d_kernel0": ("F.max_pool1d(x, 0)", {"x": ((2, 3, 8), C)}),
    "max_pool1d_pad": ("F.max_pool1d(x, 3, padding=2)", {"x": ((2, 3, 8), C)}),
    "max_pool1d_too_small": ("F.max_pool1d(x, 20)", {"x": ((2, 3, 8), C)}),
    "avg_pool_too_small": ("F.avg_pool2d(x, 20)", {"x": ((2, 4, 8, 8), C)}),
    "avg_pool_pad": ("F.avg_pool2d(x, 3, padding=2)", {"x": ((2, 4, 8, 8), C)}),
    "avg_pool_rank": ("F.avg_pool2d(x, 2)", {"x": ((8, 8), C)}),
    "avg_pool_divisor0": ("F.avg_pool2d(x, 2, divisor_override=0)", {"x": ((2, 4, 8, 8), C)}),
    "avg_pool1d_rank": ("F.avg_pool1d(x, 2)", {"x": ((8,), C)}),
    "adaptive_avg_len": ("F.adaptive_avg_pool2d(x, (2, 2, 2))", {"x": ((2, 4, 8, 8), C)}),
    "adaptive_avg_rank": ("F.adaptive_avg_pool2d(x, 2)", {"x": ((8,), C)}),
    "adaptive_avg_negative": ("F.adaptive_avg_pool2d(x, -1)", {"x": ((2, 4, 8, 8), C)}),
    "adaptive_max_rank": ("F.adaptive_max_pool2d(x, 2)", {"x": ((8, 8), C)}),
    "adaptive_avg1d_rank": ("F.adaptive_avg_pool1d(x, 2)", {"x": ((2, 4, 8, 8), C)}),
    "bn_running_mean_size": (
        "F.batch_norm(x, rm, rv, training=True)",
        {"x": ((2, 4, 3), C), "rm": ((3,), C), "rv": ((4,), C)},
    ),
    "bn_weight_size": (
        "F.batch_norm(x, rm, rv, w, training=True)",
        {"x": ((2, 4, 3), C), "rm": ((4,), C), "rv": ((4,), C), "w": ((3,), C)},
    ),
    "bn_one_value": (
        "F.batch_norm(x, rm, rv, training=True)",
        {"x": ((1, 4, 1), C), "rm": ((4,), C), "rv": ((4,), C)},
    ),
    "bn_eval_no_stats": ("F.batch_norm(x, None, None)", {"x": ((2, 4, 3), C)}),
    "bn_mixed_dtype": (
        "F.batch_norm(x, rm.double(), rv.double(), training=True)",
        {"x": ((2, 4, 3), C), "rm": ((4,), C), "rv": ((4,), C)},
    ),
    "bn_long": (
        "F.batch_norm(x.long(), rm, rv, training=True)",
        {"x": ((2, 4, 3), C), "rm": ((4,), C), "rv": ((4,), C)},
    ),
    "ln_shape": ("F.layer_norm(x, (4,))", {"x": ((2, 4, 3), C)}),
    "ln_weight_shape": ("F.layer_norm(x, (3,), w)", {"x": ((2, 4, 3), C), "w": ((4,), C)}),
    "ln_int_shape": ("F.layer_norm(x, 3)", {"x": ((2, 4, 3), C)}),
    "gn_groups": ("F.group_norm(x, 3)", {"x": ((2, 4, 3), C)}),
    "gn_weight": ("F.group_norm(x, 2, w)", {"x": ((2, 4, 3), C), "w": ((3,), C)}),
    "gn_rank": ("F.group_norm(x, 2)", {"x": ((4,), C)}),
    "embedding_float_index": ("F.embedding(x, w)", {"x": ((2,), C), "w": ((4, 3), C)}),
    "embedding_out_of_range": ("F.embedding(i, w)", {"i": ((2,), "index:9"), "w": ((4, 3), C)}),
    "embedding_weight_rank": ("F.embedding(i, w)", {"i": ((2,), "index:4"), "w": ((4,), C)}),
    "embedding_padding_idx": (
        "F.embedding(i, w, padding_idx=4)",
        {"i": ((2,), "index:4"), "w": ((4, 3), C)},
    ),
    "sdpa_dtypes": (
        "F.scaled_dot_product_attention(q, k.double(), v)",
        {"q": ((1, 2, 3, 4), C), "k": ((1, 2, 3, 4), C), "v": ((1, 2, 3, 4), C)},
    ),
    "sdpa_mask_dtype": (
        "F.scaled_dot_product_attention(q, k, v, attn_mask=m.long())",
        {"q": ((1, 2, 3, 4), C), "k": ((1, 2, 3, 4), C), "v": ((1, 2, 3, 4), C), "m": ((3, 3), C)},
    ),
    "sdpa_rank": (
        "F.scaled_dot_product_attention(q, k, v)",
        {"q": ((4,), C), "k": ((4,), C), "v": ((4,), C)},
    ),
    "sdpa_dropout_range": (
        "F.scaled_dot_product_attention(q, k, v, dropout_p=1.5)",
        {"q": ((1, 2, 3, 4), C), "k": ((1, 2, 3, 4), C), "v": ((1, 2, 3, 4), C)},
    ),
    "sdpa_math_mask_causal": (
        "F.scaled_dot_product_attention(q, k, v, attn_mask=m, is_causal=True)",
        {"q": ((2, 3, 4), C), "k": ((2, 3, 4), C), "v": ((2, 3, 4), C), "m": ((3, 3), C)},
    ),
    "pad_odd": ("F.pad(x, (1,))", {"x": ((2, 3, 4), C)}),
    "pad_too_long": ("F.pad(x, (1, 1, 1, 1, 1, 1, 1, 1))", {"x": ((2, 3, 4), C)}),
    "pad_reflect_rank": ("F.pad(x, (1, 1), mode='reflect')", {"x": ((2, 3, 4, 5), C)}),
    "pad_reflect_size": ("F.pad(x, (4, 1), mode='reflect')", {"x": ((2, 3, 4), C)}),
    "pad_mode": ("F.pad(x, (1, 1), mode='wrap')", {"x": ((2, 3, 4), C)}),
    "pad_value_reflect": ("F.pad(x, (1, 1), mode='reflect', value=1.0)", {"x": ((2, 3, 4), C)}),
    "pad_crop_too_far": ("F.pad(x, (-5, 1))", {"x": ((2, 3, 4), C)}),
    "smooth_l1_beta": ("F.smooth_l1_loss(x, x, beta=-1.0)", {"x": ((3,), C)}),
    "huber_delta": ("F.huber_loss(x, x, delta=0.0)", {"x": ((3,), C)}),
    "l1_reduction": ("F.l1_loss(x, x, reduction='avg')", {"x": ((3,), C)}),
    "ce_label_smoothing_range": (
        "F.cross_entropy(x, i, label_smoothing=1.5)",
        {"x": ((3, 4), C), "i": ((3,), "index:4")},
    ),
    "one_hot_negative": ("F.one_hot(i - 1)", {"i": ((3,), "index:1")}),
    "one_hot_too_big": ("F.one_hot(i + 2, 2)", {"i": ((3,), "index:1")}),
    "one_hot_float": ("F.one_hot(x)", {"x": ((3,), C)}),
    "cosine_int": ("F.cosine_similarity(i, i)", {"i": ((2, 3), "index:4")}),
    "hardtanh_bounds": ("F.hardtanh(x, 2.0, 1.0)", {"x": ((3,), C)}),
    "glu_odd": ("F.glu(x)", {"x": ((2, 3), C)}),
    # Adaptive pools refuse empty dims: the maximum every dim but the first, the average the
    # pooled ones (forward) and every gradient dim but the first (backward).
    "adaptive_max_pool2d_empty_channels": ("F.adaptive_max_pool2d(x, 2)", {"x": ((1, 0, 3, 3), C)}),
    "adaptive_max_pool1d_empty_channels": ("F.adaptive_max_pool1d(x, 2)", {"x": ((2, 0, 3), C)}),
    "adaptive_avg_pool2d_empty_height": ("F.adaptive_avg_pool2d(x, 2)", {"x": ((2, 0, 3), C)}),
    # multi_head_attention_forward is PyTorch's Python: it checks no type, and fails where its
    # code does (the query's dim(), then the embedding size) before reading any weight.
    "mha_query_number": (
        "F.multi_head_attention_forward(1, x, x, 3, 1, None, None, None, None, False, 0.0, x, None)",
        {"x": ((2, 3), C)},
    ),
    "mha_embed_dim_first": (
        "F.multi_head_attention_forward(x, x, x, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)",
        {"x": ((2, 3), C)},
    ),
    "adaptive_avg_pool2d_backward_empty": (
        "F.adaptive_avg_pool2d(x.requires_grad_(), 2).sum().backward()",
        {"x": ((1, 0, 3, 3), C)},
    ),
}

# (class, args, kwargs) of layers whose repr PyTorch prints.
REPRS: list[tuple[str, list[Any], dict[str, Any]]] = [
    ("Conv2d", [4, 6, 3], {}),
    ("Conv2d", [4, 6, [3, 2]], {"stride": 2, "padding": 1, "bias": False}),
    ("Conv2d", [4, 6, 3], {"padding": 1, "padding_mode": "replicate", "dilation": 2, "groups": 2}),
    ("Conv1d", [4, 6, 3], {"padding": "same"}),
    ("Conv3d", [2, 4, 3], {"stride": [1, 2, 1]}),
    ("ConvTranspose2d", [4, 6, 3], {"stride": 2, "output_padding": 1}),
    ("ConvTranspose1d", [4, 6, 3], {"groups": 2, "dilation": 2}),
    ("MaxPool2d", [2], {}),
    ("MaxPool2d", [3, 2, 1], {"ceil_mode": True}),
    ("MaxPool1d", [3], {"stride": 2}),
    ("AvgPool2d", [2], {}),
    ("AvgPool2d", [3, 2, 1], {"count_include_pad": False}),
    ("AvgPool1d", [2], {}),
    ("AdaptiveAvgPool2d", [[1, 1]], {}),
    ("AdaptiveAvgPool2d", [5], {}),
    ("AdaptiveAvgPool1d", [3], {}),
    ("AdaptiveMaxPool2d", [2], {}),
    ("BatchNorm1d", [4], {}),
    ("BatchNorm2d", [4], {"momentum": None, "affine": False, "track_running_stats": False}),
    ("BatchNorm2d", [3], {"eps": 1e-3, "bias": False}),
    ("LayerNorm", [4], {}),
    ("LayerNorm", [[3, 4]], {"elementwise_affine": False}),
    ("LayerNorm", [3], {"bias": False}),
    ("GroupNorm", [2, 4], {}),
    ("GroupNorm", [2, 4], {"affine": False}),
    ("Embedding", [10, 3], {}),
    ("Embedding", [10, 3], {"padding_idx": -1, "max_norm": 1.0}),
    ("Embedding", [10, 3], {"scale_grad_by_freq": True, "norm_type": 1.0}),
    ("L1Loss", [], {}),
    ("SmoothL1Loss", [], {"beta": 0.5}),
    ("HuberLoss", [], {}),
    ("KLDivLoss", [], {"reduction": "batchmean"}),
    ("CosineSimilarity", [], {}),
    ("PairwiseDistance", [], {}),
    ("CrossEntropyLoss", [], {"label_smoothing": 0.1}),
]


def main() -> None:
    reprs = [
        {
            "cls": cls,
            "args": args,
            "kwargs": kwargs,
            "repr": repr(getattr(nn, cls)(*args, **kwargs)),
        }
        for cls, args, kwargs in REPRS
    ]
    write("nnops", CASES, ERRORS, 20260301, {"reprs": reprs})


if __name__ == "__main__":
    main()
