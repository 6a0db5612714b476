"""PyTorch's values, gradients, graphs, error texts and reprs for ``channel_shuffle``,
``local_response_norm``, the power-average pools (``lp_pool1d/2d/3d``), ``max_unpool1d/2d`` and
``rrelu``, functions and modules (``rrelu`` in training after a seed: its slopes are draws).

Each call is written as visgrad and PyTorch both spell it; the test evaluates the same text with
visgrad on the same inputs. Writes ``tests/fixtures/torch/extra_layers.json`` and ``.npz``.
"""

from __future__ import annotations

from typing import Any

from _cases import C, N, P, write
from torch import nn

CASES: dict[str, tuple[str, dict[str, tuple[tuple[int, ...], str]], str]] = {
    "channel_shuffle": ("F.channel_shuffle(x, 3)", {"x": ((2, 6, 2, 3), N)}, "float64"),
    "channel_shuffle_3d": ("torch.channel_shuffle(x, 2)", {"x": ((2, 4, 5), N)}, "float32"),
    "channel_shuffle_5d": ("F.channel_shuffle(x, 2)", {"x": ((1, 4, 2, 2, 2), N)}, "float64"),
    "channel_shuffle_one": ("F.channel_shuffle(x, 1)", {"x": ((2, 3, 2), N)}, "float64"),
    "channel_shuffle_strided": (
        "F.channel_shuffle(x.transpose(1, 2), 2)", {"x": ((2, 3, 4), N)}, "float64"
    ),
    "channel_shuffle_module": ("torch.nn.ChannelShuffle(4)(x)", {"x": ((1, 8, 3), N)}, "float64"),
    "channel_shuffle_int": ("F.channel_shuffle(x, 2)", {"x": ((1, 4, 2), "index:9")}, "float64"),
    "lrn_3d": ("F.local_response_norm(x, 3)", {"x": ((2, 5, 4), N)}, "float64"),
    "lrn_4d": ("F.local_response_norm(x, 2, alpha=0.1, beta=0.5, k=2.0)",
               {"x": ((2, 6, 3, 3), N)}, "float64"),
    "lrn_5d": ("F.local_response_norm(x, 4, alpha=0.01)", {"x": ((1, 5, 2, 2, 3), N)}, "float64"),
    "lrn_f32": ("F.local_response_norm(x, 5, alpha=1e-3)", {"x": ((2, 7, 4, 4), N)}, "float32"),
    "lrn_module": ("torch.nn.LocalResponseNorm(3, 0.2, 1.0, 0.5)(x)", {"x": ((2, 4, 3), N)},
                   "float64"),
    "lp_pool1d_p2": ("F.lp_pool1d(x, 2, 3)", {"x": ((2, 3, 7), N)}, "float64"),
    "lp_pool1d_stride": ("F.lp_pool1d(x, 1.5, 2, stride=1, ceil_mode=True)",
                         {"x": ((2, 3, 5), P)}, "float64"),
    "lp_pool1d_inf": ("F.lp_pool1d(x, float('inf'), 2)", {"x": ((2, 3, 6), N)}, "float64"),
    "lp_pool2d": ("F.lp_pool2d(x, 3, (2, 3))", {"x": ((2, 2, 4, 6), P)}, "float64"),
    "lp_pool2d_stride": ("F.lp_pool2d(x, 2, 2, stride=1)", {"x": ((1, 2, 4, 3), N)}, "float64"),
    "lp_pool2d_ceil": ("F.lp_pool2d(x, 2.5, 2, ceil_mode=True)", {"x": ((1, 2, 5, 5), P)},
                       "float32"),
    "lp_pool2d_neg_inf": ("F.lp_pool2d(x, -float('inf'), 2)", {"x": ((1, 2, 4, 4), N)}, "float64"),
    "lp_pool3d": ("F.lp_pool3d(x, 2, 2)", {"x": ((1, 2, 4, 2, 4), N)}, "float64"),
    "lp_pool1d_module": ("torch.nn.LPPool1d(2, 3, stride=2)(x)", {"x": ((2, 4, 7), N)}, "float32"),
    "lp_pool2d_module": ("torch.nn.LPPool2d(1, (2, 2))(x)", {"x": ((2, 3, 4, 4), P)}, "float64"),
    "lp_pool3d_module": ("torch.nn.LPPool3d(2, 2)(x)", {"x": ((2, 2, 2, 2), N)}, "float64"),
    "max_unpool2d": ("F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2)",
                     {"x": ((2, 3, 4, 6), N)}, "float64"),
    "max_unpool2d_overlap": (
        "F.max_unpool2d(*F.max_pool2d(x, 3, stride=1, return_indices=True), 3, stride=1)",
        {"x": ((1, 2, 4, 4), N)},
        "float64",
    ),
    "max_unpool2d_padding_size": (
        "F.max_unpool2d(*F.max_pool2d(x, 2, padding=1, return_indices=True), 2, padding=1,"
        " output_size=(5, 5))",
        {"x": ((2, 2, 5, 5), N)},
        "float64",
    ),
    "max_unpool2d_unbatched": (
        "F.max_unpool2d(*F.max_pool2d(x, (2, 1), return_indices=True), (2, 1))",
        {"x": ((3, 4, 2), N)},
        "float32",
    ),
    "max_unpool1d": ("F.max_unpool1d(*F.max_pool1d(x, 2, return_indices=True), 2)",
                     {"x": ((2, 3, 7), N)}, "float64"),
    "max_unpool1d_size": (
        "F.max_unpool1d(*F.max_pool1d(x, 3, stride=2, return_indices=True), 3, stride=2,"
        " output_size=[2, 3, 8])",
        {"x": ((2, 3, 8), N)},
        "float64",
    ),
    "max_unpool_module": (
        "(lambda p, u, x: u(*p(x), output_size=x.shape))"
        "(torch.nn.MaxPool2d(2, return_indices=True), torch.nn.MaxUnpool2d(2), x)",
        {"x": ((1, 2, 5, 4), N)},
        "float64",
    ),
    "max_unpool1d_module": (
        "(lambda p, u, x: u(*p(x)))"
        "(torch.nn.MaxPool1d(2, return_indices=True), torch.nn.MaxUnpool1d(2), x)",
        {"x": ((2, 6), N)},
        "float32",
    ),
    "max_unpool3d": (
        "F.max_unpool3d(*F.max_pool3d(x, 2, return_indices=True), 2)",
        {"x": ((1, 2, 4, 4, 2), N)},
        "float64",
    ),
    "max_unpool3d_module": (
        "(lambda p, u, x: u(*p(x), output_size=x.shape[1:]))"
        "(torch.nn.MaxPool3d((1, 2, 2), return_indices=True), torch.nn.MaxUnpool3d((1, 2, 2)), x)",
        {"x": ((2, 3, 5, 5), N)},
        "float32",
    ),
    # Inputs that need no gradient: its backward raises (tests/nn/test_extra_layers.py).
    "native_channel_shuffle": ("F.native_channel_shuffle(x, 2)", {"x": ((2, 4, 3), C)}, "float64"),
    "native_channel_shuffle_torch": (
        "torch.native_channel_shuffle(x, 3)", {"x": ((1, 6, 2, 2), C)}, "float32"
    ),
    "rrelu_eval": ("F.rrelu(x)", {"x": ((3, 4), N)}, "float64"),
    "rrelu_eval_bounds": ("torch.rrelu(x, 0.1, 0.5)", {"x": ((2, 3, 4), N)}, "float32"),
    "rrelu_train": (
        "(lambda _, x: F.rrelu(x, training=True))(torch.manual_seed(4), x)",
        {"x": ((4, 5), N)},
        "float64",
    ),
    "rrelu_train_f32": (
        "(lambda _, x: F.rrelu(x, 0.2, 0.6, training=True))(torch.manual_seed(9), x)",
        {"x": ((3, 40), N)},
        "float32",
    ),
    "rrelu_train_equal_bounds": (
        "(lambda _, x: F.rrelu(x, 0.25, 0.25, True))(torch.manual_seed(1), x)",
        {"x": ((2, 5), N)},
        "float64",
    ),
    "rrelu_inplace_eval": ("F.rrelu(x * 1, inplace=True)", {"x": ((2, 3), N)}, "float64"),
    "rrelu_inplace_train": (
        "(lambda _, x: torch.rrelu_(x * 1, 0.1, 0.3, True))(torch.manual_seed(2), x)",
        {"x": ((3, 4), N)},
        "float64",
    ),
    "rrelu_module_train": (
        "(lambda _, m, x: m(x))(torch.manual_seed(6), torch.nn.RReLU(), x)",
        {"x": ((2, 3, 4), N)},
        "float32",
    ),
    "rrelu_module_eval": ("torch.nn.RReLU(0.05, 0.2).eval()(x)", {"x": ((5, 3), N)}, "float64"),
    "rrelu_module_inplace": (
        "(lambda _, m, x: m(x * 1))(torch.manual_seed(7), torch.nn.RReLU(inplace=True), x)",
        {"x": ((3, 3), N)},
        "float64",
    ),
}  # fmt: skip

ERRORS: dict[str, tuple[str, dict[str, tuple[tuple[int, ...], str]]]] = {
    "shuffle_groups": ("F.channel_shuffle(x, 4)", {"x": ((2, 6, 3), C)}),
    "shuffle_zero": ("F.channel_shuffle(x, 0)", {"x": ((2, 6, 3), C)}),
    "shuffle_negative": ("torch.nn.ChannelShuffle(-2)(x)", {"x": ((2, 6, 3), C)}),
    "shuffle_2d": ("F.channel_shuffle(x, 2)", {"x": ((2, 6), C)}),
    "lrn_2d": ("F.local_response_norm(x, 2)", {"x": ((2, 6), C)}),
    "lp_pool2d_3d_kernel": ("F.lp_pool2d(x, 2, (2, 2, 2))", {"x": ((1, 2, 4, 4), C)}),
    "unpool_int32": (
        "F.max_unpool2d(x, torch.zeros(1, 1, 2, 2).int(), 2)",
        {"x": ((1, 1, 2, 2), C)},
    ),
    "unpool_size_len": (
        "F.max_unpool2d(x, torch.zeros(1, 1, 2, 2).long(), 2, output_size=(5,))",
        {"x": ((1, 1, 2, 2), C)},
    ),
    "unpool_size_range": (
        "F.max_unpool2d(x, torch.zeros(1, 1, 2, 2).long(), 2, output_size=(9, 4))",
        {"x": ((1, 1, 2, 2), C)},
    ),
    "unpool_2d": ("F.max_unpool2d(x, torch.zeros(2, 2).long(), 2)", {"x": ((2, 2), C)}),
    "unpool_5d": (
        "F.max_unpool2d(x, torch.zeros(1, 1, 1, 2, 2).long(), 2)",
        {"x": ((1, 1, 1, 2, 2), C)},
    ),
    "unpool_indices_shape": (
        "F.max_unpool2d(x, torch.zeros(1, 2, 2, 2).long(), 2)",
        {"x": ((1, 1, 2, 2), C)},
    ),
    "unpool_index_high": (
        "F.max_unpool2d(x, torch.tensor([[[[0, 1], [2, 16]]]]), 2)",
        {"x": ((1, 1, 2, 2), C)},
    ),
    "unpool_index_negative": (
        "F.max_unpool2d(x, torch.tensor([[[[0, -3], [2, 5]]]]), 2)",
        {"x": ((1, 1, 2, 2), C)},
    ),
    "unpool_empty": (
        "F.max_unpool2d(x, torch.zeros(1, 1, 0, 2).long(), 2)",
        {"x": ((1, 1, 0, 2), C)},
    ),
    "unpool_long": (
        "F.max_unpool2d(x.long(), torch.zeros(1, 1, 2, 2).long(), 2)",
        {"x": ((1, 1, 2, 2), C)},
    ),
    "unpool1d_index": ("F.max_unpool1d(x, torch.tensor([[[0, 9]]]), 2)", {"x": ((1, 1, 2), C)}),
    "rrelu_long": ("F.rrelu(x.long())", {"x": ((2, 3), C)}),
    "rrelu_bounds": ("F.rrelu(x, 0.5, 0.1, True)", {"x": ((2, 3), C)}),
    "unpool3d_int32": (
        "F.max_unpool3d(x, torch.zeros(1, 1, 1, 2, 2).int(), 2)",
        {"x": ((1, 1, 1, 2, 2), C)},
    ),
    "unpool3d_3d": ("F.max_unpool3d(x, torch.zeros(1, 2, 2).long(), 2)", {"x": ((1, 2, 2), C)}),
    "unpool3d_index": (
        "F.max_unpool3d(x, torch.tensor([[[[[0, 70]]]]]), 2)",
        {"x": ((1, 1, 1, 1, 2), C)},
    ),
    "unpool3d_size_len": (
        "F.max_unpool3d(x, torch.zeros(1, 1, 1, 2, 2).long(), 2, output_size=(3, 3))",
        {"x": ((1, 1, 1, 2, 2), C)},
    ),
    "unpool3d_empty": (
        "F.max_unpool3d(x, torch.zeros(1, 1, 0, 2, 2).long(), 2)",
        {"x": ((1, 1, 0, 2, 2), C)},
    ),
    "unpool3d_long": (
        "F.max_unpool3d(x.long(), torch.zeros(1, 1, 1, 2, 2).long(), 2)",
        {"x": ((1, 1, 1, 2, 2), C)},
    ),
    "native_shuffle_groups": ("F.native_channel_shuffle(x, 3)", {"x": ((1, 4, 3), C)}),
    "native_shuffle_2d": ("torch.native_channel_shuffle(x, 2)", {"x": ((4, 3), C)}),
}

REPRS: list[tuple[str, list[Any], dict[str, Any]]] = [
    ("ChannelShuffle", [2], {}),
    ("LocalResponseNorm", [3], {}),
    ("LocalResponseNorm", [2, 0.1, 0.5, 2], {}),
    ("LPPool1d", [2, 3], {}),
    ("LPPool2d", [1.5, [2, 3]], {"stride": 1, "ceil_mode": True}),
    ("LPPool3d", [2, 2], {"stride": [1, 2, 1]}),
    ("MaxUnpool1d", [3], {"stride": 2, "padding": 1}),
    ("MaxUnpool2d", [2], {}),
    ("MaxUnpool2d", [[2, 3]], {"stride": [1, 2]}),
    ("MaxUnpool3d", [2], {}),
    ("MaxUnpool3d", [[1, 2, 2]], {"stride": 1, "padding": [0, 1, 0]}),
    ("RReLU", [], {}),
    ("RReLU", [0.1, 0.3], {"inplace": True}),
]


def main() -> None:
    reprs = [
        {"cls": c, "args": a, "kwargs": k, "repr": repr(getattr(nn, c)(*a, **k))}
        for c, a, k in REPRS
    ]
    write("extra_layers", CASES, ERRORS, 20261207, {"reprs": reprs})


if __name__ == "__main__":
    main()
