"""``torch.linalg.svd`` / ``svdvals``, ``torch.svd`` (V, not Vh) and ``pinv`` / ``torch.pinverse``.

LAPACK's gesdd through NumPy computes the factors, on the path PyTorch's CPU build (MKL) takes, so
the singular vectors carry PyTorch's signs (``visgrad._lapack_svd``). The backwards are the real-matrix formulas
PyTorch uses, written with visgrad ops; they need distinct, non-zero singular values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import _lapack_svd
from visgrad.ops.base import Op, apply
from visgrad.ops.linalg import matmul
from visgrad.ops.linalg_common import (
    MultiOutput,
    check_double_float_kernel,
    check_matrix,
    const,
    result_type,
    type_name,
)
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

SvdResult = result_type("linalg_svd", ("U", "S", "Vh"))
TorchSvdResult = result_type("svd", ("U", "S", "V"))


def _gesdd(x: np.ndarray, full_matrices: bool) -> Any:
    """NumPy's SVD, with PyTorch's error where LAPACK cannot converge (a NaN or Inf entry)."""
    check_double_float_kernel(x, "linalg_svd_cpu")
    if not np.isfinite(x).all():
        raise RuntimeError(
            "linalg.svd: The algorithm failed to converge because the input matrix contained "
            "non-finite values."
        )
    return _lapack_svd.gesdd(x, full_matrices)


class LinalgSvdBackward0(MultiOutput, Op):
    """U, S and Vh; backward recomputes the thin factors from A with visgrad ops."""

    op_name = "linalg_svd"
    input_names = ("A",)
    num_outputs = 3
    differentiable = (0, 1, 2)
    formulas = {"A": "svd_backward(grads[0], grads[1], grads[2], A, full_matrices)"}

    def forward(self, a: Tensor, full_matrices: bool, fname: str = "linalg.svd") -> Any:
        x = a._data
        check_matrix(x, fname, square=False)
        self.save(A=a, full_matrices=full_matrices)
        u, s, vh = _gesdd(x, full_matrices)
        return self.outputs(*(np.ascontiguousarray(t, dtype=x.dtype) for t in (u, s, vh)))

    def backward(self, gu: Tensor, gs: Tensor, gvh: Tensor) -> Tensor:
        a = self.saved("A")
        m, n = a._data.shape[-2:]
        k = min(m, n)
        u, s, vh = apply(LinalgSvdBackward0, a, full_matrices=False)
        gu, gvh = gu[..., :k], gvh[..., :k, :]
        v, gv = vh.mT, gvh.mT
        inner = gs.diag_embed()
        if gu._data.any() or gv._data.any() or gu.requires_grad or gv.requires_grad:
            eye = np.eye(k, dtype=a._data.dtype)
            s2 = s * s
            gap = s2.unsqueeze(-2) - s2.unsqueeze(-1)  # gap[i, j] = s_j^2 - s_i^2
            f = const(1.0 - eye) / (gap + const(eye))
            j = matmul(u.mT, gu)
            kk = matmul(v.mT, gv)
            sd = s.diag_embed()
            inner = inner + matmul(f * (j - j.mT), sd) + matmul(sd, f * (kk - kk.mT))
            ga = matmul(matmul(u, inner), vh)
            sinv = (1.0 / s).diag_embed()
            if m > k:
                proj = gu - matmul(u, matmul(u.mT, gu))
                ga = ga + matmul(matmul(proj, sinv), vh)
            if n > k:
                proj = gv - matmul(v, matmul(v.mT, gv))
                ga = ga + matmul(matmul(u, sinv), proj.mT)
            return ga
        return matmul(matmul(u, inner), vh)


@declare("linalg_svd", nodes=LinalgSvdBackward0, torch=False, method=False, linalg=True)
def svd(A: Tensor, full_matrices: bool = True, *, driver: Any = None) -> Any:  # noqa: N803
    """``A = U @ diag(S) @ Vh`` with S descending (``full_matrices``: square U and Vh)."""
    return SvdResult(*apply(LinalgSvdBackward0, A, full_matrices=bool(full_matrices)))


@declare("linalg_svdvals", nodes=LinalgSvdBackward0, torch=False, method=False, linalg=True)
def svdvals(A: Tensor, *, driver: Any = None) -> Tensor:  # noqa: N803
    """The singular values, descending."""
    return apply(LinalgSvdBackward0, A, full_matrices=False)[1]


@declare("svd", nodes=LinalgSvdBackward0)
def torch_svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> Any:  # noqa: A002
    """``torch.svd``: V itself (``Vh.mT``), not Vh; ``compute_uv=False`` gives zero U and V."""
    x = input._data
    if x.ndim < 2:
        raise RuntimeError(
            f"linalg.svd: input should have at least 2 dimensions, but has {x.ndim} dimensions "
            "instead"
        )
    if not compute_uv:
        s = svdvals(input)
        m, n = x.shape[-2:]
        batch = x.shape[:-2]
        zu, zv = const(np.zeros(batch + (m, m), x.dtype)), const(np.zeros(batch + (n, n), x.dtype))
        return TorchSvdResult(zu, s, zv)
    u, s, vh = apply(LinalgSvdBackward0, input, full_matrices=not some)
    return TorchSvdResult(u, s, vh.mT)


class LinalgPinvBackward0(Op):
    op_name = "linalg_pinv"
    saves_output = "result"
    formulas = {"self": "pinv_backward(grad, result, self)"}

    def forward(self, a: Tensor, atol: float, rtol: float) -> np.ndarray:
        x = a._data
        if x.ndim < 2 or x.dtype not in (np.float32, np.float64):
            shape = ", ".join(str(s) for s in x.shape)
            raise RuntimeError(
                f"linalg.pinv({type_name(x.dtype)}{{[{shape}]}}): expected a tensor with 2 or "
                "more dimensions of float, double, cfloat or cdouble types"
            )
        self.save(self=a)
        u, s, vh = _gesdd(x, False)
        tol = np.maximum(atol, rtol * s[..., :1]) if s.shape[-1] else np.zeros(s.shape)
        with np.errstate(divide="ignore"):
            sinv = np.where(s > tol, 1.0 / np.where(s == 0, 1, s), 0.0)
        out = np.swapaxes(vh, -1, -2) @ (sinv[..., :, None] * np.swapaxes(u, -1, -2))
        return out.astype(x.dtype, copy=False)

    def backward(self, g: Tensor) -> Tensor:
        return pinv_backward(g, self.saved("result"), self.saved("self"))


def pinv_backward(g: Tensor, p: Tensor, a: Tensor) -> Tensor:
    """The gradient at ``a`` of ``p = pinv(a)`` for the gradient ``g`` at ``p`` (real case)."""
    pt, gt = p.mT, g.mT
    m, n = a._data.shape[-2:]
    eye_m, eye_n = const(np.eye(m, dtype=a._data.dtype)), const(np.eye(n, dtype=a._data.dtype))
    out = -matmul(matmul(pt, g), pt)
    out = out + matmul(matmul(eye_m - matmul(a, p), gt), matmul(p, pt))
    return out + matmul(matmul(pt, p), matmul(gt, eye_n - matmul(p, a)))


@declare("linalg_pinv", nodes=LinalgPinvBackward0, torch=False, method=False, linalg=True)
def pinv(
    input: Tensor,  # noqa: A002
    *,
    atol: Any = None,
    rtol: Any = None,
    hermitian: bool = False,
) -> Tensor:
    """The Moore-Penrose pseudo-inverse: singular values at or below ``max(atol, rtol * the
    largest)`` are dropped; ``rtol`` defaults to eps * max(m, n) unless ``atol`` is positive."""
    x = input._data
    a = 0.0 if atol is None else float(atol)
    if rtol is None:
        eps = np.finfo(x.dtype).eps if x.dtype.kind == "f" else 0.0
        r = float(eps * max(x.shape[-2:])) if a <= 0 and x.ndim >= 2 else 0.0
    else:
        r = float(rtol)
    return apply(LinalgPinvBackward0, input, atol=a, rtol=r)


@declare("pinverse", nodes=LinalgPinvBackward0)
def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:  # noqa: A002
    """``torch.pinverse``: ``linalg.pinv`` with ``rtol=rcond``."""
    return apply(LinalgPinvBackward0, input, atol=0.0, rtol=float(rcond))
