"""Matrix products, split into PyTorch's nodes: Dot, Mv, Mm (vec @ mat = squeeze(mm(unsqueeze)))
and a broadcasting batched product."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.autograd import errors
from visgrad.ops.base import Op, apply, broadcast_shapes, wrap
from visgrad.ops.inplace import inplace
from visgrad.ops.operand_arrays import _pair
from visgrad.ops.registry import declare
from visgrad.ops.shape import SqueezeBackward4, UnsafeViewBackward0, expanded_shape
from visgrad.tensor import Tensor


class DotBackward0(Op):
    op_name = "dot"
    input_names = ("self", "tensor")
    formulas = {"self": "grad * tensor", "tensor": "grad * self"}

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        x, y = _pair(a, b)
        if x.shape[0] != y.shape[0]:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{x.shape[0]}] and src [{y.shape[0]}] "
                f"to have the same number of elements, but got {x.shape[0]} and {y.shape[0]} "
                "elements respectively"
            )
        self.save(**{"self": a, self.input_names[1]: b})
        return np.dot(x, y)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, nb = self.needs_input_grad
        return (
            g * self.saved(self.input_names[1]) if na else None,
            g * self.saved("self") if nb else None,
        )


class VdotBackward0(DotBackward0):
    """``vdot``: the dot product with the first vector conjugated (real tensors: ``dot``)."""

    op_name = "vdot"
    input_names = ("self", "other")
    formulas = {"self": "grad * other", "other": "grad * self"}


@declare("vdot", nodes=VdotBackward0)
def vdot(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002 - PyTorch's names
    """The dot product of two vectors, the first conjugated (for real ones: ``dot``)."""
    na, nb = input._data.ndim, other._data.ndim
    if na != 1 or nb != 1:
        raise RuntimeError(f"1D tensors expected, but got {na}D and {nb}D tensors")
    return apply(VdotBackward0, input, other)


class MvBackward0(Op):
    op_name = "mv"
    input_names = ("self", "vec")
    formulas = {"self": "grad.outer(vec)", "vec": "self.t() @ grad"}

    def forward(self, m: Tensor, v: Tensor) -> np.ndarray:
        x, y = _pair(m, v)
        if x.shape[1] != y.shape[0]:
            raise RuntimeError(
                f"size mismatch, got input ({x.shape[0]}), mat ({x.shape[0]}x{x.shape[1]}), "
                f"vec ({y.shape[0]})"
            )
        self.save(self=m, vec=v)
        return x @ y

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, nb = self.needs_input_grad
        ga = g.unsqueeze(1) * self.saved("vec").unsqueeze(0) if na else None
        gb = mv(self.saved("self").t(), g) if nb else None
        return ga, gb


class MmBackward0(Op):
    op_name = "mm"
    input_names = ("self", "mat2")
    formulas = {"self": "grad @ mat2.t()", "mat2": "self.t() @ grad"}

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        x, y = _pair(a, b)
        if x.shape[1] != y.shape[0]:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({x.shape[0]}x{x.shape[1]} and "
                f"{y.shape[0]}x{y.shape[1]})"
            )
        self.save(self=a, mat2=b)
        return x @ y

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, nb = self.needs_input_grad
        ga = mat1_grad(g, self.saved("self"), self.saved("mat2")) if na else None
        gb = mat2_grad(g, self.saved("self"), self.saved("mat2")) if nb else None
        return ga, gb


def _column_major(x: np.ndarray) -> bool:
    """Whether matrix ``x`` is laid out column by column (``w.t()`` of a contiguous ``w``)."""
    s0, s1 = x.strides
    return s0 == x.itemsize and s1 == x.shape[0] * x.itemsize


def mat1_grad(g: Tensor, mat1: Tensor, mat2: Tensor) -> Tensor:
    """``g @ mat2.t()``, computed as PyTorch does: transposed when ``mat1`` is column-major, so
    the gradient has ``mat1``'s layout (a weight's ``.grad`` then needs no copy to be contiguous)."""
    if _column_major(mat1._data):
        return mm(mat2, g.t()).t()
    return mm(g, mat2.t())


def mat2_grad(g: Tensor, mat1: Tensor, mat2: Tensor) -> Tensor:
    """``mat1.t() @ g`` in ``mat2``'s layout, as ``mat1_grad``."""
    if _column_major(mat2._data):
        return mm(g.t(), mat1).t()
    return mm(mat1.t(), g)


class BmmBackward0(Op):
    """Batched product of two 3-D tensors (``matmul`` expands and folds other ranks to this)."""

    op_name = "matmul"
    input_names = ("self", "mat2")
    formulas = {
        "self": "grad @ mat2.mT",
        "mat2": "self.mT @ grad",
    }

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        x, y = _pair(a, b)
        if x.shape[-1] != y.shape[-2]:
            if x.ndim == 3 and y.ndim == 3:
                raise RuntimeError(
                    "Expected size for first two dimensions of batch2 tensor to be: "
                    f"[{y.shape[0]}, {x.shape[-1]}] but got: [{y.shape[0]}, {y.shape[1]}]."
                )
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({int(np.prod(x.shape[:-1]))}x"
                f"{x.shape[-1]} and {y.shape[-2]}x{y.shape[-1]})"
            )
        self.save(self=a, mat2=b)
        try:
            return np.matmul(x, y)
        except ValueError:
            raise RuntimeError(errors.broadcast(x.shape[:-2], y.shape[:-2])) from None

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, nb = self.needs_input_grad
        a, b = self.saved("self"), self.saved("mat2")
        ga = bmm(g, b.transpose(1, 2)) if na else None
        gb = bmm(a.transpose(1, 2), g) if nb else None
        return ga, gb


@declare("dot", nodes=DotBackward0)
def dot(input: Tensor, tensor: Tensor) -> Tensor:  # noqa: A002 - PyTorch's names
    na, nb = input._data.ndim, tensor._data.ndim
    if na != 1 or nb != 1:
        raise RuntimeError(f"1D tensors expected, but got {na}D and {nb}D tensors")
    return apply(DotBackward0, input, tensor)


@declare("mv", nodes=MvBackward0)
def mv(input: Tensor, vec: Tensor) -> Tensor:  # noqa: A002 - PyTorch's names
    nm, nv = input._data.ndim, vec._data.ndim
    if nm == 0:  # addmv sizes its result by the matrix's first dim
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if nm != 2 or nv != 1:  # addmv's check (its result is the 1 it names first)
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {nm}, {nv}")
    return apply(MvBackward0, input, vec)


@declare("mm", nodes=MmBackward0)
def mm(input: Tensor, mat2: Tensor) -> Tensor:  # noqa: A002 - PyTorch's names
    if input._data.ndim != 2 or mat2._data.ndim != 2:
        raise RuntimeError(
            "self must be a matrix" if input._data.ndim != 2 else "mat2 must be a matrix"
        )
    return apply(MmBackward0, input, mat2)


@declare("bmm", nodes=BmmBackward0)
def bmm(input: Tensor, mat2: Tensor) -> Tensor:  # noqa: A002 - PyTorch's names
    for name, t in (("batch1", input), ("batch2", mat2)):
        if t._data.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    return apply(BmmBackward0, input, mat2)


@declare(
    "matmul",
    nodes=(
        DotBackward0,
        MvBackward0,
        MmBackward0,
        BmmBackward0,
        SqueezeBackward4,
        UnsafeViewBackward0,
    ),
    operators=("__matmul__", "__rmatmul__"),
)
def matmul(a: Tensor, b: Tensor) -> Tensor:
    """``a @ b`` with PyTorch's dispatch by dimension."""
    da, db = a._data.ndim, b._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D"
        )
    if da == 1 and db == 1:
        return dot(a, b)
    if da == 2 and db == 1:
        return mv(a, b)
    if da == 1 and db == 2:
        out = mm(a.unsqueeze(0), b)
        return apply(SqueezeBackward4, out, dim=0)
    if da == 2 and db == 2:
        return mm(a, b)
    if da >= 3 and db <= 2:
        # Fold a's batch dims into rows: one mm / mv, viewed back (PyTorch's node layout).
        x = a._data
        flat = a.reshape(-1, x.shape[-1])
        out = mv(flat, b) if db == 1 else mm(flat, b)
        shape = x.shape[:-1] + (() if db == 1 else (b._data.shape[-1],))
        return apply(UnsafeViewBackward0, out, shape=shape)
    return _batched(a, b, UnsafeViewBackward0)


def _batched(a: Tensor, b: Tensor, unsafe_view: type[Op]) -> Tensor:
    """Broadcast the batch dims, fold them into one, ``bmm``, and view the result back."""
    da, db = a._data.ndim, b._data.ndim
    a2 = a.unsqueeze(0) if da == 1 else a
    b2 = b.unsqueeze(-1) if db == 1 else b
    (n, k), (k2, m) = a2._data.shape[-2:], b2._data.shape[-2:]
    batch = tuple(broadcast_shapes(a2._data.shape[:-2], b2._data.shape[:-2]))
    size = int(np.prod(batch))
    if k != k2:
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{size}, {k}] but got: [{size}, {k2}]."
        )
    x = a2.expand(batch + (n, k)).reshape(size, n, k)
    y = b2.expand(batch + (k2, m)).reshape(size, k2, m)
    shape = batch + ((n,) if da > 1 else ()) + ((m,) if db > 1 else ())
    return apply(unsafe_view, bmm(x, y), shape=shape)


def _strides(x: np.ndarray) -> tuple[int, ...]:
    return tuple(s // x.itemsize for s in x.strides)


_C_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int"}


class BaddbmmBackward0(Op):
    """``beta * input + alpha * (batch1 @ batch2)`` over a batch of matrices, in one node."""

    op_name = "baddbmm"
    input_names = ("self", "batch1", "batch2")
    formulas = {
        "self": "beta * grad",
        "batch1": "alpha * grad @ batch2.mT",
        "batch2": "alpha * batch1.mT @ grad",
    }

    def forward(self, base: Tensor, b1: Tensor, b2: Tensor, beta: Any = 1, alpha: Any = 1) -> Any:
        x, y, c = b1._data, b2._data, base._data
        # PyTorch expands the input to (batch1.size(0), batch1.size(1), batch2.size(2)) first.
        for a, d in ((b1, 0), (b1, 1), (b2, 2)):
            a.size(d)  # PyTorch's IndexError where that dim is missing
        expanded_shape(c, (x.shape[0], x.shape[1], y.shape[2]))
        for name, a in (("batch1", x), ("batch2", y)):
            if a.ndim != 3:
                raise RuntimeError(f"{name} must be a 3D tensor")
        if y.shape[:2] != (x.shape[0], x.shape[2]):
            raise RuntimeError(
                "Expected size for first two dimensions of batch2 tensor to be: "
                f"[{x.shape[0]}, {x.shape[2]}] but got: [{y.shape[0]}, {y.shape[1]}]."
            )
        if c.dtype != x.dtype:
            names = [_C_NAMES.get(a.dtype.name, a.dtype.name) for a in (c, x, y)]
            raise RuntimeError(
                f"Input dtypes must be the same, got: input {names[0]}, batch1: {names[1]}, "
                f"batch2: {names[2]}"
            )
        if y.dtype != x.dtype:
            raise RuntimeError(
                f"expected scalar type {dtypes.from_numpy(x.dtype).tensor_type[:-6]} but found "
                f"{dtypes.from_numpy(y.dtype).tensor_type[:-6]}"
            )
        self.save(batch1=b1, batch2=b2, alpha=alpha, beta=beta)
        prod = np.matmul(x, y)
        out = (prod if alpha == 1 else alpha * prod) + (c if beta == 1 else beta * c)
        return out.astype(np.result_type(x, y), copy=False)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        ns, n1, n2 = self.needs_input_grad
        alpha, beta = self.saved("alpha"), self.saved("beta")
        gs = (g if beta == 1 else g * beta) if ns else None
        g1 = bmm(g, self.saved("batch2").transpose(1, 2)) if n1 else None
        g2 = bmm(self.saved("batch1").transpose(1, 2), g) if n2 else None
        if alpha != 1:
            g1 = g1 * alpha if g1 is not None else None
            g2 = g2 * alpha if g2 is not None else None
        return gs, g1, g2


def baddbmm_(t: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    x, y = batch1._data, batch2._data
    if x.ndim == 3 and y.ndim == 3 and t._data.shape != (x.shape[0], x.shape[1], y.shape[2]):
        raise RuntimeError(
            f"Bad in-place call: input tensor size {list(t._data.shape)} and output tensor size "
            f"{[x.shape[0], x.shape[1], y.shape[2]]} should match"
        )
    attrs = {"beta": beta, "alpha": alpha}
    return inplace(t, BaddbmmBackward0, (batch1, batch2), attrs, "baddbmm_")


@declare("baddbmm", nodes=BaddbmmBackward0, inplace=baddbmm_)
def baddbmm(
    input: Tensor,  # noqa: A002 - PyTorch's name
    batch1: Tensor,
    batch2: Tensor,
    *,
    beta: Any = 1,
    alpha: Any = 1,
) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``; ``input`` broadcasts to the product."""
    return apply(BaddbmmBackward0, wrap(input, batch1), batch1, batch2, beta=beta, alpha=alpha)
