"""PyTorch's values, gradients, graphs and error texts for order statistics and running
reductions: median / nanmedian, kthvalue, mode, cummax / cummin, logcumsumexp, searchsorted and
bucketize. Writes ``tests/fixtures/torch/order_ops.json`` and ``order_ops.npz``.
"""

from __future__ import annotations

from _cases import C, N, write

NAN_ROWS = "torch.tensor([[1.0, float('nan'), 0.5], [2.0, -1.0, 0.25]])"
CASES = {
    "median_all": ("torch.median(a)", {"a": ((3, 5), N)}, "float64"),
    "median_even": ("a.median()", {"a": ((4,), N)}, "float32"),
    "median_dim": ("torch.median(a, 1)", {"a": ((3, 5), N)}, "float64"),
    "median_dim_even": ("a.median(0, keepdim=True)", {"a": ((4, 3), N)}, "float64"),
    "median_ties": (
        "torch.median(torch.tensor([2.0, 1.0, 2.0, 3.0]) * a)",
        {"a": ((1,), N)},
        "float64",
    ),
    "median_nan": (f"torch.median({NAN_ROWS} * a, 1)", {"a": ((1,), N)}, "float32"),
    "median_nan_all": (f"torch.median({NAN_ROWS} * a)", {"a": ((1,), N)}, "float32"),
    "nanmedian_all": (f"torch.nanmedian({NAN_ROWS} * a)", {"a": ((1,), N)}, "float64"),
    "nanmedian_dim": (f"torch.nanmedian({NAN_ROWS} * a, 1)", {"a": ((1,), N)}, "float64"),
    "nanmedian_plain": ("a.nanmedian(-1)", {"a": ((2, 4), N)}, "float32"),
    "kthvalue": ("torch.kthvalue(a, 2, 1)", {"a": ((3, 4), N)}, "float64"),
    "kthvalue_default_dim": ("a.kthvalue(3, keepdim=True)", {"a": ((2, 5), N)}, "float32"),
    "mode": (
        "torch.mode(torch.tensor([[1.0, 2, 2, 3], [4, 4, 1, 1]]) * a, 1)",
        {"a": ((1,), N)},
        "float64",
    ),
    "mode_unique": ("a.mode(0)", {"a": ((3, 2), N)}, "float64"),
    "cummax": ("torch.cummax(a, 1)", {"a": ((3, 5), N)}, "float64"),
    "cummax_ties": (
        "torch.cummax(torch.tensor([1.0, 3, 3, 2, 3]) * a, 0)",
        {"a": ((1,), N)},
        "float64",
    ),
    "cummin": ("a.cummin(0)", {"a": ((4, 3), N)}, "float32"),
    "cummax_nan": (f"torch.cummax({NAN_ROWS}, 1)", {}, "float32"),
    "cummin_long": ("torch.cummin(torch.tensor([3, 1, 2, 0]), 0)", {}, "float32"),
    "logcumsumexp": ("torch.logcumsumexp(a, 1)", {"a": ((3, 5), "wide")}, "float64"),
    "logcumsumexp_f32": ("a.logcumsumexp(0)", {"a": ((6, 2), N)}, "float32"),
    "logcumsumexp_big": ("torch.logcumsumexp(a * 100, 0)", {"a": ((5,), N)}, "float64"),
    "searchsorted": (
        "torch.searchsorted(torch.tensor([1.0, 2, 3, 5]), torch.tensor([[0.5, 2.0], [3.0, 9.0]]))",
        {},
        "float32",
    ),
    "searchsorted_right": (
        "torch.searchsorted(torch.tensor([1.0, 2, 2, 3]), torch.tensor([2.0, 0.0]), right=True)",
        {},
        "float32",
    ),
    "searchsorted_side": (
        "torch.searchsorted(torch.tensor([1.0, 2, 2, 3]), torch.tensor([2.0]), side='right', out_int32=True)",
        {},
        "float32",
    ),
    "searchsorted_rows": (
        "torch.searchsorted(torch.tensor([[1.0, 3, 5], [2, 4, 6]]), torch.tensor([[3.0], [3.0]]))",
        {},
        "float32",
    ),
    "searchsorted_scalar": ("torch.searchsorted(torch.tensor([1.0, 2, 3]), 2.5)", {}, "float32"),
    "searchsorted_sorter": (
        "torch.searchsorted(torch.tensor([3.0, 1, 2]), torch.tensor([2.5]), sorter=torch.tensor([1, 2, 0]))",
        {},
        "float32",
    ),
    "bucketize": (
        "torch.bucketize(torch.tensor([0.5, 1.0, 2.5, 7.0]), torch.tensor([1.0, 2, 3]))",
        {},
        "float32",
    ),
    "bucketize_right": (
        "torch.bucketize(torch.tensor([[1.0, 3.0]]), torch.tensor([1.0, 2, 3]), right=True)",
        {},
        "float32",
    ),
}

ERRORS = {
    "kthvalue_range": ("torch.kthvalue(a, 5, 1)", {"a": ((3, 4), C)}),
    "kthvalue_zero": ("torch.kthvalue(a, 0)", {"a": ((3, 4), C)}),
    "median_dim_range": ("torch.median(a, 2)", {"a": ((3, 4), C)}),
    "cummax_dim": ("torch.cummax(a, 2)", {"a": ((3, 4), C)}),
    "logcumsumexp_dim": ("torch.logcumsumexp(a, 3)", {"a": ((3, 4), C)}),
    "searchsorted_shapes": ("torch.searchsorted(a, a[:2])", {"a": ((3, 4), C)}),
    "searchsorted_side": ("torch.searchsorted(a[0], a[1], side='up')", {"a": ((3, 4), C)}),
    "searchsorted_opposites": (
        "torch.searchsorted(a[0], a[1], side='left', right=True)",
        {"a": ((3, 4), C)},
    ),
    "bucketize_2d": ("torch.bucketize(a[0], a)", {"a": ((3, 4), C)}),
}


def main() -> None:
    write("order_ops", CASES, ERRORS, 20261204)


if __name__ == "__main__":
    main()
