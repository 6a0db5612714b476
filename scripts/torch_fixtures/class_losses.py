"""PyTorch's values, gradients, graphs, error texts and reprs for the class-margin losses:
multi_margin (p, margin, weight, reduction) and multilabel_margin, as functions and modules.

Each call is written as visgrad and PyTorch both spell it; the test evaluates the same text with
visgrad on the same inputs. Writes ``tests/fixtures/torch/class_losses.json`` and ``.npz``.
"""

from __future__ import annotations

from _cases import N, P, write
from torch import nn

X43 = {"x": ((4, 3), N)}
Y4 = "torch.tensor([0, 2, 1, 2])"
W3 = {"x": ((4, 3), N), "w": ((3,), "const_pos")}
LABELS = "torch.tensor([[2, 0, -1], [1, -1, 0], [-1, 1, 2], [0, 1, 2]])"

CASES: dict[str, tuple[str, dict, str]] = {
    "multi_margin": (f"F.multi_margin_loss(x, {Y4})", X43, "float64"),
    "multi_margin_p2": (f"F.multi_margin_loss(x, {Y4}, p=2, margin=0.7)", X43, "float64"),
    "multi_margin_weight": (
        f"F.multi_margin_loss(x, {Y4}, weight=w, reduction='sum')", W3, "float64"
    ),
    "multi_margin_p2_weight_none": (
        f"F.multi_margin_loss(x, {Y4}, p=2, weight=w, reduction='none')", W3, "float64"
    ),
    "multi_margin_float32": (f"F.multi_margin_loss(x, {Y4}, margin=1.5)", X43, "float32"),
    "multi_margin_vector": ("F.multi_margin_loss(x, torch.tensor(2))", {"x": ((5,), N)}, "float64"),
    "multi_margin_vector_none": (
        "F.multi_margin_loss(x, torch.tensor([1]), p=2, reduction='none')",
        {"x": ((5,), N)},
        "float64",
    ),
    "multi_margin_module": (
        f"torch.nn.MultiMarginLoss(p=2, margin=0.5, weight=w, reduction='none')(x, {Y4})",
        W3,
        "float32",
    ),
    "multilabel_margin": (f"F.multilabel_margin_loss(x, {LABELS})", X43, "float64"),
    "multilabel_margin_none": (
        f"F.multilabel_margin_loss(x, {LABELS}, reduction='none')", X43, "float64"
    ),
    "multilabel_margin_vector": (
        "F.multilabel_margin_loss(x, torch.tensor([3, 0, 0, -1, 1]))", {"x": ((5,), N)}, "float64"
    ),
    "multilabel_margin_module": (
        f"torch.nn.MultiLabelMarginLoss(reduction='sum')(x, {LABELS})", X43, "float32"
    ),
    "multilabel_margin_wide": (
        f"F.multilabel_margin_loss(x * 0.2, {LABELS}, reduction='none')", {"x": ((4, 3), P)},
        "float64",
    ),
}  # fmt: skip

ERRORS: dict[str, tuple[str, dict]] = {
    "multi_margin_p": (f"F.multi_margin_loss(x, {Y4}, p=3)", X43),
    "multi_margin_weight_2d": (f"F.multi_margin_loss(x, {Y4}, weight=torch.ones(3, 1))", X43),
    "multi_margin_weight_size": (f"F.multi_margin_loss(x, {Y4}, weight=torch.ones(2))", X43),
    "multi_margin_target_range": ("F.multi_margin_loss(x, torch.tensor([0, 3, 1, 1]))", X43),
    "multi_margin_target_negative": ("F.multi_margin_loss(x, torch.tensor([0, -1, 1, 1]))", X43),
    "multi_margin_target_size": ("F.multi_margin_loss(x, torch.tensor([0, 1]))", X43),
    "multi_margin_target_float": (f"F.multi_margin_loss(x, {Y4}.float())", X43),
    "multi_margin_weight_dtype": (
        f"F.multi_margin_loss(x, {Y4}, weight=torch.ones(3, dtype=torch.float64))", X43
    ),
    "multi_margin_3d": (f"F.multi_margin_loss(x.unsqueeze(0), {Y4})", X43),
    "multi_margin_reduction": (f"F.multi_margin_loss(x, {Y4}, reduction='avg')", X43),
    "multi_margin_module_p": ("torch.nn.MultiMarginLoss(p=3)", {}),
    "multi_margin_module_weight": ("torch.nn.MultiMarginLoss(weight=torch.ones(2, 2))", {}),
    "multilabel_margin_size": (f"F.multilabel_margin_loss(x, {LABELS}[:, :2])", X43),
    "multilabel_margin_range": (f"F.multilabel_margin_loss(x, {LABELS} + 1)", X43),
    "multilabel_margin_below": (f"F.multilabel_margin_loss(x, {LABELS} - 1)", X43),
    "multilabel_margin_float": (f"F.multilabel_margin_loss(x, {LABELS}.float())", X43),
    "multilabel_margin_3d": (f"F.multilabel_margin_loss(x.unsqueeze(0), {LABELS})", X43),
    "multilabel_margin_vector_size": (
        "F.multilabel_margin_loss(x, torch.tensor([0, 1]))", {"x": ((3,), N)}
    ),
    "multilabel_margin_reduction": (f"F.multilabel_margin_loss(x, {LABELS}, reduction='x')", X43),
}  # fmt: skip

REPRS = [
    ("MultiMarginLoss", [], {}),
    ("MultiMarginLoss", [2, 0.5], {"reduction": "sum"}),
    ("MultiLabelMarginLoss", [], {}),
]


def main() -> None:
    reprs = [
        {"cls": cls, "args": args, "kwargs": kwargs, "repr": repr(getattr(nn, cls)(*args, **kwargs))}
        for cls, args, kwargs in REPRS
    ]  # fmt: skip
    write("class_losses", CASES, ERRORS, 20261205, {"reprs": reprs})


if __name__ == "__main__":
    main()
