"""The fused "add a product" ops: ``addmv`` (matrix @ vector), ``addr`` (outer product) and
``addbmm`` (a batch of matrix products, summed), each ``beta * input + alpha * product`` in one
node as PyTorch records it, with their in-place forms.

``beta == 0`` ignores the input altogether (a NaN there does not reach the result), as BLAS's
``beta`` does in PyTorch's kernels.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.ops.base import Op, apply, wrap
from visgrad.ops.gate_tables import _C_NAMES
from visgrad.ops.inplace import inplace
from visgrad.ops.linalg import bmm, mv
from visgrad.ops.registry import declare
from visgrad.ops.shape import expanded_shape
from visgrad.tensor import Tensor

__all__ = ["addbmm", "addmv", "addr"]


def _scaled(prod: np.ndarray, base: np.ndarray, beta: Any, alpha: Any) -> np.ndarray:
    out = prod if alpha == 1 else alpha * prod
    if beta == 0:
        return np.broadcast_to(out, np.broadcast_shapes(out.shape, base.shape)).copy()
    return out + (base if beta == 1 else beta * base)


def _scale(g: Tensor | None, by: Any) -> Tensor | None:
    return g if g is None or by == 1 else g * by


def _addmv_shape(c: np.ndarray, m: np.ndarray, v: np.ndarray) -> tuple[int, ...]:
    if m.ndim != 2 or v.ndim != 1 or c.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {c.ndim}, {m.ndim}, {v.ndim}")
    if m.shape[1] != v.shape[0] or (m.shape[0] != c.size and c.size != 1):
        size = c.shape[0] if c.ndim else c.size
        raise RuntimeError(
            f"size mismatch, got input ({size}), mat ({m.shape[0]}x{m.shape[1]}), "
            f"vec ({v.shape[0]})"
        )
    if not c.dtype == m.dtype == v.dtype:
        names = ", ".join(_C_NAMES.get(a.dtype.name, a.dtype.name) for a in (c, m))
        vec = _C_NAMES.get(v.dtype.name, v.dtype.name)
        raise RuntimeError(
            f"addmv input tensors must have the same dtype, but got {names}, and {vec}"
        )
    return (m.shape[0],)


class AddmvBackward0(Op):
    op_name = "addmv"
    input_names = ("self", "mat", "vec")
    formulas = {
        "self": "beta * grad",
        "mat": "alpha * grad.outer(vec)",
        "vec": "alpha * mat.t() @ grad",
    }

    def forward(self, base: Tensor, m: Tensor, v: Tensor, beta: Any = 1, alpha: Any = 1) -> Any:
        c, x, y = base._data, m._data, v._data
        _addmv_shape(c, x, y)
        self.save(mat=m, vec=v, alpha=alpha, beta=beta)
        return _scaled(x @ y, c, beta, alpha)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        ns, nm, nv = self.needs_input_grad
        alpha = self.saved("alpha")
        gs = _scale(g, self.saved("beta")) if ns else None
        gm = _scale(g.outer(self.saved("vec")), alpha) if nm else None
        gv = _scale(mv(self.saved("mat").t(), g), alpha) if nv else None
        return gs, gm, gv


def _in_place_size(t: Tensor, shape: tuple[int, ...]) -> None:
    if t._data.shape != shape:
        raise RuntimeError(
            f"Bad in-place call: input tensor size {list(t._data.shape)} and output tensor size "
            f"{list(shape)} should match"
        )


def addmv_(t: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    _in_place_size(t, _addmv_shape(t._data, mat._data, vec._data))
    return inplace(t, AddmvBackward0, (mat, vec), {"beta": beta, "alpha": alpha}, "addmv_")


@declare("addmv", nodes=AddmvBackward0, inplace=addmv_, torch_inplace=True)
def addmv(
    input: Tensor,  # noqa: A002 - PyTorch's names
    mat: Tensor,
    vec: Tensor,
    *,
    beta: Any = 1,
    alpha: Any = 1,
) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``; ``input`` broadcasts to the product."""
    return apply(AddmvBackward0, wrap(input, mat), mat, vec, beta=beta, alpha=alpha)


def _addr_checks(c: np.ndarray, v1: np.ndarray, v2: np.ndarray, beta: Any, alpha: Any) -> None:
    for name, v in (("vec1", v1), ("vec2", v2)):
        if v.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v.ndim}-D")
    if np.result_type(c, v1, v2).kind in "iu":
        for name, s in (("beta", beta), ("alpha", alpha)):
            if isinstance(s, float):
                raise RuntimeError(
                    f"For integral input tensors, argument {name} must not be a floating point "
                    "number."
                )


class AddrBackward0(Op):
    op_name = "addr"
    input_names = ("self", "vec1", "vec2")
    formulas = {
        "self": "beta * grad",
        "vec1": "alpha * grad @ vec2",
        "vec2": "alpha * grad.t() @ vec1",
    }

    def forward(self, base: Tensor, v1: Tensor, v2: Tensor, beta: Any = 1, alpha: Any = 1) -> Any:
        c, x, y = base._data, v1._data, v2._data
        _addr_checks(c, x, y, beta, alpha)
        expanded_shape(c, (x.shape[0], y.shape[0]))
        self.save(vec1=v1, vec2=v2, alpha=alpha, beta=beta)
        dt = np.result_type(c, x, y)
        out = _scaled(np.outer(x, y).astype(dt, copy=False), c.astype(dt, copy=False), beta, alpha)
        return out.astype(dt, copy=False)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        ns, n1, n2 = self.needs_input_grad
        alpha = self.saved("alpha")
        gs = _scale(g, self.saved("beta")) if ns else None
        g1 = _scale(mv(g, self.saved("vec2")), alpha) if n1 else None
        g2 = _scale(mv(g.t(), self.saved("vec1")), alpha) if n2 else None
        return gs, g1, g2


def addr_(t: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    for name, v in (("vec1", vec1), ("vec2", vec2)):  # ATen checks the vectors first
        if isinstance(v, Tensor) and v._data.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v._data.ndim}-D")
    if t._data.ndim != 2:
        raise RuntimeError(f"2D tensor expected, got {t._data.ndim}D tensor for input")
    return inplace(t, AddrBackward0, (vec1, vec2), {"beta": beta, "alpha": alpha}, "addr_")


@declare("addr", nodes=AddrBackward0, inplace=addr_)
def addr(
    input: Tensor,  # noqa: A002 - PyTorch's names
    vec1: Tensor,
    vec2: Tensor,
    *,
    beta: Any = 1,
    alpha: Any = 1,
) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``; ``input`` broadcasts to the product."""
    return apply(AddrBackward0, wrap(input, vec1), vec1, vec2, beta=beta, alpha=alpha)


def _addbmm_checks(c: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
    for a, d in ((x, 1), (y, 2)):
        if a.ndim <= d:
            n = max(a.ndim, 1)
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})"
            )
    expanded_shape(c, (x.shape[1], y.shape[2]))
    for name, a in (("batch1", x), ("batch2", y)):
        if a.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    if x.shape[0] != y.shape[0]:
        raise RuntimeError(
            f"batch1 and batch2 must have same number of batches, got {x.shape[0]} and {y.shape[0]}"
        )
    if x.shape[2] != y.shape[1]:
        raise RuntimeError(
            f"Incompatible matrix sizes for bmm ({x.shape[1]}x{x.shape[2]} and "
            f"{y.shape[1]}x{y.shape[2]})"
        )


class AddbmmBackward0(Op):
    op_name = "addbmm"
    input_names = ("self", "batch1", "batch2")
    formulas = {
        "self": "beta * grad",
        "batch1": "alpha * grad.unsqueeze(0) @ batch2.transpose(1, 2)",
        "batch2": "alpha * batch1.transpose(1, 2) @ grad.unsqueeze(0)",
    }

    def forward(self, base: Tensor, b1: Tensor, b2: Tensor, beta: Any = 1, alpha: Any = 1) -> Any:
        c, x, y = base._data, b1._data, b2._data
        _addbmm_checks(c, x, y)
        self.save(batch1=b1, batch2=b2, alpha=alpha, beta=beta)
        prod = np.matmul(x, y).sum(axis=0) if x.shape[0] else np.zeros((x.shape[1], y.shape[2]))
        return _scaled(prod.astype(x.dtype, copy=False), c, beta, alpha)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        ns, n1, n2 = self.needs_input_grad
        alpha = self.saved("alpha")
        b1, b2 = self.saved("batch1"), self.saved("batch2")
        every = g.unsqueeze(0).expand(b1.shape[0], g.shape[0], g.shape[1]) if n1 or n2 else g
        gs = _scale(g, self.saved("beta")) if ns else None
        g1 = _scale(bmm(every, b2.transpose(1, 2)), alpha) if n1 else None
        g2 = _scale(bmm(b1.transpose(1, 2), every), alpha) if n2 else None
        return gs, g1, g2


def addbmm_(t: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    return inplace(t, AddbmmBackward0, (batch1, batch2), {"beta": beta, "alpha": alpha}, "addbmm_")


@declare("addbmm", nodes=AddbmmBackward0, inplace=addbmm_)
def addbmm(
    input: Tensor,  # noqa: A002 - PyTorch's names
    batch1: Tensor,
    batch2: Tensor,
    *,
    beta: Any = 1,
    alpha: Any = 1,
) -> Tensor:
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``; ``input`` broadcasts."""
    return apply(AddbmmBackward0, wrap(input, batch1), batch1, batch2, beta=beta, alpha=alpha)
