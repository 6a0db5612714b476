"""PyTorch's values, gradients, graphs and error texts for the math ops real programs reach for:
lerp, hypot, logaddexp, erf and erfinv, sinc, frexp / ldexp, heaviside; kron, tensordot,
cartesian_prod, block_diag, diag_embed, rot90, diff, tril / triu_indices. Writes
``tests/fixtures/torch/math_ops.json`` and ``math_ops.npz``.
"""

from __future__ import annotations

from _cases import C, N, write

CASES = {
    "lerp_scalar": ("torch.lerp(a, b, 0.3)", {"a": ((3, 4), N), "b": ((3, 4), N)}, "float64"),
    "lerp_big_weight": ("a.lerp(b, 0.8)", {"a": ((2, 5), N), "b": ((5,), N)}, "float32"),
    "lerp_tensor": (
        "torch.lerp(a, b, w)",
        {"a": ((3, 4), N), "b": ((3, 4), N), "w": ((4,), "prob")},
        "float64",
    ),
    "lerp_tensor_f32": (
        "torch.lerp(a, b, w * 2)",
        {"a": ((9,), N), "b": ((9,), N), "w": ((9,), "prob")},
        "float32",
    ),
    "lerp_inplace": ("(a * 1).lerp_(b, 0.25)", {"a": ((2, 3), N), "b": ((2, 3), N)}, "float64"),
    "hypot": ("torch.hypot(a, b)", {"a": ((3, 4), N), "b": ((4,), N)}, "float64"),
    "hypot_f32": ("a.hypot(b)", {"a": ((10,), N), "b": ((10,), N)}, "float32"),
    "logaddexp": ("torch.logaddexp(a, b)", {"a": ((3, 4), "wide"), "b": ((3, 4), N)}, "float64"),
    "logaddexp_f32": ("a.logaddexp(b)", {"a": ((11,), "wide"), "b": ((11,), N)}, "float32"),
    "logaddexp_inf": (
        "torch.logaddexp(torch.tensor([float('-inf'), float('inf'), 1.0]), a)",
        {"a": ((3,), N)},
        "float32",
    ),
    "logaddexp2": ("torch.logaddexp2(a, b)", {"a": ((3, 4), "wide"), "b": ((4,), N)}, "float64"),
    "erf": ("torch.erf(a)", {"a": ((3, 4), "wide")}, "float64"),
    "erf_f32": ("a.erf()", {"a": ((12,), N)}, "float32"),
    "erfc": ("torch.erfc(a)", {"a": ((3, 4), N)}, "float64"),
    "erfinv": ("torch.erfinv(a * 3 - 0.7)", {"a": ((3, 4), "prob")}, "float64"),
    "erfinv_f32": ("(a * 3 - 0.7).erfinv()", {"a": ((12,), "prob")}, "float32"),
    "sinc": ("torch.sinc(a)", {"a": ((3, 4), "wide")}, "float64"),
    "sinc_zero": ("torch.sinc(a * torch.tensor([0.0, 1.0, 2.0]))", {"a": ((3,), N)}, "float32"),
    "frexp": ("torch.frexp(a * 10)", {"a": ((3, 4), N)}, "float64"),
    "frexp_f32": ("a.frexp()", {"a": ((6,), "wide")}, "float32"),
    "ldexp": ("torch.ldexp(a, torch.tensor([1, -2, 3]))", {"a": ((2, 3), N)}, "float64"),
    "ldexp_float_exp": ("torch.ldexp(a, b)", {"a": ((2, 3), N), "b": ((3,), N)}, "float64"),
    "ldexp_int": ("torch.ldexp(torch.tensor([1, 2]), torch.tensor([3, 1]))", {}, "float32"),
    "heaviside": ("torch.heaviside(a, torch.tensor(0.5))", {"a": ((3, 4), C)}, "float32"),
    "heaviside_zeros": (
        "torch.heaviside(a * torch.tensor([0.0, 1.0, 0.0]), b)",
        {"a": ((3,), C), "b": ((3,), C)},
        "float64",
    ),
    "kron": ("torch.kron(a, b)", {"a": ((2, 3), N), "b": ((3, 2), N)}, "float64"),
    "kron_ranks": ("a.kron(b)", {"a": ((3,), N), "b": ((2, 2), N)}, "float32"),
    "tensordot_int": (
        "torch.tensordot(a, b, dims=1)",
        {"a": ((2, 3), N), "b": ((3, 4), N)},
        "float64",
    ),
    "tensordot_lists": (
        "torch.tensordot(a, b, dims=([1, 2], [1, 0]))",
        {"a": ((2, 3, 4), N), "b": ((4, 3, 5), N)},
        "float64",
    ),
    "tensordot_all": ("torch.tensordot(a, b)", {"a": ((2, 3), N), "b": ((2, 3), N)}, "float64"),
    "tensordot_outer": ("torch.tensordot(a, b, 0)", {"a": ((2,), N), "b": ((3,), N)}, "float32"),
    "tensordot_vectors": ("torch.tensordot(a, b, 1)", {"a": ((3,), N), "b": ((3,), N)}, "float64"),
    "tensordot_transposed": (
        "torch.tensordot(a, b.t(), dims=1)",
        {"a": ((2, 3), N), "b": ((2, 3), N)},
        "float64",
    ),
    "tensordot_broadcast_dim": (
        "torch.tensordot(a, b, dims=([1], [0]))",
        {"a": ((2, 1), N), "b": ((3, 4), N)},
        "float64",
    ),
    "cartesian_prod": ("torch.cartesian_prod(a, b)", {"a": ((3,), N), "b": ((2,), N)}, "float64"),
    "cartesian_prod_three": (
        "torch.cartesian_prod(a, b, a)",
        {"a": ((2,), N), "b": ((2,), N)},
        "float32",
    ),
    "block_diag": (
        "torch.block_diag(a, b, c.sum(), d)",
        {"a": ((2, 3), N), "b": ((1, 2), N), "c": ((2,), N), "d": ((3,), N)},
        "float64",
    ),
    "block_diag_promotes": (
        "torch.block_diag(a, torch.tensor([[1, 2]]))",
        {"a": ((2, 2), N)},
        "float32",
    ),
    "block_diag_empty": ("torch.block_diag()", {}, "float32"),
    "diag_embed": ("torch.diag_embed(a)", {"a": ((2, 3), N)}, "float64"),
    "diag_embed_offset": (
        "a.diag_embed(offset=-1, dim1=0, dim2=2)",
        {"a": ((2, 3), N)},
        "float64",
    ),
    "diag_embed_up": ("torch.diag_embed(a, 2)", {"a": ((3,), N)}, "float32"),
    "rot90": ("torch.rot90(a)", {"a": ((2, 3), N)}, "float64"),
    "rot90_k": ("a.rot90(3, [1, 2])", {"a": ((2, 3, 4), N)}, "float64"),
    "rot90_neg": ("torch.rot90(a, -2, (1, 0))", {"a": ((2, 3), N)}, "float32"),
    "rot90_zero": ("torch.rot90(a, 0)", {"a": ((2, 3), N)}, "float64"),
    "diff": ("torch.diff(a)", {"a": ((3, 4), N)}, "float64"),
    "diff_n": ("a.diff(n=2, dim=0)", {"a": ((4, 3), N)}, "float64"),
    "diff_ends": (
        "torch.diff(a, dim=0, prepend=b, append=b * 2)",
        {"a": ((3, 2), N), "b": ((1, 2), N)},
        "float64",
    ),
    "diff_zero": ("torch.diff(a, n=0)", {"a": ((2, 3), N)}, "float64"),
    "diff_long": ("torch.diff(torch.tensor([1, 5, 2, 2]))", {}, "float32"),
    "diff_bool": ("torch.diff(a > 0)", {"a": ((6,), C)}, "float32"),
    "diff_past_length": ("torch.diff(a, n=4)", {"a": ((2, 3), N)}, "float64"),
    "tril_indices": ("torch.tril_indices(3, 4)", {}, "float32"),
    "tril_indices_offset": ("torch.tril_indices(4, 3, -1, dtype=torch.int32)", {}, "float32"),
    "triu_indices": ("torch.triu_indices(3, 4, 1)", {}, "float32"),
    "triu_indices_square": ("torch.triu_indices(4, 4)", {}, "float32"),
}

ERRORS = {
    "lerp_end_dtype": ("torch.lerp(a, a.double(), 0.5)", {"a": ((3,), C)}),
    "lerp_weight_dtype": ("torch.lerp(a, a, a.double())", {"a": ((3,), C)}),
    "lerp_shape": ("torch.lerp(a, b, 0.5)", {"a": ((3,), C), "b": ((2,), C)}),
    "lerp_long": ("torch.lerp(torch.tensor([1, 2]), torch.tensor([1, 2]), 0.5)", {}),
    "hypot_number": ("torch.hypot(a, 2.0)", {"a": ((3,), C)}),
    "hypot_shape": ("torch.hypot(a, b)", {"a": ((3,), C), "b": ((2,), C)}),
    "logaddexp_number": ("torch.logaddexp(a, 2.0)", {"a": ((3,), C)}),
    "logaddexp_long": ("torch.logaddexp(torch.tensor([1, 2]), torch.tensor([1, 2]))", {}),
    "heaviside_dtypes": ("torch.heaviside(a, a.double())", {"a": ((3,), C)}),
    "heaviside_backward": (
        "torch.heaviside(a.requires_grad_(), a.detach()).sum().backward()",
        {"a": ((3,), C)},
    ),
    "frexp_long": ("torch.frexp(torch.tensor([1, 2]))", {}),
    "tensordot_sizes": ("torch.tensordot(a, a, dims=[[0], [1]])", {"a": ((3, 4), C)}),
    "tensordot_negative": ("torch.tensordot(a, a, dims=-1)", {"a": ((3, 4), C)}),
    "tensordot_too_many": ("torch.tensordot(a, a, dims=3)", {"a": ((3, 4), C)}),
    "tensordot_dtypes": ("torch.tensordot(a, a.double(), dims=1)", {"a": ((3, 3), C)}),
    "tensordot_lengths": ("torch.tensordot(a, a, dims=([0, 1], [0]))", {"a": ((3, 3), C)}),
    "tensordot_int_pair": ("torch.tensordot(a, a, dims=(1, 1))", {"a": ((3, 4), C)}),
    "cartesian_prod_2d": ("torch.cartesian_prod(a)", {"a": ((3, 4), C)}),
    "block_diag_3d": ("torch.block_diag(a)", {"a": ((2, 2, 2), C)}),
    "diag_embed_same_dims": ("torch.diag_embed(a, dim1=0, dim2=0)", {"a": ((3, 4), C)}),
    "diag_embed_0d": ("torch.diag_embed(a.sum())", {"a": ((3,), C)}),
    "rot90_same_dims": ("torch.rot90(a, 1, [0, 0])", {"a": ((3, 4), C)}),
    "rot90_one_dim": ("torch.rot90(a, 1, [0])", {"a": ((3, 4), C)}),
    "rot90_vector": ("torch.rot90(a)", {"a": ((3,), C)}),
    "rot90_range": ("torch.rot90(a, 1, [0, 3])", {"a": ((3, 4), C)}),
    "rot90_opposite": ("torch.rot90(a, 1, [0, -2])", {"a": ((3, 4), C)}),
    "diff_0d": ("torch.diff(a.sum())", {"a": ((3,), C)}),
    "diff_order": ("torch.diff(a, n=-1)", {"a": ((3, 4), C)}),
    "diff_dim": ("torch.diff(a, dim=2)", {"a": ((3, 4), C)}),
    "diff_prepend_shape": ("torch.diff(a, prepend=a[:1])", {"a": ((3, 4), C)}),
    "tril_indices_float": ("torch.tril_indices(3, 3, dtype=torch.float32)", {}),
    "tril_indices_negative": ("torch.tril_indices(-1, 3)", {}),
}


def main() -> None:
    write("math_ops", CASES, ERRORS, 20261203)


if __name__ == "__main__":
    main()
