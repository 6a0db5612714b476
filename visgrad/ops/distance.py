"""Distances between the rows of two batches of matrices: ``cdist`` and, within one matrix,
``pdist``.

As in PyTorch, ``cdist`` with ``p=2`` on more than 25 rows (or with
``compute_mode='use_mm_for_euclid_dist'``) is the matrix-product form ``|a|^2 - 2 a.b + |b|^2``,
recorded as ``EuclideanDistBackward0`` under a view; every other case is one ``CdistBackward0``.
The direct nodes' backwards are PyTorch's subgradients (0 where a distance is 0), computed in
NumPy; like PyTorch's they have no derivative of their own (``CdistBackwardBackward0`` raises).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from visgrad.arg_parser import is_number, type_name
from visgrad.autograd import errors
from visgrad.ops.base import Op, apply, broadcast_shapes
from visgrad.ops.linalg_common import check_double_float_kernel
from visgrad.ops.linalg_common import type_name as scalar_name
from visgrad.ops.no_derivative import _NoDerivative
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["cdist", "pdist"]

_MODES = {
    "use_mm_for_euclid_dist_if_necessary": 0,
    "use_mm_for_euclid_dist": 1,
    "donot_use_mm_for_euclid_dist": 2,
}


def _p_arg(op: str, p: Any, position: int) -> float:
    """``p`` as PyTorch's ``float p`` parameter takes it (any real number, bool, 1-element tensor)."""
    if not is_number(p):
        raise TypeError(
            f"{op}(): argument 'p' (position {position}) must be float, not {type_name(p)}"
        )
    return float(p.item() if isinstance(p, Tensor) else p)


def _norms(diff: np.ndarray, p: float) -> np.ndarray:
    """The p-norm of ``diff`` over its last axis."""
    d = np.abs(diff)
    if p == 0:
        return (d != 0).sum(-1).astype(diff.dtype)
    if p == 1:
        return d.sum(-1)
    if p == 2:
        return np.sqrt((d * d).sum(-1))
    if math.isinf(p):
        return d.max(-1) if d.shape[-1] else np.zeros(d.shape[:-1], d.dtype)
    return (d**p).sum(-1) ** (1 / p)


def _dist_backward(
    g: np.ndarray, x1: np.ndarray, x2: np.ndarray, p: float, dist: np.ndarray
) -> Any:
    """PyTorch's ``_cdist_backward``: the gradient at ``x1`` of ``dist = cdist(x1, x2, p)``,
    a block of ``x1``'s rows at a time."""
    batch = np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2], g.shape[:-2], dist.shape[:-2])
    r1 = x1.shape[-2]
    g = np.broadcast_to(g, batch + (r1, x2.shape[-2]))
    dist = np.broadcast_to(dist, g.shape)
    out = np.empty(batch + x1.shape[-2:], x1.dtype)
    for rows in _row_blocks(x1, x2):
        piece = (Ellipsis, rows, slice(None))
        out[piece] = _rows_backward(g[piece], x1[piece], x2, p, dist[piece])
    return out


def _rows_backward(g: Any, x1: Any, x2: Any, p: float, dist: Any) -> np.ndarray:
    diff = x1[..., :, None, :] - x2[..., None, :, :]
    g, dist = g[..., None], dist[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        if p == 0:
            out = np.zeros_like(diff * g)
        elif p == 1:
            out = g * np.sign(diff)
        elif math.isinf(p):
            out = g * np.sign(diff) * (np.abs(diff) == dist)
        elif p == 2:
            out = np.where(dist == 0, 0, g * diff / dist)
        elif p < 2:
            zero = (dist == 0) | ((diff == 0) & (p < 1))
            term = np.sign(diff) * np.abs(diff) ** (p - 1) * g / dist ** (p - 1)
            out = np.where(zero, 0, term)
        else:
            out = np.where(dist == 0, 0, diff * np.abs(diff) ** (p - 2) * g / dist ** (p - 1))
    return out.sum(-2)


# Elements of one block's ``x1 - x2`` differences: the direct form's memory stays bounded.
_BLOCK = 1 << 22


def _row_blocks(x1: np.ndarray, x2: np.ndarray) -> Any:
    """Slices of ``x1``'s rows whose pairwise differences with ``x2`` fit one block."""
    per_row = max(1, int(np.prod(np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2]))))
    per_row *= max(1, x2.shape[-2] * x2.shape[-1])
    step = max(1, _BLOCK // per_row)
    for start in range(0, x1.shape[-2], step):
        yield slice(start, start + step)


class CdistBackwardBackward0(_NoDerivative):
    """The gradient of a ``CdistBackward0``, which has no derivative in PyTorch."""

    op_name = "_cdist_backward"
    aten = "_cdist_backward"
    error = NotImplementedError

    def forward(self, g: Tensor, x1: Tensor, x2: Tensor, dist: Tensor, p: float) -> np.ndarray:
        return _dist_backward(g._data, x1._data, x2._data, p, dist._data)


class PdistBackwardBackward0(_NoDerivative):
    """The gradient of a ``PdistBackward0``, which has no derivative in PyTorch."""

    op_name = "_pdist_backward"
    aten = "_pdist_backward"
    error = NotImplementedError

    def forward(self, g: Tensor, x: Tensor, dist: Tensor, p: float) -> np.ndarray:
        full_g, full_d = _square(g._data, x._data.shape[0]), _square(dist._data, x._data.shape[0])
        return _dist_backward(full_g, x._data, x._data, p, full_d)


def _square(v: np.ndarray, n: int) -> np.ndarray:
    """The symmetric ``n x n`` matrix whose upper triangle, row by row, is ``v``."""
    m = np.zeros((n, n), dtype=v.dtype)
    i, j = np.triu_indices(n, 1)
    m[i, j] = v
    m[j, i] = v
    return m


class CdistBackward0(Op):
    op_name = "_cdist_forward"
    input_names = ("x1", "x2")
    saves_output = "result"
    formulas = {
        "x1": "cdist_backward(grad, x1, x2, p, result)",
        "x2": "cdist_backward(grad.mT, x2, x1, p, result.mT)",
    }

    def forward(self, a: Tensor, b: Tensor, p: float) -> np.ndarray:
        x1, x2 = a._data, b._data
        self.save(x1=a, x2=b, p=p)
        batch = tuple(broadcast_shapes(x1.shape[:-2], x2.shape[:-2]))
        shape = batch + (x1.shape[-2], x2.shape[-2])
        if 0 in shape:
            return np.empty(shape, x1.dtype)
        if x1.shape[-1] == 0:
            return np.zeros(shape, x1.dtype)
        out = np.empty(shape, x1.dtype)
        for rows in _row_blocks(x1, x2):
            part = x1[..., rows, :]
            out[..., rows, :] = _norms(part[..., :, None, :] - x2[..., None, :, :], p)
        return out

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        n1, n2 = self.needs_input_grad
        x1, x2, p, d = self.saved("x1"), self.saved("x2"), self.saved("p"), self.saved("result")
        g1 = apply(CdistBackwardBackward0, g, x1, x2, d, p=p) if n1 else None
        g2 = apply(CdistBackwardBackward0, g.mT, x2, x1, d.mT, p=p) if n2 else None
        return g1, g2


class EuclideanDistBackward0(Op):
    """``sqrt(clamp_min(|a|^2 - 2 a.b + |b|^2, 0))`` in one product, as ``_euclidean_dist``."""

    op_name = "_euclidean_dist"
    input_names = ("x1", "x2")
    saves_output = "result"
    formulas = {
        "x1": "euclidean_dist_backward(grad, x1, x2, result)[0]",
        "x2": "euclidean_dist_backward(grad, x1, x2, result)[1]",
    }

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        x1, x2 = a._data, b._data
        self.save(x1=a, x2=b)
        n1 = (x1 * x1).sum(-1, keepdims=True)
        n2 = (x2 * x2).sum(-1, keepdims=True)
        left = np.concatenate([x1 * -2, n1, np.ones_like(n1)], -1)
        right = np.concatenate([x2, np.ones_like(n2), n2], -1)
        return np.sqrt(np.maximum(left @ np.swapaxes(right, -1, -2), 0))

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        n1, n2 = self.needs_input_grad
        x1, x2, d = self.saved("x1"), self.saved("x2"), self.saved("result")
        ratio = (g / d).masked_fill(d == 0, 0)
        g1 = x1 * ratio.sum(-1, True) - ratio.matmul(x2) if n1 else None
        g2 = x2 * ratio.sum(-2, False).unsqueeze(-1) - ratio.mT.matmul(x1) if n2 else None
        return g1, g2


class PdistBackward0(Op):
    op_name = "_pdist_forward"
    saves_output = "result"
    formulas = {"self": "pdist_backward(grad, self, p, result)"}

    def forward(self, a: Tensor, p: float) -> np.ndarray:
        x = a._data
        self.save(self=a, p=p)
        i, j = np.triu_indices(x.shape[0], 1)
        if x.shape[1] == 0:
            return np.zeros(i.shape, x.dtype)
        out = np.empty(i.shape, x.dtype)
        step = max(1, _BLOCK // x.shape[1])
        for start in range(0, i.size, step):
            block = slice(start, start + step)
            out[block] = _norms(x[i[block]] - x[j[block]], p)
        return out

    def backward(self, g: Tensor) -> Tensor:
        x, d = self.saved("self"), self.saved("result")
        return apply(PdistBackwardBackward0, g, x, d, p=self.saved("p"))


def _check_float(x: np.ndarray, which: str) -> None:
    if x.dtype.kind != "f":
        raise RuntimeError(
            f"cdist only supports floating-point dtypes, {which} got: {scalar_name(x.dtype)}"
        )
    if x.dtype == np.float16:
        raise NotImplementedError("\"cdist\" not implemented for 'Half'")


@declare(
    "cdist",
    nodes=(CdistBackward0, CdistBackwardBackward0, EuclideanDistBackward0),
    method=False,
)
def cdist(
    x1: Tensor,
    x2: Tensor,
    p: Any = 2.0,
    compute_mode: Any = "use_mm_for_euclid_dist_if_necessary",
) -> Tensor:
    """The ``p``-norm distance between each row of ``x1`` and each row of ``x2`` (batched)."""
    mode = _MODES.get(compute_mode) if isinstance(compute_mode, str) else None
    if mode is None:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    p = _p_arg("cdist", p, 3)
    a, b = x1._data, x2._data
    for which, x in (("X1", a), ("X2", b)):
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {which} got: {x.ndim}D")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} X2: {b.shape[-1]}"
        )
    _check_float(a, "X1")
    _check_float(b, "X2")
    if not p >= 0:
        raise RuntimeError("cdist only supports non-negative p values")
    try:
        batch = tuple(broadcast_shapes(a.shape[:-2], b.shape[:-2]))
    except ValueError:
        raise RuntimeError(errors.broadcast(a.shape[:-2], b.shape[:-2])) from None
    r1, r2 = a.shape[-2], b.shape[-2]
    euclid = p == 2 and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25)))
    if a.size == 0 or b.size == 0 or not euclid:
        if a.dtype != b.dtype:
            raise RuntimeError(
                f"expected scalar type {scalar_name(a.dtype)} but found {scalar_name(b.dtype)}"
            )
        return apply(CdistBackward0, x1, x2, p=p)
    if a.dtype != b.dtype:
        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{_C_TYPES[a.dtype.name]} != {_C_TYPES[b.dtype.name]}"
        )
    size = int(np.prod(batch))
    if size == 1:
        dist = apply(EuclideanDistBackward0, x1, x2)
    else:
        e1 = x1.expand(batch + a.shape[-2:]).contiguous().view(size, r1, a.shape[-1])
        e2 = x2.expand(batch + b.shape[-2:]).contiguous().view(size, r2, b.shape[-1])
        dist = apply(EuclideanDistBackward0, e1, e2)
    return dist.view(batch + (r1, r2))


_C_TYPES = {"float32": "float", "float64": "double"}


@declare("pdist", nodes=(PdistBackward0, PdistBackwardBackward0), method=False, functional=True)
def pdist(input: Tensor, p: Any = 2) -> Tensor:  # noqa: A002 - PyTorch's name
    """The ``p``-norm distance between each pair of ``input``'s rows (``i < j``, row by row)."""
    p = _p_arg("pdist", p, 2)
    x = input._data
    if x.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {x.ndim}D")
    if x.dtype.kind != "f":
        raise RuntimeError("pdist only supports floating-point dtypes")
    if not p >= 0:
        raise RuntimeError("pdist only supports non-negative p values")
    if x.shape[0] > 1:  # the kernel, for float and double only, runs when there is a pair
        check_double_float_kernel(x, "pdist")
    return apply(PdistBackward0, input.contiguous(), p=p)
