"""Margin, embedding and likelihood losses: margin_ranking, hinge_embedding, soft_margin,
cosine_embedding, poisson_nll, gaussian_nll, triplet_margin (and with a distance function),
multilabel_soft_margin.

All but soft_margin are compositions in PyTorch (ATen's ``Loss.cpp`` or ``torch.nn.functional``),
so they are compositions here, op for op: the graph holds PyTorch's nodes. Where ATen adds a C++
number (``x + eps``, ``cos - margin``) the node is the one-edge Scalar form (``AddBackward1``,
``SubBackward1``); where it subtracts from a number (``margin - x``) the number is a wrapped
0-d tensor (``SubBackward0`` with an empty edge).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from visgrad.arg_parser import invalid_combination, type_name
from visgrad.autograd.grad_mode import MODES, no_grad
from visgrad.ops import elementwise as E
from visgrad.ops.activation import logsigmoid
from visgrad.ops.base import Op, apply, promote, wrap
from visgrad.ops.extra import clamp_min
from visgrad.ops.loss import _reduce_t, legacy_reduction, reduce_loss, reduction_code
from visgrad.ops.losses import AddBackward1, pairwise_distance
from visgrad.ops.operand_arrays import _pair
from visgrad.ops.operand_checks import fits_output, no_bool_negation
from visgrad.ops.pointwise import minimum
from visgrad.ops.predicates import any as any_
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = [
    "cosine_embedding_loss",
    "gaussian_nll_loss",
    "hinge_embedding_loss",
    "margin_ranking_loss",
    "multilabel_soft_margin_loss",
    "poisson_nll_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
]

EPSILON = 1e-12  # ATen's cosine_embedding_loss guard on the squared magnitudes


class SubBackward1(Op):
    """Subtraction of a number inside a composite (PyTorch's ``sub.Scalar``: one edge)."""

    op_name = "sub"
    formulas = {"self": "grad"}

    def forward(self, a: Tensor, other: float) -> np.ndarray:
        return (a._data - other).astype(a._data.dtype, copy=False)

    def backward(self, g: Tensor) -> Tensor:
        return g


def _code(size_average: Any, reduce: Any, reduction: str) -> int:
    return reduction_code(legacy_reduction(size_average, reduce, reduction))


def _number(value: float, like: Tensor) -> Tensor:
    """A C++ double on the left of a tensor op: a wrapped 0-d tensor of the tensor's dtype."""
    return Tensor._make(np.asarray(value, dtype=like._data.dtype), False, None, 0)


def _size(t: Tensor) -> str:
    return f"torch.Size({list(t._data.shape)})"


def margin_ranking(input1: Tensor, input2: Tensor, target: Tensor, margin: float) -> Tensor:
    """``max(0, -target · (input1 − input2) + margin)``, unreduced (ATen's kernel)."""
    return clamp_min(apply(AddBackward1, -target * (input1 - input2), other=float(margin)), 0)


@declare("margin_ranking_loss", nodes=AddBackward1, torch=False, method=False, functional=True)
def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, -target · (input1 − input2) + margin)``, reduced."""
    code = _code(size_average, reduce, reduction)
    if not input1._data.ndim == input2._data.ndim == target._data.ndim:
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {_size(input1)}, input2: {_size(input2)}, target: {_size(target)} "
        )
    return _reduce_t(margin_ranking(input1, input2, target, margin), code)


def hinge_embedding(input: Tensor, target: Tensor, margin: float) -> Tensor:  # noqa: A002
    """``input`` where the target is 1, ``max(0, margin − input)`` where it is −1, unreduced."""
    zeros = E.zeros_like(input)
    margin_clamp = clamp_min(_number(margin, input) - input, 0)
    output_margin = E.where(target != 1, margin_clamp, zeros)
    output_self = E.where(target != -1, input, zeros)
    return output_margin + output_self


@declare("hinge_embedding_loss", torch=False, method=False, functional=True)
def hinge_embedding_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    margin: float = 1.0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``input`` where the target is 1, ``max(0, margin − input)`` where it is −1."""
    code = _code(size_average, reduce, reduction)
    return _reduce_t(hinge_embedding(input, target, margin), code)


class SoftMarginLossBackward0(Op):
    op_name = "soft_margin_loss"
    input_names = ("self",)
    formulas = {
        "self": "-grad * target * exp(-target * self) / (1 + exp(-target * self)) "
        "/ (numel(self) if reduction == 1 else 1)",
    }

    def forward(self, x: Tensor, target: Tensor, reduction: int) -> np.ndarray:
        self.save(self=x, target=target, reduction=reduction)
        # ATen computes in its output, a tensor like the input: ``neg_out(out, input)``, then
        # ``mul_(target)`` (in the promoted dtype, stored back), ``exp_()``, ``log1p_()``.
        xx, tt = _pair(x, target)
        dt = x._data.dtype
        with np.errstate(over="ignore"):
            out = np.log1p(np.exp((-xx * tt).astype(dt, copy=False)))
        return reduce_loss(out, reduction)

    def backward(self, g: Tensor) -> Tensor:
        x, t = self.saved("self"), self.saved("target")
        z = (-t * x).exp()
        gx = -t * z / (z + 1) * g
        return gx / x.numel() if self.saved("reduction") == 1 else gx


@declare(
    "soft_margin_loss", nodes=SoftMarginLossBackward0, torch=False, method=False, functional=True
)
def soft_margin_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``log(1 + exp(−target · input))``, reduced (ATen's own kernel and backward)."""
    code = _code(size_average, reduce, reduction)
    target = wrap(target, input)
    if MODES.enabled and target.requires_grad:
        raise RuntimeError(
            "The function 'soft_margin_loss' is not differentiable with respect to argument "
            "'target'. This input cannot have requires_grad True."
        )
    no_bool_negation(input)
    fits_output(input._data, target._data, promote(input._data, target._data))
    return apply(SoftMarginLossBackward0, input, target=target, reduction=code)


def _cosine_checks(input1: Tensor, input2: Tensor, target: Tensor) -> int:
    targ_dim = target._data.ndim
    if targ_dim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    want = 2 if targ_dim == 1 else 1
    if not input1._data.ndim == input2._data.ndim == want:
        raise RuntimeError(
            f"{targ_dim}D target tensor expects {want}D input tensors, but found inputs with "
            f"sizes {list(input1._data.shape)} and {list(input2._data.shape)}."
        )
    return targ_dim


def cosine_embedding(input1: Tensor, input2: Tensor, target: Tensor, margin: float) -> Tensor:
    """``1 − cos(input1, input2)`` where the target is 1, ``max(0, cos − margin)`` where −1,
    unreduced (ATen's kernel, its checks included)."""
    d = _cosine_checks(input1, input2, target)
    prod_sum = (input1 * input2).sum(d)
    mag_square1 = apply(AddBackward1, (input1 * input1).sum(d), other=EPSILON)
    mag_square2 = apply(AddBackward1, (input2 * input2).sum(d), other=EPSILON)
    cos = prod_sum / (mag_square1 * mag_square2).sqrt()
    zeros = E.zeros_like(cos)
    pos = _number(1.0, cos) - cos
    neg = clamp_min(apply(SubBackward1, cos, other=float(margin)), 0)
    return E.where(target == 1, pos, zeros) + E.where(target == -1, neg, zeros)


@declare("cosine_embedding_loss", nodes=SubBackward1, torch=False, method=False, functional=True)
def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``1 − cos(input1, input2)`` where the target is 1, ``max(0, cos − margin)`` where −1."""
    code = _code(size_average, reduce, reduction)
    return _reduce_t(cosine_embedding(input1, input2, target, margin), code)


@declare("poisson_nll_loss", nodes=AddBackward1, torch=False, method=False, functional=True)
def poisson_nll_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: Any = None,
    eps: float = 1e-08,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Poisson negative log-likelihood of ``target`` given the (log-)rate ``input``; ``full``
    adds Stirling's term where the target is above 1."""
    return _reduce_t(
        poisson_nll(input, target, log_input, full, eps), _code(size_average, reduce, reduction)
    )


def poisson_nll(input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float) -> Tensor:  # noqa: A002
    """The Poisson negative log-likelihood, unreduced (ATen's kernel)."""
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * apply(AddBackward1, input, other=float(eps)).log()
    if full:
        with np.errstate(divide="ignore", invalid="ignore"):
            two_pi_t = target * (2 * math.pi)
            stirling = target * target.log() - target + two_pi_t.log() * 0.5
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return loss


def _gaussian_var(input: Tensor, var: Any) -> Tensor:  # noqa: A002
    """PyTorch's checks of ``var`` and its homoscedastic forms (one dim short, or one dim 1)."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * E.ones_like(input)
    elif not isinstance(var, Tensor):  # torch.any of a Python bool fits none of its signatures
        raise invalid_combination("any", (var < 0,), {})
    elif bool(any_(var < 0)):
        raise ValueError("var has negative entry/entries")
    shape, vshape = input._data.shape, var._data.shape
    if vshape != shape:
        if shape[:-1] == vshape:
            var = var.unsqueeze(-1)
        elif not (
            len(shape) == len(vshape)
            and sum(y for x, y in zip(shape, vshape, strict=True) if x != y) == 1
        ):
            raise ValueError("var is of incorrect size")
    return var


@declare("gaussian_nll_loss", torch=False, method=False, functional=True)
def gaussian_nll_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-06,
    reduction: str = "mean",
) -> Tensor:
    """``0.5 · (log(var) + (input − target)² / var)``, ``var`` clamped to ``eps`` (no gradient
    through the clamp), plus ``0.5 · log(2π)`` when ``full``."""
    var = _gaussian_var(input, var)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss += 0.5 * math.log(2 * math.pi)
    return _reduce_t(loss, reduction_code(reduction))


def _triplet_dims(anchor: Tensor, positive: Tensor, negative: Tensor) -> None:
    a, p, n = anchor._data.ndim, positive._data.ndim, negative._data.ndim
    if not a == p == n:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {a}D, positive {p}D, and negative {n}D inputs"
        )


@declare("triplet_margin_loss", nodes=AddBackward1, torch=False, method=False, functional=True)
def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-06,
    swap: bool = False,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, margin + d(anchor, positive) − d(anchor, negative))`` with the p-norm pairwise
    distance; ``swap`` takes the smaller of d(a, n) and d(p, n)."""
    code = _code(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    return _reduce_t(triplet_margin(anchor, positive, negative, margin, p, eps, swap), code)


def triplet_margin(
    anchor: Tensor, positive: Tensor, negative: Tensor, margin: float, p: float, eps: float,
    swap: bool,
) -> Tensor:  # fmt: skip
    """``max(0, margin + d(anchor, positive) − d(anchor, negative))``, unreduced (ATen's)."""
    _triplet_dims(anchor, positive, negative)
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = minimum(dist_neg, pairwise_distance(positive, negative, p, eps))
    return clamp_min(apply(AddBackward1, dist_pos, other=float(margin)) - dist_neg, 0)


@declare("triplet_margin_with_distance_loss", torch=False, method=False, functional=True)
def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
    margin: float = 1.0,
    swap: Any = False,  # F tests its truth only
    reduction: str = "mean",
) -> Tensor:
    """The triplet loss with any distance (``pairwise_distance`` when none is given)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _triplet_dims(anchor, positive, negative)
    dist = pairwise_distance if distance_function is None else distance_function
    dist_pos = dist(anchor, positive)
    dist_neg = dist(anchor, negative)
    if swap:
        dist_neg = minimum(dist_neg, dist(positive, negative))
    loss = clamp_min(margin + dist_pos - dist_neg, 0)
    return _reduce_t(loss, reduction_code(reduction))


@declare("multilabel_soft_margin_loss", torch=False, method=False, functional=True)
def multilabel_soft_margin_loss(
    input: Any,  # noqa: A002 - PyTorch's Python: logsigmoid(input) checks it
    target: Any,  # F's arithmetic: a number passes
    weight: Any = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy of ``sigmoid(input)`` per class, averaged over the last dim."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if not isinstance(input, Tensor):  # what ``logsigmoid(input)``, PyTorch's first call, says
        raise TypeError(
            f"log_sigmoid(): argument 'input' (position 1) must be Tensor, not {type_name(input)}"
        )
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    classes = input.size(class_dim)
    loss = loss.sum(dim=class_dim) / classes
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return _reduce_t(loss, reduction_code(reduction))
