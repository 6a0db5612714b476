"""PyTorch's values, gradients, graphs and error texts for ``Tensor.unfold(dimension, size,
step)``, the fused products ``addmv``, ``addr``, ``addbmm``, ``baddbmm`` (and their in-place
forms) and ``cov`` / ``corrcoef``. Writes ``tests/fixtures/torch/blas_stats.json`` and ``.npz``.
"""

from __future__ import annotations

from _cases import C, N, write

CASES = {
    "unfold": ("a.unfold(1, 3, 2)", {"a": ((3, 8), N)}, "float64"),
    "unfold_dim0": ("a.unfold(0, 2, 1)", {"a": ((4, 3), N)}, "float32"),
    "unfold_negative_dim": ("a.unfold(-1, 2, 3)", {"a": ((2, 3, 7), N)}, "float64"),
    "unfold_whole": ("a.unfold(0, 5, 1)", {"a": ((5,), N)}, "float64"),
    "unfold_empty_window": ("a.unfold(1, 0, 1)", {"a": ((2, 3), N)}, "float64"),
    "unfold_scalar": ("a.sum().unfold(0, 1, 1)", {"a": ((3,), N)}, "float64"),
    "unfold_of_transposed": ("a.t().unfold(1, 2, 2)", {"a": ((5, 3), N)}, "float64"),
    "unfold_twice": ("a.unfold(0, 3, 1).unfold(1, 2, 1)", {"a": ((5, 4), N)}, "float64"),
    "addmv": (
        "torch.addmv(b, m, v)",
        {"b": ((2,), N), "m": ((2, 3), N), "v": ((3,), N)},
        "float64",
    ),
    "addmv_scaled": (
        "torch.addmv(b, m, v, beta=0.5, alpha=-2)",
        {"b": ((1,), N), "m": ((4, 3), N), "v": ((3,), N)},
        "float32",
    ),
    "addmv_beta_zero": (
        "torch.addmv(b / 0, m, v, beta=0)",
        {"b": ((2,), C), "m": ((2, 3), N), "v": ((3,), N)},
        "float64",
    ),
    "addmv_method": (
        "b.addmv(m, v, alpha=3)",
        {"b": ((), N), "m": ((2, 3), N), "v": ((3,), N)},
        "float64",
    ),
    "addmv_inplace": (
        "(b * 1).addmv_(m, v, beta=2)",
        {"b": ((2,), N), "m": ((2, 3), N), "v": ((3,), N)},
        "float64",
    ),
    "addr": ("torch.addr(a, x, y)", {"a": ((2, 3), N), "x": ((2,), N), "y": ((3,), N)}, "float64"),
    "addr_scaled": (
        "a.addr(x, y, beta=-1, alpha=0.5)",
        {"a": ((3,), N), "x": ((2,), N), "y": ((3,), N)},
        "float32",
    ),
    "addr_inplace": (
        "(a * 1).addr_(x, y, alpha=2)",
        {"a": ((2, 3), N), "x": ((2,), N), "y": ((3,), N)},
        "float64",
    ),
    "addr_long": (
        "torch.addr(torch.ones(2, 3, dtype=torch.long), torch.tensor([1, 2]), "
        "torch.tensor([3, 4, 5]), beta=2, alpha=3)",
        {},
        "float32",
    ),
    "addbmm": (
        "torch.addbmm(a, x, y)",
        {"a": ((2, 3), N), "x": ((4, 2, 5), N), "y": ((4, 5, 3), N)},
        "float64",
    ),
    "addbmm_scaled": (
        "a.addbmm(x, y, beta=0.25, alpha=2)",
        {"a": ((3,), N), "x": ((2, 2, 4), N), "y": ((2, 4, 3), N)},
        "float32",
    ),
    "addbmm_inplace": (
        "(a * 1).addbmm_(x, y, alpha=-1)",
        {"a": ((2, 3), N), "x": ((3, 2, 2), N), "y": ((3, 2, 3), N)},
        "float64",
    ),
    "baddbmm_inplace": (
        "(a * 1).baddbmm_(x, y, beta=3)",
        {"a": ((2, 2, 3), N), "x": ((2, 2, 4), N), "y": ((2, 4, 3), N)},
        "float64",
    ),
    "addmm_inplace": (
        "(a * 1).addmm_(x, y, alpha=0.5)",
        {"a": ((2, 3), N), "x": ((2, 4), N), "y": ((4, 3), N)},
        "float64",
    ),
    "cov": ("torch.cov(a)", {"a": ((3, 5), N)}, "float64"),
    "cov_f32": ("a.cov(correction=0)", {"a": ((4, 9), N)}, "float32"),
    "cov_vector": ("torch.cov(a)", {"a": ((6,), N)}, "float64"),
    "cov_fweights": (
        "torch.cov(a, correction=2, fweights=torch.tensor([1, 2, 0, 3, 1]))",
        {"a": ((2, 5), N)},
        "float64",
    ),
    "cov_aweights": (
        "torch.cov(a, aweights=w)",
        {"a": ((3, 4), N), "w": ((4,), "prob")},
        "float64",
    ),
    "cov_both_weights": (
        "torch.cov(a, fweights=torch.tensor([2, 1, 1, 3]), aweights=w)",
        {"a": ((2, 4), N), "w": ((4,), "const_pos")},
        "float64",
    ),
    "cov_no_dof": ("torch.cov(a)", {"a": ((3, 1), N)}, "float64"),
    "cov_long": ("torch.cov(torch.tensor([[1, 2, 4], [3, 4, 1]]))", {}, "float32"),
    "corrcoef": ("torch.corrcoef(a)", {"a": ((3, 5), N)}, "float64"),
    "corrcoef_f32": ("a.corrcoef()", {"a": ((4, 6), N)}, "float32"),
    "corrcoef_vector": ("torch.corrcoef(a)", {"a": ((5,), N)}, "float64"),
}

ERRORS = {
    "unfold_too_big": ("a.unfold(1, 9, 1)", {"a": ((3, 8), C)}),
    "unfold_step": ("a.unfold(1, 3, 0)", {"a": ((3, 8), C)}),
    "unfold_dim": ("a.unfold(2, 3, 1)", {"a": ((3, 8), C)}),
    "unfold_negative_size": ("a.unfold(1, -1, 1)", {"a": ((3, 8), C)}),
    "unfold_scalar_size": ("a.sum().unfold(0, 2, 1)", {"a": ((3,), C)}),
    "unfold_scalar_dim": ("a.sum().unfold(1, 1, 1)", {"a": ((3,), C)}),
    "unfold_float_size": ("a.unfold(0, 1.5, 1)", {"a": ((3,), C)}),
    "addmv_vec_size": ("torch.addmv(b, m, v)", {"b": ((2,), C), "m": ((2, 3), C), "v": ((4,), C)}),
    "addmv_input_size": (
        "torch.addmv(b, m, v)",
        {"b": ((3,), C), "m": ((2, 3), C), "v": ((3,), C)},
    ),
    "addmv_dims": ("torch.addmv(b, m, v)", {"b": ((2,), C), "m": ((2, 3, 1), C), "v": ((3,), C)}),
    "addmv_input_dims": (
        "torch.addmv(b, m, v)",
        {"b": ((2, 2), C), "m": ((2, 3), C), "v": ((3,), C)},
    ),
    "addmv_dtype": (
        "torch.addmv(b, m, v.double())",
        {"b": ((2,), C), "m": ((2, 3), C), "v": ((3,), C)},
    ),
    "addmv_inplace_size": ("b.addmv_(m, v)", {"b": ((1,), C), "m": ((2, 3), C), "v": ((3,), C)}),
    "addr_vec_dims": ("torch.addr(a, x, y)", {"a": ((2, 3), C), "x": ((2, 1), C), "y": ((3,), C)}),
    "addr_vec2_dims": ("torch.addr(a, x, y)", {"a": ((2, 3), C), "x": ((2,), C), "y": ((3, 1), C)}),
    "addr_expand": ("torch.addr(a, x, y)", {"a": ((2, 4), C), "x": ((2,), C), "y": ((3,), C)}),
    "addr_inplace_dims": ("a.addr_(x, y)", {"a": ((3,), C), "x": ((2,), C), "y": ((3,), C)}),
    "addr_float_alpha": (
        "torch.addr(torch.zeros(2, 3, dtype=torch.long), torch.tensor([1, 2]), "
        "torch.tensor([1, 2, 3]), alpha=1.5)",
        {},
    ),
    "addbmm_batches": (
        "torch.addbmm(a, x, y)",
        {"a": ((2, 3), C), "x": ((4, 2, 5), C), "y": ((3, 5, 3), C)},
    ),
    "addbmm_2d": (
        "torch.addbmm(a, x, y)",
        {"a": ((2, 3), C), "x": ((2, 5), C), "y": ((4, 5, 3), C)},
    ),
    "addbmm_expand": (
        "torch.addbmm(a, x, y)",
        {"a": ((2, 4), C), "x": ((4, 2, 5), C), "y": ((4, 5, 3), C)},
    ),
    "addbmm_inner": (
        "torch.addbmm(a, x, y)",
        {"a": ((2, 3), C), "x": ((4, 2, 5), C), "y": ((4, 4, 3), C)},
    ),
    "baddbmm_inplace_size": (
        "a.baddbmm_(x, y)",
        {"a": ((1, 2, 3), C), "x": ((4, 2, 5), C), "y": ((4, 5, 3), C)},
    ),
    "cov_3d": ("torch.cov(a)", {"a": ((2, 2, 2), C)}),
    "cov_fweights_float": (
        "torch.cov(a, fweights=torch.tensor([1.0, 2, 3, 4, 5]))",
        {"a": ((3, 5), C)},
    ),
    "cov_fweights_2d": (
        "torch.cov(a, fweights=torch.tensor([[1, 2, 3, 4, 5]]))",
        {"a": ((3, 5), C)},
    ),
    "cov_fweights_numel": ("torch.cov(a, fweights=torch.tensor([1, 2, 3]))", {"a": ((3, 5), C)}),
    "cov_fweights_negative": (
        "torch.cov(a, fweights=torch.tensor([1, -2, 3, 1, 1]))",
        {"a": ((3, 5), C)},
    ),
    "cov_aweights_long": (
        "torch.cov(a, aweights=torch.tensor([1, 2, 3, 4, 5]))",
        {"a": ((3, 5), C)},
    ),
    "cov_aweights_negative": (
        "torch.cov(a, aweights=torch.tensor([1.0, -2, 3, 1, 1]))",
        {"a": ((3, 5), C)},
    ),
    "cov_aweights_numel": ("torch.cov(a, aweights=torch.tensor([1.0, 2, 3]))", {"a": ((3, 5), C)}),
    "cov_aweights_2d": ("torch.cov(a, aweights=torch.ones(1, 5))", {"a": ((3, 5), C)}),
    "cov_float_correction": ("torch.cov(a, correction=1.5)", {"a": ((3, 5), C)}),
    "corrcoef_3d": ("torch.corrcoef(a)", {"a": ((2, 2, 2), C)}),
}

if __name__ == "__main__":
    write("blas_stats", CASES, ERRORS, seed=20261203)
