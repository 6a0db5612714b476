"""Formula functions of the LU nodes in float64 NumPy, merged into ``formula_functions``'
table: the gradient of ``A = P L U`` (square, wide, tall), of the packed factorisation, and of
``lu_unpack``, written from PyTorch's real-matrix formulas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from visgrad._scipy import linalg as sla


def _a(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _t(x: np.ndarray) -> np.ndarray:
    return np.swapaxes(x, -1, -2)


def _right(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """X with ``X @ a = b``."""
    return _t(np.linalg.solve(_t(a), _t(b)))


def _unpacked(lu: Any, pivots: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, piv = _a(lu), np.asarray(pivots, dtype=np.int64)
    m, n = x.shape[-2:]
    k = min(m, n)
    lower = np.tril(x[..., :, :k], -1) + np.eye(m, k)
    upper = np.triu(x[..., :k, :])
    flat = piv.reshape((-1, k))
    p = np.zeros((len(flat), m, m))
    for b, row in enumerate(flat):
        perm = np.arange(m)
        for i, j in enumerate(row):
            perm[[i, j - 1]] = perm[[j - 1, i]]
        p[b, perm, np.arange(m)] = 1
    return p.reshape(piv.shape[:-1] + (m, m)), lower, upper


def _lu_grad(gl: Any, gu: Any, p: Any, lo: Any, up: Any) -> np.ndarray:
    gl, gu, lo, up = _a(gl), _a(gu), _a(lo), _a(up)
    m, n = lo.shape[-2], up.shape[-1]
    k = min(m, n)
    if m == n:
        inner = np.tril(_t(lo) @ gl, -1) + np.triu(gu @ _t(up))
        return _a(p) @ np.linalg.solve(_t(lo), _right(_t(up), inner))
    if m < n:
        inner = np.tril(_t(lo) @ gl - np.triu(gu) @ _t(up), -1)
        inner = _right(_t(up[..., :k]), inner)
        ga = np.concatenate([inner + np.triu(gu[..., :k]), gu[..., k:]], -1)
        return _a(p) @ np.linalg.solve(_t(lo), ga)
    inner = np.triu(gu @ _t(up) - _t(lo) @ np.tril(gl, -1))
    inner = np.linalg.solve(_t(lo[..., :k, :]), inner)
    ga = np.concatenate([inner + np.tril(gl[..., :k, :], -1), gl[..., k:, :]], -2)
    return _a(p) @ _right(_t(up), ga)


def _lu(gl: Any, gu: Any, a: Any) -> np.ndarray:
    x = _a(a)
    flat = x.reshape((-1,) + x.shape[-2:])
    parts = [sla.lu(m) for m in flat]
    p, lo, up = (np.stack([q[i] for q in parts]).reshape(x.shape[:-2] + parts[0][i].shape)
                 for i in range(3))  # fmt: skip
    return _lu_grad(gl, gu, p, lo, up)


def _lu_factor_ex(grad: Any, lu: Any, pivots: Any) -> np.ndarray:
    g = _a(grad)
    m, n = g.shape[-2:]
    k = min(m, n)
    p, lo, up = _unpacked(lu, pivots)
    return _lu_grad(g[..., :, :k], g[..., :k, :], p, lo, up)


def _lu_unpack(gl: Any, gu: Any, lu: Any) -> np.ndarray:
    m, n = np.shape(lu)[-2:]
    out = np.zeros(np.shape(lu))
    k = min(m, n)
    out[..., :, :k] += np.tril(_a(gl), -1)
    out[..., :k, :] += np.triu(_a(gu))
    return out


def _solved(a: np.ndarray, b: np.ndarray, left: Any, adjoint: Any) -> np.ndarray:
    m = _t(a) if adjoint else a
    return np.linalg.solve(m, b) if left else _right(m, b)


def _lu_solve_b(grad: Any, lu: Any, pivots: Any, left: Any, adjoint: Any) -> np.ndarray:
    p, lo, up = _unpacked(lu, pivots)
    return _solved(p @ lo @ up, _a(grad), left, not adjoint)


def _lu_solve_lu(grad: Any, lu: Any, pivots: Any, x: Any, left: Any, adjoint: Any) -> np.ndarray:
    p, lo, up = _unpacked(lu, pivots)
    g, x = _a(grad), _a(x)
    if bool(left) != bool(adjoint):
        gr = np.linalg.solve(_t(up), -((g if left else _t(g)) @ (_t(x) if left else x)))
        return np.tril(np.linalg.solve(_t(lo), gr @ _t(up)), -1) + np.triu(gr)
    gr = -(_t(p) @ (x if left else _t(x)) @ (_t(g) if left else g) @ p)
    gr = _right(_t(lo), gr)
    return np.tril(gr, -1) + np.triu(_right(_t(up), _t(lo) @ gr))


LU_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "lu_solve_backward_B": _lu_solve_b,
    "lu_solve_backward_LU": _lu_solve_lu,
    "lu_backward": _lu,
    "lu_factor_ex_backward": _lu_factor_ex,
    "lu_unpack_backward": _lu_unpack,
}
