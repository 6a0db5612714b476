"""Gradient-check rows of the math, scan and linear-algebra ops added for real programs, as
``(fn, shapes[, elements])``; ``test_gradcheck_ops`` makes them rows of its ``OPS`` table (which
the formula test also evaluates from the events)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import hypothesis.strategies as st

import visgrad as torch

# Inside (-1, 1), away from the ends where erfinv's slope blows up.
INSIDE = st.floats(-0.85, 0.85)
# Order statistics have kinks at ties: these rows draw distinct, well-spread values.
DISTINCT = st.sampled_from([i / 3 + 0.05 for i in range(-12, 12)])


# Columns scaled apart: no two differences of a row tie in size (the kink of the inf-norm).
_UNEVEN = [1.0, 1.1372, 1.3191]
_MM = "use_mm_for_euclid_dist"


def _tall(a: Any) -> Any:
    """A tall matrix of full column rank: ``a / 10`` plus 2, 4, ... on its diagonal."""
    m, n = a.shape[-2:]
    return a / 10 + torch.tensor([[2.0 * (i + 1) * (i == j) for j in range(n)] for i in range(m)])


def _q(a: Any, *qs: float) -> Any:
    """Quantile levels as a tensor of ``a``'s dtype."""
    return torch.tensor(qs, dtype=a.dtype)


def _second(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The gradient of ``fn(x).sum()`` with ``create_graph``: checks the backward's own graph."""
    return lambda a: torch.autograd.grad(fn(a).sum(), a, create_graph=True)[0]


MATH_ROWS: dict[str, tuple[Any, ...]] = {
    "lerp_scalar": (lambda a, b: torch.lerp(a, b, 0.3), ((2, 3), (3,))),
    "lerp_big_weight": (lambda a, b: a.lerp(b, 0.9), ((2, 3), (2, 3))),
    "lerp_tensor": (torch.lerp, ((2, 3), (2, 3), (3,))),
    "lerp_inplace": (lambda a, b, w: (a * 1).lerp_(b, w), ((2, 3), (2, 3), (2, 3))),
    "hypot": (torch.hypot, ((2, 3), (3,))),
    "logaddexp": (torch.logaddexp, ((2, 3), (2, 1))),
    "logaddexp2": (torch.logaddexp2, ((2, 3), (3,))),
    "ldexp": (torch.ldexp, ((2, 3), (3,))),
    "ldexp_int": (lambda a: torch.ldexp(a, torch.tensor([1, 0, 3])), ((2, 3),)),
    "erf": (torch.erf, ((2, 3),)),
    "erfc": (torch.erfc, ((2, 3),)),
    "erfinv": (torch.erfinv, ((2, 3),), INSIDE),
    "sinc": (torch.sinc, ((2, 3),)),
    "sinc_second": (_second(torch.sinc), ((2, 3),)),
    "frexp": (lambda a: torch.frexp(a * 5)[0], ((2, 3),)),
    "kron": (torch.kron, ((2, 3), (2, 1, 2))),
    "tensordot": (lambda a, b: torch.tensordot(a, b, ([1, 2], [1, 0])), ((2, 3, 2), (2, 3, 2))),
    "tensordot_all": (torch.tensordot, ((2, 3), (2, 3))),
    "cartesian_prod": (torch.cartesian_prod, ((3,), (2,))),
    "block_diag": (lambda a, b, c: torch.block_diag(a, b, c.sum()), ((2, 3), (2,), (2,))),
    "diag_embed": (lambda a: torch.diag_embed(a, 1, 0, 2), ((2, 3),)),
    "diag_embed_second": (_second(lambda a: torch.diag_embed(a) ** 2), ((2, 3),)),
    "rot90": (lambda a: torch.rot90(a, 3, (1, 2)), ((2, 3, 2),)),
    "rot90_second": (_second(lambda a: torch.rot90(a) ** 3), ((2, 3),)),
    "diff": (lambda a, b: torch.diff(a, n=2, dim=0, prepend=b), ((3, 2), (1, 2))),
    "median": (torch.median, ((2, 3),), DISTINCT),
    "median_dim": (lambda a: torch.median(a, 1)[0], ((2, 4),), DISTINCT),
    "nanmedian": (torch.nanmedian, ((2, 3),), DISTINCT),
    "nanmedian_dim": (lambda a: a.nanmedian(0, keepdim=True)[0], ((3, 2),), DISTINCT),
    "kthvalue": (lambda a: torch.kthvalue(a, 2, 0)[0], ((3, 2),), DISTINCT),
    "mode": (lambda a: torch.mode(a, 1)[0], ((2, 3),), DISTINCT),
    "cummax": (lambda a: torch.cummax(a, 1)[0], ((2, 4),), DISTINCT),
    "cummin": (lambda a: torch.cummin(a, 0)[0], ((3, 2),), DISTINCT),
    "logcumsumexp": (lambda a: torch.logcumsumexp(a, 1), ((2, 4),)),
    "tensor_unfold": (lambda a: a.unfold(1, 3, 2), ((3, 8),)),
    "tensor_unfold_overlapping": (lambda a: a.unfold(0, 3, 1).unfold(-1, 2, 2), ((5, 4),)),
    "tensor_unfold_scalar": (lambda a: a.sum().unfold(0, 1, 1), ((2,),)),
    "tensor_unfold_second": (_second(lambda a: a.unfold(0, 2, 1) ** 2), ((4, 3),)),
    "addmv": (lambda c, m, v: torch.addmv(c, m, v, beta=0.5, alpha=2), ((1,), (2, 3), (3,))),
    "addr": (lambda c, x, y: torch.addr(c, x, y, beta=2, alpha=0.5), ((3,), (2,), (3,))),
    "addbmm": (lambda c, x, y: torch.addbmm(c, x, y, alpha=3), ((3,), (2, 2, 4), (2, 4, 3))),
    "cov": (torch.cov, ((3, 5),)),
    "cov_vector": (lambda a: torch.cov(a, correction=0), ((6,),)),
    "cov_weights": (
        lambda a, w: torch.cov(a, fweights=torch.tensor([1, 2, 1, 3]), aweights=w * w + 0.5),
        ((2, 4), (4,)),
    ),
    "corrcoef": (torch.corrcoef, ((3, 5),)),
    # Shifted by 0.05 off the grid: no difference is 0 (the kink of |d| and |d|^p, p < 1).
    "cdist": (lambda a, b: torch.cdist(a, b + 0.05), ((2, 3), (4, 3))),
    "cdist_p1": (lambda a, b: torch.cdist(a, b + 0.05, p=1), ((2, 2, 3), (4, 3))),
    "cdist_p_half": (lambda a, b: torch.cdist(a, b + 0.05, 0.5), ((2, 3), (3, 3))),
    "cdist_p3_5": (lambda a, b: torch.cdist(a, b + 0.05, 3.5), ((2, 1, 2, 3), (3, 2, 3))),
    "cdist_inf": (
        lambda a, b: torch.cdist(a * torch.tensor(_UNEVEN, dtype=torch.float64), b, float("inf")),
        ((2, 3), (4, 3)),
    ),
    "cdist_mm": (
        lambda a, b: torch.cdist(a, b + 0.05, compute_mode="use_mm_for_euclid_dist"),
        ((2, 3), (4, 3)),
    ),
    "cdist_mm_batched": (
        lambda a, b: torch.cdist(a, b + 0.05, compute_mode="use_mm_for_euclid_dist"),
        ((2, 2, 3), (3, 3)),
    ),
    "cdist_mm_second": (_second(lambda a: torch.cdist(a, a[:1] + 0.05, 2, _MM) ** 2), ((3, 2),)),
    "pdist": (torch.pdist, ((4, 3),), DISTINCT),
    "lstsq": (lambda a, b: torch.linalg.lstsq(_tall(a), b).solution, ((4, 2), (4, 2))),
    "lstsq_vector": (lambda a, b: torch.linalg.lstsq(_tall(a), b)[0], ((2, 4, 2), (2, 4))),
    "lstsq_residuals": (
        lambda a, b: torch.linalg.lstsq(_tall(a), b, driver="gelsd")[:2],
        ((4, 2), (4, 3)),
    ),
    "lstsq_gels_residuals": (
        lambda a, b: torch.linalg.lstsq(_tall(a), b, driver="gels").residuals,
        ((2, 4, 2), (1, 4, 1)),
    ),
    "combinations": (torch.combinations, ((4,),)),
    "combinations_replacement": (lambda a: torch.combinations(a, 3, True), ((3,),)),
    "linalg_vander": (lambda a: torch.linalg.vander(a, N=4), ((2, 3),)),
    "matrix_exp": (torch.linalg.matrix_exp, ((2, 3, 3),)),
    "matrix_exp_second": (_second(lambda a: a.matrix_exp() ** 2), ((2, 2),)),
    "cond": (lambda a: torch.linalg.cond(_tall(a)), ((4, 3),)),
    "cond_neg_2": (lambda a: torch.linalg.cond(_tall(a.mT).mT, -2), ((2, 4),)),
    "cond_nuc": (lambda a: torch.linalg.cond(_tall(a), "nuc"), ((2, 3, 3),)),
    "tensorsolve": (
        lambda a, b: torch.linalg.tensorsolve(_tall(a).view(2, 2, 4), b),
        ((4, 4), (2, 2)),
    ),
    "tensorsolve_dims": (
        lambda a, b: torch.linalg.tensorsolve(_tall(a).view(4, 2, 2), b, dims=(1, 2)),
        ((4, 4), (4,)),
    ),
    "lu_factor": (lambda a: torch.linalg.lu_factor(_tall(a)).LU, ((3, 3),)),
    "lu_factor_wide": (lambda a: torch.linalg.lu_factor(_tall(a.mT).mT)[0], ((2, 4),)),
    "lu": (lambda a: torch.linalg.lu(_tall(a))[1:], ((2, 4, 3),)),
    "lu_wide": (lambda a: torch.linalg.lu(_tall(a.mT).mT)[1:], ((3, 4),)),
    "lu_unpack": (lambda a: torch.lu_unpack(*torch.linalg.lu_factor(_tall(a)))[1:], ((4, 3),)),
    "lu_solve": (
        lambda a, b: torch.linalg.lu_solve(*torch.linalg.lu_factor(_tall(a)), b),
        ((3, 3), (2, 3, 2)),
    ),
    "lu_solve_right": (
        lambda a, b: torch.linalg.lu_solve(*torch.linalg.lu_factor(_tall(a)), b, left=False),
        ((3, 3), (2, 3)),
    ),
    "lu_solve_adjoint": (
        lambda a, b: torch.linalg.lu_solve(*torch.linalg.lu_factor(_tall(a)), b, adjoint=True),
        ((3, 3), (3, 2)),
    ),
    "lu_solve_right_adjoint": (
        lambda a, b: torch.linalg.lu_solve(
            *torch.linalg.lu_factor(_tall(a)), b, left=False, adjoint=True
        ),
        ((3, 3), (1, 3)),
    ),
    "trapezoid": (lambda a: torch.trapezoid(a, dx=0.5), ((2, 4),)),
    "trapezoid_x": (lambda a, x: torch.trapezoid(a, x, dim=0), ((3, 2), (3,))),
    "trapezoid_x_rows": (torch.trapezoid, ((2, 3, 4), (3, 4))),
    "trapz": (lambda a, x: torch.trapz(a, x), ((2, 3), (1, 3))),
    "cumulative_trapezoid": (lambda a: torch.cumulative_trapezoid(a, dx=2.0, dim=0), ((4, 2),)),
    "cumulative_trapezoid_x": (torch.cumulative_trapezoid, ((2, 4), (4,))),
    "quantile": (lambda a: torch.quantile(a, 0.3), ((3, 4),), DISTINCT),
    "quantile_q_dim": (
        lambda a: a.quantile(_q(a, 0.2, 0.7), dim=0, keepdim=True),
        ((3, 4),),
        DISTINCT,
    ),
    "quantile_midpoint": (
        lambda a: torch.quantile(a, _q(a, 0.4, 0.9), 1, interpolation="midpoint"),
        ((2, 4),),
        DISTINCT,
    ),
    "quantile_lower": (lambda a: torch.quantile(a, 0.4, interpolation="lower"), ((5,),), DISTINCT),
    "nanquantile": (
        lambda a: torch.nanquantile(a.masked_fill(a > 3, float("nan")), _q(a, 0.3, 0.6), dim=1),
        ((3, 4),),
        DISTINCT,
    ),
    "pdist_p1_5": (lambda a: torch.pdist(a, 1.5), ((3, 2),), DISTINCT),
    "pdist_inf": (
        lambda a: torch.pdist(a * torch.tensor(_UNEVEN, dtype=torch.float64), float("inf")),
        ((4, 3),),
        DISTINCT,
    ),
}

# Rows whose values must be distinct (``test_gradcheck_ops`` draws them unique).
UNIQUE_ROWS = frozenset(name for name, row in MATH_ROWS.items() if DISTINCT in row[2:])
