"""More losses and distances: l1, smooth-l1, huber, kl_div, cosine_similarity,
pairwise_distance, normalize, one_hot.

Where PyTorch builds a loss from smaller ops (l1_loss, kl_div, cosine_similarity) so do we, op
for op, so the graph has PyTorch's nodes.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.arg_parser import invalid_combination, is_number
from visgrad.autograd.grad_mode import no_grad
from visgrad.factories import check_size
from visgrad.ops import elementwise as E
from visgrad.ops.base import Op, apply, promote, wrap
from visgrad.ops.extra import clamp_min
from visgrad.ops.gate_tables import c_name
from visgrad.ops.inplace import inplace as run_inplace
from visgrad.ops.linalg_norms import norm
from visgrad.ops.loss import _size, legacy_reduction, reduce_loss, reduction_code
from visgrad.ops.reduce import LinalgVectorNormBackward0, vector_norm
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor, _dim

__all__ = [
    "cosine_similarity",
    "huber_loss",
    "l1_loss",
    "normalize",
    "one_hot",
    "pairwise_distance",
    "smooth_l1_loss",
    "xlogy",
]


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


def _warn_size(input: Tensor, target: Tensor) -> None:  # noqa: A002
    if target._data.shape != input._data.shape:
        warnings.warn(
            f"Using a target size ({_size(target._data.shape)}) that is different to the input "
            f"size ({_size(input._data.shape)}). This will likely lead to incorrect results due "
            "to broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=4,  # the loss, the gate, the caller
        )


def _check_weight(input: Tensor, weight: Tensor | None) -> None:  # noqa: A002
    if weight is not None and weight._data.shape != input._data.shape:
        raise ValueError("Weights and input must have the same size.")


def _broadcast(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:  # noqa: A002
    """``torch.broadcast_tensors``: only a tensor whose shape changes gets an expand."""
    shape = np.broadcast_shapes(input._data.shape, target._data.shape)
    a = input if input._data.shape == shape else input.expand(*shape)
    b = target if target._data.shape == shape else target.expand(*shape)
    return a, b


class AddBackward1(Op):
    """Addition of a number inside a composite (PyTorch's ``add.Scalar``: one edge)."""

    op_name = "add"
    formulas = {"self": "grad"}

    def forward(self, a: Tensor, other: float) -> np.ndarray:
        return (a._data + other).astype(a._data.dtype, copy=False)

    def backward(self, g: Tensor) -> Tensor:
        return g


class NormBackward1(LinalgVectorNormBackward0):
    """``at::norm(self, p, dim, keepdim)`` (the C++ norm some composites call)."""

    op_name = "norm"


class _PointwiseLoss(Op):
    """A loss of ``d = input - target`` per element, then reduced; subclasses give f and f'."""

    input_names = ("self", "target")
    differentiable = ()  # the base is never recorded
    # PyTorch's kernel writes into a tensor like the input (huber): the result has the input's
    # dtype, and the backward kernel refuses a target of another dtype.
    like_input = False

    def forward(self, x: Tensor, t: Tensor, reduction: int, **param: float) -> np.ndarray:
        self.save(self=x, target=t, reduction=reduction, **param)
        xd = x._data
        d = (xd - t._data).astype(promote(xd, t._data), copy=False)
        out = self.value(d, *param.values()).astype(xd.dtype if self.like_input else d.dtype)
        return reduce_loss(out, reduction)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, t = self.saved("self"), self.saved("target")
        if self.like_input and t._data.dtype != x._data.dtype:
            raise RuntimeError(
                f"Found dtype {c_name(t._data.dtype)} but expected {c_name(x._data.dtype)}"
            )
        param = [self.saved(k) for k in self.params]
        d = x - t
        slope = self.slope(d, *param)
        if self.saved("reduction") == 1:
            g = g / d._data.size
        gx = g * slope
        nx, nt = self.needs_input_grad
        return (gx if nx else None), (-gx if nt else None)


class SmoothL1LossBackward0(_PointwiseLoss):
    op_name = "smooth_l1_loss"
    differentiable = (0,)
    params = ("beta",)
    formulas = {
        "self": "grad * where(abs(self - target) >= beta, sign(self - target), (self - target) / beta) / (numel(self) if reduction == 1 else 1)",
        "target": "-grad * where(abs(self - target) >= beta, sign(self - target), (self - target) / beta) / (numel(self) if reduction == 1 else 1)",
    }

    @staticmethod
    def value(d: np.ndarray, beta: float) -> np.ndarray:
        ad = np.abs(d)
        return np.where(ad < beta, 0.5 * d * d / beta, ad - 0.5 * beta)

    @staticmethod
    def slope(d: Tensor, beta: float) -> Tensor:
        outside = _const(np.abs(d._data) >= beta)  # a NaN is inside, as in PyTorch's kernel
        return E.where(outside, d.sign(), d / beta)


class HuberLossBackward0(_PointwiseLoss):
    op_name = "huber_loss"
    differentiable = (0,)
    params = ("delta",)
    like_input = True
    formulas = {
        "self": "grad * minimum(maximum(self - target, -delta), delta) / (numel(self) if reduction == 1 else 1)",
        "target": "-grad * minimum(maximum(self - target, -delta), delta) / (numel(self) if reduction == 1 else 1)",
    }

    @staticmethod
    def value(d: np.ndarray, delta: float) -> np.ndarray:
        ad = np.abs(d)
        return np.where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta))

    @staticmethod
    def slope(d: Tensor, delta: float) -> Tensor:
        return d.clamp(-delta, delta)


@declare("l1_loss", torch=False, method=False, functional=True)
def l1_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean absolute error: ``|input - target|``, reduced (a composite, as in PyTorch)."""
    target = wrap(target, input)
    _warn_size(input, target)
    code = reduction_code(legacy_reduction(size_average, reduce, reduction))
    _check_weight(input, weight)
    loss = (input - target).abs()
    if weight is not None:
        loss = loss * weight
    return loss.mean() if code == 1 else loss.sum() if code == 2 else loss


@declare("smooth_l1_loss", nodes=SmoothL1LossBackward0, torch=False, method=False, functional=True)
def smooth_l1_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """Squared error below ``beta``, absolute error above (0.5·d²/beta or |d| − 0.5·beta)."""
    target = wrap(target, input)
    _warn_size(input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    code = reduction_code(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    a, b = _broadcast(input, target)
    if beta == 0.0:
        return l1_loss(a, b, reduction=reduction)
    return apply(SmoothL1LossBackward0, a, b, reduction=code, beta=float(beta))


@declare("huber_loss", nodes=HuberLossBackward0, torch=False, method=False, functional=True)
def huber_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    """0.5·d² below ``delta``, ``delta·(|d| − 0.5·delta)`` above."""
    target = wrap(target, input)
    _warn_size(input, target)
    code = reduction_code(reduction)
    _check_weight(input, weight)
    x, t = input._data, target._data
    if x.dtype.kind not in "fc":
        if t.dtype.kind in "fc":
            raise RuntimeError(
                f"result type {c_name(t.dtype)} can't be cast to the desired output type "
                f"{c_name(x.dtype)}"
            )
        raise NotImplementedError(f"\"huber_cpu\" not implemented for '{c_name(promote(x, t))}'")
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    a, b = _broadcast(input, target)
    if weight is None:
        return apply(HuberLossBackward0, a, b, reduction=code, delta=float(delta))
    loss = apply(HuberLossBackward0, a, b, reduction=0, delta=float(delta)) * weight
    return loss.mean() if code == 1 else loss.sum() if code == 2 else loss


class XlogyBackward0(Op):
    op_name = "xlogy"
    input_names = ("self", "other")
    formulas = {
        "self": "where((self == 0) * (other <= 0), 0, grad * log(other))",
        "other": "grad * self / other",
    }

    def forward(self, x: Tensor, y: Tensor) -> np.ndarray:
        self.save(self=x, other=y)
        a, b = x._data, y._data
        dt = promote(a, b)
        dt = dt if np.dtype(dt).kind == "f" else np.float32
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(a == 0, 0, a * np.log(b))
        return np.where(np.isnan(b), np.nan, r).astype(dt, copy=False)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = self.saved("self"), self.saved("other")
        nx, ny = self.needs_input_grad
        gx = gy = None
        if nx:
            zero = _const((x._data == 0) & (y._data <= 0))
            gx = E.where(zero, 0.0, g * y.log())
        if ny:
            gy = g * x / y
        return gx, gy


def xlogy_(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """``input.xlogy_(other)``: ``input * log(other)`` written into ``input``."""
    return run_inplace(input, XlogyBackward0, (wrap(other, input),), {}, "xlogy_")


@declare("xlogy", nodes=XlogyBackward0, inplace=xlogy_, torch_inplace=True)
def xlogy(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input * log(other)``, and 0 where ``input`` is 0."""
    a = input if isinstance(input, Tensor) else wrap(input, other)
    return apply(XlogyBackward0, a, wrap(other, a))


@declare("cosine_similarity", method=False, functional=True)
def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-08) -> Tensor:
    """``<x1, x2> / (max(‖x1‖, eps) · max(‖x2‖, eps))`` along ``dim`` (PyTorch's composite:
    each input is divided by its clamped norm first)."""
    kind = np.dtype(promote(x1._data, x2._data))
    if kind.kind != "f":
        name = dtypes.from_numpy(kind).tensor_type.removesuffix("Tensor")
        raise RuntimeError(
            f"expected common dtype to be floating point, yet common dtype is {name}"
        )
    if eps < 0:
        raise RuntimeError(f"eps must be non-negative, got: {eps}")
    # PyTorch takes integer (and bool) inputs in the common dtype; the norms would refuse them.
    x1, x2 = (x.to(dtypes.from_numpy(kind)) if x._data.dtype.kind in "biu" else x for x in (x1, x2))
    if x1._data.shape != x2._data.shape:
        shape = np.broadcast_shapes(x1._data.shape, x2._data.shape)
        x1, x2 = x1.expand(*shape), x2.expand(*shape)
    d = _dim(dim, x1._data.ndim)
    n1 = vector_norm(x1, 2, d, keepdim=True).clone()
    n2 = vector_norm(x2, 2, d, keepdim=True).clone()
    with no_grad():
        n1.clamp_(min=eps)
        n2.clamp_(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(d)


@declare("pairwise_distance", nodes=(AddBackward1, NormBackward1), method=False, functional=True)
def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-06, keepdim: bool = False
) -> Tensor:
    """``‖x1 − x2 + eps‖_p`` over the last dim."""
    last = max(x1._data.ndim, x2._data.ndim) - 1
    diff = apply(AddBackward1, x1 - x2, other=eps)
    return apply(NormBackward1, diff, ord=p, dim=last, keepdim=keepdim)


@declare("normalize", torch=False, method=False, functional=True)
def normalize(
    input: Tensor,  # noqa: A002
    p: Any = 2.0,
    dim: Any = 1,
    eps: Any = 1e-12,
    out: Tensor | None = None,
) -> Tensor:
    """``input / max(‖input‖_p, eps)`` along ``dim``: PyTorch's ``input.norm(p, dim)``, which
    types ``p`` and ``dim`` (a ``p`` of None is 2, a string a matrix norm; a ``dim`` of None is
    every dim, a tuple several)."""
    if not (isinstance(eps, Tensor) or is_number(eps)):  # the method ``clamp_min(eps)`` refuses it
        raise invalid_combination("clamp_min", (eps,), {})
    denom = clamp_min(norm(input, p, dim, keepdim=True), eps).expand_as(input)
    result = input / denom
    if out is not None:
        out.copy_(result)
        return out
    return result


@declare("one_hot", torch=False, method=False, functional=True)
def one_hot(input: Tensor, num_classes: int = -1) -> Tensor:  # noqa: A002 - PyTorch's name
    """Each integer class index as a row of zeros with a one at the index (int64)."""
    x = input._data
    if x.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if x.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(x.max()) + 1
    if x.size and x.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if x.size and x.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    check_size(x.shape + (num_classes,), 8)
    out = np.zeros(x.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, x[..., None], 1, axis=-1)
    return _const(out)
