"""PyTorch's values, gradients, graphs, error texts and reprs for ``F.embedding_bag`` and
``nn.EmbeddingBag``: the three modes, offsets and 2-D inputs, ``padding_idx``,
``per_sample_weights``, ``include_last_offset``, ``scale_grad_by_freq`` and ``max_norm``.

Each call is written as visgrad and PyTorch both spell it; the test evaluates the same text with
visgrad on the same inputs. Writes ``tests/fixtures/torch/embedding_bags.json`` and ``.npz``.
"""

from __future__ import annotations

from typing import Any

from _cases import C, N, write
from torch import nn

I8 = "torch.tensor([1, 2, 4, 5, 4, 3, 2, 0])"
OFF = "torch.tensor([0, 2, 2, 5])"
W = {"w": ((6, 3), N)}

CASES: dict[str, tuple[str, dict[str, tuple[tuple[int, ...], str]], str]] = {
    **{
        f"{mode}_offsets": (f"F.embedding_bag({I8}, w, {OFF}, mode='{mode}')", W, "float64")
        for mode in ("sum", "mean", "max")
    },
    **{
        f"{mode}_padding": (
            f"F.embedding_bag({I8}, w, {OFF}, mode='{mode}', padding_idx=2)", W, "float64"
        )
        for mode in ("sum", "mean", "max")
    },
    **{
        f"{mode}_2d": ("F.embedding_bag(x, w, mode='" + mode + "')",
                       {"x": ((3, 4), "index:6"), **W}, "float64")
        for mode in ("sum", "mean", "max")
    },  # fmt: skip
    "mean_2d_f32": ("F.embedding_bag(x, w)", {"x": ((4, 3), "index:7"), "w": ((7, 5), N)}, "float32"),
    "max_f32": (f"F.embedding_bag({I8}, w, {OFF}, mode='max')", W, "float32"),
    "per_sample_weights": (
        f"F.embedding_bag({I8}, w, {OFF}, mode='sum', per_sample_weights=p)",
        {**W, "p": ((8,), N)},
        "float64",
    ),
    "per_sample_weights_padding_2d": (
        "F.embedding_bag(x, w, mode='sum', per_sample_weights=p, padding_idx=1)",
        {"x": ((2, 5), "index:4"), "w": ((4, 3), N), "p": ((2, 5), N)},
        "float64",
    ),
    "include_last_offset": (
        f"F.embedding_bag({I8}, w, torch.tensor([0, 3, 3, 8]), include_last_offset=True)",
        W,
        "float64",
    ),
    "include_last_offset_sum": (
        f"F.embedding_bag({I8}, w, torch.tensor([0, 5, 8]), mode='sum', include_last_offset=True)",
        W,
        "float32",
    ),
    "scale_grad_by_freq_mean": (
        f"F.embedding_bag({I8}, w, {OFF}, scale_grad_by_freq=True)", W, "float64"
    ),
    "scale_grad_by_freq_sum_padding": (
        f"F.embedding_bag({I8}, w, {OFF}, mode='sum', scale_grad_by_freq=True, padding_idx=4)",
        W,
        "float64",
    ),
    "max_norm": (
        f"(F.embedding_bag({I8}, w, {OFF}, max_norm=1.5), w)",
        {"w": ((6, 3), "const_big")},
        "float64",
    ),
    "int32_indices": (
        f"F.embedding_bag({I8}.int(), w, {OFF}.int(), mode='sum')", W, "float64"
    ),
    "empty_bags": ("F.embedding_bag(torch.tensor([3, 1]), w, torch.tensor([0, 0, 2, 2]))", W, "float64"),
    "empty_input": (
        "F.embedding_bag(torch.tensor([], dtype=torch.long), w, torch.tensor([0, 0]), mode='max')",
        W,
        "float64",
    ),
    "strided_weight": (
        f"F.embedding_bag({I8}, w.t(), {OFF}, mode='sum')", {"w": ((3, 6), N)}, "float64"
    ),
    "module_seeded": (
        "(lambda _, m, x: (m(x), m.weight.detach()))"
        "(torch.manual_seed(5), torch.nn.EmbeddingBag(10, 3, mode='sum', padding_idx=0), x)",
        {"x": ((3, 4), "index:10")},
        "float32",
    ),
    "module_offsets_max": (
        "(lambda _, m, x: m(x, torch.tensor([0, 1, 4])))"
        "(torch.manual_seed(2), torch.nn.EmbeddingBag(5, 2, mode='max'), x)",
        {"x": ((6,), "index:5")},
        "float32",
    ),
    "module_per_sample": (
        "(lambda _, m, x, p: m(x, per_sample_weights=p))"
        "(torch.manual_seed(1), torch.nn.EmbeddingBag(4, 3, mode='sum').double(), x, p)",
        {"x": ((2, 3), "index:4"), "p": ((2, 3), N)},
        "float64",
    ),
    "from_pretrained": (
        "torch.nn.EmbeddingBag.from_pretrained(w, freeze=False, mode='sum')(x)",
        {"w": ((5, 2), N), "x": ((2, 2), "index:5")},
        "float64",
    ),
    "from_pretrained_frozen": (
        "torch.nn.EmbeddingBag.from_pretrained(w)(x)",
        {"w": ((5, 2), N), "x": ((2, 3), "index:5")},
        "float64",
    ),
}  # fmt: skip

ERRORS: dict[str, tuple[str, dict[str, tuple[tuple[int, ...], str]]]] = {
    "first_offset": (f"F.embedding_bag({I8}, w, torch.tensor([1, 2]))", {"w": ((6, 3), C)}),
    "last_offset": (f"F.embedding_bag({I8}, w, torch.tensor([0, 9]))", {"w": ((6, 3), C)}),
    "index_high": ("F.embedding_bag(torch.tensor([0, 7]), w, torch.tensor([0]))", {"w": ((6, 3), C)}),
    "index_negative": ("F.embedding_bag(torch.tensor([0, -1]), w, torch.tensor([0]))", {"w": ((6, 3), C)}),
    "float_indices": (f"F.embedding_bag({I8}.float(), w, {OFF})", {"w": ((6, 3), C)}),
    "float_offsets": (f"F.embedding_bag({I8}, w, {OFF}.float())", {"w": ((6, 3), C)}),
    "long_weight": (f"F.embedding_bag({I8}, w.long(), {OFF})", {"w": ((6, 3), C)}),
    "psw_mode": (
        f"F.embedding_bag({I8}, w, {OFF}, mode='max', per_sample_weights=p)",
        {"w": ((6, 3), C), "p": ((8,), C)},
    ),
    "psw_dtype": (
        f"F.embedding_bag({I8}, w, {OFF}, mode='sum', per_sample_weights=p.double())",
        {"w": ((6, 3), C), "p": ((8,), C)},
    ),
    "psw_shape": (
        f"F.embedding_bag({I8}, w, {OFF}, per_sample_weights=p)", {"w": ((6, 3), C), "p": ((3,), C)}
    ),
    "mode": (f"F.embedding_bag({I8}, w, {OFF}, mode='foo')", {"w": ((6, 3), C)}),
    "max_freq": (f"F.embedding_bag({I8}, w, {OFF}, mode='max', scale_grad_by_freq=True)", {"w": ((6, 3), C)}),
    "max_sparse": (f"F.embedding_bag({I8}, w, {OFF}, mode='max', sparse=True)", {"w": ((6, 3), C)}),
    "no_offsets": (f"F.embedding_bag({I8}, w)", {"w": ((6, 3), C)}),
    "offsets_2d_input": (f"F.embedding_bag({I8}.reshape(2, 4), w, {OFF})", {"w": ((6, 3), C)}),
    "offsets_2d": (f"F.embedding_bag({I8}, w, {OFF}.reshape(2, 2))", {"w": ((6, 3), C)}),
    "input_3d": (f"F.embedding_bag({I8}.reshape(2, 2, 2), w, {OFF})", {"w": ((6, 3), C)}),
    "weight_1d": (f"F.embedding_bag({I8}, w, {OFF})", {"w": ((6,), C)}),
    "padding_high": (f"F.embedding_bag({I8}, w, {OFF}, padding_idx=6)", {"w": ((6, 3), C)}),
    "padding_low": (f"F.embedding_bag({I8}, w, {OFF}, padding_idx=-7)", {"w": ((6, 3), C)}),
    "module_padding": ("torch.nn.EmbeddingBag(4, 2, padding_idx=4)", {}),
    "module_padding_low": ("torch.nn.EmbeddingBag(4, 2, padding_idx=-5)", {}),
    "module_weight_shape": ("torch.nn.EmbeddingBag(4, 2, _weight=w)", {"w": ((4, 3), C)}),
    "pretrained_1d": ("torch.nn.EmbeddingBag.from_pretrained(w)", {"w": ((4,), C)}),
    "offsets_list": (f"F.embedding_bag({I8}, w, [0, 2])", {"w": ((6, 3), C)}),
    "empty_rows": ("F.embedding_bag(torch.zeros(3, 0).long(), w)", {"w": ((6, 3), C)}),
    "negative_offset": (f"F.embedding_bag({I8}, w, torch.tensor([0, -1]))", {"w": ((6, 3), C)}),
}  # fmt: skip

REPRS: list[tuple[str, list[Any], dict[str, Any]]] = [
    ("EmbeddingBag", [5, 3], {}),
    ("EmbeddingBag", [5, 3], {"mode": "sum", "padding_idx": 1}),
    ("EmbeddingBag", [5, 3], {"mode": "max", "padding_idx": -1}),
    ("EmbeddingBag", [5, 3], {"max_norm": 1.0, "norm_type": 1.0, "scale_grad_by_freq": True}),
    ("EmbeddingBag", [7, 2], {"include_last_offset": True, "sparse": True}),
]


def main() -> None:
    reprs = [
        {"cls": c, "args": a, "kwargs": k, "repr": repr(getattr(nn, c)(*a, **k))}
        for c, a, k in REPRS
    ]
    write("embedding_bags", CASES, ERRORS, 20261205, {"reprs": reprs})


if __name__ == "__main__":
    main()
