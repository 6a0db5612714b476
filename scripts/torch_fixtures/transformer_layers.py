"""PyTorch's values, gradients, graphs, error texts and reprs for the Transformer modules
(``TransformerEncoderLayer``/``DecoderLayer``, the ``Encoder``/``Decoder`` stacks, ``Transformer``).

Each call seeds PyTorch's generator, builds the module and runs it on the inputs, so a match
means visgrad drew the same initial weights in the same order and composed the same ops.
Dropout is 0 (or the module is in eval mode): training-mode dropout draws from the vendor
stream. Writes ``tests/fixtures/torch/transformer_layers.json`` and ``.npz``.
"""

from __future__ import annotations

from typing import Any

from _cases import B, C, N, write
from torch import nn

SEEDED = "(lambda _, m, *xs: m(*xs))(torch.manual_seed({seed}), {module}, {args})"
ENC = "torch.nn.TransformerEncoderLayer"
DEC = "torch.nn.TransformerDecoderLayer"
CAUSAL5 = "torch.nn.Transformer.generate_square_subsequent_mask(5)"


def seeded(module: str, args: str, seed: int = 0) -> str:
    return SEEDED.format(seed=seed, module=module, args=args)


CASES: dict[str, tuple[str, dict[str, tuple[tuple[int, ...], str]], str]] = {
    "encoder_layer": (seeded(f"{ENC}(8, 2, 16, 0.0)", "x"), {"x": ((5, 3, 8), N)}, "float32"),
    "encoder_layer_f64": (
        seeded(f"{ENC}(8, 2, 12, 0.0, dtype=torch.float64)", "x", seed=4),
        {"x": ((4, 2, 8), N)},
        "float64",
    ),
    "encoder_layer_gelu_norm_first": (
        seeded(f"{ENC}(8, 4, 16, 0.0, 'gelu', batch_first=True, norm_first=True)", "x", 1),
        {"x": ((3, 4, 8), N)},
        "float32",
    ),
    "encoder_layer_masks": (
        "(lambda _, m, x, p: m(x, src_mask=" + CAUSAL5 + ", src_key_padding_mask=p.logical_not()))"
        f"(torch.manual_seed(2), {ENC}(8, 2, 16, 0.0), x, p)",
        {"x": ((5, 2, 8), N), "p": ((2, 5), B)},
        "float32",
    ),
    "encoder_layer_causal_hint": (
        "(lambda _, m, x: m(x, src_mask=" + CAUSAL5 + ", is_causal=True))"
        f"(torch.manual_seed(3), {ENC}(8, 2, 16, 0.0, batch_first=True), x)",
        {"x": ((2, 5, 8), N)},
        "float32",
    ),
    "encoder_layer_unbatched": (
        seeded(f"{ENC}(8, 2, 16, 0.0, activation=torch.nn.functional.gelu)", "x", 5),
        {"x": ((4, 8), N)},
        "float32",
    ),
    "encoder_stack": (
        seeded(
            f"torch.nn.TransformerEncoder({ENC}(8, 2, 16, 0.0), 2, torch.nn.LayerNorm(8))", "x", 6
        ),
        {"x": ((4, 2, 8), N)},
        "float32",
    ),  # fmt: skip
    "encoder_stack_causal_mask": (
        "(lambda _, m, x: m(x, mask=" + CAUSAL5 + "))"
        f"(torch.manual_seed(7), torch.nn.TransformerEncoder({ENC}(8, 2, 16, 0.0), 2), x)",
        {"x": ((5, 2, 8), N)},
        "float32",
    ),
    # Inference with a left-aligned padding mask: PyTorch's nested-tensor path zeroes the padded
    # positions. The mask is written out: the kept tokens come first in every row.
    "encoder_stack_eval_padding": (
        "torch.no_grad()(lambda _, m, x: m.eval()(x, src_key_padding_mask=torch.tensor("
        "[[False] * 5, [False] * 3 + [True] * 2])))"
        f"(torch.manual_seed(8), torch.nn.TransformerEncoder({ENC}(8, 2, 16, batch_first=True),"
        " 2, torch.nn.LayerNorm(8)), x)",
        {"x": ((2, 5, 8), N)},
        "float32",
    ),
    "decoder_layer": (
        seeded(f"{DEC}(8, 2, 16, 0.0)", "t, m", 9),
        {"t": ((4, 3, 8), N), "m": ((5, 3, 8), N)},
        "float32",
    ),
    "decoder_layer_norm_first_gelu": (
        seeded(f"{DEC}(8, 2, 16, 0.0, 'gelu', batch_first=True, norm_first=True)", "t, m", 10),
        {"t": ((3, 4, 8), N), "m": ((3, 5, 8), N)},
        "float32",
    ),
    "decoder_layer_masks": (
        "(lambda _, d, t, m, p: d(t, m, tgt_mask=torch.nn.Transformer"
        ".generate_square_subsequent_mask(4), memory_key_padding_mask=p.logical_not(),"
        " tgt_is_causal=True))"
        f"(torch.manual_seed(11), {DEC}(8, 2, 16, 0.0), t, m, p)",
        {"t": ((4, 2, 8), N), "m": ((5, 2, 8), N), "p": ((2, 5), B)},
        "float32",
    ),
    "decoder_stack": (
        seeded(
            f"torch.nn.TransformerDecoder({DEC}(8, 2, 16, 0.0), 2, torch.nn.LayerNorm(8))",
            "t, m",
            12,
        ),
        {"t": ((3, 2, 8), N), "m": ((4, 2, 8), N)},
        "float32",
    ),  # fmt: skip
    "transformer": (
        seeded("torch.nn.Transformer(8, 2, 1, 1, 16, 0.0)", "s, t", 13),
        {"s": ((5, 2, 8), N), "t": ((4, 2, 8), N)},
        "float32",
    ),
    "transformer_batch_first_norm_first_masks": (
        "(lambda _, m, s, t: m(s, t, tgt_mask=m.generate_square_subsequent_mask(3),"
        " tgt_is_causal=True))"
        "(torch.manual_seed(14), torch.nn.Transformer(8, 2, 1, 1, 12, 0.0, 'gelu',"
        " batch_first=True, norm_first=True), s, t)",
        {"s": ((2, 4, 8), N), "t": ((2, 3, 8), N)},
        "float32",
    ),
    "transformer_eval": (
        "(lambda _, m, s, t: m.eval()(s, t))"
        "(torch.manual_seed(15), torch.nn.Transformer(8, 2, 1, 1, 16), s, t)",
        {"s": ((3, 1, 8), N), "t": ((2, 1, 8), N)},
        "float32",
    ),
    "square_subsequent_mask": (
        "torch.nn.Transformer.generate_square_subsequent_mask(4) + x",
        {"x": ((4, 4), C)},
        "float32",
    ),
}

ERRORS: dict[str, tuple[str, dict[str, tuple[tuple[int, ...], str]]]] = {
    "activation": (f"{ENC}(8, 2, activation='tanh')", {}),
    "heads": (f"{ENC}(8, 3)", {}),
    "decoder_activation": (f"{DEC}(8, 2, activation='swish')", {}),
    "transformer_batch": (
        "torch.nn.Transformer(8, 2, 1, 1, 16)(s, t)",
        {"s": ((5, 2, 8), C), "t": ((4, 3, 8), C)},
    ),
    "transformer_features": (
        "torch.nn.Transformer(8, 2, 1, 1, 16)(s, t)",
        {"s": ((5, 2, 8), C), "t": ((4, 2, 6), C)},
    ),
    "transformer_batch_first_batch": (
        "torch.nn.Transformer(8, 2, 1, 1, 16, batch_first=True)(s, t)",
        {"s": ((2, 5, 8), C), "t": ((3, 4, 8), C)},
    ),
    "encoder_int_mask": (
        f"{ENC}(8, 2, 16)(x, src_key_padding_mask=p)",
        {"x": ((5, 2, 8), C), "p": ((2, 5), "index:2")},
    ),
}

REPRS: list[tuple[str, list[Any], dict[str, Any]]] = [
    ("TransformerEncoderLayer", [8, 2, 16], {}),
    (
        "TransformerDecoderLayer",
        [8, 2],
        {"dim_feedforward": 16, "dropout": 0.2, "norm_first": True},
    ),
    ("Transformer", [8, 2, 2, 1, 16], {}),
    ("Transformer", [8, 2, 1, 1, 16], {"bias": False, "batch_first": True}),
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
    write("transformer_layers", CASES, ERRORS, 20261204, {"reprs": reprs})


if __name__ == "__main__":
    main()
