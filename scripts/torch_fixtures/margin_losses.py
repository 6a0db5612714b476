"""PyTorch's values, gradients, graphs, error texts and reprs for the margin, embedding and
likelihood losses: margin_ranking, hinge_embedding, soft_margin, cosine_embedding, poisson_nll,
gaussian_nll, triplet_margin (with and without a distance function), multilabel_soft_margin.

Each call is written as visgrad and PyTorch both spell it; the test evaluates the same text with
visgrad on the same inputs. Writes ``tests/fixtures/torch/margin_losses.json`` and ``.npz``.
"""

from __future__ import annotations

from _cases import C, N, P, write
from torch import nn

V5, M45, M43 = {"a": ((5,), N), "b": ((5,), N)}, ((4, 5), N), ((4, 3), N)
SIGN5 = {**V5, "t": ((5,), C)}
PAIR = {"a": M45, "b": ((4, 5), N), "t": ((4,), C)}
TRIPLE = {"a": M45, "p": ((4, 5), N), "n": ((4, 5), N)}
XT = {"x": M43, "t": ((4, 3), C)}
COS_DIST = "distance_function=lambda u, w: 1.0 - F.cosine_similarity(u, w)"

CASES: dict[str, tuple[str, dict, str]] = {
    "margin_ranking": ("F.margin_ranking_loss(a, b, t.sign())", SIGN5, "float64"),
    "margin_ranking_sum": (
        "F.margin_ranking_loss(a, b, t.sign(), margin=0.5, reduction='sum')",
        SIGN5,
        "float32",
    ),
    "margin_ranking_none": (
        "torch.nn.MarginRankingLoss(margin=0.2, reduction='none')(a, b, t.sign())",
        SIGN5,
        "float64",
    ),
    "hinge": ("F.hinge_embedding_loss(x, t.sign())", XT, "float64"),
    "hinge_none": (
        "F.hinge_embedding_loss(x, t.sign(), margin=0.5, reduction='none')",
        XT,
        "float64",
    ),
    "hinge_sum": ("torch.nn.HingeEmbeddingLoss(2.0, reduction='sum')(x, t.sign())", XT, "float32"),
    "soft_margin": ("F.soft_margin_loss(x, t.sign())", XT, "float64"),
    "soft_margin_none": ("F.soft_margin_loss(x, t, reduction='none')", XT, "float64"),
    "soft_margin_sum": ("torch.nn.SoftMarginLoss(reduction='sum')(x, t.sign())", XT, "float32"),
    "cosine": ("F.cosine_embedding_loss(a, b, t.sign())", PAIR, "float64"),
    "cosine_none": (
        "F.cosine_embedding_loss(a, b, t.sign(), margin=0.2, reduction='none')",
        PAIR,
        "float64",
    ),
    "cosine_1d": (
        "torch.nn.CosineEmbeddingLoss(-0.5)(a, b, t.sign())",
        {"a": ((5,), N), "b": ((5,), N), "t": ((), C)},
        "float32",
    ),
    "poisson": ("F.poisson_nll_loss(x, t)", {"x": M43, "t": ((4, 3), "const_pos")}, "float64"),
    "poisson_rate": (
        "F.poisson_nll_loss(x, t, log_input=False, reduction='sum')",
        {"x": ((4, 3), P), "t": ((4, 3), "const_pos")},
        "float64",
    ),
    "poisson_full": (
        "torch.nn.PoissonNLLLoss(log_input=False, full=True, reduction='none')(x, t * 3)",
        {"x": ((4, 3), P), "t": ((4, 3), "const_pos")},
        "float64",
    ),
    "poisson_full_log": (
        "F.poisson_nll_loss(x, t * 2, full=True)",
        {"x": M43, "t": ((4, 3), "const_pos")},
        "float32",
    ),
    "gaussian": ("F.gaussian_nll_loss(x, y, v)", {"x": M43, "y": M43, "v": ((4, 3), P)}, "float64"),
    "gaussian_short_var": (
        "F.gaussian_nll_loss(x, y, v, reduction='none')",
        {"x": M43, "y": M43, "v": ((4,), P)},
        "float64",
    ),
    "gaussian_one_column": (
        "torch.nn.GaussianNLLLoss(full=True, reduction='sum')(x, y, v)",
        {"x": M43, "y": M43, "v": ((4, 1), P)},
        "float64",
    ),
    "gaussian_float_var": (
        "F.gaussian_nll_loss(x, y, 0.5, eps=0.1)",
        {"x": M43, "y": M43},
        "float32",
    ),
    "triplet": ("F.triplet_margin_loss(a, p, n)", TRIPLE, "float64"),
    "triplet_swap": (
        "F.triplet_margin_loss(a, p, n, margin=2.0, p=1, swap=True, reduction='sum')",
        TRIPLE,
        "float64",
    ),
    "triplet_module": (
        "torch.nn.TripletMarginLoss(margin=0.5, p=3, eps=0.0, reduction='none')(a, p, n)",
        TRIPLE,
        "float32",
    ),
    "triplet_distance": ("F.triplet_margin_with_distance_loss(a, p, n)", TRIPLE, "float64"),
    "triplet_distance_cos": (
        f"F.triplet_margin_with_distance_loss(a, p, n, {COS_DIST}, swap=True, reduction='none')",
        TRIPLE,
        "float64",
    ),
    "triplet_distance_module": (
        "torch.nn.TripletMarginWithDistanceLoss(distance_function=torch.nn.PairwiseDistance(1),"
        " margin=1.5, reduction='sum')(a, p, n)",
        TRIPLE,
        "float32",
    ),
    "multilabel_soft_margin": ("F.multilabel_soft_margin_loss(x, (t > 0).double())", XT, "float64"),
    "multilabel_soft_margin_weight": (
        "F.multilabel_soft_margin_loss(x, (t > 0).double(), weight=w, reduction='none')",
        {**XT, "w": ((3,), "const_pos")},
        "float64",
    ),
    "multilabel_soft_margin_module": (
        "torch.nn.MultiLabelSoftMarginLoss(reduction='sum')(x, (t > 0).float())",
        XT,
        "float32",
    ),
}

ERRORS: dict[str, tuple[str, dict]] = {
    "margin_ranking_dims": (
        "F.margin_ranking_loss(a, b, t)",
        {"a": ((3,), N), "b": ((3,), N), "t": ((3, 1), N)},
    ),
    "margin_ranking_reduction": ("F.margin_ranking_loss(a, b, t, reduction='avg')", SIGN5),
    "hinge_reduction": ("F.hinge_embedding_loss(x, t, reduction='avg')", XT),
    "soft_margin_reduction": ("F.soft_margin_loss(x, t, reduction='avg')", XT),
    "soft_margin_shapes": ("F.soft_margin_loss(x, t)", {"x": M43, "t": ((4, 2), N)}),
    "cosine_target_2d": ("F.cosine_embedding_loss(a, b, t)", {**PAIR, "t": ((4, 1), N)}),
    "cosine_1d_target_1d_inputs": (
        "F.cosine_embedding_loss(a, b, t)",
        {"a": ((5,), N), "b": ((5,), N), "t": ((5,), N)},
    ),
    "cosine_0d_target_2d_inputs": ("F.cosine_embedding_loss(a, b, t)", {**PAIR, "t": ((), N)}),
    "poisson_reduction": ("F.poisson_nll_loss(x, t, reduction='avg')", XT),
    "gaussian_negative_float": ("F.gaussian_nll_loss(x, t, -1.0)", XT),
    "gaussian_negative_tensor": ("F.gaussian_nll_loss(x, t, t.abs() - 10)", XT),
    "gaussian_var_size": ("F.gaussian_nll_loss(x, t, v.abs())", {**XT, "v": ((4, 2), N)}),
    "gaussian_var_size_other": ("F.gaussian_nll_loss(x, t, v.abs())", {**XT, "v": ((3,), N)}),
    "gaussian_reduction": ("F.gaussian_nll_loss(x, t, t.abs(), reduction='avg')", XT),
    "triplet_margin": ("F.triplet_margin_loss(a, p, n, margin=0)", TRIPLE),
    "triplet_dims": ("F.triplet_margin_loss(a, p, n)", {**TRIPLE, "n": ((5,), N)}),
    "triplet_distance_dims": (
        "F.triplet_margin_with_distance_loss(a, p, n)",
        {**TRIPLE, "p": ((5,), N)},
    ),
    "triplet_distance_margin": (
        "F.triplet_margin_with_distance_loss(a, p, n, margin=-1.0)",
        TRIPLE,
    ),
    "triplet_distance_reduction": (
        "F.triplet_margin_with_distance_loss(a, p, n, reduction='avg')",
        TRIPLE,
    ),
    "triplet_module_margin": ("torch.nn.TripletMarginLoss(margin=0.0)", {}),
    "triplet_distance_module_margin": ("torch.nn.TripletMarginWithDistanceLoss(margin=-2)", {}),
    "multilabel_soft_margin_reduction": (
        "F.multilabel_soft_margin_loss(x, t, reduction='avg')",
        XT,
    ),
}

REPRS = [
    ("MarginRankingLoss", [], {"margin": 0.5}),
    ("HingeEmbeddingLoss", [], {}),
    ("SoftMarginLoss", [], {"reduction": "sum"}),
    ("CosineEmbeddingLoss", [0.1], {}),
    ("PoissonNLLLoss", [], {"full": True}),
    ("GaussianNLLLoss", [], {"eps": 0.01}),
    ("TripletMarginLoss", [], {"swap": True}),
    ("TripletMarginWithDistanceLoss", [], {"margin": 2.0}),
    ("MultiLabelSoftMarginLoss", [], {}),
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
    write("margin_losses", CASES, ERRORS, 20261204, {"reprs": reprs})


if __name__ == "__main__":
    main()
