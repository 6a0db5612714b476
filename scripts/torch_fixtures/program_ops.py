"""PyTorch's values, gradients, graphs and error texts for the tensor functions real programs
call that sit outside the layers: distances (``cdist``, ``pdist``), quantiles (``quantile``,
``nanquantile``), runs (``unique_consecutive``), the trapezoid rule (``trapezoid``, ``trapz``,
``cumulative_trapezoid``). Writes
``tests/fixtures/torch/program_ops.json`` and ``program_ops.npz``.
"""

from __future__ import annotations

from _cases import C, N, write

A, B = ((3, 4), N), ((5, 4), N)
Q3 = "torch.tensor([0.1, 0.5, 0.75], dtype=a.dtype)"
NAN_MASK = "torch.tensor([[True, False, False, False], [False] * 4, [True] * 4])"
QUANTILES = {
    "quantile": ("torch.quantile(a, 0.3)", {"a": A}, "float64"),
    "quantile_float32": ("torch.quantile(a, 0.3)", {"a": A}, "float32"),
    "quantile_dim": ("torch.quantile(a, 0.3, dim=1)", {"a": A}, "float64"),
    "quantile_dim0_keepdim": ("torch.quantile(a, 0.6, 0, True)", {"a": A}, "float64"),
    "quantile_dims_3d": ("a.quantile(0.25, dim=1, keepdim=True)", {"a": ((2, 3, 4), N)}, "float64"),
    "quantile_q_tensor": (f"torch.quantile(a, {Q3})", {"a": A}, "float64"),
    "quantile_q_tensor_dim": (f"torch.quantile(a, {Q3}, dim=0)", {"a": A}, "float64"),
    "quantile_q_tensor_keepdim": (
        f"torch.quantile(a, {Q3}, dim=-1, keepdim=True)",
        {"a": A},
        "float32",
    ),
    "quantile_q_0d_tensor": (
        "torch.quantile(a, torch.tensor(0.4, dtype=a.dtype))",
        {"a": A},
        "float64",
    ),
    "quantile_q_empty": (
        "torch.quantile(a, torch.tensor([], dtype=a.dtype), dim=1)",
        {"a": A},
        "float64",
    ),
    "quantile_q_ends": (
        "torch.quantile(a, torch.tensor([0.0, 1.0], dtype=a.dtype), 1)",
        {"a": A},
        "float64",
    ),
    "quantile_q_true": ("torch.quantile(a, True)", {"a": A}, "float64"),
    "quantile_q_int": ("torch.quantile(a, 0, dim=1)", {"a": A}, "float64"),
    "quantile_keepdim_all": ("torch.quantile(a, 0.5, keepdim=True)", {"a": A}, "float64"),
    "quantile_vector": ("torch.quantile(a, 0.5)", {"a": ((6,), N)}, "float64"),
    "quantile_scalar": ("torch.quantile(a.sum(), 0.5, dim=0, keepdim=True)", {"a": A}, "float64"),
    "quantile_scalar_q_tensor": (
        f"torch.quantile(a.sum(), {Q3}, keepdim=True)",
        {"a": A},
        "float64",
    ),
    "quantile_nan": (
        f"torch.quantile(a.masked_fill({NAN_MASK}, float('nan')), 0.5, 1)",
        {"a": A},
        "float64",
    ),
    "quantile_keywords": (
        "torch.quantile(input=a, q=0.5, dim=torch.tensor(1))",
        {"a": A},
        "float64",
    ),
    **{
        f"quantile_{mode}": (
            f"torch.quantile(a, {Q3}, dim=1, interpolation='{mode}')",
            {"a": A},
            "float64",
        )
        for mode in ("linear", "lower", "higher", "midpoint", "nearest")
    },
    "quantile_nearest_halves": (
        "torch.quantile(a, torch.tensor([0.125, 0.375, 0.625], dtype=a.dtype), interpolation='nearest')",
        {"a": ((5,), N)},
        "float64",
    ),
    "quantile_midpoint_scalar": ("a.quantile(0.5, interpolation='midpoint')", {"a": A}, "float32"),
    "nanquantile": ("torch.nanquantile(a, 0.3)", {"a": A}, "float64"),
    "nanquantile_nan": (
        f"torch.nanquantile(a.masked_fill({NAN_MASK}, float('nan')), {Q3}, 1)",
        {"a": A},
        "float64",
    ),
    "nanquantile_nan_all": (
        f"a.masked_fill({NAN_MASK}, float('nan')).nanquantile(0.5)",
        {"a": A},
        "float64",
    ),
    "nanquantile_nan_lower": (
        f"torch.nanquantile(a.masked_fill({NAN_MASK}, float('nan')), 0.4, dim=1, interpolation='lower')",
        {"a": A},
        "float64",
    ),
    "nanquantile_midpoint_keepdim": (
        f"torch.nanquantile(a.masked_fill({NAN_MASK}, float('nan')), 0.5, 1, True, interpolation='midpoint')",
        {"a": A},
        "float32",
    ),
}
I3 = "index:3"
RUNS = {
    "unique_consecutive": ("torch.unique_consecutive(a)", {"a": ((12,), I3)}, "float64"),
    "unique_consecutive_all": (
        "torch.unique_consecutive(a, return_inverse=True, return_counts=True)",
        {"a": ((3, 5), I3)},
        "float64",
    ),
    "unique_consecutive_inverse": (
        "torch.unique_consecutive(a, return_inverse=True)",
        {"a": ((10,), I3)},
        "float64",
    ),
    "unique_consecutive_counts": (
        "a.unique_consecutive(return_counts=True)",
        {"a": ((2, 6), I3)},
        "float64",
    ),
    "unique_consecutive_float": (
        "torch.unique_consecutive((a * 1.5).round(), return_inverse=True, return_counts=True)",
        {"a": ((14,), C)},
        "float32",
    ),
    "unique_consecutive_dim0": (
        "torch.unique_consecutive(a[[0, 0, 1, 2, 2, 2, 0]], return_inverse=True, return_counts=True, dim=0)",
        {"a": ((3, 4), I3)},
        "float64",
    ),
    "unique_consecutive_dim1": (
        "torch.unique_consecutive(a[:, [1, 1, 0, 0, 2, 1]], return_inverse=True, return_counts=True, dim=-1)",
        {"a": ((2, 3), C)},
        "float64",
    ),
    "unique_consecutive_dim_3d": (
        "torch.unique_consecutive(a.repeat_interleave(2, 1), return_counts=True, dim=1)",
        {"a": ((2, 3, 2), I3)},
        "float64",
    ),
    "unique_consecutive_empty": (
        "torch.unique_consecutive(a, return_inverse=True, return_counts=True)",
        {"a": ((0,), C)},
        "float64",
    ),
    "unique_consecutive_empty_dim": (
        "torch.unique_consecutive(a, return_inverse=True, return_counts=True, dim=0)",
        {"a": ((0, 3), C)},
        "float64",
    ),
    "unique_consecutive_scalar": (
        "torch.unique_consecutive(a.sum(), return_inverse=True, return_counts=True)",
        {"a": ((3,), C)},
        "float64",
    ),
    "unique_consecutive_nan": (
        "torch.unique_consecutive(torch.tensor([float('nan'), float('nan'), 1.0, 1.0, -0.0, 0.0]), return_counts=True)",
        {},
        "float64",
    ),
    "unique_consecutive_nan_rows": (
        "torch.unique_consecutive(torch.tensor([[float('nan'), 1.0], [float('nan'), 1.0], [2.0, 2.0]]), return_inverse=True, dim=0)",
        {},
        "float64",
    ),
    "unique_consecutive_bool": (
        "torch.unique_consecutive(a > 0, return_counts=True, dim=None)",
        {"a": ((9,), C)},
        "float64",
    ),
    "unique_consecutive_keywords": (
        "torch.unique_consecutive(input=a, dim=0, return_counts=True)",
        {"a": ((7,), I3)},
        "float64",
    ),
}
X4 = ((4,), N)
TRAPEZOID = {
    "trapezoid": ("torch.trapezoid(a)", {"a": A}, "float64"),
    "trapezoid_float32": ("torch.trapezoid(a, dim=0)", {"a": A}, "float32"),
    "trapezoid_dx": ("torch.trapezoid(a, dx=0.5)", {"a": A}, "float64"),
    "trapezoid_dx_int": ("torch.trapezoid(a, dx=2, dim=0)", {"a": A}, "float64"),
    "trapezoid_dx_tensor": ("torch.trapezoid(a, dx=torch.tensor(0.25))", {"a": A}, "float64"),
    "trapezoid_x": ("torch.trapezoid(a, x)", {"a": A, "x": X4}, "float64"),
    "trapezoid_x_keyword": ("torch.trapezoid(a, x=x, dim=-1)", {"a": A, "x": X4}, "float32"),
    "trapezoid_x_same_shape": ("torch.trapezoid(a, x, dim=0)", {"a": A, "x": A}, "float64"),
    "trapezoid_x_row": ("torch.trapezoid(a, x)", {"a": A, "x": ((1, 4), N)}, "float64"),
    "trapezoid_x_padded": (
        "torch.trapezoid(a, x, dim=1)",
        {"a": ((2, 3, 4), N), "x": ((3, 4), N)},
        "float64",
    ),
    "trapezoid_x_dtypes": ("torch.trapezoid(a, x.float())", {"a": A, "x": X4}, "float64"),
    "trapezoid_long": ("torch.trapezoid(torch.arange(5))", {}, "float64"),
    "trapezoid_long_dx": ("torch.trapezoid(torch.arange(6).view(2, 3), dx=2)", {}, "float64"),
    "trapezoid_long_x": ("torch.trapezoid(torch.arange(5), torch.arange(5) ** 2)", {}, "float64"),
    "trapezoid_one_sample": ("torch.trapezoid(a[:, :1])", {"a": A}, "float64"),
    "trapezoid_no_samples": ("torch.trapezoid(a[:, :0])", {"a": A}, "float64"),
    "trapezoid_no_samples_x": ("torch.trapezoid(a[:0], x, dim=0)", {"a": A, "x": X4}, "float64"),
    "trapz": ("torch.trapz(a)", {"a": A}, "float64"),
    "trapz_x": ("torch.trapz(a, x, dim=1)", {"a": A, "x": X4}, "float64"),
    "trapz_dx": ("torch.trapz(a, dx=1.5, dim=0)", {"a": A}, "float64"),
    "trapz_dx_bool": ("torch.trapz(a, dx=True)", {"a": A}, "float64"),
    "cumulative_trapezoid": ("torch.cumulative_trapezoid(a)", {"a": A}, "float64"),
    "cumulative_trapezoid_float32": ("torch.cumulative_trapezoid(a, dim=0)", {"a": A}, "float32"),
    "cumulative_trapezoid_dx": (
        "torch.cumulative_trapezoid(a, dx=0.5, dim=0)",
        {"a": A},
        "float64",
    ),
    "cumulative_trapezoid_x": ("torch.cumulative_trapezoid(a, x)", {"a": A, "x": X4}, "float64"),
    "cumulative_trapezoid_x_row": (
        "torch.cumulative_trapezoid(a, x)",
        {"a": A, "x": ((1, 4), N)},
        "float64",
    ),
    "cumulative_trapezoid_one_sample": (
        "torch.cumulative_trapezoid(a[:, :1])",
        {"a": A},
        "float64",
    ),
    "cumulative_trapezoid_long": ("torch.cumulative_trapezoid(torch.arange(5))", {}, "float64"),
}
CASES = {
    **{
        f"cdist_p{name}": (f"torch.cdist(a, b, p={p})", {"a": A, "b": B}, "float64")
        for name, p in (
            ("0", 0),
            ("1", 1),
            ("2", 2.0),
            ("half", 0.5),
            ("3_5", 3.5),
            ("inf", "float('inf')"),
        )
    },
    "cdist_default_float32": ("torch.cdist(a, b)", {"a": A, "b": B}, "float32"),
    "cdist_p1_float32": ("torch.cdist(a, b, 1)", {"a": A, "b": B}, "float32"),
    "cdist_batched": ("torch.cdist(a, b, p=1.5)", {"a": ((2, 3, 4), N), "b": B}, "float64"),
    "cdist_broadcast_batches": (
        "torch.cdist(a, b, p=3)",
        {"a": ((2, 1, 3, 2), N), "b": ((3, 4, 2), N)},
        "float64",
    ),
    "cdist_mm_rows": ("torch.cdist(a, b)", {"a": ((30, 3), N), "b": ((4, 3), N)}, "float64"),
    "cdist_mm_rows_float32": (
        "torch.cdist(a, b)",
        {"a": ((3, 3), N), "b": ((27, 3), N)},
        "float32",
    ),
    "cdist_mm_forced": (
        "torch.cdist(a, b, compute_mode='use_mm_for_euclid_dist')",
        {"a": A, "b": B},
        "float64",
    ),
    "cdist_mm_batched": (
        "torch.cdist(a, b, 2, 'use_mm_for_euclid_dist')",
        {"a": ((2, 3, 4), N), "b": B},
        "float64",
    ),
    "cdist_mm_one_batch": (
        "torch.cdist(a, b, compute_mode='use_mm_for_euclid_dist')",
        {"a": ((1, 3, 4), N), "b": B},
        "float64",
    ),
    "cdist_mm_declined": (
        "torch.cdist(a, b, compute_mode='donot_use_mm_for_euclid_dist')",
        {"a": ((30, 3), N), "b": ((4, 3), N)},
        "float64",
    ),
    "cdist_same_points": ("torch.cdist(a, a[:2])", {"a": A}, "float64"),
    "cdist_no_rows": ("torch.cdist(a, b)", {"a": ((0, 4), N), "b": B}, "float64"),
    "cdist_no_columns": ("torch.cdist(a, b)", {"a": ((3, 0), N), "b": ((5, 0), N)}, "float64"),
    "cdist_keywords": ("torch.cdist(x1=a, x2=b, p=True)", {"a": A, "b": B}, "float64"),
    "cdist_tensor_p": ("torch.cdist(a, b, torch.tensor(1.0))", {"a": A, "b": B}, "float64"),
    "pdist": ("torch.pdist(a)", {"a": ((4, 3), N)}, "float64"),
    "pdist_float32": ("torch.pdist(a)", {"a": ((5, 3), N)}, "float32"),
    "pdist_p1": ("torch.pdist(a, 1)", {"a": ((4, 3), N)}, "float64"),
    "pdist_p0": ("torch.pdist(a, 0)", {"a": ((4, 3), N)}, "float64"),
    "pdist_p_half": ("torch.pdist(a, p=0.5)", {"a": ((4, 3), N)}, "float64"),
    "pdist_p3": ("torch.pdist(input=a, p=3)", {"a": ((4, 3), N)}, "float64"),
    "pdist_inf": ("F.pdist(a, float('inf'))", {"a": ((4, 3), N)}, "float64"),
    "pdist_one_row": ("torch.pdist(a)", {"a": ((1, 3), N)}, "float64"),
    "pdist_no_columns": ("torch.pdist(a)", {"a": ((3, 0), N)}, "float64"),
    "pdist_transposed": ("torch.pdist(a.t())", {"a": ((3, 4), N)}, "float64"),
    **QUANTILES,
    **RUNS,
    **TRAPEZOID,
}

ERRORS = {
    "cdist_1d": ("torch.cdist(a[0], a)", {"a": A}),
    "cdist_second_1d": ("torch.cdist(a, a[0])", {"a": A}),
    "cdist_columns": ("torch.cdist(a, a[:, :3])", {"a": A}),
    "cdist_long": ("torch.cdist(a.long(), a)", {"a": A}),
    "cdist_second_long": ("torch.cdist(a, a.long())", {"a": A}),
    "cdist_negative_p": ("torch.cdist(a, a, p=-1)", {"a": A}),
    "cdist_nan_p": ("torch.cdist(a, a, p=float('nan'))", {"a": A}),
    "cdist_str_p": ("torch.cdist(a, a, p='2')", {"a": A}),
    "cdist_mode": ("torch.cdist(a, a, compute_mode='x')", {"a": A}),
    "cdist_mode_none": ("torch.cdist(a, a, 2, None)", {"a": A}),
    "cdist_mode_int": ("torch.cdist(a, a, 2, 1)", {"a": A}),
    "cdist_dtypes": ("torch.cdist(a, a.double())", {"a": A}),
    "cdist_dtypes_double_first": ("torch.cdist(a.double(), a)", {"a": A}),
    "cdist_dtypes_mm": ("torch.cdist(a, b.double())", {"a": ((30, 4), C), "b": A}),
    "cdist_half": ("torch.cdist(a.half(), a.half())", {"a": A}),
    "cdist_batches": (
        "torch.cdist(a.expand(2, 3, 4), a.expand(3, 3, 4))",
        {"a": A},
    ),
    "cdist_method": ("a.cdist(a)", {"a": A}),
    "pdist_1d": ("torch.pdist(a[0])", {"a": A}),
    "pdist_long": ("torch.pdist(a.long())", {"a": A}),
    "pdist_negative_p": ("torch.pdist(a, -1)", {"a": A}),
    "pdist_str_p": ("torch.pdist(a, 'x')", {"a": A}),
    "quantile_q_above": ("torch.quantile(a, 1.5)", {"a": A}),
    "quantile_q_below": ("torch.quantile(a, -0.1)", {"a": A}),
    "quantile_q_nan": ("torch.quantile(a, float('nan'))", {"a": A}),
    "quantile_q_big_int": ("torch.quantile(a, 2)", {"a": A}),
    "nanquantile_q_above": ("torch.nanquantile(a, 1.5)", {"a": A}),
    "quantile_q_values": ("torch.quantile(a, torch.tensor([0.5, 1.5]))", {"a": A}),
    "quantile_q_values_nan": ("torch.quantile(a, torch.tensor([float('nan')]))", {"a": A}),
    "quantile_long": ("torch.quantile(a.long(), 0.5)", {"a": A}),
    "quantile_long_q_above": ("torch.quantile(a.long(), 1.5)", {"a": A}),
    "quantile_half": ("torch.quantile(a.half(), 0.5)", {"a": A}),
    "quantile_empty": ("torch.quantile(a[:0], 0.5)", {"a": A}),
    "quantile_empty_dim": ("torch.quantile(a[:, :0], 0.5, dim=0)", {"a": A}),
    "quantile_q_2d": ("torch.quantile(a, torch.ones(2, 2) * 0.5)", {"a": A}),
    "quantile_q_dtype": ("torch.quantile(a, torch.tensor([0.5]).double())", {"a": A}),
    "quantile_interpolation": ("torch.quantile(a, 0.5, interpolation='foo')", {"a": A}),
    "nanquantile_interpolation": ("torch.nanquantile(a, 0.5, interpolation='cubic')", {"a": A}),
    "quantile_interpolation_long": ("torch.quantile(a.long(), 0.5, interpolation='foo')", {"a": A}),
    "quantile_interpolation_empty": ("torch.quantile(a[:0], 0.5, interpolation='foo')", {"a": A}),
    "quantile_dim_range": ("torch.quantile(a, 0.5, dim=2)", {"a": A}),
    "quantile_dim_range_negative": ("torch.quantile(a, 0.5, dim=-3)", {"a": A}),
    "quantile_dim_range_empty": ("torch.quantile(a[:0], 0.5, dim=3)", {"a": A}),
    "quantile_q_str": ("torch.quantile(a, '0.5')", {"a": A}),
    "quantile_q_list": ("torch.quantile(a, [0.1, 0.5])", {"a": A}),
    "quantile_dim_float": ("torch.quantile(a, 0.5, dim=1.0)", {"a": A}),
    "quantile_keepdim_int": ("torch.quantile(a, 0.5, keepdim=1)", {"a": A}),
    "quantile_interpolation_none": ("torch.quantile(a, 0.5, interpolation=None)", {"a": A}),
    "nanquantile_q_str": ("torch.nanquantile(a, 'x')", {"a": A}),
    "quantile_dim_range_dtype": ("torch.quantile(a.long(), 0.5, dim=3)", {"a": A}),
    "quantile_dim_range_q_values": ("torch.quantile(a, torch.tensor([0.5, 1.5]), dim=3)", {"a": A}),
    "unique_consecutive_dim_range": ("torch.unique_consecutive(a, dim=2)", {"a": A}),
    "unique_consecutive_scalar_dim": ("torch.unique_consecutive(a.sum(), dim=0)", {"a": A}),
    "unique_consecutive_zero_sized": (
        "torch.unique_consecutive(a[:0], return_counts=True, dim=1)",
        {"a": A},
    ),
    "unique_consecutive_dim_float": ("torch.unique_consecutive(a, dim=1.0)", {"a": A}),
    "unique_consecutive_inverse_int": ("torch.unique_consecutive(a, return_inverse=1)", {"a": A}),
    "unique_consecutive_counts_str": ("torch.unique_consecutive(a, return_counts='x')", {"a": A}),
    "unique_consecutive_backward": (
        "torch.unique_consecutive(a.requires_grad_()).sum().backward()",
        {"a": A},
    ),
    "trapezoid_scalar": ("torch.trapezoid(a.sum())", {"a": A}),
    "trapezoid_dim_range": ("torch.trapezoid(a, dx=0.5, dim=3)", {"a": A}),
    "trapezoid_x_dim_range": ("torch.trapezoid(a, a, dim=-3)", {"a": A}),
    "trapezoid_x_count": ("torch.trapezoid(a, a[0, :3])", {"a": A}),
    "trapezoid_x_count_dim": ("torch.trapezoid(a, a[0], dim=0)", {"a": A}),
    "trapezoid_x_broadcast": ("torch.trapezoid(a, torch.ones(2, 3, 4))", {"a": A}),
    "trapezoid_x_column": ("torch.trapezoid(a, a[0].view(4, 1), dim=0)", {"a": A}),
    "trapezoid_x_and_dx": ("torch.trapezoid(a, a, dx=1.0)", {"a": A}),
    "trapezoid_x_float": ("torch.trapezoid(a, 2.0)", {"a": A}),
    "trapezoid_dx_str": ("torch.trapezoid(a, dx='a')", {"a": A}),
    "trapezoid_dx_bool": ("torch.trapezoid(a, dx=True)", {"a": A}),
    "trapezoid_dim_float": ("torch.trapezoid(a, dim=1.0)", {"a": A}),
    "trapezoid_bool": ("torch.trapezoid(a > 0)", {"a": A}),
    "trapezoid_bool_x": ("torch.trapezoid(a, a > 0)", {"a": A}),
    "trapezoid_method": ("a.trapezoid()", {"a": A}),
    "trapz_x_count": ("torch.trapz(a, a[0], dim=0)", {"a": A}),
    "trapz_dx_str": ("torch.trapz(a, dx='a')", {"a": A}),
    "cumulative_trapezoid_x_count": ("torch.cumulative_trapezoid(a, a[0, :3])", {"a": A}),
    "cumulative_trapezoid_dx_bool": ("torch.cumulative_trapezoid(a, dx=False)", {"a": A}),
    "cumulative_trapezoid_bool": ("torch.cumulative_trapezoid(a > 0, a)", {"a": A}),
    "cumulative_trapezoid_scalar": ("torch.cumulative_trapezoid(a.sum())", {"a": A}),
    "cumulative_trapezoid_scalars": ("torch.cumulative_trapezoid(a.sum(), a.sum())", {"a": A}),
    "cumulative_trapezoid_scalar_x": ("torch.cumulative_trapezoid(a.sum(), a[0])", {"a": A}),
    "trapezoid_scalar_x": ("torch.trapezoid(a.sum(), a.sum())", {"a": A}),
    "trapezoid_scalar_x_dim": ("torch.trapezoid(a.sum(), a.sum(), dim=3)", {"a": A}),
}


def main() -> None:
    write("program_ops", CASES, ERRORS, 20261204)


if __name__ == "__main__":
    main()
