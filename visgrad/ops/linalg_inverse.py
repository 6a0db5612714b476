"""``torch.linalg`` inverses, determinants and solves: inv / inv_ex (``torch.inverse``), det
(``torch.det``), slogdet (``torch.slogdet``), ``torch.logdet`` and solve / solve_ex.

LAPACK through NumPy computes the values (PyTorch calls LAPACK too; its build may round the last
bits differently). Each backward is PyTorch's formula written with visgrad ops, for matrices that
are invertible (the gradient of a singular det is PyTorch's SVD special case, not built here).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.autograd import errors
from visgrad.autograd.grad_mode import MODES
from visgrad.ops.base import Op, apply
from visgrad.ops.elementwise import where
from visgrad.ops.linalg import matmul
from visgrad.ops.linalg_common import (
    LinAlgError,
    MultiOutput,
    batch_label,
    check_float,
    check_matrix,
    const,
    eye_like,
    result_type,
    type_name,
)
from visgrad.ops.linalg_svd import svd
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

InvExResult = result_type("linalg_inv_ex", ("inverse", "info"))
SlogdetResult = result_type("linalg_slogdet", ("sign", "logabsdet"))
TorchSlogdetResult = result_type("slogdet", ("sign", "logabsdet"))
SolveExResult = result_type("linalg_solve_ex", ("result", "info"))


def _singular_at(x: np.ndarray) -> tuple[int, int] | None:
    """(batch element, 1-based pivot) of the first singular matrix, as LAPACK's getrf reports it."""
    flat = x.reshape((-1,) + x.shape[-2:])
    for b, m in enumerate(flat):
        u = _lu_diagonal(m)
        bad = np.flatnonzero(u == 0)
        if bad.size:
            return b, int(bad[0]) + 1
    return None


def _lu_diagonal(m: np.ndarray) -> np.ndarray:
    """U's diagonal of the partially pivoted LU of ``m`` (getrf's order of elimination)."""
    a = np.array(m, dtype=np.float64)
    n = a.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(a[k:, k])))
        if a[p, k] == 0:
            continue
        a[[k, p]] = a[[p, k]]
        a[k + 1 :, k:] -= np.outer(a[k + 1 :, k] / a[k, k], a[k, k:])
    return np.diagonal(a).copy()


def _info(x: np.ndarray) -> np.ndarray:
    """getrf's ``info`` per matrix: 0, or the 1-based index of the first zero pivot."""
    flat = x.reshape((-1,) + x.shape[-2:])
    out = [next((i + 1 for i, d in enumerate(_lu_diagonal(m)) if d == 0), 0) for m in flat]
    return np.array(out, dtype=np.int32).reshape(x.shape[:-2])


class LinalgInvExBackward0(Op):
    op_name = "linalg_inv_ex"
    input_names = ("A",)
    differentiable = (0,)
    saves_output = "result"
    formulas = {"A": "-(result.mT @ grad @ result.mT)"}

    def forward(self, a: Tensor, check_errors: bool) -> tuple[np.ndarray, np.ndarray]:
        x = a._data
        check_matrix(x, "linalg.inv")
        info = _info(x) if x.size else np.zeros(x.shape[:-2], np.int32)
        if check_errors and info.any():
            b = int(np.flatnonzero(info.reshape(-1))[0])
            raise LinAlgError(
                f"linalg.inv: {batch_label(x, b)}The diagonal element {info.reshape(-1)[b]} is "
                "zero, the inversion could not be completed because the input matrix is singular."
            )
        with np.errstate(all="ignore"):
            inv = _safe(np.linalg.inv, x)
        return inv.astype(x.dtype, copy=False), info

    def backward(self, g: Tensor, _info: Tensor | None = None) -> Tensor:
        y = self.saved("result").mT
        return -matmul(matmul(y, g), y)


def _safe(fn: Any, x: np.ndarray) -> np.ndarray:
    """``fn(x)`` with singular matrices giving inf/nan (inv_ex's unchecked result) not raising."""
    try:
        return fn(x)
    except np.linalg.LinAlgError:
        out = np.full(x.shape, np.nan, dtype=x.dtype)
        flat, res = x.reshape((-1,) + x.shape[-2:]), out.reshape((-1,) + x.shape[-2:])
        for i, m in enumerate(flat):
            try:
                res[i] = fn(m)
            except np.linalg.LinAlgError:
                pass  # stays NaN: the matrix has no inverse
        return out


@declare("inverse", nodes=LinalgInvExBackward0, linalg=("inv",))
def inverse(A: Tensor) -> Tensor:  # noqa: N803 - PyTorch's name
    """The inverse of each square matrix; a singular one raises LinAlgError."""
    return apply(LinalgInvExBackward0, A, check_errors=True)[0]


@declare("linalg_inv_ex", nodes=LinalgInvExBackward0, torch=False, method=False, linalg=True)
def inv_ex(A: Tensor, *, check_errors: bool = False) -> Any:  # noqa: N803
    """The inverse and LAPACK's ``info`` (0, or the first zero pivot) per matrix."""
    return InvExResult(*apply(LinalgInvExBackward0, A, check_errors=bool(check_errors)))


def _inverse_t(a: Tensor) -> Tensor:
    return inverse(a).mT


class LinalgDetBackward0(Op):
    """det(A); its gradient ``grad * det * A^-T`` is finite at singular matrices too, as
    PyTorch's: a plain backward solves with LU's zero pivots nudged to eps, which gives 0 where
    det is exactly 0; under ``create_graph`` matrices with ``|det| < 100 eps`` take the
    adjugate through the SVD (``det U det Vh`` times the product rule over S)."""

    op_name = "linalg_det"
    input_names = ("A",)
    saves_output = "result"
    formulas = {"A": "det_backward(grad, result, A)"}

    def forward(self, a: Tensor) -> np.ndarray:
        x = a._data
        check_matrix(x, "linalg.det")
        self.save(A=a)
        return np.asarray(np.linalg.det(x), dtype=x.dtype)

    def backward(self, g: Tensor) -> Tensor:
        a, det_a = self.saved("A"), self.saved("result")
        x = a._data
        if not MODES.enabled:  # no graph wanted: NumPy, with singular matrices giving 0
            return const(det_grad(g._data, det_a._data, x))
        scale = (g * det_a).unsqueeze(-1).unsqueeze(-1)
        singular = np.abs(det_a._data) < 100 * np.finfo(x.dtype).eps
        if not singular.any():
            return scale * _inverse_t(a)
        by_svd = _det_grad_svd(g, a)
        if singular.all():
            return by_svd
        mask = const(singular[..., None, None])
        safe = where(mask, eye_like(a), a)  # the singular ones are taken from the SVD
        return where(mask, by_svd, scale * _inverse_t(safe))


def det_grad(g: np.ndarray, det_a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``g * det * A^-T``, 0 for a matrix with a zero pivot (its det is exactly 0)."""
    with np.errstate(all="ignore"):
        inv_t = np.swapaxes(_safe(np.linalg.inv, x), -1, -2)
        out = (g * det_a)[..., None, None] * inv_t
    bad = _info(x) != 0 if x.size else np.zeros(x.shape[:-2], bool)
    out[bad] = 0.0
    return out.astype(x.dtype, copy=False)


def _det_grad_svd(g: Tensor, a: Tensor) -> Tensor:
    """The adjugate route: with ``A = U diag(S) Vh``, the gradient is
    ``U diag(det U det Vh g prod_{j != i} S_j) Vh``, which needs no inverse."""
    u, s, vh = svd(a)
    alpha = det(u) * det(vh) * g
    eye = np.eye(s._data.shape[-1], dtype=s._data.dtype)
    others = s.unsqueeze(-2) * const(1 - eye) + const(eye)  # row i: S with S_i set to 1
    d = alpha.unsqueeze(-1) * others.prod(-1)
    return matmul(u * d.unsqueeze(-2), vh)


@declare("det", nodes=LinalgDetBackward0, linalg=True)
def det(A: Tensor) -> Tensor:  # noqa: N803
    """The determinant of each square matrix."""
    return apply(LinalgDetBackward0, A)


class LinalgSlogdetBackward0(MultiOutput, Op):
    op_name = "linalg_slogdet"
    input_names = ("A",)
    num_outputs = 2
    differentiable = (0, 1)
    formulas = {"A": "grads[1].unsqueeze(-1).unsqueeze(-1) * inverse(A).mT"}
    materialize_grads = False  # the sign has no gradient: without logabsdet's, none for A

    def forward(self, a: Tensor, fname: str = "linalg.slogdet") -> tuple[np.ndarray, np.ndarray]:
        x = a._data
        check_matrix(x, fname)
        self.save(A=a)
        sign, logabs = np.linalg.slogdet(x)
        return self.outputs(np.asarray(sign, dtype=x.dtype), np.asarray(logabs, dtype=x.dtype))

    def backward(self, _g_sign: Tensor | None, g: Tensor | None) -> Tensor | None:
        if g is None:
            return None
        return g.unsqueeze(-1).unsqueeze(-1) * _inverse_t(self.saved("A"))


@declare("linalg_slogdet", nodes=LinalgSlogdetBackward0, torch=False, method=False, linalg=True)
def linalg_slogdet(A: Tensor) -> Any:  # noqa: N803
    """The sign and the log of the absolute value of each determinant (``-inf`` when singular)."""
    return SlogdetResult(*apply(LinalgSlogdetBackward0, A))


@declare("slogdet", nodes=LinalgSlogdetBackward0)
def slogdet(input: Tensor) -> Any:  # noqa: A002
    """``torch.slogdet``: ``linalg.slogdet`` under its older result type."""
    return TorchSlogdetResult(*apply(LinalgSlogdetBackward0, input))


@declare("logdet", nodes=LinalgSlogdetBackward0)
def logdet(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """``log(det(input))``: NaN where the determinant is negative, as ATen's ``where`` gives."""
    sign, logabs = apply(LinalgSlogdetBackward0, input, fname="logdet")
    return where(sign == -1.0, float("nan"), logabs)


def _solve_shapes(x: np.ndarray, y: np.ndarray, left: bool) -> bool:
    """Check A and B as linalg.solve does; True when B is a (batch of) vector(s)."""
    check_matrix(x, "linalg.solve")
    check_float(y, "linalg.solve")
    if x.dtype != y.dtype:
        raise RuntimeError(
            "linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{type_name(x.dtype)} and B of type {type_name(y.dtype)} instead"
        )
    vector = y.ndim == 1 or (y.ndim == x.ndim - 1 and y.shape == x.shape[:-1])
    n = x.shape[-1]
    rows = y.shape[-1] if vector else y.shape[-2] if left else y.shape[-1]
    if y.ndim < 1 or rows != n:
        shape_b = f"{y.shape[-1]}x1" if vector else "x".join(str(s) for s in y.shape[-2:])
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation {eq} ({n}x{n} and "
            f"{shape_b})"
        )
    batch_b = y.shape[:-1] if vector else y.shape[:-2]
    try:
        np.broadcast_shapes(batch_b, x.shape[:-2])
    except ValueError:
        raise RuntimeError(errors.broadcast(batch_b, x.shape[:-2])) from None
    return vector


class LinalgSolveExBackward0(Op):
    op_name = "linalg_solve_ex"
    input_names = ("A", "B")
    differentiable = (0,)
    saves_output = "result"
    formulas = {
        "A": "solve_backward_A(grad, A, B, result, left)",
        "B": "solve_backward_B(grad, A, B, left)",
    }

    def forward(self, a: Tensor, b: Tensor, left: bool) -> tuple[np.ndarray, np.ndarray]:
        x, y = a._data, b._data
        vector = _solve_shapes(x, y, left)
        self.save(A=a, left=left, vector=vector)
        self._left, self._vector = left, vector
        info = _info(x) if x.size else np.zeros(x.shape[:-2], np.int32)
        rhs = y[..., None] if vector else y if left else np.swapaxes(y, -1, -2)
        lhs = x if left else np.swapaxes(x, -1, -2)
        with np.errstate(all="ignore"):
            if info.any():
                out = np.full(np.broadcast_shapes(lhs.shape[:-2], rhs.shape[:-2]) + rhs.shape[-2:],
                              np.nan, dtype=x.dtype)  # fmt: skip
            else:
                out = _bsolve(lhs, rhs)
        out = out[..., 0] if vector else out if left else np.swapaxes(out, -1, -2)
        return out.astype(x.dtype, copy=False), info

    def backward(self, g: Tensor, _info: Tensor | None = None) -> tuple[Tensor | None, ...]:
        a, x = self.saved("A"), self.saved("result")
        left, vector = self._left, self._vector
        gb = solve(a.mT, g, left=left)
        if not self.needs_input_grad[0]:
            return None, gb
        if vector:
            ga = -(gb.unsqueeze(-1) * x.unsqueeze(-2))
        elif left:
            ga = -matmul(gb, x.mT)
        else:
            ga = -matmul(x.mT, gb)
        return ga, gb


def _bsolve(lhs: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    batch = np.broadcast_shapes(lhs.shape[:-2], rhs.shape[:-2])
    a = np.broadcast_to(lhs, batch + lhs.shape[-2:])
    b = np.broadcast_to(rhs, batch + rhs.shape[-2:])
    return np.linalg.solve(a, b)


def _solve(A: Tensor, B: Tensor, left: bool, check_errors: str) -> tuple[Tensor, Tensor]:  # noqa: N803
    """``check_errors``: the name a singular matrix's error gives (empty: no check)."""
    out, info = apply(LinalgSolveExBackward0, A, B, left=bool(left))
    if check_errors and info._data.any():
        raise LinAlgError(
            f"torch.{check_errors}: The solver failed because the input matrix is singular."
        )
    return out, info


@declare("linalg_solve", nodes=LinalgSolveExBackward0, torch=False, method=False, linalg=True)
def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:  # noqa: N803
    """X with ``A @ X = B`` (``X @ A = B`` when ``left=False``); batches broadcast."""
    return _solve(A, B, left, "linalg.solve")[0]


@declare("linalg_solve_ex", nodes=LinalgSolveExBackward0, torch=False, method=False, linalg=True)
def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False) -> Any:  # noqa: N803
    """``solve`` and LAPACK's ``info`` per matrix (0, or the first zero pivot)."""
    return SolveExResult(*_solve(A, B, left, "linalg.solve_ex" if check_errors else ""))
