"""Householder reflectors: ``geqrf`` (LAPACK's QR in compact form) and
``linalg.householder_product`` / ``orgqr`` (the product of the reflectors it stores).

``geqrf`` has no derivative in PyTorch: its node (GeqrfBackward0) is recorded and refuses a
backward. ``householder_product`` of ``A`` (n x k, reflector i's vector below the diagonal of
column i, with an implicit 1 on it) and ``tau`` is ``H_1 ... H_t`` applied to the first k
columns of the identity, ``H_i = I - tau_i v_i v_i^T``. Its backward sends
``-v^T M_i v`` to ``tau_i`` and ``-tau_i (M_i + M_i^T) v_i`` to the column below the diagonal,
where ``M_i = P_i^T G S_i^T`` with ``P_i`` the reflectors before ``i`` and ``S_i`` those after
times the identity's columns, written with visgrad ops (so it differentiates again).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg.lapack as lapack

from visgrad.ops.base import Op, apply
from visgrad.ops.gate_tables import _C_NAMES
from visgrad.ops.join import cat
from visgrad.ops.no_derivative import _NoDerivative
from visgrad.ops.registry import declare
from visgrad.ops.results import result_type
from visgrad.tensor import Tensor

__all__ = ["geqrf", "householder_product", "orgqr"]

GeqrfResult = result_type("geqrf", ("a", "tau"))
_HP = "torch.linalg.householder_product"


def _lapack(name: str, dtype: np.dtype) -> Any:
    return getattr(lapack, ("s" if dtype == np.float32 else "d") + name)


class GeqrfBackward0(_NoDerivative):
    op_name = aten = "geqrf"
    error = NotImplementedError
    differentiable = (0, 1)
    num_outputs = 2
    materialize_grads = False

    def forward(self, a: Tensor) -> tuple[np.ndarray, np.ndarray]:
        x = a._data
        m, n = x.shape[-2:]
        lead = x.shape[:-2]
        qr = np.empty(x.shape, x.dtype)
        tau = np.empty((*lead, min(m, n)), x.dtype)
        if x.size:
            fn = _lapack("geqrf", x.dtype)
            for i in np.ndindex(*lead):
                q, t, _, _ = fn(np.array(x[i], copy=True))
                qr[i], tau[i] = q, t
        return qr, tau


@declare("geqrf", nodes=GeqrfBackward0)
def geqrf(input: Tensor) -> Any:  # noqa: A002
    """QR of each matrix in LAPACK's compact form: R on and above the diagonal, the reflectors'
    vectors below it, and their scalars ``tau``."""
    x = input._data
    if x.ndim < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    if x.dtype.kind != "f" or x.dtype == np.float16:
        raise NotImplementedError(f"\"geqrf_cpu\" not implemented for '{_C_NAMES[x.dtype.name]}'")
    return GeqrfResult(*apply(GeqrfBackward0, input))


def _product(a: np.ndarray, tau: np.ndarray) -> np.ndarray:
    out = np.empty(a.shape, a.dtype)
    k = tau.shape[-1]
    fn = _lapack("orgqr", a.dtype)
    for i in np.ndindex(*a.shape[:-2]):
        if a.shape[-1] == 0 or a.shape[-2] == 0:
            continue
        if k == 0:
            out[i] = np.eye(*a.shape[-2:], dtype=a.dtype)
            continue
        q, _, _ = fn(np.array(a[i], copy=True), np.array(tau[i], copy=True))
        out[i] = q
    return out


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


class LinalgHouseholderProductBackward0(Op):
    op_name = "linalg_householder_product"
    input_names = ("input", "tau")
    formulas = {
        "input": "householder_product_input_grad(grad, input, tau)",
        "tau": "householder_product_tau_grad(grad, input, tau)",
    }

    def forward(self, a: Tensor, tau: Tensor) -> np.ndarray:
        self.save(input=a, tau=tau)
        return _product(a._data, tau._data)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, tau = self.saved("input"), self.saved("tau")
        n, k = a._data.shape[-2:]
        t = tau._data.shape[-1]
        if t == 0:  # the identity's columns: nothing depends on the inputs (PyTorch: no grad)
            return None, None
        rows = np.arange(n)
        eye = _const(np.eye(n, dtype=a._data.dtype))
        vs = []
        for i in range(t):
            below = _const((rows > i).astype(a._data.dtype)[:, None])
            unit = _const((rows == i).astype(a._data.dtype)[:, None])
            vs.append(a[..., :, i : i + 1] * below + unit)  # (..., n, 1)
        hs = [eye - tau[..., i : i + 1, None] * (v @ v.mT) for i, v in enumerate(vs)]
        cols = eye[:, :k]
        after = [cols]  # after[j]: H_{t-j} ... H_t times the columns, built from the end
        for h in reversed(hs):
            after.append(h @ after[-1])
        before = eye
        ga = a * 0
        gtau_parts = []
        for i, (v, h) in enumerate(zip(vs, hs, strict=True)):
            m = before.mT @ g @ after[t - 1 - i].mT
            gtau_parts.append(-(v.mT @ m @ v)[..., 0, 0])
            gv = -tau[..., i : i + 1, None] * ((m + m.mT) @ v)
            below = _const((rows > i).astype(a._data.dtype)[:, None])
            col = _const((np.arange(k) == i).astype(a._data.dtype))
            ga = ga + (gv * below) * col
            before = before @ h
        gtau = None
        if self.needs_input_grad[1]:
            gtau = cat([p.unsqueeze(-1) for p in gtau_parts], -1)
        return (ga if self.needs_input_grad[0] else None), gtau


@declare("linalg_householder_product", nodes=LinalgHouseholderProductBackward0, torch=False,
         method=False, linalg=True)  # fmt: skip
def householder_product(A: Tensor, tau: Tensor) -> Tensor:  # noqa: N803
    """The first columns of the product of the Householder reflectors stored in ``A`` and
    ``tau`` (``geqrf``'s compact form)."""
    x, t = A._data, tau._data
    if x.ndim < 2:
        raise RuntimeError(f"{_HP}: input must have at least 2 dimensions.")
    if x.shape[-2] < x.shape[-1]:
        raise RuntimeError(
            f"{_HP}: input.shape[-2] must be greater than or equal to input.shape[-1]"
        )
    if x.shape[-1] < t.shape[-1]:
        raise RuntimeError(f"{_HP}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if x.ndim - t.ndim != 1:
        raise RuntimeError(
            f"{_HP}: Expected tau to have one dimension less than input, but got tau.ndim equal "
            f"to {t.ndim} and input.ndim is equal to {x.ndim}"
        )
    if t.shape[:-1] != x.shape[:-2]:
        raise RuntimeError(
            f"{_HP}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
            f"{list(t.shape[:-1])}"
        )
    if t.dtype != x.dtype:
        raise RuntimeError(
            f"{_HP}: tau dtype {_C_NAMES[t.dtype.name]} does not match input dtype "
            f"{_C_NAMES[x.dtype.name]}"
        )
    if x.dtype.kind != "f" or x.dtype == np.float16:
        raise NotImplementedError(f"\"orgqr_cpu\" not implemented for '{_C_NAMES[x.dtype.name]}'")
    return apply(LinalgHouseholderProductBackward0, A, tau)


@declare("orgqr", nodes=LinalgHouseholderProductBackward0)
def orgqr(input: Tensor, tau: Tensor) -> Tensor:  # noqa: A002
    """``torch.orgqr``: ``linalg.householder_product`` under LAPACK's name."""
    return householder_product(input, tau)
