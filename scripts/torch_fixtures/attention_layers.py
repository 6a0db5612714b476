"""PyTorch's values, gradients, graphs, error texts and reprs for ``baddbmm`` and multi-head
attention (``F.multi_head_attention_forward``, ``nn.MultiheadAttention``).

Writes ``tests/fixtures/torch/attention_layers.json`` and ``attention_layers.npz``. The weights
are inputs of each call, so both libraries run on the same numbers; the seeded module itself is
compared by the whole program ``tests/programs/cases/multihead_attention.py``.
"""

from __future__ import annotations

from typing import Any

from _cases import B, C, N, write
from torch import nn

MHA = "F.multi_head_attention_forward"
# The packed projection of an 8-wide model with 2 heads.
PACKED = {"wi": ((24, 8), N), "bi": ((24,), N), "wo": ((8, 8), N), "bo": ((8,), N)}
W = "8, 2, wi, bi, None, None, False, 0.0, wo, bo"


def _self(length: int, batch: int = 2) -> dict[str, Any]:
    return {"x": ((length, batch, 8), N), **PACKED}


# name -> (call, {input: (shape, kind)}, dtype); B masks are True where the key is kept, so the
# calls pass ``(m == 0)`` (MultiheadAttention's True means "do not attend").
CASES: dict[str, tuple[str, dict[str, tuple[tuple[int, ...], str]], str]] = {
    "baddbmm": (
        "torch.baddbmm(c, a, b)",
        {"c": ((2, 3, 5), N), "a": ((2, 3, 4), N), "b": ((2, 4, 5), N)},
        "float64",
    ),
    "baddbmm_broadcast_scaled": (
        "torch.baddbmm(c, a, b, beta=0.5, alpha=-2.0)",
        {"c": ((5,), N), "a": ((2, 3, 4), N), "b": ((2, 4, 5), N)},
        "float64",
    ),
    "baddbmm_f32_method": (
        "c.baddbmm(a, b, alpha=3)",
        {"c": ((1, 3, 1), N), "a": ((4, 3, 6), N), "b": ((4, 6, 2), N)},
        "float32",
    ),
    "mha_self": (f"{MHA}(x, x, x, {W})", _self(4), "float64"),
    # Small weights (as initialised ones are): float32 sums of large terms round apart.
    "mha_self_f32": (
        f"{MHA}(x, x, x, {W})",
        {"x": ((5, 3, 8), N), **{k: (s, "prob") for k, (s, _) in PACKED.items()}},
        "float32",
    ),
    "mha_bool_mask": (
        f"{MHA}(x, x, x, {W}, attn_mask=(m == 0))",
        {**_self(2), "m": ((2, 2), B)},
        "float64",
    ),
    "mha_float_mask": (
        f"{MHA}(x, x, x, {W}, attn_mask=m)",
        {**_self(4), "m": ((4, 4), C)},
        "float64",
    ),
    "mha_3d_mask": (
        f"{MHA}(x, x, x, {W}, attn_mask=m)",
        {**_self(3), "m": ((4, 3, 3), C)},
        "float64",
    ),
    "mha_key_value_same": (
        f"{MHA}(q, kv, kv, {W})",
        {"q": ((3, 2, 8), N), "kv": ((5, 2, 8), N), **PACKED},
        "float64",
    ),
    "mha_all_different": (
        f"{MHA}(q, k, v, {W})",
        {"q": ((3, 2, 8), N), "k": ((5, 2, 8), N), "v": ((5, 2, 8), N), **PACKED},
        "float64",
    ),
    "mha_separate_weights": (
        f"{MHA}(q, k, v, 8, 2, None, bi, None, None, False, 0.0, wo, bo, "
        "use_separate_proj_weight=True, q_proj_weight=wq, k_proj_weight=wk, v_proj_weight=wv)",
        {
            "q": ((3, 2, 8), N),
            "k": ((4, 2, 3), N),
            "v": ((4, 2, 6), N),
            "wq": ((8, 8), N),
            "wk": ((8, 3), N),
            "wv": ((8, 6), N),
            "bi": ((24,), N),
            "wo": ((8, 8), N),
            "bo": ((8,), N),
        },
        "float64",
    ),  # fmt: skip
    "mha_no_weights": (f"{MHA}(x, x, x, {W}, need_weights=False)[0]", _self(4), "float64"),
    "mha_no_weights_mask": (
        f"{MHA}(x, x, x, {W}, need_weights=False, attn_mask=m)[0]",
        {**_self(4), "m": ((4, 4), C)},
        "float64",
    ),
    "mha_no_weights_causal": (
        f"{MHA}(x, x, x, {W}, need_weights=False, attn_mask=m, is_causal=True)[0]",
        {**_self(4), "m": ((4, 4), C)},
        "float64",
    ),
    "mha_padding": (
        f"{MHA}(q, kv, kv, {W}, key_padding_mask=(p == 0))",
        {"q": ((3, 2, 8), N), "kv": ((5, 2, 8), N), "p": ((2, 5), B), **PACKED},
        "float64",
    ),
    "mha_padding_and_mask": (
        f"{MHA}(x, x, x, {W}, key_padding_mask=(p == 0), attn_mask=(m == 0), average_attn_weights=False)",
        {**_self(2), "p": ((2, 2), B), "m": ((2, 2), B)},
        "float64",
    ),
    "mha_per_head_weights": (
        f"{MHA}(x, x, x, {W}, average_attn_weights=False)",
        _self(3),
        "float64",
    ),
    "mha_unbatched": (f"{MHA}(x, x, x, {W})", {"x": ((4, 8), N), **PACKED}, "float64"),
    "mha_bias_kv_zero_attn": (
        f"{MHA}(x, x, x, 8, 2, wi, bi, bk, bv, True, 0.0, wo, bo, attn_mask=m)",
        {**_self(3), "bk": ((1, 1, 8), N), "bv": ((1, 1, 8), N), "m": ((3, 3), C)},
        "float64",
    ),
    "mha_no_bias": (
        f"{MHA}(x, x, x, 8, 4, wi, None, None, None, False, 0.0, wo, None)",
        _self(3),
        "float64",
    ),
    "mha_eval_dropout": (
        f"{MHA}(x, x, x, 8, 2, wi, bi, None, None, False, 0.5, wo, bo, training=False)",
        _self(3),
        "float64",
    ),
}

ERRORS: dict[str, tuple[str, dict[str, tuple[tuple[int, ...], str]]]] = {
    "baddbmm_rank": (
        "torch.baddbmm(c, a, b)",
        {"c": ((3, 5), C), "a": ((3, 4), C), "b": ((4, 5), C)},
    ),
    "baddbmm_inner": (
        "torch.baddbmm(c, a, b)",
        {"c": ((2, 3, 5), C), "a": ((2, 3, 4), C), "b": ((2, 3, 5), C)},
    ),
    "baddbmm_input": (
        "torch.baddbmm(c, a, b)",
        {"c": ((3, 4, 5), C), "a": ((2, 3, 4), C), "b": ((2, 4, 5), C)},
    ),
    "baddbmm_dtype": (
        "torch.baddbmm(c.double(), a, b)",
        {"c": ((2, 3, 5), C), "a": ((2, 3, 4), C), "b": ((2, 4, 5), C)},
    ),
    "baddbmm_batch2_dtype": (
        "torch.baddbmm(c, a, b.double())",
        {"c": ((2, 3, 5), C), "a": ((2, 3, 4), C), "b": ((2, 4, 5), C)},
    ),
    "mha_embed_dim": (
        f"{MHA}(x, x, x, 6, 2, wi, bi, None, None, False, 0.0, wo, bo)",
        {
            "x": ((3, 2, 8), C),
            "wi": ((24, 8), C),
            "bi": ((24,), C),
            "wo": ((8, 8), C),
            "bo": ((8,), C),
        },
    ),  # fmt: skip
    "mha_heads_divide": (
        f"{MHA}(x, x, x, 8, 3, wi, bi, None, None, False, 0.0, wo, bo)",
        {
            "x": ((3, 2, 8), C),
            "wi": ((24, 8), C),
            "bi": ((24,), C),
            "wo": ((8, 8), C),
            "bo": ((8,), C),
        },
    ),  # fmt: skip
    "mha_key_value_shapes": (
        f"{MHA}(x, k, v, {W})",
        {
            "x": ((3, 2, 8), C),
            "k": ((4, 2, 8), C),
            "v": ((5, 2, 8), C),
            "wi": ((24, 8), C),
            "bi": ((24,), C),
            "wo": ((8, 8), C),
            "bo": ((8,), C),
        },
    ),  # fmt: skip
    "mha_query_rank": (
        f"{MHA}(x, x, x, {W})",
        {"x": ((1, 3, 2, 8), C), **{k: (s, C) for k, (s, _) in PACKED.items()}},
    ),  # fmt: skip
    "mha_key_rank": (
        f"{MHA}(x, k, k, {W})",
        {"x": ((3, 2, 8), C), "k": ((3, 8), C), **{k: (s, C) for k, (s, _) in PACKED.items()}},
    ),  # fmt: skip
    "mha_mask_2d_shape": (
        f"{MHA}(x, x, x, {W}, attn_mask=m)",
        {"x": ((3, 2, 8), C), "m": ((3, 4), C), **{k: (s, C) for k, (s, _) in PACKED.items()}},
    ),  # fmt: skip
    "mha_mask_3d_shape": (
        f"{MHA}(x, x, x, {W}, attn_mask=m)",
        {"x": ((3, 2, 8), C), "m": ((2, 3, 3), C), **{k: (s, C) for k, (s, _) in PACKED.items()}},
    ),  # fmt: skip
    "mha_mask_rank": (
        f"{MHA}(x, x, x, {W}, attn_mask=m)",
        {
            "x": ((3, 2, 8), C),
            "m": ((1, 4, 3, 3), C),
            **{k: (s, C) for k, (s, _) in PACKED.items()},
        },
    ),  # fmt: skip
    "mha_mask_dtype": (
        f"{MHA}(x, x, x, {W}, attn_mask=m.long())",
        {"x": ((3, 2, 8), C), "m": ((3, 3), C), **{k: (s, C) for k, (s, _) in PACKED.items()}},
    ),  # fmt: skip
    "mha_causal_without_mask": (
        f"{MHA}(x, x, x, {W}, is_causal=True)",
        {"x": ((3, 2, 8), C), **{k: (s, C) for k, (s, _) in PACKED.items()}},
    ),  # fmt: skip
    "mha_padding_shape": (
        f"{MHA}(x, x, x, {W}, key_padding_mask=p > 0)",
        {"x": ((3, 2, 8), C), "p": ((2, 4), C), **{k: (s, C) for k, (s, _) in PACKED.items()}},
    ),  # fmt: skip
    "mha_padding_rank": (
        f"{MHA}(x, x, x, {W}, key_padding_mask=p > 0)",
        {"x": ((3, 2, 8), C), "p": ((2, 3, 1), C), **{k: (s, C) for k, (s, _) in PACKED.items()}},
    ),  # fmt: skip
    "mha_unbatched_mask_3d": (
        f"{MHA}(x, x, x, {W}, attn_mask=m)",
        {"x": ((3, 8), C), "m": ((4, 3, 3), C), **{k: (s, C) for k, (s, _) in PACKED.items()}},
    ),  # fmt: skip
    "mha_separate_shapes": (
        f"{MHA}(q, k, k, 8, 2, None, bi, None, None, False, 0.0, wo, bo, "
        "use_separate_proj_weight=True, q_proj_weight=wq, k_proj_weight=wq, v_proj_weight=wq)",
        {
            "q": ((3, 2, 8), C),
            "k": ((4, 2, 3), C),
            "wq": ((8, 8), C),
            "bi": ((24,), C),
            "wo": ((8, 8), C),
            "bo": ((8,), C),
        },
    ),  # fmt: skip
    "mha_module_heads": ("torch.nn.MultiheadAttention(8, 3)", {}),
    "mha_module_sizes": ("torch.nn.MultiheadAttention(0, 2)", {}),
}

# (class, args, kwargs) of layers whose repr PyTorch prints.
REPRS: list[tuple[str, list[Any], dict[str, Any]]] = [
    ("MultiheadAttention", [8, 2], {}),
    ("MultiheadAttention", [6, 3], {"kdim": 4, "vdim": 5, "batch_first": True, "bias": False}),
    ("MultiheadAttention", [4, 1], {"dropout": 0.1, "add_bias_kv": True, "add_zero_attn": True}),
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
    write("attention_layers", CASES, ERRORS, 20261202, {"reprs": reprs})


if __name__ == "__main__":
    main()
