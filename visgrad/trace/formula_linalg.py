"""Formula functions of the ``torch.linalg`` nodes (``inverse``, ``svd_backward``, ...), in NumPy,
merged into ``formula_functions``' table: the same real-matrix formulas the engine's backwards
write with visgrad ops."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from visgrad import _lapack_svd
from visgrad._scipy import linalg as sla


def _a(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _t(x: np.ndarray) -> np.ndarray:
    return np.swapaxes(x, -1, -2)


def _diag(v: np.ndarray) -> np.ndarray:
    return v[..., :, None] * np.eye(v.shape[-1])


def _is_vector(a: Any, b: Any) -> bool:
    sa, sb = np.shape(a), np.shape(b)
    return len(sb) == 1 or (len(sb) == len(sa) - 1 and sb == sa[:-1])


def _solve_b(grad: Any, a: Any, b: Any, left: Any) -> np.ndarray:
    g, at, vector = _a(grad), _t(_a(a)), _is_vector(a, b)
    if vector:
        return np.linalg.solve(at, g[..., None])[..., 0]
    return np.linalg.solve(at, g) if left else _t(np.linalg.solve(_a(a), _t(g)))


def _solve_a(grad: Any, a: Any, b: Any, result: Any, left: Any) -> np.ndarray:
    gb, x = _solve_b(grad, a, b, left), _a(result)
    if _is_vector(a, b):
        return -(gb[..., :, None] * x[..., None, :])
    return -(gb @ _t(x)) if left else -(_t(x) @ gb)


def _cholesky(grad: Any, result: Any, upper: Any) -> np.ndarray:
    low, g = _a(result), _a(grad)
    if upper:
        low, g = _t(low), _t(g)
    m = _t(low) @ g
    phi = np.tril(m) - 0.5 * _diag(np.diagonal(m, 0, -2, -1))
    li = np.linalg.inv(low)
    s = _t(li) @ phi @ li
    return 0.5 * (s + _t(s))


def _qr_tall(q: np.ndarray, r: np.ndarray, gq: np.ndarray, gr: np.ndarray) -> np.ndarray:
    m = r @ _t(gr) - _t(gq) @ q
    low = np.tril(m, -1)
    copy = low + _t(low) + _diag(np.diagonal(m, 0, -2, -1))
    return (gq + q @ copy) @ _t(np.linalg.inv(r))


def _qr(gq: Any, gr: Any, a: Any, mode: Any) -> np.ndarray:
    x = _a(a)
    q, r = np.linalg.qr(x, mode="complete" if mode == "complete" else "reduced")
    gq, gr = _a(gq), _a(gr)
    m, n = x.shape[-2:]
    if m >= n:
        return _qr_tall(q, r, gq, gr)
    gx = _qr_tall(q, r[..., :m], gq + x[..., m:] @ _t(gr[..., m:]), gr[..., :m])
    return np.concatenate([gx, q @ gr[..., m:]], -1)


def _eigh(gl: Any, gv: Any, a: Any, uplo: Any) -> np.ndarray:
    w, v = np.linalg.eigh(_a(a), UPLO="U" if uplo == "U" else "L")
    n = w.shape[-1]
    gap = w[..., None, :] - w[..., :, None] + np.eye(n)
    vgv = _t(v) @ _a(gv)
    inner = _diag(_a(gl)) + 0.5 * (vgv - _t(vgv)) * (1 - np.eye(n)) / gap
    return v @ inner @ _t(v)


def _svd(gu: Any, gs: Any, gvh: Any, a: Any, full_matrices: Any) -> np.ndarray:
    x = _a(a)
    m, n = x.shape[-2:]
    k = min(m, n)
    u, s, vh = _lapack_svd.gesdd(x, False)
    gu, gv = _a(gu)[..., :k], _t(_a(gvh)[..., :k, :])
    v = _t(vh)
    eye = np.eye(k)
    f = (1 - eye) / (s[..., None, :] ** 2 - s[..., :, None] ** 2 + eye)
    j, kk = _t(u) @ gu, _t(v) @ gv
    sd = _diag(s)
    inner = _diag(_a(gs)) + (f * (j - _t(j))) @ sd + sd @ (f * (kk - _t(kk)))
    out = u @ inner @ vh
    sinv = _diag(1 / s)
    if m > k:
        out = out + (gu - u @ (_t(u) @ gu)) @ sinv @ vh
    if n > k:
        out = out + u @ sinv @ _t(gv - v @ (_t(v) @ gv))
    return out


def _det(grad: Any, result: Any, a: Any) -> np.ndarray:
    """``grad * det * A^-T``; 0 for a singular matrix (its det is 0), as a plain backward."""
    x, d = _a(a), _a(grad) * _a(result)
    flat = x.reshape((-1,) + x.shape[-2:])
    out = np.zeros(flat.shape)
    for i, m in enumerate(flat):
        if np.linalg.matrix_rank(m) == m.shape[-1]:
            out[i] = np.reshape(d, (-1,))[i] * _t(np.linalg.inv(m))
    return out.reshape(x.shape)


def _pinv(grad: Any, result: Any, a: Any) -> np.ndarray:
    g, p, x = _a(grad), _a(result), _a(a)
    m, n = x.shape[-2:]
    pt, gt = _t(p), _t(g)
    out = -(pt @ g @ pt) + (np.eye(m) - x @ p) @ gt @ (p @ pt)
    return out + (pt @ p) @ gt @ (np.eye(n) - p @ x)


def _lstsq_parts(gx: Any, gl: Any, a: Any, b: Any) -> tuple[Any, ...]:
    """(pinv(A), gradient at X, B and the weighted residuals, as matrices; vector case)."""
    x, y = _a(a), _a(b)
    vector = y.ndim == 1 or (y.ndim == x.ndim - 1 and x.shape[:-1] == y.shape)
    g, rhs = (_a(gx)[..., None], y[..., None]) if vector else (_a(gx), y)
    p = np.linalg.pinv(x)
    sol = p @ rhs
    gl = _a(gl)
    r = (x @ sol - rhs) * gl[..., None, :] if gl.size else None
    return p, g, rhs, sol, r, vector


def _lstsq_a(gx: Any, gl: Any, a: Any, b: Any, result: Any) -> np.ndarray:
    p, g, rhs, sol, r, _ = _lstsq_parts(gx, gl, a, b)
    out = _pinv(g @ _t(rhs), p, a)
    return out if r is None else out + 2 * r @ _t(sol)


def _lstsq_b(gx: Any, gl: Any, a: Any, b: Any, result: Any) -> np.ndarray:
    p, g, _rhs, _sol, r, vector = _lstsq_parts(gx, gl, a, b)
    out = _t(p) @ g
    out = out if r is None else out - 2 * r
    return out[..., 0] if vector else out


def _matrix_exp(a: Any, grad: Any) -> np.ndarray:
    """The upper right block of ``exp([[A^T, G], [0, A^T]])``."""
    at, g = _t(_a(a)), _a(grad)
    n = at.shape[-1]
    top = np.concatenate([at, g], -1)
    block = np.concatenate([top, np.concatenate([np.zeros_like(at), at], -1)], -2)
    return np.asarray(sla.expm(block))[..., :n, n:]


LINALG_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "matrix_exp_backward": _matrix_exp,
    "lstsq_backward_A": _lstsq_a,
    "lstsq_backward_B": _lstsq_b,
    "inverse": lambda a: np.linalg.inv(_a(a)),
    "cross": lambda a, b, dim: np.cross(_a(a), _a(b), axisa=dim, axisb=dim, axisc=dim),
    "det_backward": _det,
    "solve_backward_A": _solve_a,
    "solve_backward_B": _solve_b,
    "cholesky_backward": _cholesky,
    "qr_backward": _qr,
    "eigh_backward": _eigh,
    "svd_backward": _svd,
    "pinv_backward": _pinv,
}
