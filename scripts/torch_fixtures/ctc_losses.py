"""PyTorch's values, gradients, graphs, error texts and reprs for ``F.ctc_loss`` and
``nn.CTCLoss``: padded and concatenated targets, the three reductions, ``zero_infinity``, blanks
other than 0, unbatched inputs, lengths as lists and as tensors.

Most calls take ``log_softmax`` of the drawn ``x`` first, as programs do (the gradient PyTorch
sends is the derivative through that ``log_softmax``); a few pass unnormalised log-probabilities
to pin the gradient formula itself. Writes ``tests/fixtures/torch/ctc_losses.json`` and ``.npz``.
"""

from __future__ import annotations

from typing import Any

from _cases import C, N, write
from torch import nn

LS = "x.log_softmax(2)"
T2 = "torch.tensor([[1, 2, 2], [3, 1, 0], [4, 4, 4]])"
T1 = "torch.tensor([1, 2, 2, 3, 1, 4])"
X = {"x": ((7, 3, 5), N)}

CASES: dict[str, tuple[str, dict[str, tuple[tuple[int, ...], str]], str]] = {
    **{
        f"padded_{red}": (f"F.ctc_loss({LS}, {T2}, [7, 5, 7], [3, 2, 3], reduction='{red}')",
                          X, "float64")
        for red in ("none", "mean", "sum")
    },
    **{
        f"concatenated_{red}": (
            f"F.ctc_loss({LS}, {T1}, (7, 6, 2), (3, 2, 1), reduction='{red}')", X, "float64"
        )
        for red in ("none", "mean")
    },
    "tensor_lengths": (
        f"F.ctc_loss({LS}, {T2}, torch.tensor([7, 5, 7]), torch.tensor([3, 2, 3]))", X, "float64"
    ),
    "int32_lengths_targets": (
        f"F.ctc_loss({LS}, {T2}.int(), torch.tensor([7, 5, 6]).int(), torch.tensor([3, 2, 3]).int())",
        X,
        "float64",
    ),
    "float_targets": (f"F.ctc_loss({LS}, {T2}.double(), [7, 5, 7], [3, 2, 3])", X, "float64"),
    "empty_target_and_input": (
        f"F.ctc_loss({LS}, {T2}, [2, 0, 7], [3, 0, 3], reduction='none')", X, "float64"
    ),
    "infinite_sum": (f"F.ctc_loss({LS}, {T2}, [2, 5, 7], [3, 2, 3], reduction='sum')", X, "float64"),
    "zero_infinity_none": (
        f"F.ctc_loss({LS}, {T2}, [2, 5, 7], [3, 2, 3], reduction='none', zero_infinity=True)",
        X,
        "float64",
    ),
    "zero_infinity_mean": (
        f"F.ctc_loss({LS}, {T2}, [2, 0, 7], [3, 1, 3], zero_infinity=True)", X, "float64"
    ),
    "blank_last": (
        f"F.ctc_loss({LS}, {T2} - 1, [7, 5, 7], [3, 2, 3], blank=4, reduction='sum')",
        X,
        "float64",
    ),
    "repeats": (
        "F.ctc_loss(x.log_softmax(2), torch.tensor([[2, 2, 2, 2]]), [9], [4])",
        {"x": ((9, 1, 3), N)},
        "float64",
    ),
    "f32": (f"F.ctc_loss({LS}, {T2}, [7, 6, 7], [3, 2, 3])", X, "float32"),
    "f32_long": (
        "F.ctc_loss(x.log_softmax(2), torch.tensor([[1, 2, 3, 1, 2]] * 2), [30, 24], [5, 4])",
        {"x": ((30, 2, 4), N)},
        "float32",
    ),
    "unnormalised": (f"F.ctc_loss(lp, {T2}, [7, 5, 7], [3, 2, 3], reduction='sum')",
                     {"lp": ((7, 3, 5), N)}, "float64"),
    "unbatched": (
        "F.ctc_loss(x.log_softmax(1), torch.tensor([1, 3]), [6], [2])",
        {"x": ((6, 4), N)},
        "float64",
    ),
    "unbatched_none": (
        "F.ctc_loss(x.log_softmax(1), torch.tensor([1, 3]), torch.tensor(6), torch.tensor(2),"
        " reduction='none')",
        {"x": ((6, 4), N)},
        "float64",
    ),
    "strided": (
        f"F.ctc_loss(x.transpose(0, 1).log_softmax(2), {T2}, [7, 5, 7], [3, 2, 3])",
        {"x": ((3, 7, 5), N)},
        "float64",
    ),
    "module": (
        f"torch.nn.CTCLoss(blank=0, reduction='sum')({LS}, {T2}, [7, 5, 7], [3, 2, 3])",
        X,
        "float64",
    ),
    "module_zero_infinity": (
        f"torch.nn.CTCLoss(zero_infinity=True)({LS}, {T2}, [2, 5, 7], [3, 2, 3])", X, "float32"
    ),
}  # fmt: skip

L = {"lp": ((6, 2, 5), C)}
T = "torch.tensor([[1, 2, 2], [3, 1, 0]])"
ERRORS: dict[str, tuple[str, dict[str, tuple[tuple[int, ...], str]]]] = {
    "input_length_high": (f"F.ctc_loss(lp, {T}, [6, 7], [3, 2])", L),
    "input_length_negative": (f"F.ctc_loss(lp, {T}, [6, -1], [3, 2])", L),
    "target_length_negative": (f"F.ctc_loss(lp, {T}, [6, 5], [3, -2])", L),
    "target_too_short": (f"F.ctc_loss(lp, {T}, [6, 5], [4, 2])", L),
    "input_lengths_size": (f"F.ctc_loss(lp, {T}, [6], [3, 2])", L),
    "target_lengths_size": (f"F.ctc_loss(lp, {T}, [6, 5], [3])", L),
    "blank_high": (f"F.ctc_loss(lp, {T}, [6, 5], [3, 2], blank=5)", L),
    "blank_negative": (f"F.ctc_loss(lp, {T}, [6, 5], [3, 2], blank=-1)", L),
    "concatenated_size": ("F.ctc_loss(lp, torch.tensor([1, 2, 3]), [6, 5], [3, 2])", L),
    "float_lengths": (f"F.ctc_loss(lp, {T}, torch.tensor([6., 5.]), torch.tensor([3., 2.]))", L),
    "mixed_lengths": (f"F.ctc_loss(lp, {T}, torch.tensor([6, 5]), [3, 2])", L),
    "log_probs_4d": (f"F.ctc_loss(lp.unsqueeze(0), {T}, [6, 5], [3, 2])", L),
    "targets_3d": (f"F.ctc_loss(lp, {T}.unsqueeze(0), [6, 5], [3, 2])", L),
    "reduction": (f"F.ctc_loss(lp, {T}, [6, 5], [3, 2], reduction='foo')", L),
    "long_log_probs": (f"F.ctc_loss(lp.long(), {T}, [6, 5], [3, 2])", L),
    "unbatched_lengths": (f"F.ctc_loss(lp[:, 0], {T}[0], [6, 5], [3])", L),
    "unbatched_targets": (f"F.ctc_loss(lp[:, 0], {T}, [6], [3])", L),
    "int_lengths": (f"F.ctc_loss(lp, {T}, 6, 3)", L),
    "float_in_lengths": (f"F.ctc_loss(lp, {T}, [6.0, 5], [3, 2])", L),
}

REPRS: list[tuple[str, list[Any], dict[str, Any]]] = [
    ("CTCLoss", [], {}),
    ("CTCLoss", [], {"blank": 3, "reduction": "sum", "zero_infinity": True}),
]


def main() -> None:
    reprs = [
        {"cls": c, "args": a, "kwargs": k, "repr": repr(getattr(nn, c)(*a, **k))}
        for c, a, k in REPRS
    ]
    write("ctc_losses", CASES, ERRORS, 20261206, {"reprs": reprs})


if __name__ == "__main__":
    main()
