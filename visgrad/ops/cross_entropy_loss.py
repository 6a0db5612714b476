"""Cross-entropy as PyTorch composes it: ``nll_loss(log_softmax(input))``, class probabilities
as targets, and ``label_smoothing``.

Built from smaller ops, op for op as PyTorch builds it, so the graph has PyTorch's nodes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.ops.attention import MulBackward1
from visgrad.ops.base import Op, apply, wrap
from visgrad.ops.loss import legacy_reduction, nll_loss, reduction_code
from visgrad.ops.losses import AddBackward1
from visgrad.ops.nll_checks import check_probabilities
from visgrad.ops.nn_ops import log_softmax
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["cross_entropy"]


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


class DivBackward1(Op):
    """Division by a number inside a composite (PyTorch's ``div.Scalar``: one edge)."""

    op_name = "div"
    formulas = {"self": "grad / other"}

    def forward(self, a: Tensor, other: Any) -> np.ndarray:
        self.save(other=other)
        x = a._data
        if x.dtype == np.float16:  # computed in float32 with a float32 divisor, as ATen's opmath
            return np.asarray(x.astype(np.float32) / np.float32(other), dtype=x.dtype)
        return np.asarray(x / other, dtype=x.dtype)

    def backward(self, g: Tensor) -> Tensor:
        return apply(DivBackward1, g, other=self.saved("other"))


@declare(
    "cross_entropy",
    nodes=(MulBackward1, AddBackward1, DivBackward1),
    torch=False,
    method=False,
    functional=True,
)
def cross_entropy(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """``nll_loss(log_softmax(input))``; ``label_smoothing`` mixes in the uniform distribution."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if label_smoothing == 0.0:
        return _cross_entropy(input, target, weight, None, ignore_index, None, reduction)
    target = wrap(target, input)
    class_dim = 0 if input._data.ndim == 1 else 1
    n_classes = input._data.shape[class_dim]
    if target._data.dtype.kind == "f":
        mixed = apply(MulBackward1, target, other=1 - label_smoothing)
        soft = apply(AddBackward1, mixed, other=label_smoothing / n_classes)
        return _cross_entropy(input, soft, weight, None, ignore_index, None, reduction)
    code = reduction_code(reduction)
    logp = log_softmax(input, class_dim)
    nll = nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    ignored = _const(target._data == ignore_index)
    if weight is not None:
        shape = [1] * logp._data.ndim
        shape[class_dim] = n_classes
        smooth = -(logp * weight.reshape(shape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    smooth = smooth.masked_fill(ignored, 0.0)
    if code == 1:
        if weight is not None:
            kept = target._data[target._data != ignore_index].reshape(-1)
            denom = _const(np.asarray(weight._data[kept].sum(), dtype=weight._data.dtype))
        else:
            denom = _const(np.asarray((target._data != ignore_index).sum(), dtype=np.int64))
        smooth = smooth.sum() / denom
    elif code == 2:
        smooth = smooth.sum()
    return apply(MulBackward1, nll, other=1 - label_smoothing) + apply(
        MulBackward1, smooth, other=label_smoothing / n_classes
    )


def _cross_entropy(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``nll_loss(log_softmax(input, 1), target)``; a target of the input's shape is read
    as class probabilities."""
    class_dim = 0 if input._data.ndim == 1 else 1
    logp = log_softmax(input, class_dim)
    target = wrap(target, input)
    if target._data.shape == input._data.shape:  # PyTorch's test for class probabilities
        return _soft_cross_entropy(logp, target, weight, class_dim, reduction_code(reduction))
    return nll_loss(logp, target, weight, None, ignore_index, None, reduction)


def _soft_cross_entropy(
    logp: Tensor, target: Tensor, weight: Tensor | None, class_dim: int, code: int
) -> Tensor:
    check_probabilities(target._data)
    terms = logp * target
    if weight is not None:
        shape = [1] * logp._data.ndim
        shape[class_dim] = weight._data.shape[0]
        terms = terms * weight.reshape(shape)
    if code == 0:
        return -terms.sum(class_dim)
    total = -terms.sum()
    if code == 2:
        return total
    # The mean is over samples (every element but the class dim), not over all elements.
    n = logp._data.size // logp._data.shape[class_dim]
    return apply(DivBackward1, total, other=n)
