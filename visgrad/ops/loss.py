"""Loss ops with PyTorch's fused nodes (BinaryCrossEntropyWithLogitsBackward0, ...)."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.ops.base import Op, apply, wrap
from visgrad.ops.elementwise import _pair
from visgrad.tensor import Tensor

REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}


def reduction_code(reduction: str) -> int:
    try:
        return REDUCTIONS[reduction]
    except KeyError:
        raise ValueError(f"{reduction} is not a valid value for reduction") from None


def reduce_loss(x: np.ndarray, code: int) -> np.ndarray:
    if code == 1:
        return np.asarray(x.mean(), dtype=x.dtype)
    if code == 2:
        return np.asarray(x.sum(), dtype=x.dtype)
    return x


def _softplus_neg(z: np.ndarray) -> np.ndarray:
    """log(1 + exp(-z)) without overflow."""
    return np.log1p(np.exp(-np.abs(z))) + np.maximum(-z, 0)


class BinaryCrossEntropyWithLogitsBackward0(Op):
    op_name = "binary_cross_entropy_with_logits"
    input_names = ("self", "target", "weight", "pos_weight")
    formulas = {
        "self": "grad * (σ(self) − target) · weight / n",
        "target": "grad * −self · weight / n",
    }

    def forward(self, z: Tensor, y: Tensor, weight: Tensor | None, pos_weight: Tensor | None,
                reduction: int = 1) -> np.ndarray:
        zz, yy = _pair(z, y)
        if zz.shape != yy.shape:
            raise ValueError(
                f"Target size ({_size(yy.shape)}) must be the same as input size ({_size(zz.shape)})"
            )
        self.save(self=z, target=y, weight=weight, pos_weight=pos_weight, reduction=reduction)
        sp = _softplus_neg(zz)
        if pos_weight is not None:
            lw = 1 + (pos_weight._data - 1) * yy
            loss = (1 - yy) * zz + lw * sp
        else:
            loss = (1 - yy) * zz + sp
        if weight is not None:
            loss = loss * weight._data
        return reduce_loss(loss.astype(zz.dtype, copy=False), reduction)

    def backward(self, g: Tensor) -> tuple[Tensor | None, ...]:
        z, y = self.saved("self"), self.saved("target")
        weight, pw = self.saved("weight"), self.saved("pos_weight")
        code = self.saved("reduction")
        scale = g / z.numel() if code == 1 else g
        na, nb = self.needs_input_grad[:2]
        gz = gy = None
        if na:
            if pw is not None:
                lw = 1 + (pw - 1) * y
                d = (1 - y) - lw * (1 - z.sigmoid())
            else:
                d = z.sigmoid() - y
            gz = scale * d if weight is None else scale * d * weight
        if nb:
            dy = -z if pw is None else -z + (pw - 1) * _softplus_t(z)
            gy = scale * dy if weight is None else scale * dy * weight
        return gz, gy, None, None


def _softplus_t(z: Tensor) -> Tensor:
    return Tensor._make(_softplus_neg(z._data), False, None, 0)


def _size(shape: tuple[int, ...]) -> str:
    return f"torch.Size([{', '.join(str(s) for s in shape)}])"


def binary_cross_entropy_with_logits(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Sigmoid + binary cross-entropy in one numerically stable node."""
    code = reduction_code(reduction)
    return apply(
        BinaryCrossEntropyWithLogitsBackward0, input, wrap(target, input),
        weight=weight, pos_weight=pos_weight, reduction=code,
    )
