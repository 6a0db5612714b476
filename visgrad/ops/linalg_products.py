"""``torch.linalg.matrix_power`` (``torch.matrix_power``), ``multi_dot`` and ``cross`` (and
``torch.cross``), built as ATen builds them so the graphs have PyTorch's nodes."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.ops import linalg_warnings
from visgrad.ops.base import Op, apply, broadcast_shapes
from visgrad.ops.gate_tables import _C_NAMES
from visgrad.ops.inplace import copy_
from visgrad.ops.linalg import matmul, mm
from visgrad.ops.linalg_common import const
from visgrad.ops.linalg_inverse import inverse
from visgrad.ops.registry import declare
from visgrad.ops.shape import clone
from visgrad.tensor import Tensor, _dim


@declare("matrix_power", linalg=True)
def matrix_power(input: Tensor, n: int) -> Tensor:  # noqa: A002
    """``input`` multiplied by itself ``n`` times (``n < 0``: of its inverse), by squaring."""
    x = input._data
    if x.ndim < 2:
        raise RuntimeError(
            "linalg.matrix_power: The input tensor A must have at least 2 dimensions."
        )
    if x.shape[-1] != x.shape[-2]:
        raise RuntimeError(
            f"linalg.matrix_power: A must be batches of square matrices, but they are "
            f"{x.shape[-2]} by {x.shape[-1]} matrices"
        )
    if n == 0:
        eye = np.broadcast_to(np.eye(x.shape[-1], dtype=x.dtype), x.shape)
        return copy_(clone(input), const(eye))
    a = input
    if n < 0:
        a, n = inverse(input), -n
    if n == 1:
        return a if a is not input else clone(input)
    if n in (2, 3):
        sq = matmul(a, a)
        return sq if n == 2 else matmul(sq, a)
    z: Tensor | None = None
    result: Tensor | None = None
    while n > 0:
        bit, n = n % 2, n // 2
        z = a if z is None else matmul(z, z)
        if bit:
            result = z if result is None else matmul(result, z)
    assert result is not None
    return result


def _chain_order(dims: list[int]) -> list[list[int]]:
    """The matrix-chain split table: ``order[i][j]`` splits the product of matrices i..j."""
    k = len(dims) - 1
    cost = [[0] * k for _ in range(k)]
    order = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            cost[i][j] = -1
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if cost[i][j] == -1 or c < cost[i][j]:
                    cost[i][j], order[i][j] = c, s
    return order


def _chain(ms: list[Tensor], order: list[list[int]], i: int, j: int) -> Tensor:
    if i == j:
        return ms[i]
    s = order[i][j]
    return mm(_chain(ms, order, i, s), _chain(ms, order, s + 1, j))


@declare("linalg_multi_dot", torch=False, method=False, linalg=True)
def multi_dot(tensors: Any) -> Tensor:
    """The product of the matrices in order, multiplied in the cheapest order (the first and the
    last may be vectors)."""
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    first, last = ts[0]._data.ndim, ts[-1]._data.ndim
    if first not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first}D")
    if last not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last}D")
    for i, t in enumerate(ts[1:-1], 1):
        if t._data.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t._data.ndim}D")
    ms = [ts[0].unsqueeze(0) if first == 1 else ts[0], *ts[1:-1]]
    ms.append(ts[-1].unsqueeze(1) if last == 1 else ts[-1])
    for i in range(len(ms) - 1):
        a, b = ms[i]._data.shape, ms[i + 1]._data.shape
        if a[1] != b[0]:
            raise RuntimeError(
                f"multi_dot(): tensors {i} and {i + 1} with shapes {list(ts[i].shape)} and "
                f"{list(ts[i + 1].shape)} cannot be multiplied"
            )
    if len(ms) == 2:
        out = mm(ms[0], ms[1])
    elif len(ms) == 3:
        (a, b), (_, c), (_, d) = (m._data.shape for m in ms)
        left, right = a * c * (b + d), b * d * (a + c)
        out = mm(ms[0], mm(ms[1], ms[2])) if left > right else mm(mm(ms[0], ms[1]), ms[2])
    else:
        dims = [m._data.shape[0] for m in ms] + [ms[-1]._data.shape[1]]
        out = _chain(ms, _chain_order(dims), 0, len(ms) - 1)
    shape = (() if first == 1 else (ms[0]._data.shape[0],)) + (
        () if last == 1 else (ms[-1]._data.shape[1],)
    )
    return out.view(*shape)


class LinalgCrossBackward0(Op):
    op_name = "linalg_cross"
    input_names = ("self", "other")
    formulas = {"self": "cross(other, grad, dim)", "other": "cross(grad, self, dim)"}

    def forward(self, a: Tensor, b: Tensor, dim: int) -> np.ndarray:
        x, y = a._data, b._data
        self.save(self=a, other=b, dim=dim)
        out = np.cross(x, y, axisa=dim, axisb=dim, axisc=dim)
        return out.astype(np.result_type(x, y), copy=False)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, nb = self.needs_input_grad
        d = self.saved("dim")
        ga = apply(LinalgCrossBackward0, self.saved("other"), g, dim=d) if na else None
        gb = apply(LinalgCrossBackward0, g, self.saved("self"), dim=d) if nb else None
        return ga, gb


def _cross(a: Tensor, b: Tensor, dim: int) -> Tensor:
    x, y = a._data, b._data
    if x.ndim != y.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = _dim(dim, x.ndim)
    if x.shape[d] != 3 or y.shape[d] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got {x.shape[d]} and "
            f"{y.shape[d]}"
        )
    broadcast_shapes(x.shape, y.shape)
    if x.dtype == np.bool_:
        raise NotImplementedError("\"cross\" not implemented for 'Bool'")
    if x.dtype != y.dtype:  # ATen's kernel promotes nothing
        c = [_C_NAMES.get(t.dtype.name, t.dtype.name) for t in (x, y)]
        raise RuntimeError(f"expected scalar type {c[0]} but found {c[1]}")
    return apply(LinalgCrossBackward0, a, b, dim=d)


@declare("linalg_cross", nodes=LinalgCrossBackward0, torch=False, method=False, linalg=True)
def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:  # noqa: A002
    """The cross product of 3-vectors along ``dim``; the other dims broadcast."""
    return _cross(input, other, dim)


@declare("cross", nodes=LinalgCrossBackward0)
def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:  # noqa: A002
    """``torch.cross``: without ``dim``, along the first dim of size 3 (PyTorch warns)."""
    if dim is None:
        linalg_warnings.warn_once(linalg_warnings.CROSS_DIM)
        # ATen's default: the first dim of size 3 of input (other's shape is not looked at)
        dim = next((i for i, s in enumerate(input._data.shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return _cross(input, other, dim)
