"""PyTorch's values, gradients, graphs, output dtypes, warnings and error texts for every
``torch.linalg`` op and its ``torch.*`` / Tensor aliases (norms, inverses, determinants, solves,
cholesky, qr, eigh, svd, pinv, matrix_power, multi_dot, cross, lstsq, matrix_rank).

lstsq's rank-deficient ``gelsy`` solutions are not recorded: MKL's column pivoting and the
reference LAPACK's pick different basic solutions there (both valid); full-rank ones agree.

Inputs are drawn by kind: ``normal``; ``wc`` (well conditioned: ``randn + 3 I``); ``sym``
(symmetric, well conditioned); ``spd`` (symmetric positive definite); ``spread`` (distinct
singular values 2, 4, 6, ... plus noise, so the decompositions' gradients are well defined);
a kind ending in ``_c`` is drawn the same way but takes no gradient. Eigen and singular vectors are recorded through sign-free functions
(``.abs()``, reconstructions) where a gradient is taken, since the sign a LAPACK build picks is
not part of the contract. Each case also records the warnings PyTorch gave in a fresh process
when the call ran twice (warn-once texts). Writes ``tests/fixtures/torch/linalg_ops.json``/``.npz``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from typing import Any

import numpy as np
import torch
from _cases import OUT, graph

GRAD_KINDS = ("normal", "wc", "sym", "spd", "spread")
N, WC, SYM, SPD, SPREAD, C = "normal", "wc", "sym", "spd", "spread", "const"
A3, A33 = {"a": ((3, 3), WC)}, {"a": ((2, 3, 3), WC)}
S43, S34 = {"a": ((4, 3), SPREAD)}, {"a": ((3, 4), SPREAD)}
SP3, SY3 = {"a": ((3, 3), SPD)}, {"a": ((3, 3), SYM)}
M34, V5 = {"a": ((3, 4), N)}, {"a": ((5,), N)}
S43C = {"a": ((4, 3), SPREAD + "_c")}  # values only: these modes have no gradient


def draw(rng: np.random.Generator, shape: tuple[int, ...], kind: str, dtype: str) -> np.ndarray:
    kind = kind.removesuffix("_c")
    a = rng.standard_normal(shape)
    n = shape[-1] if shape else 1
    if kind == WC:
        a = a + 3 * np.eye(n)
    elif kind == SYM:
        a = a + np.swapaxes(a, -1, -2) + 4 * np.eye(n)
    elif kind == SPD:
        a = a @ np.swapaxes(a, -1, -2) + n * np.eye(n)
    elif kind == SPREAD:
        m = shape[-2]
        base = np.zeros(shape[-2:])
        for i in range(min(m, n)):
            base[i, i] = 2.0 * (i + 1)
        a = a / 10 + base
    return a.astype(dtype)


NORMS: dict[str, tuple[str, dict, str]] = {
    "vector_norm": ("torch.linalg.vector_norm(a)", V5, "float64"),
    "vector_norm_1": ("torch.linalg.vector_norm(a, 1)", V5, "float64"),
    "vector_norm_inf": ("torch.linalg.vector_norm(a, float('inf'))", V5, "float64"),
    "vector_norm_neg_inf": ("torch.linalg.vector_norm(a, -float('inf'))", V5, "float64"),
    "vector_norm_0": ("torch.linalg.vector_norm(a, 0)", V5, "float64"),
    "vector_norm_3_5": ("torch.linalg.vector_norm(a, 3.5)", V5, "float32"),
    "vector_norm_dim": ("torch.linalg.vector_norm(a, 2, dim=1, keepdim=True)", M34, "float64"),
    "vector_norm_dims": ("torch.linalg.vector_norm(a, -2, dim=(0, 1))", M34, "float64"),
    "vector_norm_dtype": ("torch.linalg.vector_norm(a, dtype=torch.float64)", M34, "float32"),
    "matrix_norm": ("torch.linalg.matrix_norm(a)", M34, "float64"),
    "matrix_norm_nuc": ("torch.linalg.matrix_norm(a, 'nuc')", S43, "float64"),
    "matrix_norm_1": ("torch.linalg.matrix_norm(a, 1)", M34, "float64"),
    "matrix_norm_neg_1": ("torch.linalg.matrix_norm(a, -1)", M34, "float64"),
    "matrix_norm_2": ("torch.linalg.matrix_norm(a, 2)", S43, "float64"),
    "matrix_norm_neg_2": ("torch.linalg.matrix_norm(a, -2)", S34, "float64"),
    "matrix_norm_inf": ("torch.linalg.matrix_norm(a, float('inf'))", M34, "float32"),
    "matrix_norm_neg_inf": ("torch.linalg.matrix_norm(a, -float('inf'))", M34, "float64"),
    "matrix_norm_dims": (
        "torch.linalg.matrix_norm(a, 1, dim=(0, 2), keepdim=True)",
        {"a": ((3, 2, 4), N)},
        "float64",
    ),
    "matrix_norm_nuc_keepdim": (
        "torch.linalg.matrix_norm(a, 'nuc', dim=(2, 0), keepdim=True)",
        {"a": ((3, 2, 4), N)},
        "float64",
    ),
    "linalg_norm_vec": ("torch.linalg.norm(a)", V5, "float64"),
    "linalg_norm_mat": ("torch.linalg.norm(a)", M34, "float64"),
    "linalg_norm_ord2": ("torch.linalg.norm(a, 2)", S43, "float64"),
    "linalg_norm_3d": ("torch.linalg.norm(a)", {"a": ((2, 3, 2), N)}, "float64"),
    "linalg_norm_dim": ("torch.linalg.norm(a, 3, dim=1)", M34, "float64"),
    "linalg_norm_fro_dims": ("torch.linalg.norm(a, 'fro', dim=(0, 1))", M34, "float32"),
    "torch_norm": ("torch.norm(a)", M34, "float64"),
    "torch_norm_p1": ("torch.norm(a, p=1, dim=0)", M34, "float64"),
    "torch_norm_nuc": ("torch.norm(a, 'nuc')", S43, "float64"),
    "torch_norm_inf": ("torch.norm(a, float('inf'), dim=1, keepdim=True)", M34, "float64"),
    "tensor_norm": ("a.norm(3)", M34, "float64"),
    "tensor_norm_fro": ("a.norm('fro', dim=(0, 1))", M34, "float64"),
}

INVERSES: dict[str, tuple[str, dict, str]] = {
    "inv": ("torch.linalg.inv(a)", A3, "float64"),
    "inv_batched": ("torch.linalg.inv(a)", A33, "float32"),
    "inv_ex": ("torch.linalg.inv_ex(a).inverse", A3, "float64"),
    "inv_ex_pair": ("torch.linalg.inv_ex(a)", A33, "float64"),
    "inverse": ("torch.inverse(a)", A3, "float64"),
    "tensor_inverse": ("a.inverse()", A3, "float32"),
    "det": ("torch.linalg.det(a)", A3, "float64"),
    "det_batched": ("torch.det(a)", A33, "float32"),
    "tensor_det": ("a.det()", A3, "float64"),
    "det_singular": ("torch.linalg.det(a * torch.tensor([1.0, 1.0, 0.0]))", A3, "float64"),
    "det_rank_one": ("torch.linalg.det(a[:, :1] * a[:1, :])", A3, "float64"),
    "det_zero": ("torch.linalg.det(a * 0)", A3, "float64"),
    "det_singular_batched": (
        "torch.linalg.det(a * torch.tensor([1.0, 0.0, 1.0]))",
        A33,
        "float64",
    ),
    "slogdet_logabs": ("torch.linalg.slogdet(a).logabsdet", A33, "float64"),
    "slogdet_pair": ("torch.linalg.slogdet(a - 3 * torch.eye(3))", A33, "float64"),
    "torch_slogdet": ("torch.slogdet(a)", A3, "float32"),
    "tensor_slogdet": ("a.slogdet()[1]", A3, "float64"),
    "logdet": ("torch.logdet(a)", SP3, "float64"),
    "logdet_negative": ("torch.logdet(-a)", SP3, "float64"),
    "tensor_logdet": ("a.logdet()", SP3, "float32"),
    "solve": ("torch.linalg.solve(a, b)", {**A3, "b": ((3, 2), N)}, "float64"),
    "solve_vec": ("torch.linalg.solve(a, b)", {**A3, "b": ((3,), N)}, "float64"),
    "solve_batched": ("torch.linalg.solve(a, b)", {**A3, "b": ((2, 3, 2), N)}, "float32"),
    "solve_batched_vec": ("torch.linalg.solve(a, b)", {**A33, "b": ((2, 3), N)}, "float64"),
    "solve_right": ("torch.linalg.solve(a, b, left=False)", {**A3, "b": ((2, 3), N)}, "float64"),
    "solve_ex": ("torch.linalg.solve_ex(a, b).result", {**A3, "b": ((3, 2), N)}, "float64"),
    "solve_ex_pair": ("torch.linalg.solve_ex(a, b)", {**A33, "b": ((3, 1), N)}, "float64"),
    "pinv": ("torch.linalg.pinv(a)", S43, "float64"),
    "pinv_wide": ("torch.linalg.pinv(a)", S34, "float32"),
    "pinv_atol": ("torch.linalg.pinv(a, atol=3.0)", S43, "float64"),
    "pinv_rtol": ("torch.linalg.pinv(a, rtol=0.5)", S43, "float64"),
    "pinv_hermitian": ("torch.linalg.pinv(a, hermitian=True)", SP3, "float64"),
    "pinverse": ("torch.pinverse(a)", S43, "float64"),
    "pinverse_rcond": ("a.pinverse(rcond=0.5)", S43, "float64"),
    "matrix_power_0": ("torch.linalg.matrix_power(a, 0)", A3, "float64"),
    "matrix_power_1": ("torch.linalg.matrix_power(a, 1)", A3, "float64"),
    "matrix_power_2": ("torch.linalg.matrix_power(a, 2)", A3, "float64"),
    "matrix_power_3": ("torch.matrix_power(a, 3)", A33, "float64"),
    "matrix_power_5": ("a.matrix_power(5)", A3, "float32"),
    "matrix_power_neg": ("torch.linalg.matrix_power(a, -2)", A3, "float64"),
    "matrix_power_neg_1": ("torch.linalg.matrix_power(a, -1)", A3, "float64"),
    "multi_dot_2": (
        "torch.linalg.multi_dot([a, b])",
        {"a": ((2, 3), N), "b": ((3, 4), N)},
        "float64",
    ),  # fmt: skip
    "multi_dot_3": (
        "torch.linalg.multi_dot([a, b, c])",
        {"a": ((5, 3), N), "b": ((3, 4), N), "c": ((4, 1), N)},
        "float64",
    ),
    "multi_dot_4": (
        "torch.linalg.multi_dot((a, b, c, d))",
        {"a": ((3,), N), "b": ((3, 5), N), "c": ((5, 2), N), "d": ((2,), N)},
        "float64",
    ),
    "multi_dot_5": (
        "torch.linalg.multi_dot([a, b, c, d, e])",
        {"a": ((2, 6), N), "b": ((6, 1), N), "c": ((1, 5), N), "d": ((5, 3), N), "e": ((3, 4), N)},
        "float32",
    ),  # fmt: skip
    "cross": ("torch.linalg.cross(a, b)", {"a": ((2, 3), N), "b": ((1, 3), N)}, "float64"),
    "cross_dim": (
        "torch.linalg.cross(a, b, dim=0)",
        {"a": ((3, 2), N), "b": ((3, 2), N)},
        "float64",
    ),
    "torch_cross": ("torch.cross(a, b, dim=1)", {"a": ((2, 3), N), "b": ((2, 3), N)}, "float32"),
    "torch_cross_default": (
        "torch.cross(a, b)",
        {"a": ((3, 3, 2), N), "b": ((3, 3, 2), N)},
        "float64",
    ),
    "tensor_cross": ("a.cross(b, dim=-1)", {"a": ((4, 3), N), "b": ((4, 3), N)}, "float64"),
}

FACTORS: dict[str, tuple[str, dict, str]] = {
    "cholesky": ("torch.linalg.cholesky(a)", SP3, "float64"),
    "cholesky_upper": ("torch.linalg.cholesky(a, upper=True)", {"a": ((2, 3, 3), SPD)}, "float64"),
    "cholesky_ex": ("torch.linalg.cholesky_ex(a).L", SP3, "float32"),
    "cholesky_ex_pair": ("torch.linalg.cholesky_ex(a)", SP3, "float64"),
    "torch_cholesky": ("torch.cholesky(a)", SP3, "float64"),
    "torch_cholesky_upper": ("torch.cholesky(a, upper=True)", SP3, "float64"),
    "tensor_cholesky": ("a.cholesky()", SP3, "float64"),
    "qr": ("torch.linalg.qr(a)", S43, "float64"),
    "qr_r": ("torch.linalg.qr(a).R", S43, "float64"),
    "qr_q": ("torch.linalg.qr(a).Q", S43, "float64"),
    "qr_complete": ("torch.linalg.qr(a, mode='complete')", {"a": ((3, 3), SPREAD)}, "float64"),
    "qr_complete_tall": ("torch.linalg.qr(a, mode='complete')", S43C, "float64"),
    "qr_r_mode": ("torch.linalg.qr(a, mode='r')", S43C, "float64"),
    "qr_wide": ("torch.linalg.qr(a).R", S34, "float64"),
    "qr_wide_q": ("torch.linalg.qr(a).Q", S34, "float32"),
    "torch_qr": ("torch.qr(a)", S43, "float64"),
    "torch_qr_some": ("torch.qr(a, some=False)", S43C, "float64"),
    "tensor_qr": ("a.qr().R", S43, "float64"),
    "eigh_values": ("torch.linalg.eigh(a).eigenvalues", SY3, "float64"),
    "eigh_vectors_abs": ("torch.linalg.eigh(a).eigenvectors.abs()", SY3, "float64"),
    "eigh_pair": ("torch.linalg.eigh(a)", {"a": ((2, 3, 3), SYM)}, "float64"),
    "eigh_upper": ("torch.linalg.eigh(a, UPLO='U').eigenvalues", SY3, "float32"),
    "eigh_projector": (
        "(lambda v: v[..., :1] @ v[..., :1].mT)(torch.linalg.eigh(a)[1])",
        SY3,
        "float64",
    ),
    "eigh_unsymmetric": ("torch.linalg.eigh(a).eigenvalues", A3, "float64"),
    "eigvalsh": ("torch.linalg.eigvalsh(a)", {"a": ((2, 3, 3), SYM)}, "float64"),
    "eigvalsh_upper": ("torch.linalg.eigvalsh(a, 'U')", A3, "float64"),
    "svd_s": ("torch.linalg.svd(a).S", S43, "float64"),
    "svd_u_abs": ("torch.linalg.svd(a, full_matrices=False).U.abs()", S43, "float64"),
    "svd_vh_abs": ("torch.linalg.svd(a, full_matrices=False).Vh.abs()", S34, "float64"),
    "svd_full": ("torch.linalg.svd(a)", S43, "float64"),
    "svd_thin": (
        "torch.linalg.svd(a, full_matrices=False)",
        {"a": ((2, 3, 4), SPREAD)},
        "float32",
    ),  # fmt: skip
    "svd_projector": (
        "(lambda r: r.U[:, :2] @ r.Vh[:2])(torch.linalg.svd(a, full_matrices=False))",
        S43,
        "float64",
    ),
    "svdvals": ("torch.linalg.svdvals(a)", {"a": ((2, 3, 4), SPREAD)}, "float64"),
    "torch_svd": ("torch.svd(a)", S43, "float64"),
    "torch_svd_v_abs": ("torch.svd(a).V.abs()", S34, "float64"),
    "torch_svd_full": ("torch.svd(a, some=False)", S43, "float64"),
    "torch_svd_no_uv": ("torch.svd(a, compute_uv=False)", S43, "float64"),
    "tensor_svd_s": ("a.svd().S", S43, "float32"),
}

T52, W35 = {"a": ((5, 3), SPREAD), "b": ((5, 2), N)}, {"a": ((3, 5), SPREAD), "b": ((3, 2), N)}
LSTSQ: dict[str, tuple[str, dict, str]] = {
    "lstsq": ("torch.linalg.lstsq(a, b)", T52, "float64"),
    "lstsq_solution": ("torch.linalg.lstsq(a, b).solution", T52, "float32"),
    "lstsq_gelsd": ("torch.linalg.lstsq(a, b, driver='gelsd')", T52, "float64"),
    "lstsq_gelss": ("torch.linalg.lstsq(a, b, driver='gelss')", T52, "float64"),
    "lstsq_gels": ("torch.linalg.lstsq(a, b, driver='gels')", T52, "float64"),
    "lstsq_wide": ("torch.linalg.lstsq(a, b)", W35, "float64"),
    "lstsq_wide_gelsd": ("torch.linalg.lstsq(a, b, driver='gelsd')", W35, "float64"),
    "lstsq_wide_gels": ("torch.linalg.lstsq(a, b, None, driver='gels')", W35, "float64"),
    "lstsq_vector": (
        "torch.linalg.lstsq(a, b)",
        {"a": ((5, 3), SPREAD), "b": ((5,), N)},
        "float64",
    ),
    "lstsq_vector_gelsd": (
        "torch.linalg.lstsq(a, b, driver='gelsd')",
        {"a": ((5, 3), SPREAD), "b": ((5,), N)},
        "float64",
    ),
    "lstsq_batched": (
        "torch.linalg.lstsq(a, b)",
        {"a": ((2, 5, 3), SPREAD), "b": ((1, 5, 2), N)},
        "float64",
    ),
    "lstsq_batched_gelss": (
        "torch.linalg.lstsq(a, b, driver='gelss')",
        {"a": ((1, 5, 3), SPREAD), "b": ((2, 5, 2), N)},
        "float64",
    ),
    "lstsq_batched_vectors": (
        "torch.linalg.lstsq(a, b, driver='gelsd')",
        {"a": ((2, 5, 3), SPREAD), "b": ((2, 5), N)},
        "float64",
    ),
    "lstsq_gelsd_float32": ("torch.linalg.lstsq(a, b, driver='gelsd')", T52, "float32"),
    "lstsq_rcond_gelsd": ("torch.linalg.lstsq(a, b, rcond=0.5, driver='gelsd')", T52, "float64"),
    "lstsq_rank_deficient_gelsd": (
        "torch.linalg.lstsq(a[:, [0, 0, 1]], b, driver='gelsd')",
        T52,
        "float64",
    ),
    "lstsq_residuals_grad": (
        "(lambda r: (r.residuals, r.solution))(torch.linalg.lstsq(a, b, driver='gelsd'))",
        T52,
        "float64",
    ),
    "lstsq_gels_residuals_grad": (
        "(lambda r: (r.residuals, r.solution))(torch.linalg.lstsq(a, b, driver='gels'))",
        T52,
        "float64",
    ),
    "lstsq_no_rows": ("torch.linalg.lstsq(a[:0], b[:0])", T52, "float64"),
    "lstsq_no_columns": ("torch.linalg.lstsq(a[:, :0], b)", T52, "float64"),
    "matrix_rank": ("torch.linalg.matrix_rank(a)", {"a": ((5, 3), SPREAD + "_c")}, "float64"),
    "matrix_rank_deficient": (
        "torch.linalg.matrix_rank(a[:, :1] * a[:1, :])",
        {"a": ((4, 4), SPREAD + "_c")},
        "float64",
    ),
    "matrix_rank_batched": (
        "torch.linalg.matrix_rank(a * torch.tensor([1.0, 1.0, 0.0]))",
        {"a": ((2, 4, 3), SPREAD + "_c")},
        "float32",
    ),
    "matrix_rank_hermitian": (
        "torch.linalg.matrix_rank(a, hermitian=True)",
        {"a": ((3, 3), SPD + "_c")},
        "float64",
    ),
    "matrix_rank_tol": (
        "torch.linalg.matrix_rank(a, 3.0)",
        {"a": ((4, 3), SPREAD + "_c")},
        "float64",
    ),
    "matrix_rank_tol_keyword": (
        "torch.linalg.matrix_rank(a, tol=5.0, hermitian=False)",
        {"a": ((4, 3), SPREAD + "_c")},
        "float64",
    ),
    "matrix_rank_atol": (
        "torch.linalg.matrix_rank(a, atol=3.0)",
        {"a": ((4, 3), SPREAD + "_c")},
        "float64",
    ),
    "matrix_rank_rtol": (
        "torch.linalg.matrix_rank(a, rtol=0.5)",
        {"a": ((4, 3), SPREAD + "_c")},
        "float64",
    ),
    "matrix_rank_atol_rtol": (
        "torch.linalg.matrix_rank(a, atol=1.0, rtol=0.6)",
        {"a": ((4, 3), SPREAD + "_c")},
        "float64",
    ),
    "matrix_rank_atol_tensor": (
        "torch.linalg.matrix_rank(a, atol=torch.tensor([3.0, 0.5], dtype=a.dtype))",
        {"a": ((2, 4, 3), SPREAD + "_c")},
        "float64",
    ),
}

FUNCTIONS: dict[str, tuple[str, dict, str]] = {
    "matrix_exp": ("torch.linalg.matrix_exp(a)", {"a": ((3, 3), N)}, "float64"),
    "matrix_exp_batched": ("torch.linalg.matrix_exp(a)", {"a": ((2, 4, 4), N)}, "float64"),
    "matrix_exp_float32": ("torch.matrix_exp(a)", {"a": ((3, 3), N)}, "float32"),
    "matrix_exp_method": ("a.matrix_exp()", {"a": ((2, 2), N)}, "float64"),
    "matrix_exp_one": ("torch.linalg.matrix_exp(a)", {"a": ((1, 1), N)}, "float64"),
    "matrix_exp_empty": ("torch.linalg.matrix_exp(a)", {"a": ((0, 0), N)}, "float64"),
    "matrix_exp_large": ("torch.linalg.matrix_exp(3 * a)", {"a": ((3, 3), N)}, "float64"),
    "cond": ("torch.linalg.cond(a)", S43, "float64"),
    "cond_square": ("torch.linalg.cond(a)", {"a": ((3, 3), SPREAD)}, "float32"),
    "cond_neg_2": ("torch.linalg.cond(a, -2)", S34, "float64"),
    "cond_batched": ("torch.linalg.cond(a, p=2.0)", {"a": ((2, 3, 3), SPREAD)}, "float64"),
    "cond_1": ("torch.linalg.cond(a, 1)", {"a": ((3, 3), WC + "_c")}, "float64"),
    "cond_neg_1": ("torch.linalg.cond(a, -1)", {"a": ((3, 3), WC + "_c")}, "float64"),
    "cond_inf": ("torch.linalg.cond(a, float('inf'))", {"a": ((2, 3, 3), WC + "_c")}, "float64"),
    "cond_neg_inf": ("torch.linalg.cond(a, -float('inf'))", {"a": ((3, 3), WC + "_c")}, "float32"),
    "cond_fro": ("torch.linalg.cond(a, 'fro')", {"a": ((3, 3), WC + "_c")}, "float64"),
    "cond_nuc": ("torch.linalg.cond(a, 'nuc')", {"a": ((3, 3), SPREAD)}, "float64"),
    "cond_singular": (
        "torch.linalg.cond(a * torch.tensor([1.0, 1.0, 0.0]), 1)",
        {"a": ((3, 3), C)},
        "float64",
    ),
    "cond_singular_fro": ("torch.linalg.cond(torch.zeros(2, 3, 3), 'fro')", {}, "float64"),
    "cond_empty": ("torch.linalg.cond(a[:0, :0])", {"a": ((3, 3), C)}, "float64"),
    "cond_empty_batched": ("torch.linalg.cond(torch.zeros(2, 0, 0), 'nuc')", {}, "float64"),
    "tensorsolve": (
        "torch.linalg.tensorsolve(a.view(2, 3, 6), b)",
        {"a": ((6, 6), WC), "b": ((2, 3), N)},
        "float64",
    ),
    "tensorsolve_dims": (
        "torch.linalg.tensorsolve(a.view(6, 2, 3), b, dims=(1, 2))",
        {"a": ((6, 6), WC), "b": ((6,), N)},
        "float64",
    ),
    "tensorsolve_float32": (
        "torch.linalg.tensorsolve(a.view(2, 2, 2, 2), b)",
        {"a": ((4, 4), WC), "b": ((2, 2), N)},
        "float32",
    ),
    "lu_factor": ("torch.linalg.lu_factor(a)", A3, "float64"),
    "lu_factor_float32": ("torch.linalg.lu_factor(a)", A33, "float32"),
    "lu_factor_tall": ("torch.linalg.lu_factor(a)", {"a": ((4, 3), N)}, "float64"),
    "lu_factor_wide": ("torch.linalg.lu_factor(a)", {"a": ((3, 4), N)}, "float64"),
    "lu_factor_ex": ("torch.linalg.lu_factor_ex(a)", A33, "float64"),
    "lu_factor_ex_singular": (
        "torch.linalg.lu_factor_ex(a * torch.tensor([1.0, 0.0, 1.0]))",
        {"a": ((2, 3, 3), C)},
        "float64",
    ),
    "lu": ("(lambda r: (r.L, r.U, r.P))(torch.linalg.lu(a))", A3, "float64"),
    "lu_u": ("(lambda r: (r.U, r.L, r.P))(torch.linalg.lu(a))", A33, "float64"),
    "lu_tall": ("(lambda r: (r.L, r.U, r.P))(torch.linalg.lu(a))", {"a": ((4, 3), N)}, "float64"),
    "lu_tall_u": ("torch.linalg.lu(a).U", {"a": ((4, 3), N)}, "float64"),
    "lu_wide": ("(lambda r: (r.U, r.L, r.P))(torch.linalg.lu(a))", {"a": ((3, 4), N)}, "float64"),
    "lu_wide_l": ("torch.linalg.lu(a).L", {"a": ((3, 4), N)}, "float32"),
    "lu_sum": ("(lambda r: r.L @ r.U)(torch.linalg.lu(a))", A3, "float64"),
    "lu_result": ("torch.linalg.lu(a)", {"a": ((3, 3), C)}, "float64"),
    "lu_unpack": (
        "(lambda r: (r.L, r.U, r.P))(torch.lu_unpack(*torch.linalg.lu_factor(a)))",
        A3,
        "float64",
    ),
    "lu_unpack_u": (
        "torch.lu_unpack(*torch.linalg.lu_factor(a)).U",
        {"a": ((2, 4, 3), N)},
        "float64",
    ),
    "lu_unpack_wide": (
        "(lambda r: (r.L, r.U))(torch.lu_unpack(*torch.linalg.lu_factor(a)))",
        {"a": ((3, 4), N)},
        "float64",
    ),
    "lu_unpack_result": (
        "torch.lu_unpack(*torch.linalg.lu_factor(a))",
        {"a": ((4, 3), C)},
        "float64",
    ),
    "lu_unpack_no_data": (
        "torch.lu_unpack(*torch.linalg.lu_factor(a), unpack_data=False)",
        {"a": ((3, 3), C)},
        "float64",
    ),
    "lu_unpack_no_pivots": (
        "torch.lu_unpack(*torch.linalg.lu_factor(a), unpack_pivots=False)",
        {"a": ((3, 3), C)},
        "float64",
    ),
    "torch_lu": ("torch.lu(a)", A3, "float64"),
    "torch_lu_infos": ("torch.lu(a, get_infos=True)", A33, "float64"),
    "torch_lu_singular": ("torch.lu(torch.zeros(2, 3, 3), True, True)", {}, "float64"),
    "tensor_lu": ("a.lu()", A3, "float32"),
    "lu_solve": (
        "torch.linalg.lu_solve(*torch.linalg.lu_factor(a), b)",
        {**A3, "b": ((3, 2), N)},
        "float64",
    ),
    "lu_solve_right": (
        "torch.linalg.lu_solve(*torch.linalg.lu_factor(a), b, left=False)",
        {**A3, "b": ((2, 3), N)},
        "float64",
    ),
    "lu_solve_adjoint": (
        "torch.linalg.lu_solve(*torch.linalg.lu_factor(a), b, adjoint=True)",
        {**A3, "b": ((3, 2), N)},
        "float64",
    ),
    "lu_solve_right_adjoint": (
        "torch.linalg.lu_solve(*torch.linalg.lu_factor(a), b, left=False, adjoint=True)",
        {**A3, "b": ((4, 3), N)},
        "float64",
    ),
    "lu_solve_batched": (
        "torch.linalg.lu_solve(*torch.linalg.lu_factor(a), b)",
        {**A33, "b": ((1, 3, 2), N)},
        "float32",
    ),
    "lu_solve_broadcast": (
        "torch.linalg.lu_solve(*torch.linalg.lu_factor(a), b)",
        {**A3, "b": ((2, 3, 1), N)},
        "float64",
    ),
    "torch_lu_solve": (
        "torch.lu_solve(b, *torch.linalg.lu_factor(a))",
        {**A3, "b": ((3, 2), N)},
        "float64",
    ),
    "tensor_lu_solve": (
        "b.lu_solve(*torch.linalg.lu_factor(a))",
        {**A3, "b": ((3, 1), N)},
        "float64",
    ),
    "matrix_exp_keyword": ("torch.linalg.matrix_exp(input=a)", {"a": ((2, 2), N)}, "float64"),
    "torch_matrix_exp_keyword": ("torch.matrix_exp(input=a)", {"a": ((2, 2), N)}, "float64"),
    "cond_keywords": ("torch.linalg.cond(input=a, p='nuc')", {"a": ((3, 3), SPREAD)}, "float64"),
    "matrix_rank_keywords": (
        "torch.linalg.matrix_rank(input=a, tol=2.0, hermitian=False)",
        {"a": ((4, 3), SPREAD + "_c")},
        "float64",
    ),
    "tensorsolve_keywords": (
        "torch.linalg.tensorsolve(input=a.view(2, 3, 6), other=b, dims=None)",
        {"a": ((6, 6), WC), "b": ((2, 3), N)},
        "float64",
    ),
    "lstsq_keywords": (
        "torch.linalg.lstsq(input=a, b=b, rcond=None, driver='gelsd')",
        T52,
        "float64",
    ),
    "lu_keywords": ("torch.linalg.lu(A=a, pivot=True).U", A3, "float64"),
    "lu_solve_keywords": (
        "torch.linalg.lu_solve(LU=torch.linalg.lu_factor(A=a).LU, "
        "pivots=torch.linalg.lu_factor(a).pivots, B=b, left=True)",
        {**A3, "b": ((3, 2), N)},
        "float64",
    ),
    "tensorsolve_square": (
        "torch.linalg.tensorsolve(a, b)",
        {"a": ((3, 3), WC), "b": ((3,), N)},
        "float64",
    ),
}

CASES = {**NORMS, **INVERSES, **FACTORS, **LSTSQ, **FUNCTIONS}

ERRORS: dict[str, tuple[str, dict]] = {
    "vector_norm_int": ("torch.linalg.vector_norm(torch.arange(3))", {}),
    "vector_norm_str": ("torch.linalg.vector_norm(a, 'fro')", V5),
    "vector_norm_empty_inf": ("torch.linalg.vector_norm(torch.zeros(0), float('inf'))", {}),
    "matrix_norm_1d": ("torch.linalg.matrix_norm(a)", V5),
    "matrix_norm_order": ("torch.linalg.matrix_norm(a, 3)", M34),
    "matrix_norm_order_str": ("torch.linalg.matrix_norm(a, 'abc')", M34),
    "matrix_norm_dim_len": ("torch.linalg.matrix_norm(a, dim=(0, 1, 2))", {"a": ((2, 2, 2), N)}),
    "matrix_norm_same_dims": ("torch.linalg.matrix_norm(a, dim=(0, 0))", M34),
    "linalg_norm_dims": ("torch.linalg.norm(a, dim=(0, 1, 2))", {"a": ((2, 2, 2), N)}),
    "linalg_norm_ord_3d": ("torch.linalg.norm(a, 2)", {"a": ((2, 2, 2), N)}),
    "inv_1d": ("torch.linalg.inv(a)", V5),
    "inv_nonsquare": ("torch.linalg.inv(a)", M34),
    "inv_int": ("torch.linalg.inv(torch.ones(2, 2, dtype=torch.long))", {}),
    "inv_singular": ("torch.linalg.inv(torch.zeros(3, 3))", {}),
    "inv_singular_batched": (
        "torch.linalg.inv(torch.stack([torch.eye(2), torch.ones(2, 2)]))",
        {},
    ),  # fmt: skip
    "inverse_singular": ("torch.inverse(torch.ones(2, 2))", {}),
    "det_nonsquare": ("torch.linalg.det(a)", M34),
    "det_1d": ("torch.det(a)", V5),
    "slogdet_nonsquare": ("torch.linalg.slogdet(a)", M34),
    "logdet_nonsquare": ("torch.logdet(a)", M34),
    "solve_singular": ("torch.linalg.solve(torch.zeros(2, 2), torch.ones(2))", {}),
    "solve_shapes": ("torch.linalg.solve(a, b)", {**A3, "b": ((2, 2), N)}),
    "solve_shapes_right": ("torch.linalg.solve(a, b, left=False)", {**A3, "b": ((3, 2), N)}),
    "solve_dtypes": ("torch.linalg.solve(a, b.double())", {**A3, "b": ((3,), N)}),
    "solve_ex_checked": (
        "torch.linalg.solve_ex(torch.zeros(2, 2), torch.ones(2, 1), check_errors=True)",
        {},
    ),
    "cholesky_not_pd": ("torch.linalg.cholesky(-torch.eye(3))", {}),
    "cholesky_not_pd_batched": (
        "torch.linalg.cholesky(torch.stack([torch.eye(2), torch.diag(torch.tensor([1.0, -1.0]))]))",
        {},
    ),
    "cholesky_ex_checked": ("torch.linalg.cholesky_ex(-torch.eye(2), check_errors=True)", {}),
    "torch_cholesky_not_pd": ("torch.cholesky(-torch.eye(2))", {}),
    "cholesky_nonsquare": ("torch.linalg.cholesky(a)", M34),
    "qr_mode": ("torch.linalg.qr(a, mode='full')", M34),
    "qr_1d": ("torch.linalg.qr(a)", V5),
    "qr_r_backward": (
        "torch.linalg.qr(a.requires_grad_(), mode='r').R.sum().backward()",
        M34,
    ),
    "qr_complete_backward": (
        "torch.linalg.qr(a.T.requires_grad_(), mode='complete').Q.sum().backward()",
        M34,
    ),
    "eigh_uplo": ("torch.linalg.eigh(a, UPLO='X')", A3),
    "eigh_nonsquare": ("torch.linalg.eigh(a)", M34),
    "eigvalsh_int": ("torch.linalg.eigvalsh(torch.eye(2, dtype=torch.long))", {}),
    "svd_1d": ("torch.linalg.svd(a)", V5),
    "svdvals_int": ("torch.linalg.svdvals(torch.eye(2, dtype=torch.long))", {}),
    "pinv_1d": ("torch.linalg.pinv(a)", V5),
    "pinv_int": ("torch.linalg.pinv(torch.eye(2, dtype=torch.long))", {}),
    "matrix_power_1d": ("torch.linalg.matrix_power(a, 2)", V5),
    "matrix_power_nonsquare": ("torch.linalg.matrix_power(a, 2)", M34),
    "matrix_power_singular": ("torch.linalg.matrix_power(torch.zeros(2, 2), -1)", {}),
    "multi_dot_one": ("torch.linalg.multi_dot([a])", M34),
    "multi_dot_first_3d": (
        "torch.linalg.multi_dot([a, b])",
        {"a": ((2, 2, 2), N), "b": ((2, 2), N)},
    ),  # fmt: skip
    "multi_dot_last_3d": (
        "torch.linalg.multi_dot([b, a])",
        {"a": ((2, 2, 2), N), "b": ((2, 2), N)},
    ),  # fmt: skip
    "multi_dot_middle_1d": (
        "torch.linalg.multi_dot([b, a, b])",
        {"a": ((2,), N), "b": ((2, 2), N)},
    ),
    "multi_dot_shapes": ("torch.linalg.multi_dot([a, a])", M34),
    "cross_length": ("torch.linalg.cross(a, a)", M34),
    "cross_ndim": ("torch.linalg.cross(a, b)", {"a": ((2, 3), N), "b": ((3,), N)}),
    "torch_cross_no_3": ("torch.cross(a, a)", {"a": ((2, 4), N)}),
    "svdvals_1d": ("torch.linalg.svdvals(a)", V5),
    "torch_svd_1d": ("torch.svd(a)", V5),
    "cholesky_ex_1d": ("torch.linalg.cholesky_ex(a)", V5),
    "cholesky_ex_nonsquare": ("torch.linalg.cholesky_ex(a)", M34),
    "torch_cholesky_nonsquare": ("torch.cholesky(a)", M34),
    "logdet_1d": ("torch.logdet(a)", V5),
    "logdet_int": ("torch.logdet(torch.eye(2, dtype=torch.long))", {}),
    "eigh_int": ("torch.linalg.eigh(torch.eye(2, dtype=torch.long))", {}),
    "eigvalsh_1d": ("torch.linalg.eigvalsh(a)", V5),
    "solve_ex_shapes": ("torch.linalg.solve_ex(a, b)", {**A3, "b": ((2,), N)}),
    "svd_int": ("torch.linalg.svd(torch.eye(2, dtype=torch.long))", {}),
    "qr_int": ("torch.linalg.qr(torch.eye(2, dtype=torch.long))", {}),
    "slogdet_int": ("torch.linalg.slogdet(torch.eye(2, dtype=torch.long))", {}),
    "det_int": ("torch.linalg.det(torch.eye(2, dtype=torch.long))", {}),
    "lstsq_1d": ("torch.linalg.lstsq(a, a)", V5),
    "lstsq_other_0d": ("torch.linalg.lstsq(a, a.sum())", M34),
    "lstsq_dtypes": ("torch.linalg.lstsq(a, a.double())", M34),
    "lstsq_long": ("torch.linalg.lstsq(a.long(), a)", M34),
    "lstsq_longs": ("torch.linalg.lstsq(a.long(), a.long())", M34),
    "lstsq_dims": ("torch.linalg.lstsq(a, a[None, None])", M34),
    "lstsq_rows": ("torch.linalg.lstsq(a, a[:2])", M34),
    "lstsq_vector_rows": ("torch.linalg.lstsq(a, a[0])", M34),
    "lstsq_batches": ("torch.linalg.lstsq(a.expand(2, 3, 4), a.T)", M34),
    "lstsq_driver": ("torch.linalg.lstsq(a, a, driver='foo')", M34),
    "lstsq_driver_int": ("torch.linalg.lstsq(a, a, driver=1)", M34),
    "lstsq_rcond_str": ("torch.linalg.lstsq(a, a, rcond='a')", M34),
    "matrix_rank_1d": ("torch.linalg.matrix_rank(a)", V5),
    "matrix_rank_long": ("torch.linalg.matrix_rank(a.long())", M34),
    "matrix_rank_hermitian_nonsquare": ("torch.linalg.matrix_rank(a, hermitian=True)", M34),
    "matrix_rank_tol_and_atol": ("torch.linalg.matrix_rank(a, tol=0.5, atol=1.0)", M34),
    "matrix_exp_1d": ("torch.linalg.matrix_exp(a)", V5),
    "matrix_exp_nonsquare": ("torch.linalg.matrix_exp(a)", M34),
    "matrix_exp_long": ("torch.matrix_exp(torch.eye(2, dtype=torch.long))", {}),
    "cond_1d": ("torch.linalg.cond(a)", V5),
    "cond_1d_fro": ("torch.linalg.cond(a, 'fro')", V5),
    "cond_order": ("torch.linalg.cond(a, 3)", A3),
    "cond_order_float": ("torch.linalg.cond(a, 2.5)", A3),
    "cond_order_str": ("torch.linalg.cond(a, 'foo')", A3),
    "cond_nonsquare_1": ("torch.linalg.cond(a, 1)", M34),
    "cond_nonsquare_1_float": ("torch.linalg.cond(a, -1.0)", M34),
    "cond_nonsquare_inf": ("torch.linalg.cond(a, float('inf'))", M34),
    "cond_nonsquare_fro": ("torch.linalg.cond(a, 'fro')", M34),
    "tensorsolve_shapes": ("torch.linalg.tensorsolve(torch.randn(2, 3, 5), torch.randn(2, 3))", {}),
    "tensorsolve_dims_shapes": (
        "torch.linalg.tensorsolve(torch.randn(6, 2, 3), torch.randn(6), dims=(0,))",
        {},
    ),
    "tensorsolve_singular": ("torch.linalg.tensorsolve(torch.zeros(2, 2), torch.ones(2))", {}),
    "lu_factor_1d": ("torch.linalg.lu_factor(a)", V5),
    "lu_factor_long": ("torch.linalg.lu_factor(torch.eye(2, dtype=torch.long))", {}),
    "lu_factor_singular": ("torch.linalg.lu_factor(torch.zeros(3, 3))", {}),
    "lu_factor_singular_batched": (
        "torch.linalg.lu_factor(torch.stack([torch.eye(2), torch.zeros(2, 2)]))",
        {},
    ),
    "lu_factor_ex_checked": ("torch.linalg.lu_factor_ex(torch.zeros(2, 2), check_errors=True)", {}),
    "lu_factor_no_pivot": ("torch.linalg.lu_factor(a, pivot=False)", A3),
    "lu_no_pivot": ("torch.linalg.lu(a, pivot=False)", A3),
    "lu_1d": ("torch.linalg.lu(a)", V5),
    "torch_lu_1d": ("torch.lu(a)", V5),
    "lu_unpack_float_pivots": ("torch.lu_unpack(a, torch.ones(3))", A3),
    "matrix_rank_atol_str": ("torch.linalg.matrix_rank(a, atol='x')", A3),
    "matrix_rank_rtol_list": ("torch.linalg.matrix_rank(a, rtol=[1])", A3),
    "lu_solve_b_1d": ("torch.linalg.lu_solve(*torch.linalg.lu_factor(a), a[0])", A3),
    "lu_solve_shapes": ("torch.linalg.lu_solve(*torch.linalg.lu_factor(a), a[:2, :2])", A3),
    "lu_solve_shapes_right": (
        "torch.linalg.lu_solve(*torch.linalg.lu_factor(a), a[:2, :2], left=False)",
        A3,
    ),
    "lu_solve_dtypes": ("torch.linalg.lu_solve(*torch.linalg.lu_factor(a), a.double())", A3),
    "lu_solve_nonsquare": ("torch.linalg.lu_solve(a[:2], torch.ones(2, dtype=torch.int32), a)", A3),
    "lu_solve_lu_1d": ("torch.linalg.lu_solve(a[0], torch.ones(3, dtype=torch.int32), a)", A3),
    "lu_solve_pivots_long": ("torch.linalg.lu_solve(a, torch.ones(3, dtype=torch.long), a)", A3),
    "lu_solve_pivots_count": ("torch.linalg.lu_solve(a, torch.ones(2, dtype=torch.int32), a)", A3),
    "lu_solve_pivots_shape": (
        "torch.linalg.lu_solve(a.expand(2, 3, 3), torch.ones(3, dtype=torch.int32), a)",
        A3,
    ),
    "torch_lu_no_pivot": ("torch.lu(a, pivot=False)", A3),
    "cond_long": ("torch.linalg.cond(torch.eye(2, dtype=torch.long))", {}),
    # PyTorch fills the inverse in place after inv_ex saved it: no gradient through these.
    "cond_1_backward": ("torch.linalg.cond(a.requires_grad_(), 1).backward()", A3),
    "cond_fro_backward": ("torch.linalg.cond(a.requires_grad_(), 'fro').backward()", A3),
}

# Warnings a program sees: each call run twice in a fresh interpreter.
WARNINGS = {
    "torch_cholesky": "torch.cholesky(torch.eye(2))",
    "tensor_cholesky": "torch.eye(2).cholesky()",
    "torch_qr": "torch.qr(torch.eye(2))",
    "tensor_qr": "torch.eye(2).qr()",
    "torch_cross_default": "torch.cross(torch.ones(3), torch.ones(3))",
    "torch_svd": "torch.svd(torch.eye(2))",
    "torch_norm": "torch.norm(torch.eye(2))",
    "linalg_cholesky": "torch.linalg.cholesky(torch.eye(2))",
    "linalg_qr": "torch.linalg.qr(torch.eye(2))",
    "torch_lu": "torch.lu(torch.eye(2))",
    "torch_lu_solve": "torch.lu_solve(torch.ones(2, 1), *torch.linalg.lu_factor(torch.eye(2)))",
    "tensor_lu": "torch.eye(2).lu()",
}

_WARN_PROBE = """
import sys, warnings, torch
warnings.simplefilter('always')
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    eval(sys.argv[1]); eval(sys.argv[1])
for w in caught:
    print(w.category.__name__ + ': ' + str(w.message).replace(chr(10), '\\\\n'))
"""


def record_case(
    name: str, call: str, spec: dict, dtype: str, rng: np.random.Generator, arrays: dict
) -> dict:
    env = {}
    for k, (shape, kind) in spec.items():
        a = draw(rng, shape, kind, dtype)
        arrays[f"{name}/in/{k}"] = a
        env[k] = torch.tensor(a, requires_grad=kind in GRAD_KINDS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = eval(call, {"torch": torch}, dict(env))  # noqa: S307 - our fixed calls
    outs = tuple(out) if isinstance(out, tuple) else (out,)
    for i, o in enumerate(outs):
        arrays[f"{name}/out{i}"] = o.detach().numpy()
    row: dict[str, Any] = {"call": call, "dtype": dtype, "outputs": len(outs), "grads": []}
    row["inputs"] = {k: [list(s), kind] for k, (s, kind) in spec.items()}
    row["result_type"] = type(out).__name__ if isinstance(out, tuple) else None
    y = outs[0]
    if y.requires_grad:
        v = rng.standard_normal(y.shape).astype(dtype)
        arrays[f"{name}/v"] = v
        row["grad_fn"] = y.grad_fn.name()
        row["graph"] = graph(y)
        y.backward(torch.tensor(v))
        for k, t in env.items():
            if t.grad is not None:
                arrays[f"{name}/grad/{k}"] = t.grad.numpy()
                row["grads"].append(k)
    return row


def record_error(call: str, spec: dict, rng: np.random.Generator) -> dict:
    env = {k: torch.tensor(draw(rng, shape, kind, "float32")) for k, (shape, kind) in spec.items()}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            eval(call, {"torch": torch}, env)  # noqa: S307 - our fixed calls
    except Exception as e:  # noqa: BLE001 - recording whatever PyTorch raises
        return {
            "call": call,
            "inputs": {k: [list(s), kind] for k, (s, kind) in spec.items()},
            "type": type(e).__name__,
            "message": str(e).split("\n")[0],
        }
    print(f"{call} did not raise")
    return {}


def record_warnings(call: str) -> list[str]:
    res = subprocess.run(
        [sys.executable, "-c", _WARN_PROBE, call], capture_output=True, text=True, check=True
    )
    return [line.replace("\\n", "\n") for line in res.stdout.splitlines()]


def main() -> None:
    torch.set_num_threads(1)
    rng = np.random.default_rng(20261203)
    arrays: dict[str, np.ndarray] = {}
    cases = {n: record_case(n, c, s, d, rng, arrays) for n, (c, s, d) in CASES.items()}
    errors = {n: record_error(c, s, rng) for n, (c, s) in ERRORS.items()}
    warns = {n: {"call": c, "warnings": record_warnings(c)} for n, c in WARNINGS.items()}
    np.savez_compressed(OUT / "linalg_ops.npz", **arrays)
    doc = {"torch": torch.__version__, "cases": cases, "errors": errors, "warnings": warns}
    (OUT / "linalg_ops.json").write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
