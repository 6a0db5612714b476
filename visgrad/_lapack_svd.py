"""The SVD factors PyTorch's CPU build gives, with their signs.

Pure NumPy, shared by the engine's ops (``visgrad/ops/linalg_svd.py``) and the formula language
(``visgrad/trace/formula_linalg.py``), so a formula recomputes the very factors the op returned.

Singular vectors are unique only up to a sign per pair; which sign comes out is a property of the
LAPACK path that computed them. NumPy's reference LAPACK (``gesdd``) and PyTorch's MKL agree on
tall and square matrices, and on wide ones (``m < n``) that are not much wider than tall. For a
wide matrix with ``n >= 11 m / 6`` the reference path first factors ``A = L Q`` (``gelqf``) and
decomposes L, while MKL keeps reducing A itself to lower bidiagonal form up to ``n < 20 m`` (its
path "5t"); the two give the same subspaces with other signs. ``gesdd`` follows MKL there: a
Householder reduction of A to lower bidiagonal B (``gebd2``: a row reflector, then a column
reflector, per step), the rotations that make B upper bidiagonal (``bdsdc``), and the SVD of that
upper bidiagonal matrix, which LAPACK computes without reflecting it again.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _reflector(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LAPACK's ``larfg`` on each row of ``x``: ``v`` (``v[0] = 1``), ``tau`` and ``beta`` with
    ``(I - tau v v^T) x = beta e_0``; an ``x`` already along ``e_0`` keeps ``H = I``."""
    alpha = x[..., 0]
    rest = np.linalg.norm(x[..., 1:], axis=-1)
    along = rest == 0
    beta = np.where(along, alpha, -np.copysign(np.hypot(alpha, rest), alpha))
    tau = np.where(along, 0, (beta - alpha) / np.where(along, 1, beta))
    v = x / np.where(along, 1, alpha - beta)[..., None]
    v[..., 0] = 1
    return v, tau, beta


def _reflect_rows(a: np.ndarray, v: np.ndarray, tau: np.ndarray) -> None:
    """``a <- a (I - tau v v^T)`` in place (the reflector applied from the right)."""
    a -= tau[..., None, None] * (a @ v[..., :, None]) * v[..., None, :]


def _lower_bidiagonal(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``A = Q B P^T`` for wide ``A`` (m < n): Q (m, m), the diagonal d and subdiagonal e of the
    lower bidiagonal B, and P (n, n)."""
    a = a.copy()
    m, n = a.shape[-2:]
    batch = a.shape[:-2]
    q = np.broadcast_to(np.eye(m, dtype=a.dtype), batch + (m, m)).copy()
    p = np.broadcast_to(np.eye(n, dtype=a.dtype), batch + (n, n)).copy()
    d = np.zeros(batch + (m,), a.dtype)
    e = np.zeros(batch + (m - 1,), a.dtype)
    for i in range(m):
        v, tau, d[..., i] = _reflector(a[..., i, i:].copy())
        _reflect_rows(a[..., i:, i:], v, tau)
        _reflect_rows(p[..., :, i:], v, tau)
        if i < m - 1:
            v, tau, e[..., i] = _reflector(a[..., i + 1 :, i].copy())
            col = a[..., i + 1 :, i:]
            col -= tau[..., None, None] * v[..., :, None] * (v[..., None, :] @ col)
            _reflect_rows(q[..., :, i + 1 :], v, tau)
    return q, d, e, p


def _rotate_to_upper(d: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``bdsdc``'s Givens rotations from the left that turn lower bidiagonal (d, e) upper: the
    new (d, e) and G with ``B_lower = G^T B_upper``."""
    d, e = d.copy(), e.copy()
    m = d.shape[-1]
    g = np.broadcast_to(np.eye(m, dtype=d.dtype), d.shape + (m,)).copy()
    for i in range(m - 1):
        f, h = d[..., i], e[..., i]
        r = np.copysign(np.hypot(f, h), f)  # ``lartg``: r has f's sign
        flat = h == 0
        safe = np.where(r == 0, 1, r)
        cs = np.where(flat, 1, np.where(f == 0, 0, f / safe))
        sn = np.where(flat, 0, np.where(f == 0, np.sign(h), h / safe))
        r = np.where(flat, f, np.where(f == 0, np.abs(h), r))
        d[..., i], e[..., i], d[..., i + 1] = r, sn * d[..., i + 1], cs * d[..., i + 1]
        top, bottom = g[..., i, :].copy(), g[..., i + 1, :].copy()
        g[..., i, :] = cs[..., None] * top + sn[..., None] * bottom
        g[..., i + 1, :] = cs[..., None] * bottom - sn[..., None] * top
    return d, e, g


def _wide_svd(x: np.ndarray, full_matrices: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m, n = x.shape[-2:]
    q, d, e, p = _lower_bidiagonal(x)
    d, e, g = _rotate_to_upper(d, e)
    upper = d[..., :, None] * np.eye(m, dtype=x.dtype)
    upper[..., np.arange(m - 1), np.arange(1, m)] = e
    ub, s, vbh = np.linalg.svd(upper)
    u = q @ np.swapaxes(g, -1, -2) @ ub
    vt = np.swapaxes(p, -1, -2)
    if full_matrices:
        return u, s, np.concatenate([vbh @ vt[..., :m, :], vt[..., m:, :]], axis=-2)
    return u, s, vbh @ vt[..., :m, :]


def gesdd(x: np.ndarray, full_matrices: bool) -> Any:
    """``U, S, Vh`` of each matrix of ``x`` (finite, floating), as PyTorch computes them."""
    m, n = x.shape[-2:]
    if 1 <= m < n and n >= 11 * m // 6 and n < 20 * m:
        return _wide_svd(x, full_matrices)
    return np.linalg.svd(x, full_matrices=full_matrices)
