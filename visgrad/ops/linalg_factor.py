"""``torch.linalg`` factorizations: cholesky / cholesky_ex (and ``torch.cholesky``), qr (and
``torch.qr``), eigh / eigvalsh.

LAPACK through NumPy factors (PyTorch calls the same LAPACK routines, so eigenvector and QR signs
follow the same conventions; the last bits may differ between builds). The backwards are the
real-matrix formulas PyTorch uses, written with visgrad ops so ``create_graph`` works.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.ops import linalg_warnings
from visgrad.ops.base import Op, apply
from visgrad.ops.join import cat
from visgrad.ops.linalg import matmul
from visgrad.ops.linalg_common import (
    LinAlgError,
    MultiOutput,
    batch_label,
    check_double_float_kernel,
    check_matrix,
    const,
    result_type,
    type_name,
)
from visgrad.ops.linalg_inverse import inverse
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

CholeskyExResult = result_type("linalg_cholesky_ex", ("L", "info"))
QrResult = result_type("linalg_qr", ("Q", "R"))
TorchQrResult = result_type("qr", ("Q", "R"))
EighResult = result_type("linalg_eigh", ("eigenvalues", "eigenvectors"))

_NOT_PD = (
    "The factorization could not be completed because the input is not positive-definite "
    "(the leading minor of order {} is not positive-definite)."
)


def _cholesky_info(x: np.ndarray) -> np.ndarray:
    """potrf's ``info``: 0, or the order of the first leading minor that is not positive."""
    flat = x.reshape((-1,) + x.shape[-2:])
    out = []
    for m in flat:
        info = 0
        try:
            np.linalg.cholesky(m)
        except np.linalg.LinAlgError:
            info = next(k for k in range(1, m.shape[0] + 1) if not _pd(m[:k, :k]))
        out.append(info)
    return np.array(out, dtype=np.int32).reshape(x.shape[:-2])


def _pd(m: np.ndarray) -> bool:
    try:
        np.linalg.cholesky(m)
    except np.linalg.LinAlgError:
        return False
    return True


def _phi(m: Tensor) -> Tensor:
    """The lower triangle with the diagonal halved."""
    return m.tril() - 0.5 * m.diagonal(0, -2, -1).diag_embed()


class LinalgCholeskyExBackward0(Op):
    op_name = "linalg_cholesky_ex"
    differentiable = (0,)
    saves_output = "result"
    formulas = {"self": "cholesky_backward(grad, result, upper)"}
    _fname = "linalg.cholesky"

    def forward(
        self, a: Tensor, upper: bool, check_errors: bool, ex: bool = False
    ) -> tuple[np.ndarray, ...]:
        x = a._data
        check_matrix(x, self._fname)
        info = _cholesky_info(x) if x.size else np.zeros(x.shape[:-2], np.int32)
        if check_errors and info.any():
            b = int(np.flatnonzero(info.reshape(-1))[0])
            order = info.reshape(-1)[b]
            fname = "linalg.cholesky_ex" if ex else self._fname  # the _ex op names itself
            raise LinAlgError(f"{fname}: {batch_label(x, b)}{_NOT_PD.format(order)}")
        self._upper = upper
        low = np.tril(x)  # LAPACK reads the lower triangle only
        if info.any():
            out = np.zeros_like(x)
        else:
            out = np.linalg.cholesky(low + np.swapaxes(np.tril(x, -1), -1, -2))
        if upper:
            out = np.swapaxes(out, -1, -2)
        return np.ascontiguousarray(out, dtype=x.dtype), info

    def backward(self, g: Tensor, _info: Tensor | None = None) -> Tensor:
        low, gl = self.saved("result"), g
        if self._upper:
            low, gl = low.mT, g.mT
        li = inverse(low)
        s = matmul(matmul(li.mT, _phi(matmul(low.mT, gl))), li)
        return 0.5 * (s + s.mT)


class CholeskyBackward0(LinalgCholeskyExBackward0):
    op_name = "cholesky"
    differentiable = (0,)
    _fname = "cholesky"

    def forward(
        self, a: Tensor, upper: bool, check_errors: bool, ex: bool = False
    ) -> tuple[np.ndarray, ...]:
        x = a._data
        if x.size == 0:  # ATen's cholesky returns an empty input's copy before any check
            self._upper = upper
            return x.copy(), np.zeros(x.shape[:-2], np.int32)
        return super().forward(a, upper, check_errors, ex)


@declare("cholesky", nodes=CholeskyBackward0)
def cholesky(input: Tensor, upper: bool = False) -> Tensor:  # noqa: A002
    """``torch.cholesky`` (deprecated in PyTorch, which warns once)."""
    linalg_warnings.warn_once(linalg_warnings.CHOLESKY)
    return apply(CholeskyBackward0, input, upper=bool(upper), check_errors=True)[0]


@declare("linalg_cholesky", nodes=LinalgCholeskyExBackward0, torch=False, method=False, linalg=True)
def linalg_cholesky(A: Tensor, *, upper: bool = False) -> Tensor:  # noqa: N803
    """L with ``A = L @ L.mT`` (``upper``: U with ``A = U.mT @ U``); not positive-definite raises."""
    return apply(LinalgCholeskyExBackward0, A, upper=bool(upper), check_errors=True)[0]


@declare(
    "linalg_cholesky_ex", nodes=LinalgCholeskyExBackward0, torch=False, method=False, linalg=True
)
def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False) -> Any:  # noqa: N803
    """``cholesky`` and LAPACK's ``info`` per matrix (0, or the order of the failing minor)."""
    checked = bool(check_errors)
    out = apply(LinalgCholeskyExBackward0, A, upper=bool(upper), check_errors=checked, ex=True)
    return CholeskyExResult(*out)


def _copyltu(m: Tensor) -> Tensor:
    """The strict lower triangle mirrored onto the upper one, the diagonal kept."""
    low = m.tril(-1)
    return low + low.mT + m.diagonal(0, -2, -1).diag_embed()


class LinalgQrBackward0(MultiOutput, Op):
    """Q and R; backward recomputes them from A with visgrad ops (``create_graph`` then sees
    them as functions of A)."""

    op_name = "linalg_qr"
    input_names = ("A",)
    num_outputs = 2
    differentiable = (0, 1)
    formulas = {"A": "qr_backward(grads[0], grads[1], A, mode)"}

    def forward(self, a: Tensor, mode: str) -> tuple[np.ndarray, np.ndarray]:
        x = a._data
        check_matrix(x, "linalg.qr", square=False)
        check_double_float_kernel(x, "geqrf_cpu")
        self.save(A=a, mode=mode)
        self._mode = mode
        if mode == "r":
            r = np.linalg.qr(x, mode="r")
            return self.outputs(np.zeros(0, x.dtype), np.ascontiguousarray(r, dtype=x.dtype))
        q, r = np.linalg.qr(x, mode=mode)
        return self.outputs(
            np.ascontiguousarray(q, dtype=x.dtype), np.ascontiguousarray(r, dtype=x.dtype)
        )

    def backward(self, gq: Tensor, gr: Tensor) -> Tensor:
        a = self.saved("A")
        m, n = a._data.shape[-2:]
        if self._mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                "through linalg.qr."
            )
        if self._mode == "complete" and m > n:
            raise RuntimeError(
                "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
            )
        q, r = apply(LinalgQrBackward0, a, mode=self._mode)
        if m >= n:
            return _qr_tall(q, r, gq, gr)
        # A = [X | Y] with X = Q U square: Y's columns of R add to Q's gradient.
        u, gu, gv = r[..., :m], gr[..., :m], gr[..., m:]
        y = a[..., m:]
        gx = _qr_tall(q, u, gq + matmul(y, gv.mT), gu)
        return cat((gx, matmul(q, gv)), -1)


def _qr_tall(q: Tensor, r: Tensor, gq: Tensor, gr: Tensor) -> Tensor:
    """dA for m >= n: ``(gQ + Q copyltu(M)) R^-T`` with ``M = R gR^T - gQ^T Q``."""
    m = matmul(r, gr.mT) - matmul(gq.mT, q)
    return matmul(gq + matmul(q, _copyltu(m)), inverse(r).mT)


_QR_MODES = ("reduced", "complete", "r")


def _qr(A: Tensor, mode: str) -> tuple[Tensor, Tensor]:  # noqa: N803
    if mode not in _QR_MODES:
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
            "'r', or 'complete'"
        )
    return apply(LinalgQrBackward0, A, mode=mode)


@declare("linalg_qr", nodes=LinalgQrBackward0, torch=False, method=False, linalg=True)
def linalg_qr(A: Tensor, mode: str = "reduced") -> Any:  # noqa: N803
    """Q with orthonormal columns and upper-triangular R, ``A = Q @ R`` (LAPACK's signs)."""
    return QrResult(*_qr(A, mode))


@declare("qr", nodes=LinalgQrBackward0)
def qr(input: Tensor, some: bool = True) -> Any:  # noqa: A002
    """``torch.qr`` (deprecated in PyTorch, which warns): ``some=False`` is mode 'complete'."""
    linalg_warnings.warn_once(linalg_warnings.QR)
    return TorchQrResult(*_qr(input, "reduced" if some else "complete"))


class LinalgEighBackward0(MultiOutput, Op):
    """Eigenvalues (ascending) and eigenvectors of symmetric matrices; backward recomputes them."""

    op_name = "linalg_eigh"
    input_names = ("A",)
    num_outputs = 2
    differentiable = (0, 1)
    formulas = {"A": "eigh_backward(grads[0], grads[1], A, UPLO)"}

    def forward(self, a: Tensor, UPLO: str) -> tuple[np.ndarray, np.ndarray]:  # noqa: N803
        x = a._data
        if x.ndim >= 2 and x.dtype.kind != "f":
            raise NotImplementedError(
                f"\"linalg_eigh_cpu\" not implemented for '{type_name(x.dtype)}'"
            )
        check_matrix(x, "linalg.eigh")
        self.save(A=a, UPLO=UPLO)
        self._uplo = UPLO
        w, v = np.linalg.eigh(x, UPLO=UPLO)
        return self.outputs(w.astype(x.dtype, copy=False), np.ascontiguousarray(v, dtype=x.dtype))

    def backward(self, gl: Tensor, gv: Tensor) -> Tensor:
        w, v = apply(LinalgEighBackward0, self.saved("A"), UPLO=self._uplo)
        inner = gl.diag_embed()
        if gv._data.any() or gv.requires_grad:
            gap = w.unsqueeze(-2) - w.unsqueeze(-1)  # gap[i, j] = w[j] - w[i]
            n = w._data.shape[-1]
            off = const(1.0 - np.eye(n, dtype=w._data.dtype))
            safe = gap + const(np.eye(n, dtype=w._data.dtype))
            vgv = matmul(v.mT, gv)
            # PyTorch projects onto the skew-symmetric matrices: the gradient is symmetric
            inner = inner + 0.5 * (vgv - vgv.mT) * off / safe
        return matmul(matmul(v, inner), v.mT)


def _eigh(A: Tensor, UPLO: str) -> tuple[Tensor, Tensor]:  # noqa: N803
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return apply(LinalgEighBackward0, A, UPLO=UPLO)


@declare("linalg_eigh", nodes=LinalgEighBackward0, torch=False, method=False, linalg=True)
def eigh(A: Tensor, UPLO: str = "L") -> Any:  # noqa: N803
    """Eigenvalues in ascending order and orthonormal eigenvectors of symmetric matrices."""
    return EighResult(*_eigh(A, UPLO))


@declare("linalg_eigvalsh", nodes=LinalgEighBackward0, torch=False, method=False, linalg=True)
def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:  # noqa: N803
    """The eigenvalues of symmetric matrices, ascending."""
    return _eigh(A, UPLO)[0]
