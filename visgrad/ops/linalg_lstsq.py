"""``torch.linalg.lstsq`` and ``torch.linalg.matrix_rank``.

lstsq runs the LAPACK driver PyTorch names (SciPy's bindings: ``gelsy``, PyTorch's default on the
CPU, ``gelsd``, ``gelss`` or ``gels``) on each matrix of the broadcast batch, and returns its four
fields as PyTorch fills them: the rank only from the rank-revealing drivers, the singular values
only from ``gelsd`` / ``gelss``, and the squared residuals only for tall matrices when the driver
is not ``gelsy`` (and, for the SVD drivers, every matrix has full rank). The gradient is
PyTorch's: through ``pinv(A)`` for the solution, ``2 r X^T`` and ``-2 r`` for the residuals.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad._scipy import linalg as sla
from visgrad.arg_parser import is_number, type_name
from visgrad.autograd import errors
from visgrad.ops.base import Op, apply, broadcast_shapes
from visgrad.ops.linalg import matmul
from visgrad.ops.linalg_common import MultiOutput, result_type
from visgrad.ops.linalg_common import type_name as scalar_name
from visgrad.ops.linalg_svd import pinv, pinv_backward
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["lstsq", "matrix_rank"]

LstsqResult = result_type("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")
_FLOATS = (np.float32, np.float64)


def _solve_one(a: np.ndarray, b: np.ndarray, rcond: float, driver: str) -> tuple[Any, ...]:
    """(solution, squared residuals or None, rank, singular values) of one matrix."""
    m, n = a.shape
    if m == 0 or n == 0:
        return np.zeros((n, b.shape[1]), a.dtype), None, 0, np.zeros(0, a.dtype)
    if driver == "gels":
        (gels,) = sla.get_lapack_funcs(("gels",), (a, b))
        rows = np.zeros((max(m, n), b.shape[1]), a.dtype)
        rows[:m] = b
        _, x, _ = gels(a, rows)
        res = (x[n:] ** 2).sum(0) if m > n else None
        return x[:n], res, 0, np.zeros(0, a.dtype)
    x, res, rank, s = sla.lstsq(a, b, cond=rcond, lapack_driver=driver, check_finite=False)
    res = res if np.size(res) else None
    return x, res, int(rank), s if s is not None else np.zeros(0, a.dtype)


def _is_vector(x: np.ndarray, y: np.ndarray) -> bool:
    """PyTorch's test for a right-hand side that is a (batch of) vector(s)."""
    return y.ndim == 1 or (y.ndim == x.ndim - 1 and x.shape[:-1] == y.shape)


def _of_a(v: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The entries of ``v`` (over the broadcast batch) at ``A``'s own batch positions: rank and
    singular values are shaped by ``A`` alone."""
    lead = v.ndim - len(shape)
    v = v[(0,) * lead] if lead else v
    key = tuple(slice(0, 1) if s == 1 else slice(None) for s in shape)
    return np.array(v[key])


class LinalgLstsqBackward0(MultiOutput, Op):
    """Solution, residuals, rank, singular values; the first two are differentiable."""

    op_name = "linalg_lstsq"
    input_names = ("self", "b")
    num_outputs = 4
    differentiable = (0, 1)
    formulas = {
        "self": "lstsq_backward_A(grads[0], grads[1], self, b, result)",
        "b": "lstsq_backward_B(grads[0], grads[1], self, b, result)",
    }

    def forward(self, a: Tensor, b: Tensor, rcond: float, driver: str) -> Any:
        x, y = a._data, b._data
        vector = _is_vector(x, y)
        rhs = y[..., None] if vector else y
        try:
            batch = tuple(broadcast_shapes(x.shape[:-2], rhs.shape[:-2]))
        except ValueError:
            raise RuntimeError(errors.broadcast(x.shape[:-2], rhs.shape[:-2])) from None
        m, n = x.shape[-2:]
        k = rhs.shape[-1]
        size = int(np.prod(batch))
        flat_a = np.broadcast_to(x, batch + (m, n)).reshape((size, m, n))
        flat_b = np.broadcast_to(rhs, batch + (m, k)).reshape((size, m, k))
        parts = [_solve_one(p, q, rcond, driver) for p, q in zip(flat_a, flat_b, strict=True)]
        dt = x.dtype
        sol = np.stack([p[0] for p in parts]).reshape(batch + (n, k)).astype(dt, copy=False)
        ranks = _of_a(np.array([p[2] for p in parts], np.int64).reshape(batch), x.shape[:-2])
        full = driver == "gels" or bool(np.all(ranks == n))
        if m > n and driver != "gelsy" and full and parts and parts[0][1] is not None:
            res = np.stack([p[1] for p in parts]).reshape(batch + (k,)).astype(dt, copy=False)
        else:
            res = np.zeros(0, dt)
        if driver in ("gelsd", "gelss"):
            sv = np.stack([p[3] for p in parts]).reshape(batch + (min(m, n),)).astype(dt)
            sv = _of_a(sv, x.shape[:-2] + (min(m, n),))
        else:
            sv = np.zeros(0, dt)
        if driver == "gels":
            ranks = np.zeros(0, np.int64)
        self.save(self=a, b=b)
        solution = sol[..., 0] if vector else sol
        return self.outputs(np.ascontiguousarray(solution), res, ranks, sv)

    def backward(self, gx: Tensor, gl: Tensor | None = None, *_: Any) -> tuple[Any, Any]:
        na, nb = self.needs_input_grad
        a, b = self.saved("self"), self.saved("b")
        vector = _is_vector(a._data, b._data)
        rhs = b.unsqueeze(-1) if vector else b
        g = gx.unsqueeze(-1) if vector else gx
        p = pinv(a)
        x = matmul(p, rhs)
        ga = pinv_backward(matmul(g, rhs.mT), p, a) if na else None
        gb = matmul(p.mT, g) if nb else None
        if gl is not None and gl._data.size:
            r = (matmul(a, x) - rhs) * gl.unsqueeze(-2)
            ga = ga + matmul(r, x.mT) * 2 if ga is not None else None
            gb = gb - r * 2 if gb is not None else None
        if gb is not None and vector:
            gb = gb.squeeze(-1)
        return ga, gb


@declare("linalg_lstsq", nodes=LinalgLstsqBackward0, torch=False, method=False, linalg=True)
def lstsq(
    input: Tensor,  # noqa: A002 - PyTorch's names
    b: Tensor,
    rcond: Any = None,
    *,
    driver: Any = None,
) -> Any:
    """The least-squares solution of ``input @ X = b`` (minimum norm where rank-deficient),
    with the residuals, rank and singular values the driver gives."""
    if rcond is not None and not is_number(rcond):
        raise TypeError(f"linalg_lstsq(): argument 'rcond' must be float, not {type_name(rcond)}")
    if driver is not None and not isinstance(driver, str):
        raise TypeError(f"linalg_lstsq(): argument 'driver' must be str, not {type_name(driver)}")
    x, y = input._data, b._data
    name = "torch.linalg.lstsq"
    if x.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if y.ndim < 1:
        raise RuntimeError(f"{name}: other must have at least 1 dimension.")
    if x.dtype != y.dtype:
        raise RuntimeError(
            f"{name}: Expected input and other to have the same dtype, but got input's dtype "
            f"{scalar_name(x.dtype)} and other's dtype {scalar_name(y.dtype)}"
        )
    diff = x.ndim - y.ndim
    if not 0 <= diff <= 1:
        raise RuntimeError(
            f"{name}: input.dim() must be greater or equal to other.dim() and (input.dim() - "
            "other.dim()) <= 1"
        )
    vector = _is_vector(x, y)
    if x.shape[-2] != (y.shape[-1] if vector else y.shape[-2]):
        which = "other.size(-1)" if vector else "other.size(-2)"
        raise RuntimeError(f"{name}: input.size(-2) should match {which}")
    rows = y[..., None] if diff else y  # PyTorch broadcasts by the dims' difference
    try:
        broadcast_shapes(x.shape[:-2], rows.shape[:-2])
    except ValueError:
        raise RuntimeError(errors.broadcast(x.shape[:-2], rows.shape[:-2])) from None
    chosen = "gelsy" if driver is None else driver
    if chosen not in _DRIVERS:
        raise RuntimeError(
            f"{name}: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)"
        )
    if x.dtype not in _FLOATS:
        raise RuntimeError("This function doesn't handle types other than float and double")
    r = rcond.item() if isinstance(rcond, Tensor) else rcond
    if r is None or float(r) < 0:
        r = float(np.finfo(x.dtype).eps) * max(x.shape[-2:])
    outs = apply(LinalgLstsqBackward0, input, b, rcond=float(r), driver=chosen)
    return LstsqResult(*outs)


def _tolerance(x: np.ndarray, atol: Any, rtol: Any, s_max: np.ndarray) -> np.ndarray:
    def value(v: Any) -> Any:
        return v._data if isinstance(v, Tensor) else (None if v is None else float(v))

    a, r = value(atol), value(rtol)
    if r is None:
        eps = float(np.finfo(x.dtype).eps) * max(x.shape[-2:])
        r = 0.0 if a is not None and np.all(np.asarray(a) > 0) else eps
    return np.maximum(0.0 if a is None else a, np.multiply(r, s_max))


@declare("linalg_matrix_rank", torch=False, method=False, linalg=True)
def matrix_rank(
    input: Tensor,  # noqa: A002 - PyTorch's names
    tol: Any = None,
    hermitian: bool = False,
    *,
    atol: Any = None,
    rtol: Any = None,
) -> Tensor:
    """How many singular values (|eigenvalues|, ``hermitian``) exceed ``max(atol, rtol * the
    largest)``; ``tol`` is ``atol`` with ``rtol = 0``."""
    bad = any(
        v is not None and not (is_number(v) or isinstance(v, Tensor)) for v in (tol, atol, rtol)
    )
    if bad or (tol is not None and (atol is not None or rtol is not None)):
        kwargs = {"tol": tol, "atol": atol, "rtol": rtol}
        got = ", ".join(f"{k}={type_name(v)}" for k, v in sorted(kwargs.items()) if v is not None)
        raise TypeError(
            "linalg_matrix_rank() received an invalid combination of arguments - got (Tensor, "
            f"{got}), but expected one of:"
        )
    x = input._data
    if x.ndim < 2:
        raise RuntimeError(
            "torch.linalg.matrix_rank: The input tensor input must have at least 2 dimensions."
        )
    if hermitian and x.shape[-1] != x.shape[-2]:
        raise RuntimeError(
            f"linalg.eigh: A must be batches of square matrices, but they are {x.shape[-2]} by "
            f"{x.shape[-1]} matrices"
        )
    if x.dtype not in _FLOATS:
        raise RuntimeError("This function doesn't handle types other than float and double")
    if tol is not None:
        atol, rtol = tol, 0.0
    if hermitian:
        s = np.abs(np.linalg.eigvalsh(x)) if x.size else np.zeros(x.shape[:-1], x.dtype)
    else:
        s = np.linalg.svd(x, compute_uv=False) if x.size else np.zeros(x.shape[:-2] + (0,))
    s_max = s.max(-1) if s.shape[-1] else np.zeros(s.shape[:-1], x.dtype)
    tolerance = _tolerance(x, atol, rtol, s_max)
    count = (s > np.asarray(tolerance)[..., None]).sum(-1)
    return Tensor._make(np.asarray(count, dtype=np.int64), False, None, 0)
