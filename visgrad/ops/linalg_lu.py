"""LU with partial pivoting: ``torch.linalg.lu_factor`` / ``lu_factor_ex``, ``torch.linalg.lu``
and ``torch.lu_unpack``.

LAPACK's ``getrf`` (SciPy's binding) factors each matrix of the batch, ``A = P L U`` with the
1-based row swaps PyTorch returns as int32 ``pivots``. The backwards are PyTorch's real-matrix
formulas (square, wide and tall), written with visgrad ops; the packed factorisation's gradient
goes through ``lu_unpack`` as PyTorch's does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad._scipy import linalg as sla
from visgrad.autograd.grad_mode import MODES
from visgrad.ops.base import Op, apply
from visgrad.ops.join import cat
from visgrad.ops.linalg import matmul
from visgrad.ops.linalg_common import (
    MultiOutput,
    batch_label,
    check_double_float_kernel,
    const,
    result_type,
)
from visgrad.ops.linalg_inverse import solve
from visgrad.ops.linalg_warnings import LU as LU_DEPRECATED
from visgrad.ops.linalg_warnings import warn_once
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["lu", "lu_factor", "lu_factor_ex", "lu_unpack", "torch_lu"]

LuFactorResult = result_type("linalg_lu_factor", ("LU", "pivots"))
LuFactorExResult = result_type("linalg_lu_factor_ex", ("LU", "pivots", "info"))
LuResult = result_type("linalg_lu", ("P", "L", "U"))
LuUnpackResult = result_type("lu_unpack", ("P", "L", "U"))
LuWithInfoResult = result_type("_lu_with_info", ("LU", "pivots", "info"))


def _getrf(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(packed LU, 1-based int32 pivots, int32 info) of each matrix of ``x``."""
    m, n = x.shape[-2:]
    k = min(m, n)
    batch = x.shape[:-2]
    flat = x.reshape((int(np.prod(batch)), m, n))
    lus, pivs, infos = np.empty(flat.shape, x.dtype), np.empty((len(flat), k), np.int32), []
    if flat.size:
        (getrf,) = sla.get_lapack_funcs(("getrf",), (flat[0],))
    for i, a in enumerate(flat):
        if a.size == 0:
            infos.append(0)
            continue
        if np.isfinite(a).all():
            lu_, piv, info = getrf(a)
            lus[i], pivs[i] = lu_, piv[:k] + 1
        else:
            lus[i], pivs[i], info = _getf2(a)
        infos.append(int(info))
    return (
        lus.reshape(x.shape),
        pivs.reshape(batch + (k,)),
        np.array(infos, np.int32).reshape(batch),
    )


def _getf2(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """LAPACK's unblocked ``getf2`` on a matrix with a NaN or an infinity, where the pivot
    search decides what comes out: the first largest magnitude of each column, by ``>`` (so a
    NaN is picked only where it comes first, as reference BLAS's ``iamax`` has it)."""
    a = a.copy()
    m, n = a.shape
    k = min(m, n)
    piv = np.zeros(k, np.int32)
    info = 0
    tiny = np.finfo(a.dtype).tiny
    with np.errstate(all="ignore"):
        for j in range(k):
            col = np.abs(a[j:, j])
            p = j
            for i in range(1, col.size):
                if col[i] > col[p - j]:
                    p = j + i
            piv[j] = p + 1
            if a[p, j] != 0:
                a[[j, p]] = a[[p, j]]
                pivot = a[j, j]
                a[j + 1 :, j] = (
                    a[j + 1 :, j] * (1 / pivot) if abs(pivot) >= tiny else a[j + 1 :, j] / pivot
                )
            elif info == 0:
                info = j + 1
            a[j + 1 :, j + 1 :] -= np.outer(a[j + 1 :, j], a[j, j + 1 :])
    return a, piv, info


def _permutation(pivots: np.ndarray, m: int, dtype: Any) -> np.ndarray:
    """``P`` with ``A = P L U`` for LAPACK's row swaps (row ``i`` with row ``pivots[i] - 1``)."""
    flat = pivots.reshape((int(np.prod(pivots.shape[:-1])), pivots.shape[-1]))
    out = np.zeros((len(flat), m, m), dtype)
    for b, piv in enumerate(flat):
        perm = np.arange(m)
        for i, p in enumerate(piv):
            perm[[i, p - 1]] = perm[[p - 1, i]]
        out[b, perm, np.arange(m)] = 1
    return out.reshape(pivots.shape[:-1] + (m, m))


def _factors(lu_: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit lower ``L`` (m x k) and upper ``U`` (k x n) of a packed factorisation."""
    m, n = lu_.shape[-2:]
    k = min(m, n)
    lower = np.tril(lu_[..., :, :k], -1) + np.eye(m, k, dtype=lu_.dtype)
    return lower, np.triu(lu_[..., :k, :])


def lu_backward(gl: Tensor | None, gu: Tensor | None, p: Tensor, lo: Tensor, up: Tensor) -> Any:
    """PyTorch's ``linalg_lu_backward`` (pivoted, real): the gradient at ``A = P L U``."""
    m, n = lo._data.shape[-2], up._data.shape[-1]
    k = min(m, n)
    if m == n:
        ga = _sum(matmul(lo.mT, gl).tril(-1) if gl is not None else None,
                  matmul(gu, up.mT).triu() if gu is not None else None)  # fmt: skip
        ga = solve(up.mT, ga, left=False)
        return matmul(p, solve(lo.mT, ga))
    if m < n:
        u1 = up[..., :k]
        ga = _sum(matmul(lo.mT, gl) if gl is not None else None,
                  -matmul(gu.triu(), up.mT) if gu is not None else None)  # fmt: skip
        ga = solve(u1.mT, ga.tril(-1), left=False)
        if gu is not None:
            ga = cat([ga + gu[..., :k].triu(), gu[..., k:]], -1)
        ga = solve(lo.mT, ga)
        if gu is None:
            ga = cat([ga, const(np.zeros(up._data[..., k:].shape, up._data.dtype))], -1)
        return matmul(p, ga)
    l1 = lo[..., :k, :]
    ga = _sum(matmul(gu, up.mT) if gu is not None else None,
              -matmul(lo.mT, gl.tril(-1)) if gl is not None else None)  # fmt: skip
    ga = solve(l1.mT, ga.triu())
    if gl is not None:
        ga = cat([ga + gl[..., :k, :].tril(-1), gl[..., k:, :]], -2)
    ga = solve(up.mT, ga, left=False)
    if gl is None:
        ga = cat([ga, const(np.zeros(lo._data[..., k:, :].shape, lo._data.dtype))], -2)
    return matmul(p, ga)


def _sum(a: Tensor | None, b: Tensor | None) -> Any:
    return b if a is None else (a if b is None else a + b)


def _check(x: np.ndarray, fname: str) -> None:
    if x.ndim < 2:
        raise RuntimeError(
            f"{fname}: Expected tensor with 2 or more dimensions. Got size: {list(x.shape)} instead"
        )
    check_double_float_kernel(x, "lu_cpu")


class LinalgLuFactorExBackward0(MultiOutput, Op):
    op_name = "linalg_lu_factor_ex"
    input_names = ("A",)
    num_outputs = 3
    differentiable = (0,)
    saves_output = "LU"
    formulas = {"A": "lu_factor_ex_backward(grad, result, indices)"}

    def forward(self, a: Tensor, pivot: bool) -> Any:
        x = a._data
        _check(x, "torch.lu_factor")
        lu_, piv, info = _getrf(x)
        self.save(pivots=const(piv))
        return self.outputs(lu_, piv, info)

    def backward(self, g: Tensor, *_: Any) -> Tensor:
        lu_, piv = self.saved("LU"), self.saved("pivots")
        m, n = lu_._data.shape[-2:]
        k = min(m, n)
        p, lo, up = lu_unpack(lu_, piv)
        return lu_backward(g[..., :, :k], g[..., :k, :], p, lo, up)


class LinalgLuBackward0(MultiOutput, Op):
    op_name = "linalg_lu"
    input_names = ("A",)
    num_outputs = 3
    differentiable = (1, 2)
    formulas = {"A": "lu_backward(grads[1], grads[2], A)"}

    def forward(self, a: Tensor, pivot: bool) -> Any:
        x = a._data
        _check(x, "linalg.lu")
        lu_, piv, _ = _getrf(x)
        lo, up = _factors(lu_)
        p = _permutation(piv, x.shape[-2], x.dtype)
        self.save(P=const(p), L=const(lo), U=const(up))
        return self.outputs(p, lo, up)

    def backward(self, _gp: Any, gl: Tensor, gu: Tensor) -> Tensor:
        return lu_backward(gl, gu, self.saved("P"), self.saved("L"), self.saved("U"))


class LuUnpackBackward0(MultiOutput, Op):
    op_name = "lu_unpack"
    input_names = ("LU_data",)
    num_outputs = 3
    differentiable = (1, 2)
    formulas = {"LU_data": "lu_unpack_backward(grads[1], grads[2], LU_data)"}

    def forward(
        self, lu_: Tensor, pivots: np.ndarray, unpack_data: bool, unpack_pivots: bool
    ) -> Any:
        x = lu_._data
        self.save(shape=x.shape)
        empty = np.zeros(0, x.dtype)
        lo, up = _factors(x) if unpack_data else (empty, empty)
        p = _permutation(pivots, x.shape[-2], x.dtype) if unpack_pivots else empty
        return self.outputs(p, lo, up)

    def backward(self, _gp: Any, gl: Tensor, gu: Tensor) -> Tensor:
        m, n = self.saved("shape")[-2:]
        k = min(m, n)
        lower, upper = gl.tril(-1), gu.triu()
        if m < n:
            pad = const(np.zeros(lower._data.shape[:-1] + (n - k,), lower._data.dtype))
            lower = cat([lower, pad], -1)
        elif m > n:
            pad = const(np.zeros(upper._data.shape[:-2] + (m - k, n), upper._data.dtype))
            upper = cat([upper, pad], -2)
        return lower + upper


def _no_pivot(pivot: bool) -> None:
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")


@declare(
    "linalg_lu_factor_ex", nodes=LinalgLuFactorExBackward0, torch=False, method=False, linalg=True
)
def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False) -> Any:  # noqa: N803
    """The packed LU factorisation, the pivots and LAPACK's ``info`` (0, or the first zero
    pivot of ``U``, 1-based)."""
    _check(A._data, "torch.lu_factor")
    _no_pivot(pivot)
    out = LuFactorExResult(*apply(LinalgLuFactorExBackward0, A, pivot=pivot))
    if check_errors:
        _raise_singular(out.info._data, A._data, "torch.linalg.lu_factor_ex")
    return out


def _raise_singular(info: np.ndarray, x: np.ndarray, fname: str) -> None:
    flat = info.reshape(-1)
    bad = np.flatnonzero(flat > 0)
    if bad.size:
        b, i = int(bad[0]), int(flat[bad[0]])
        raise RuntimeError(
            f"{fname}: {batch_label(x, b)}U[{i},{i}] is zero and using it on lu_solve would "
            "result in a division by zero. If you still want to perform the factorization, "
            "consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)"
        )


@declare(
    "linalg_lu_factor", nodes=LinalgLuFactorExBackward0, torch=False, method=False, linalg=True
)
def lu_factor(A: Tensor, *, pivot: bool = True) -> Any:  # noqa: N803
    """The packed LU factorisation ``A = P L U`` and its pivots; a zero pivot raises."""
    _check(A._data, "torch.lu_factor")
    _no_pivot(pivot)
    lu_, piv, info = apply(LinalgLuFactorExBackward0, A, pivot=pivot)
    _raise_singular(info._data, A._data, "torch.linalg.lu_factor")
    return LuFactorResult(lu_, piv)


@declare("linalg_lu", nodes=LinalgLuBackward0, torch=False, method=False, linalg=True)
def lu(A: Tensor, *, pivot: bool = True) -> Any:  # noqa: N803
    """``P``, unit lower ``L`` and upper ``U`` with ``A = P L U``."""
    _check(A._data, "linalg.lu")
    _no_pivot(pivot)
    p, lo, up = apply(LinalgLuBackward0, A, pivot=pivot)
    return LuResult(p, lo, up)


@declare("lu_unpack", nodes=LuUnpackBackward0, method=False)
def lu_unpack(
    LU_data: Tensor,  # noqa: N803 - PyTorch's names
    LU_pivots: Tensor,  # noqa: N803
    unpack_data: bool = True,
    unpack_pivots: bool = True,
) -> Any:
    """``P``, ``L`` and ``U`` of a packed factorisation (empty where not asked for)."""
    if MODES.enabled and LU_data.requires_grad:
        # PyTorch's autograd reads the two sizes its backward needs before the op checks them.
        LU_data.size(-1)
        LU_data.size(-2)
    if LU_data._data.ndim < 2:
        raise RuntimeError(
            "torch.lu_unpack: Expected tensor with 2 or more dimensions. Got size: "
            f"{list(LU_data._data.shape)} instead"
        )
    piv = LU_pivots._data
    if unpack_pivots and piv.dtype != np.int32:
        raise RuntimeError(
            "torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 dtype."
        )
    outs = apply(
        LuUnpackBackward0, LU_data, pivots=piv, unpack_data=unpack_data, unpack_pivots=unpack_pivots
    )
    return LuUnpackResult(*outs)


@declare("lu", nodes=LinalgLuFactorExBackward0)
def torch_lu(A: Tensor, pivot: bool = True, get_infos: Any = False) -> Any:  # noqa: N803
    """``torch.lu``, deprecated: ``linalg.lu_factor`` (``lu_factor_ex``'s three fields with
    ``get_infos``); a zero pivot does not raise."""
    warn_once(LU_DEPRECATED)
    _check(A._data, "torch.lu_factor")
    _no_pivot(pivot)
    lu_, piv, info = apply(LinalgLuFactorExBackward0, A, pivot=pivot)
    return LuWithInfoResult(lu_, piv, info) if get_infos else (lu_, piv)
