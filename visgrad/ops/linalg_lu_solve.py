"""``torch.linalg.lu_solve`` (and the deprecated ``torch.lu_solve`` / ``Tensor.lu_solve``):
solves with a packed LU factorisation, ``A X = B``, ``X A = B`` (``left=False``), or with ``A``'s
adjoint.

LAPACK's ``getrs`` (SciPy's ``lu_solve``) solves each matrix of the broadcast batch. The
gradients are PyTorch's: ``B``'s is another ``lu_solve`` with the adjoint flipped; the packed
factors' comes from ``P``, ``L`` and ``U`` (``lu_unpack``) as in PyTorch's
``linalg_lu_solve_LU``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad._scipy import linalg as sla
from visgrad.autograd import errors
from visgrad.ops.base import Op, apply, broadcast_shapes
from visgrad.ops.linalg import matmul
from visgrad.ops.linalg_common import check_float
from visgrad.ops.linalg_common import type_name as scalar_name
from visgrad.ops.linalg_inverse import solve
from visgrad.ops.linalg_lu import lu_unpack
from visgrad.ops.linalg_warnings import warn_once
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["lu_solve", "torch_lu_solve"]

LU_SOLVE_DEPRECATED = (
    "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a "
    "future PyTorch release.\nNote that torch.linalg.lu_solve has its arguments reversed.\n"
    "X = torch.lu_solve(B, LU, pivots)\nshould be replaced with\n"
    "X = torch.linalg.lu_solve(LU, pivots, B)"
)


def getrs(lu_: np.ndarray, pivots: np.ndarray, b: np.ndarray, left: bool, adjoint: bool) -> Any:
    """X for each matrix of the broadcast batch (``pivots`` 1-based, as PyTorch's)."""
    n = lu_.shape[-1]
    batch = tuple(broadcast_shapes(lu_.shape[:-2], b.shape[:-2]))
    rhs = b if left else np.swapaxes(b, -1, -2)
    trans = int(adjoint) if left else int(not adjoint)
    k = rhs.shape[-1]
    flat_lu = np.broadcast_to(lu_, batch + (n, n)).reshape((-1, n, n))
    flat_piv = np.broadcast_to(pivots, batch + (n,)).reshape((-1, n))
    flat_b = np.broadcast_to(rhs, batch + (n, k)).reshape((-1, n, k))
    out = np.empty(flat_b.shape, lu_.dtype)
    for i, (m, p, r) in enumerate(zip(flat_lu, flat_piv, flat_b, strict=True)):
        out[i] = sla.lu_solve((m, p - 1), r, trans=trans, check_finite=False) if r.size else r
    x = out.reshape(batch + (n, k))
    return x if left else np.swapaxes(x, -1, -2)


class LinalgLuSolveBackward0(Op):
    op_name = "linalg_lu_solve"
    input_names = ("LU", "B")
    saves_output = "result"
    formulas = {
        "LU": "lu_solve_backward_LU(grad, LU, pivots, result, left, adjoint)",
        "B": "lu_solve_backward_B(grad, LU, pivots, left, adjoint)",
    }

    def forward(self, lu_: Tensor, b: Tensor, pivots: np.ndarray, left: bool, adjoint: bool) -> Any:
        self.save(LU=lu_, left=left, adjoint=adjoint)
        self._pivots = pivots
        x = getrs(lu_._data, pivots, b._data, left, adjoint)
        return np.ascontiguousarray(x, dtype=lu_._data.dtype)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        n_lu, n_b = self.needs_input_grad
        lu_, x = self.saved("LU"), self.saved("result")
        left, adjoint, piv = self.saved("left"), self.saved("adjoint"), self._pivots
        gb = apply(LinalgLuSolveBackward0, lu_, g, pivots=piv, left=left, adjoint=not adjoint)
        if not n_lu:
            return None, gb if n_b else None
        p, lo, up = lu_unpack(lu_, Tensor._make(piv, False, None, 0))
        if left != adjoint:
            gr = solve(up.mT, -matmul(g if left else g.mT, x.mT if left else x))
            gl = solve(lo.mT, matmul(gr, up.mT)).tril(-1)
            glu = gl + gr.triu()
        else:
            gr = -matmul(matmul(matmul(p.mT, x if left else x.mT), g.mT if left else g), p)
            gr = solve(lo.mT, gr, left=False)
            gu = solve(up.mT, matmul(lo.mT, gr), left=False).triu()
            glu = gr.tril(-1) + gu
        return glu, gb if n_b else None


def _check(lu_: np.ndarray, piv: np.ndarray, b: np.ndarray, left: bool) -> None:
    name = "linalg.lu_solve"
    # ATen's order: the dtypes first, then the shapes.
    check_float(lu_, f"torch.{name}")
    if lu_.dtype != b.dtype:
        raise RuntimeError(
            f"{name}: Expected LU and B to have the same dtype, but found LU of type "
            f"{scalar_name(lu_.dtype)} and B of type {scalar_name(b.dtype)} instead"
        )
    if piv.dtype != np.int32:
        raise RuntimeError(f"{name}: pivots should be a Tensor of scalar type torch.int32")
    if lu_.ndim < 2:
        raise RuntimeError(f"torch.{name}: The input tensor A must have at least 2 dimensions.")
    if lu_.shape[-1] != lu_.shape[-2]:
        raise RuntimeError(
            f"torch.{name}: A must be batches of square matrices, but they are "
            f"{lu_.shape[-2]} by {lu_.shape[-1]} matrices"
        )
    if b.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor B must have at least 2 dimensions.")
    if lu_.shape[-1] != (b.shape[-2] if left else b.shape[-1]):
        raise RuntimeError(
            f"{name}: Incompatible shapes of A and B for the equation "
            f"{'AX = B' if left else 'XA = B'} ({lu_.shape[-2]}x{lu_.shape[-1]} and "
            f"{b.shape[-2]}x{b.shape[-1]})"
        )
    if piv.ndim == 0 or piv.shape[-1] != lu_.shape[-1]:
        raise RuntimeError(
            f"{name}: Number of pivots per batch should be same as the dimension of the matrix"
        )
    if piv.shape != lu_.shape[:-1]:
        raise RuntimeError(
            f"{name}: Expected LU.shape[:-1] and pivots.shape to be the same, but got pivots "
            f"with shape {list(piv.shape)} instead"
        )
    try:
        broadcast_shapes(lu_.shape[:-2], b.shape[:-2])
    except ValueError:
        raise RuntimeError(errors.broadcast(lu_.shape[:-2], b.shape[:-2])) from None


@declare("linalg_lu_solve", nodes=LinalgLuSolveBackward0, torch=False, method=False, linalg=True)
def lu_solve(
    LU: Tensor,  # noqa: N803 - PyTorch's names
    pivots: Tensor,
    B: Tensor,  # noqa: N803
    *,
    left: bool = True,
    adjoint: bool = False,
) -> Tensor:
    """X with ``A X = B`` (``X A = B``: ``left=False``; ``A^H``: ``adjoint``) from
    ``lu_factor``'s ``LU`` and ``pivots``."""
    _check(LU._data, pivots._data, B._data, left)
    return apply(LinalgLuSolveBackward0, LU, B, pivots=pivots._data, left=left, adjoint=adjoint)


@declare("lu_solve", nodes=LinalgLuSolveBackward0)
def torch_lu_solve(input: Tensor, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:  # noqa: A002, N803
    """``torch.lu_solve(B, LU, pivots)``, deprecated: ``linalg.lu_solve(LU, pivots, B)``."""
    warn_once(LU_SOLVE_DEPRECATED)
    return lu_solve(LU_data, LU_pivots, input)
