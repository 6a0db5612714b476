"""PyTorch's values, gradients, graphs, error texts and reprs for the padding, upsampling,
PReLU, channel-dropout, instance-norm, pixel-shuffle and bilinear layers.

Each call is written as visgrad and PyTorch both spell it (``torch.nn.ZeroPad2d(1)(x)``); the
test evaluates the same text with visgrad on the same inputs. Writes
``tests/fixtures/torch/nnmods.json`` and ``nnmods.npz``.
"""

from __future__ import annotations

from typing import Any

from _cases import C, N, S, write
from torch import nn

CASES: dict[str, tuple[str, dict[str, tuple[tuple[int, ...], str]], str]] = {
    # -- padding modules -------------------------------------------------------------------------
    "zero_pad2d": ("torch.nn.ZeroPad2d((1, 2, 0, 3))(x)", {"x": ((2, 3, 4, 5), N)}, "float64"),
    "zero_pad2d_int": ("torch.nn.ZeroPad2d(1)(x)", {"x": ((3, 4, 5), N)}, "float32"),
    "zero_pad1d": ("torch.nn.ZeroPad1d((2, 1))(x)", {"x": ((2, 3, 4), N)}, "float64"),
    "constant_pad1d": ("torch.nn.ConstantPad1d(2, 3.5)(x)", {"x": ((2, 3, 4), N)}, "float64"),
    "constant_pad2d": (
        "torch.nn.ConstantPad2d((1, 0, -1, 2), -1.0)(x)",
        {"x": ((2, 3, 4, 5), N)},
        "float64",
    ),
    "constant_pad3d": ("torch.nn.ConstantPad3d(1, 0.5)(x)", {"x": ((1, 2, 2, 3, 2), N)}, "float64"),
    "reflection_pad1d": ("torch.nn.ReflectionPad1d((3, 1))(x)", {"x": ((2, 3, 5), N)}, "float64"),
    "reflection_pad1d_2d": ("torch.nn.ReflectionPad1d(2)(x)", {"x": ((3, 5), N)}, "float32"),
    "reflection_pad2d": (
        "torch.nn.ReflectionPad2d((1, 2, 2, 0))(x)",
        {"x": ((2, 2, 4, 5), N)},
        "float64",
    ),
    "reflection_pad2d_3d": ("torch.nn.ReflectionPad2d(1)(x)", {"x": ((2, 3, 4), N)}, "float64"),
    "reflection_pad3d": ("torch.nn.ReflectionPad3d(1)(x)", {"x": ((1, 2, 2, 3, 3), N)}, "float64"),
    "replication_pad1d": ("torch.nn.ReplicationPad1d((1, 4))(x)", {"x": ((2, 3, 3), N)}, "float64"),
    "replication_pad2d": (
        "torch.nn.ReplicationPad2d((2, 0, 1, 3))(x)",
        {"x": ((2, 2, 3, 4), N)},
        "float64",
    ),
    "replication_pad2d_f32": (
        "torch.nn.ReplicationPad2d(2)(x)",
        {"x": ((1, 3, 4, 4), N)},
        "float32",
    ),
    "replication_pad3d": (
        "torch.nn.ReplicationPad3d(1)(x)",
        {"x": ((1, 1, 2, 3, 2), N)},
        "float64",
    ),
    "circular_pad1d": ("torch.nn.CircularPad1d((2, 1))(x)", {"x": ((2, 3, 4), N)}, "float64"),
    "circular_pad2d": ("torch.nn.CircularPad2d(1)(x)", {"x": ((1, 2, 3, 4), N)}, "float64"),
    # -- interpolate ------------------------------------------------------------------------------
    "nearest2d_x2": ("F.interpolate(x, scale_factor=2)", {"x": ((2, 3, 3, 4), N)}, "float64"),
    "nearest2d_size": ("F.interpolate(x, size=(5, 7))", {"x": ((1, 2, 3, 4), N)}, "float64"),
    "nearest2d_frac": ("F.interpolate(x, scale_factor=1.7)", {"x": ((1, 2, 5, 3), N)}, "float32"),
    "nearest2d_down": ("F.interpolate(x, size=(2, 3))", {"x": ((1, 2, 5, 7), N)}, "float64"),
    "nearest1d": ("F.interpolate(x, size=7)", {"x": ((2, 3, 4), N)}, "float64"),
    "nearest_exact2d": (
        "F.interpolate(x, size=(5, 3), mode='nearest-exact')",
        {"x": ((1, 2, 3, 4), N)},
        "float64",
    ),
    "nearest3d": (
        "F.interpolate(x, scale_factor=(2, 1, 1.5))",
        {"x": ((1, 1, 2, 3, 2), N)},
        "float64",
    ),
    "bilinear_size": (
        "F.interpolate(x, size=(5, 7), mode='bilinear')",
        {"x": ((2, 2, 3, 4), N)},
        "float64",
    ),
    "bilinear_corners": (
        "F.interpolate(x, size=(6, 5), mode='bilinear', align_corners=True)",
        {"x": ((1, 3, 3, 4), N)},
        "float64",
    ),
    "bilinear_scale": (
        "F.interpolate(x, scale_factor=2.5, mode='bilinear')",
        {"x": ((1, 2, 3, 3), N)},
        "float64",
    ),
    "bilinear_recompute": (
        "F.interpolate(x, scale_factor=1.3, mode='bilinear', recompute_scale_factor=True)",
        {"x": ((1, 2, 4, 5), N)},
        "float64",
    ),
    "bilinear_down_f32": (
        "F.interpolate(x, size=(3, 2), mode='bilinear')",
        {"x": ((2, 3, 7, 5), N)},
        "float32",
    ),
    "linear1d": (
        "F.interpolate(x, size=9, mode='linear', align_corners=False)",
        {"x": ((2, 2, 4), N)},
        "float64",
    ),
    "trilinear": (
        "F.interpolate(x, size=(3, 4, 2), mode='trilinear', align_corners=True)",
        {"x": ((1, 2, 2, 3, 3), N)},
        "float64",
    ),
    "area2d": ("F.interpolate(x, size=(2, 3), mode='area')", {"x": ((1, 2, 5, 7), N)}, "float64"),
    "upsample_module": (
        "torch.nn.Upsample(scale_factor=2, mode='bilinear')(x)",
        {"x": ((1, 2, 3, 3), N)},
        "float64",
    ),
    "upsampling_bilinear2d": (
        "torch.nn.UpsamplingBilinear2d(size=(4, 5))(x)",
        {"x": ((1, 2, 3, 3), N)},
        "float64",
    ),
    "upsampling_nearest2d": (
        "torch.nn.UpsamplingNearest2d(scale_factor=3)(x)",
        {"x": ((1, 2, 2, 3), N)},
        "float64",
    ),
    # -- PReLU ------------------------------------------------------------------------------------
    "prelu_channels": ("F.prelu(x, w)", {"x": ((2, 3, 4), N), "w": ((3,), N)}, "float64"),
    "prelu_one_slope": ("F.prelu(x, w)", {"x": ((2, 3, 4, 5), N), "w": ((1,), N)}, "float64"),
    "prelu_1d_no_view": ("torch.prelu(x, w)", {"x": ((5,), N), "w": ((1,), N)}, "float64"),
    "prelu_scalar_weight": ("x.prelu(w)", {"x": ((2, 3), N), "w": ((), N)}, "float64"),
    "prelu_0d": ("F.prelu(x, w)", {"x": ((), N), "w": ((1,), N)}, "float64"),
    "prelu_f32": ("F.prelu(x, w)", {"x": ((4, 6, 3), N), "w": ((6,), N)}, "float32"),
    "prelu_module": ("torch.nn.PReLU(3, dtype=torch.float64)(x)", {"x": ((2, 3, 4), N)}, "float64"),
    "prelu_module_init": ("torch.nn.PReLU(init=-0.5)(x)", {"x": ((3, 4), N)}, "float32"),
    # -- pixel shuffle ----------------------------------------------------------------------------
    "pixel_shuffle": ("F.pixel_shuffle(x, 2)", {"x": ((2, 8, 3, 3), N)}, "float64"),
    "pixel_shuffle_3d": ("F.pixel_shuffle(x, 3)", {"x": ((9, 2, 2), N)}, "float32"),
    "pixel_shuffle_5d": ("torch.pixel_shuffle(x, 2)", {"x": ((2, 3, 4, 2, 3), N)}, "float64"),
    "pixel_shuffle_strided": (
        "F.pixel_shuffle(x.transpose(2, 3), 2)",
        {"x": ((1, 4, 3, 2), N)},
        "float64",
    ),
    "pixel_shuffle_int": ("F.pixel_shuffle(x, 2)", {"x": ((1, 8, 2, 2), "index:9")}, "float64"),
    "pixel_unshuffle": ("F.pixel_unshuffle(x, 2)", {"x": ((2, 3, 4, 6), N)}, "float64"),
    "pixel_unshuffle_3d": ("torch.pixel_unshuffle(x, 3)", {"x": ((2, 3, 6), N)}, "float32"),
    "pixel_shuffle_module": ("torch.nn.PixelShuffle(2)(x)", {"x": ((1, 4, 2, 3), N)}, "float64"),
    "pixel_unshuffle_module": (
        "torch.nn.PixelUnshuffle(3)(x)",
        {"x": ((1, 2, 6, 3), N)},
        "float64",
    ),
    # -- instance norm ----------------------------------------------------------------------------
    "instance_norm": ("F.instance_norm(x)", {"x": ((2, 3, 5), N)}, "float64"),
    "instance_norm_affine": (
        "F.instance_norm(x, weight=w, bias=b)",
        {"x": ((2, 3, 4, 5), N), "w": ((3,), N), "b": ((3,), N)},
        "float64",
    ),
    "instance_norm_running": (
        "F.instance_norm(x, rm, rv, w, b, momentum=0.2)",
        {
            "x": ((3, 2, 6), N),
            "rm": ((2,), S),
            "rv": ((2,), "stat_pos"),
            "w": ((2,), N),
            "b": ((2,), N),
        },
        "float64",
    ),  # fmt: skip
    "instance_norm_running_f32": (
        "F.instance_norm(x, rm, rv)",
        {"x": ((5, 3, 4), N), "rm": ((3,), S), "rv": ((3,), "stat_pos")},
        "float32",
    ),
    "instance_norm_eval": (
        "F.instance_norm(x, rm, rv, use_input_stats=False)",
        {"x": ((2, 3, 4), N), "rm": ((3,), S), "rv": ((3,), "stat_pos")},
        "float64",
    ),
    "instance_norm_eval_affine": (
        "F.instance_norm(x, rm, rv, w, b, use_input_stats=False, eps=0.01)",
        {
            "x": ((3, 2, 2, 2), N),
            "rm": ((2,), S),
            "rv": ((2,), "stat_pos"),
            "w": ((2,), N),
            "b": ((2,), N),
        },
        "float32",
    ),  # fmt: skip
    "instance_norm_f32": (
        "F.instance_norm(x, weight=w, bias=b, eps=1e-3)",
        {"x": ((4, 3, 7), N), "w": ((3,), N), "b": ((3,), N)},
        "float32",
    ),
    "instance_norm_strided": (
        "F.instance_norm(x.transpose(1, 2))",
        {"x": ((2, 4, 3), N)},
        "float64",
    ),
    "instance_norm1d_module": ("torch.nn.InstanceNorm1d(3)(x)", {"x": ((2, 3, 6), N)}, "float32"),
    "instance_norm1d_unbatched": (
        "torch.nn.InstanceNorm1d(3, affine=True)(x)",
        {"x": ((3, 5), N)},
        "float32",
    ),
    "instance_norm1d_other_features": (
        "torch.nn.InstanceNorm1d(4)(x)",
        {"x": ((2, 3, 5), N)},
        "float64",
    ),
    "instance_norm2d_module": (
        "torch.nn.InstanceNorm2d(2, affine=True, dtype=torch.float64)(x)",
        {"x": ((2, 2, 3, 4), N)},
        "float64",
    ),
    "instance_norm3d_module": (
        "torch.nn.InstanceNorm3d(2)(x)",
        {"x": ((1, 2, 2, 3, 2), N)},
        "float64",
    ),
    "instance_norm_tracked_train_then_eval": (
        "(lambda m, x: (m(x), m.running_mean.clone(), m.running_var.clone(), m.eval()(x),"
        " m.num_batches_tracked.clone()))"
        "(torch.nn.InstanceNorm1d(3, momentum=0.3, track_running_stats=True), x)",
        {"x": ((4, 3, 5), N)},
        "float32",
    ),
    "instance_norm_tracked_cumulative": (
        "(lambda m, x: (m(x), m.running_mean.clone(), m.running_var.clone()))"
        "(torch.nn.InstanceNorm2d(2, momentum=None, track_running_stats=True), x)",
        {"x": ((2, 2, 3, 3), N)},
        "float32",
    ),
    "instance_norm_tracked_unbatched": (
        "(lambda m, x: (m(x), m.running_mean.clone(), m.running_var.clone()))"
        "(torch.nn.InstanceNorm2d(2, track_running_stats=True, affine=True), x)",
        {"x": ((2, 3, 3), N)},
        "float32",
    ),
    # -- bilinear ---------------------------------------------------------------------------------
    "bilinear": (
        "F.bilinear(x1, x2, w, b)",
        {"x1": ((4, 3), N), "x2": ((4, 5), N), "w": ((2, 3, 5), N), "b": ((2,), N)},
        "float64",
    ),
    "bilinear_no_bias": (
        "torch.bilinear(x1, x2, w)",
        {"x1": ((4, 3), N), "x2": ((4, 2), N), "w": ((3, 3, 2), N)},
        "float64",
    ),
    "bilinear_batch_dims_f32": (
        "F.bilinear(x1, x2, w, b)",
        {"x1": ((2, 3, 3), N), "x2": ((2, 3, 4), N), "w": ((5, 3, 4), N), "b": ((5,), N)},
        "float32",
    ),
    "bilinear_1d": (
        "F.bilinear(x1, x2, w, b)",
        {"x1": ((3,), N), "x2": ((4,), N), "w": ((2, 3, 4), N), "b": ((2,), N)},
        "float64",
    ),
    "bilinear_expanded": (
        "F.bilinear(x1.expand(2, 3, 3), x2, w)",
        {"x1": ((1, 3, 3), N), "x2": ((2, 3, 4), N), "w": ((2, 3, 4), N)},
        "float64",
    ),
    "bilinear_int": (
        "F.bilinear(x1, x2, w)",
        {"x1": ((2, 3), "index:4"), "x2": ((2, 2), "index:4"), "w": ((2, 3, 2), "index:3")},
        "float64",
    ),
    "bilinear_module_seeded": (
        "(lambda _, m, a, b: (m(a, b), m.weight.detach(), m.bias.detach()))"
        "(torch.manual_seed(3), torch.nn.Bilinear(3, 4, 2), x1, x2)",
        {"x1": ((5, 3), N), "x2": ((5, 4), N)},
        "float32",
    ),
    # -- unfold / fold ----------------------------------------------------------------------------
    "unfold": ("F.unfold(x, 2)", {"x": ((2, 3, 4, 5), N)}, "float64"),
    "unfold_all_args": (
        "F.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1))",
        {"x": ((3, 5, 6), N)},
        "float64",
    ),
    "unfold_f32": ("F.unfold(x, 3, padding=(0, 1), stride=2)", {"x": ((2, 2, 7, 6), N)}, "float32"),
    "unfold_module": (
        "torch.nn.Unfold(kernel_size=(2, 2), stride=(1, 2))(x)",
        {"x": ((1, 2, 3, 5), N)},
        "float64",
    ),
    "unfold_strided": ("F.unfold(x.transpose(2, 3), 2)", {"x": ((1, 2, 4, 3), N)}, "float64"),
    "fold": ("F.fold(x, (5, 6), 2)", {"x": ((2, 12, 20), N)}, "float64"),
    "fold_unbatched": ("F.fold(x, (5, 6), 2)", {"x": ((12, 20), N)}, "float64"),
    "fold_all_args": (
        "F.fold(x, (6, 7), (2, 3), dilation=(2, 1), padding=(1, 0), stride=(1, 2))",
        {"x": ((2, 12, 18), N)},
        "float64",
    ),
    "fold_f32": ("F.fold(x, 5, 3, padding=1)", {"x": ((2, 18, 25), N)}, "float32"),
    "fold_module": (
        "torch.nn.Fold(output_size=(4, 5), kernel_size=2)(x)",
        {"x": ((1, 8, 12), N)},
        "float64",
    ),
    "fold_of_unfold": (
        "F.fold(F.unfold(x, 3, padding=1), (4, 4), 3, padding=1)",
        {"x": ((1, 2, 4, 4), N)},
        "float64",
    ),
}

ERRORS: dict[str, tuple[str, dict[str, tuple[tuple[int, ...], str]]]] = {
    "reflection_pad1d_rank": ("torch.nn.ReflectionPad1d(1)(x)", {"x": ((2, 3, 4, 5), C)}),
    "reflection_pad1d_size": ("torch.nn.ReflectionPad1d(4)(x)", {"x": ((2, 3, 4), C)}),
    "reflection_pad2d_size": (
        "torch.nn.ReflectionPad2d((1, 1, 3, 0))(x)",
        {"x": ((1, 2, 3, 4), C)},
    ),
    "replication_pad2d_rank": ("torch.nn.ReplicationPad2d(1)(x)", {"x": ((4, 5), C)}),
    "replication_pad1d_empty": ("torch.nn.ReplicationPad1d(1)(x)", {"x": ((2, 3, 0), C)}),
    "zero_pad2d_len": ("torch.nn.ZeroPad2d((1, 1, 1))(x)", {"x": ((2, 3, 4), C)}),
    "constant_pad_crop": ("torch.nn.ConstantPad1d(-3, 0.0)(x)", {"x": ((2, 3, 4), C)}),
    "circular_pad1d_rank": ("torch.nn.CircularPad1d(1)(x)", {"x": ((2, 3, 4, 5), C)}),
    "interp_both": ("F.interpolate(x, size=4, scale_factor=2)", {"x": ((1, 2, 3, 3), C)}),
    "interp_neither": ("F.interpolate(x)", {"x": ((1, 2, 3, 3), C)}),
    "interp_size_len": ("F.interpolate(x, size=(4,))", {"x": ((1, 2, 3, 3), C)}),
    "interp_scale_len": ("F.interpolate(x, scale_factor=(2, 2, 2))", {"x": ((1, 2, 3, 3), C)}),
    "interp_corners_nearest": (
        "F.interpolate(x, size=4, align_corners=True)",
        {"x": ((1, 2, 3, 3), C)},
    ),
    "interp_bilinear_3d": ("F.interpolate(x, size=4, mode='bilinear')", {"x": ((1, 2, 3), C)}),
    "interp_linear_4d": ("F.interpolate(x, size=4, mode='linear')", {"x": ((1, 2, 3, 3), C)}),
    "interp_mode": ("F.interpolate(x, size=4, mode='cubic')", {"x": ((1, 2, 3, 3), C)}),
    "interp_rank": ("F.interpolate(x, size=4)", {"x": ((2, 3), C)}),
    "interp_zero": ("F.interpolate(x, size=(0, 3))", {"x": ((1, 2, 3, 3), C)}),
    "interp_recompute_size": (
        "F.interpolate(x, size=4, recompute_scale_factor=True)",
        {"x": ((1, 2, 3, 3), C)},
    ),
    "circular_pad2d_wrap": ("torch.nn.CircularPad2d(5)(x)", {"x": ((1, 2, 3, 4), C)}),
    "prelu_channels": ("F.prelu(x, w)", {"x": ((2, 3, 4), C), "w": ((2,), C)}),
    "prelu_1d_channels": ("F.prelu(x, w)", {"x": ((5,), C), "w": ((5,), C)}),
    "prelu_weight_2d": ("F.prelu(x, w)", {"x": ((2, 3, 4), C), "w": ((3, 1), C)}),
    "prelu_weight_2d_one": ("F.prelu(x, w)", {"x": ((2, 3, 4), C), "w": ((1, 1), C)}),
    "prelu_zero_dim": ("F.prelu(x, w)", {"x": ((), C), "w": ((3,), C)}),
    "prelu_weight_number": ("F.prelu(x, 0.25)", {"x": ((2, 3), C)}),
    "prelu_dtypes": ("F.prelu(x, w.double())", {"x": ((2, 3), C), "w": ((3,), C)}),
    "prelu_long": ("F.prelu(x.long(), w.long())", {"x": ((2, 3), C), "w": ((3,), C)}),
    "prelu_module_channels": ("torch.nn.PReLU(4)(x)", {"x": ((2, 3), C)}),
    "pixel_shuffle_rank": ("F.pixel_shuffle(x, 2)", {"x": ((4, 4), C)}),
    "pixel_shuffle_rank_first": ("F.pixel_shuffle(x, 0)", {"x": ((4, 4), C)}),
    "pixel_shuffle_factor": ("F.pixel_shuffle(x, 0)", {"x": ((2, 8, 3, 3), C)}),
    "pixel_shuffle_negative": ("torch.nn.PixelShuffle(-2)(x)", {"x": ((2, 8, 3, 3), C)}),
    "pixel_shuffle_channels": ("F.pixel_shuffle(x, 2)", {"x": ((2, 7, 3, 3), C)}),
    "pixel_shuffle_float": ("F.pixel_shuffle(x, 2.0)", {"x": ((4, 1, 1), C)}),
    "pixel_unshuffle_rank": ("F.pixel_unshuffle(x, 2)", {"x": ((2, 3), C)}),
    "pixel_unshuffle_factor": ("F.pixel_unshuffle(x, 0)", {"x": ((2, 8, 4, 4), C)}),
    "pixel_unshuffle_height": ("F.pixel_unshuffle(x, 2)", {"x": ((2, 3, 5, 4), C)}),
    "pixel_unshuffle_width": ("torch.nn.PixelUnshuffle(2)(x)", {"x": ((2, 3, 4, 5), C)}),
    "instance_norm_spatial": ("F.instance_norm(x)", {"x": ((2, 3, 1), C)}),
    "instance_norm_1d": ("F.instance_norm(x)", {"x": ((3,), C)}),
    "instance_norm_no_stats": ("F.instance_norm(x, use_input_stats=False)", {"x": ((2, 3, 4), C)}),
    "instance_norm_weight_size": (
        "F.instance_norm(x, weight=w)",
        {"x": ((2, 3, 4), C), "w": ((2,), C)},
    ),
    "instance_norm_weight_dtype": (
        "F.instance_norm(x, weight=w.double())",
        {"x": ((2, 3, 4), C), "w": ((3,), C)},
    ),
    "instance_norm_long": ("F.instance_norm(x.long())", {"x": ((2, 3, 4), C)}),
    "instance_norm1d_rank": ("torch.nn.InstanceNorm1d(3)(x)", {"x": ((2, 3, 4, 5), C)}),
    "instance_norm2d_rank": ("torch.nn.InstanceNorm2d(3)(x)", {"x": ((3, 4), C)}),
    "instance_norm3d_rank": ("torch.nn.InstanceNorm3d(3)(x)", {"x": ((2, 3, 4), C)}),
    "instance_norm_affine_features": (
        "torch.nn.InstanceNorm1d(4, affine=True)(x)",
        {"x": ((2, 3, 5), C)},
    ),
    "bilinear_ranks": (
        "F.bilinear(x1, x2, w, b)",
        {"x1": ((1, 4, 3), C), "x2": ((4, 5), C), "w": ((2, 3, 5), C), "b": ((2,), C)},
    ),
    "bilinear_batch": (
        "F.bilinear(x1, x2, w, b)",
        {"x1": ((4, 3), C), "x2": ((3, 5), C), "w": ((2, 3, 5), C), "b": ((2,), C)},
    ),
    "bilinear_input1": (
        "F.bilinear(x1, x2, w)",
        {"x1": ((4, 3), C), "x2": ((4, 5), C), "w": ((2, 2, 5), C)},
    ),
    "bilinear_input2": (
        "F.bilinear(x1, x2, w)",
        {"x1": ((4, 3), C), "x2": ((4, 5), C), "w": ((2, 3, 2), C)},
    ),
    "bilinear_bias": (
        "F.bilinear(x1, x2, w, b)",
        {"x1": ((4, 3), C), "x2": ((4, 5), C), "w": ((2, 3, 5), C), "b": ((1,), C)},
    ),
    "bilinear_dtypes": (
        "F.bilinear(x1, x2.double(), w, b)",
        {"x1": ((4, 3), C), "x2": ((4, 5), C), "w": ((2, 3, 5), C), "b": ((2,), C)},
    ),
    "bilinear_dtypes_no_bias": (
        "F.bilinear(x1, x2.long(), w)",
        {"x1": ((4, 3), C), "x2": ((4, 5), C), "w": ((2, 3, 5), C)},
    ),
    "bilinear_bias_number": (
        "F.bilinear(x1, x2, w, 1.0)",
        {"x1": ((4, 3), C), "x2": ((4, 5), C), "w": ((2, 3, 5), C)},
    ),
    "bilinear_module_features": (
        "torch.nn.Bilinear(3, 4, 2)(x1, x2)",
        {"x1": ((4, 3), C), "x2": ((4, 5), C)},
    ),
    "bilinear_module_no_features": ("torch.nn.Bilinear(0, 4, 2)", {}),
    "unfold_rank": ("F.unfold(x, 2)", {"x": ((2, 3, 4, 5, 6), C)}),
    "unfold_2d": ("F.unfold(x, 2)", {"x": ((2, 3), C)}),
    "unfold_kernel": ("F.unfold(x, 0)", {"x": ((2, 3, 5, 6), C)}),
    "unfold_too_big": ("F.unfold(x, 7)", {"x": ((2, 3, 5, 6), C)}),
    "unfold_stride": ("F.unfold(x, 2, stride=0)", {"x": ((2, 3, 5, 6), C)}),
    "unfold_padding": ("F.unfold(x, 2, padding=-1)", {"x": ((2, 3, 5, 6), C)}),
    "unfold_dilation": ("F.unfold(x, 2, dilation=(1, 0))", {"x": ((2, 3, 5, 6), C)}),
    "unfold_kernel_len": ("F.unfold(x, (2, 2, 2))", {"x": ((2, 3, 5, 6), C)}),
    "unfold_stride_len": ("torch.nn.Unfold(2, stride=(1,))(x)", {"x": ((2, 3, 5, 6), C)}),
    "unfold_long": ("F.unfold(x.long(), 2)", {"x": ((1, 3, 4, 5), C)}),
    "fold_blocks": ("F.fold(x, (6, 7), (2, 3), stride=(1, 2))", {"x": ((2, 12, 20), C)}),
    "fold_divisible": ("F.fold(x, (5, 6), 3)", {"x": ((2, 12, 20), C)}),
    "fold_rank": ("F.fold(x, (5, 6), 2)", {"x": ((2, 3, 4, 5), C)}),
    "fold_stride": ("F.fold(x, (5, 6), 2, stride=0)", {"x": ((2, 12, 20), C)}),
    "fold_padding": ("F.fold(x, (5, 6), 2, padding=(0, -2))", {"x": ((2, 12, 20), C)}),
    "fold_output_len": ("F.fold(x, (5, 6, 1), 2)", {"x": ((2, 12, 20), C)}),
    "fold_zero_output": ("F.fold(x, (0, 6), 2)", {"x": ((2, 12, 20), C)}),
    "fold_too_small": ("F.fold(x, (1, 6), 2)", {"x": ((2, 12, 0), C)}),
    "fold_long": ("F.fold(x.long(), (3, 6), 2)", {"x": ((2, 12, 10), C)}),
}

REPRS: list[tuple[str, list[Any], dict[str, Any]]] = [
    ("ZeroPad1d", [1], {}),
    ("ZeroPad2d", [2], {}),
    ("ZeroPad2d", [[1, 2, 3, 4]], {}),
    ("ZeroPad3d", [1], {}),
    ("ConstantPad1d", [2, 3.5], {}),
    ("ConstantPad2d", [[1, 0, 2, 1]], {"value": -1}),
    ("ConstantPad3d", [1, 0.0], {}),
    ("ReflectionPad1d", [2], {}),
    ("ReflectionPad2d", [[1, 1, 2, 0]], {}),
    ("ReflectionPad3d", [1], {}),
    ("ReplicationPad1d", [[1, 3]], {}),
    ("ReplicationPad2d", [1], {}),
    ("ReplicationPad3d", [2], {}),
    ("CircularPad1d", [1], {}),
    ("CircularPad2d", [[1, 2, 0, 1]], {}),
    ("CircularPad3d", [1], {}),
    ("Dropout1d", [], {}),
    ("Upsample", [], {"scale_factor": 2}),
    ("Upsample", [], {"size": [3, 4], "mode": "bilinear", "align_corners": True}),
    ("Upsample", [4], {}),
    ("UpsamplingNearest2d", [], {"scale_factor": 2}),
    ("UpsamplingBilinear2d", [5], {}),
    ("Dropout2d", [0.2], {"inplace": True}),
    ("PReLU", [], {}),
    ("PReLU", [3], {}),
    ("PReLU", [], {"num_parameters": 2, "init": 0.1}),
    ("PixelShuffle", [2], {}),
    ("PixelUnshuffle", [3], {}),
    ("InstanceNorm1d", [3], {}),
    ("InstanceNorm2d", [3], {"affine": True}),
    ("InstanceNorm3d", [4], {"track_running_stats": True, "momentum": None}),
    ("InstanceNorm1d", [5], {"eps": 0.001, "affine": True, "bias": False}),
    ("Bilinear", [3, 5, 2], {}),
    ("Bilinear", [2, 2, 4], {"bias": False}),
    ("Unfold", [2], {}),
    ("Unfold", [[2, 3]], {"dilation": 2, "padding": 1, "stride": [1, 2]}),
    ("Fold", [[4, 5], 2], {}),
    ("Fold", [5, [2, 3]], {"dilation": 1, "padding": 0, "stride": 1}),
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
    write("nnmods", CASES, ERRORS, 20261203, {"reprs": reprs})


if __name__ == "__main__":
    main()
