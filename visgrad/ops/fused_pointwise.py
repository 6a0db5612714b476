"""``addcmul`` / ``addcdiv`` (``input + value * t1 * t2``, ``input + value * t1 / t2``) and
``dist`` (the p-norm of ``input - other``), each one node as in PyTorch.

PyTorch's CPU kernel computes ``addcmul`` as ``input + (value * t1) * t2`` with the last multiply
and the add fused (one rounding): float32 is computed here in float64 and rounded once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.ops.base import Op, apply, promote
from visgrad.ops.binary_math import _broadcast
from visgrad.ops.inplace import inplace
from visgrad.ops.linalg_common import type_name
from visgrad.ops.pointwise import sign
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

_INT_ADDCDIV = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will "
    "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
    "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
    "inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv "
    "behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all "
    "dtypes."
)


_BOOL_SUB = (
    "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
    "invert a mask, use the `~` or `logical_not()` operator instead."
)


def _three(a: Tensor, b: Tensor, c: Tensor) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three operands cast to PyTorch's result dtype (0-d ones do not widen the others)."""
    x, y, z = a._data, b._data, c._data
    _broadcast(x, y, z)
    first = promote(x, y)
    dt = promote(np.empty((1,) * max(x.ndim, y.ndim), first), z)
    return x.astype(dt, copy=False), y.astype(dt, copy=False), z.astype(dt, copy=False)


def _value(dt: np.dtype, value: Any) -> Any:
    return dt.type(int(value) if dt.kind in "iu" else value) if dt.kind != "b" else bool(value)


class AddcmulBackward0(Op):
    op_name = "addcmul"
    input_names = ("self", "tensor1", "tensor2")
    formulas = {
        "self": "grad",
        "tensor1": "grad * (tensor2 * value)",
        "tensor2": "grad * (tensor1 * value)",
    }

    def forward(self, a: Tensor, t1: Tensor, t2: Tensor, value: Any) -> np.ndarray:
        x, y, z = _three(a, t1, t2)
        self.save(tensor1=t1, tensor2=t2, value=value)
        v = _value(x.dtype, value)
        scaled = y if v == 1 else v * y
        if x.dtype.kind != "f" or x.dtype == np.float64:
            return np.asarray(x + scaled * z)
        wide = x.astype(np.float64) + scaled.astype(np.float64) * z.astype(np.float64)
        return wide.astype(x.dtype)

    def backward(self, g: Tensor) -> tuple[Tensor | None, ...]:
        na, n1, n2 = self.needs_input_grad
        v = self.saved("value")
        g1 = g * (self.saved("tensor2") * v) if n1 else None
        g2 = g * (self.saved("tensor1") * v) if n2 else None
        return (g if na else None), g1, g2


def addcmul_(t: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
    return inplace(t, AddcmulBackward0, (tensor1, tensor2), {"value": value}, "addcmul_")


@declare("addcmul", nodes=AddcmulBackward0, inplace=addcmul_)
def addcmul(
    input: Tensor,  # noqa: A002 - PyTorch's name
    tensor1: Tensor,
    tensor2: Tensor,
    *,
    value: float = 1,
) -> Tensor:
    """``input + value * tensor1 * tensor2``."""
    return apply(AddcmulBackward0, input, tensor1, tensor2, value=value)


class AddcdivBackward0(Op):
    op_name = "addcdiv"
    input_names = ("self", "tensor1", "tensor2")
    formulas = {
        "self": "grad",
        "tensor1": "grad * (value / tensor2)",
        "tensor2": "-grad * value * tensor1 / (tensor2 * tensor2)",
    }

    def forward(self, a: Tensor, t1: Tensor, t2: Tensor, value: Any) -> np.ndarray:
        if t1._data.dtype.kind in "biu" and t2._data.dtype.kind in "biu":
            raise RuntimeError(_INT_ADDCDIV)
        x, y, z = _three(a, t1, t2)
        self.save(tensor1=t1, tensor2=t2, value=value)
        v = _value(x.dtype, value)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(x + (y if v == 1 else v * y) / z)

    def backward(self, g: Tensor) -> tuple[Tensor | None, ...]:
        na, n1, n2 = self.needs_input_grad
        v, t1, t2 = self.saved("value"), self.saved("tensor1"), self.saved("tensor2")
        g1 = g * (v / t2) if n1 else None
        g2 = -g * v * t1 / (t2 * t2) if n2 else None
        return (g if na else None), g1, g2


def addcdiv_(t: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
    return inplace(t, AddcdivBackward0, (tensor1, tensor2), {"value": value}, "addcdiv_")


@declare("addcdiv", nodes=AddcdivBackward0, inplace=addcdiv_)
def addcdiv(
    input: Tensor,  # noqa: A002 - PyTorch's name
    tensor1: Tensor,
    tensor2: Tensor,
    *,
    value: float = 1,
) -> Tensor:
    """``input + value * tensor1 / tensor2``."""
    return apply(AddcdivBackward0, input, tensor1, tensor2, value=value)


def _pnorm(d: np.ndarray, p: float) -> np.ndarray:
    ad = np.abs(d)
    with np.errstate(all="ignore"):
        if p == float("inf"):
            r = ad.max() if d.size else 0
        elif p == float("-inf"):
            r = ad.min() if d.size else float("inf")
        elif p == 0:
            r = (ad != 0).sum()
        elif p == 1:
            r = ad.sum()
        elif p == 2:
            r = np.sqrt((ad * ad).sum())
        else:
            r = (ad**p).sum() ** (1.0 / p)
    return np.asarray(r, dtype=d.dtype)


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


class DistBackward0(Op):
    op_name = "dist"
    input_names = ("self", "other")
    saves_output = "result"
    formulas = {
        "self": (
            "where(abs(p) == inf, grad * sign(self - other) * evenly(abs(self - "
            "other) == result, None), grad * sign(self - other) * abs(self - other) ** (p - 1) / "
            "where(result == 0, 1, result) ** (p - 1))"
        ),
        "other": (
            "-where(abs(p) == inf, grad * sign(self - other) * evenly(abs(self - "
            "other) == result, None), grad * sign(self - other) * abs(self - other) ** (p - 1) / "
            "where(result == 0, 1, result) ** (p - 1))"
        ),
    }

    def forward(self, a: Tensor, b: Tensor, p: float) -> np.ndarray:
        x, y = a._data, b._data
        if x.dtype == np.bool_ or y.dtype == np.bool_:
            raise RuntimeError(_BOOL_SUB)
        dt = promote(x, y)
        if dt.kind != "f":
            raise RuntimeError(
                "norm(): input dtype should be either floating point or complex. "
                f"Got {type_name(dt)} instead."
            )
        _broadcast(x, y)
        self.save(self=a, other=b, p=p)
        return _pnorm(x.astype(dt, copy=False) - y.astype(dt, copy=False), p)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, nb = self.needs_input_grad
        p, r = self.saved("p"), self.saved("result")
        if p == 0:  # norm_backward gives no gradient; other's, its negation, then fails
            if not nb:
                return None, None
            raise RuntimeError(
                "Expected a proper Tensor but got None (or an undefined Tensor in C++) for "
                "argument #0 'self'"
            )
        d = self.saved("self") - self.saved("other")
        if p == 1:
            gd = g * sign(d)
        elif abs(p) == float("inf"):
            hit = (np.abs(d._data) == r._data).astype(d._data.dtype)
            gd = g * sign(d) * _const(hit / hit.sum())
        else:
            safe = r if r._data != 0 else r * 0 + 1
            gd = g * d / safe if p == 2 else g * sign(d) * d.abs() ** (p - 1) / safe ** (p - 1)
        return (gd if na else None), (-gd if nb else None)


@declare("dist", nodes=DistBackward0)
def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:  # noqa: A002 - PyTorch's name
    """The ``p``-norm of ``input - other`` (broadcast)."""
    return apply(DistBackward0, input, other, p=p)
