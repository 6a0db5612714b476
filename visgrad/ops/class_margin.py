"""Class-margin losses with ATen's own kernels and nodes: ``multi_margin_loss``
(``MultiMarginLossBackward0``) and ``multilabel_margin_loss`` (``MultilabelMarginLossBackward0``).

Both take an input of 0, 1 or 2 dims, read as ``(frames, classes)``. The per-frame loss is a sum
over the classes that beat the target's score by less than the margin, divided by the number of
classes; 'mean' then divides by the frames.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.arg_parser import number
from visgrad.ops.base import Op, apply, wrap
from visgrad.ops.gate_tables import c_name
from visgrad.ops.loss import legacy_reduction, reduction_code
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["multi_margin_loss", "multilabel_margin_loss"]


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


def _frames(x: np.ndarray) -> tuple[int, int]:
    """(frames, classes) of a loss input, with ATen's check of its shape."""
    nd = x.ndim
    if not ((nd == 2 and x.shape[1] != 0) or (nd == 1 and x.shape[0] != 0) or nd == 0):
        raise RuntimeError(
            "Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
            f"{list(x.shape)}"
        )
    return (1 if nd <= 1 else x.shape[0]), (1 if nd == 0 else x.shape[-1])


def _long_target(t: np.ndarray) -> None:
    if t.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {c_name(t.dtype)}")


def _reduce_frames(per: np.ndarray, code: int, keep_frames: bool, dtype: Any) -> np.ndarray:
    """ATen's reduction of the per-frame losses: a double accumulator for 'mean' and 'sum'."""
    if code == 0 and keep_frames:
        return per.astype(dtype, copy=False)
    total = float(np.sum(per.astype(np.float64)))
    if code == 1:
        total /= per.shape[0]
    return np.asarray(total, dtype=dtype)


def _frame_scale(g: Tensor, code: int, frames: int, keep_frames: bool) -> tuple[Tensor, float]:
    """The arriving gradient shaped to multiply a (frames, classes) array, and the 1/N of 'mean'."""
    if code == 0 and keep_frames:
        return g.reshape(frames, 1), 1.0
    return g, (1.0 / frames if code == 1 else 1.0)


class MultiMarginLossBackward0(Op):
    op_name = "multi_margin_loss"
    input_names = ("self",)
    formulas = {
        "self": "multi_margin_loss_backward(grad, self, target, p, margin, weight, reduction)"
    }

    def forward(
        self, x: Tensor, target: Tensor, p: int, margin: float, weight: Tensor | None,
        reduction: int,
    ) -> np.ndarray:  # fmt: skip
        xx = x._data
        frames, dim = _frames(xx)
        xm, tt = xx.reshape(frames, dim), target._data.reshape(-1)
        rows = np.arange(frames)
        if tt.size and (tt.min() < 0 or tt.max() >= dim):
            raise RuntimeError("target out of range")
        z = xm.dtype.type(margin) - xm[rows, tt][:, None] + xm
        active = z > 0
        active[rows, tt] = False
        h = z if p == 1 else z * z
        if weight is not None:
            h = h * weight._data[tt][:, None]
        per = np.where(active, h, 0).sum(axis=1) / xm.dtype.type(dim)
        keep = target._data.ndim > 0
        self.save(self=x, target=target, p=p, margin=margin, weight=weight, reduction=reduction)
        return _reduce_frames(per, reduction, keep, xx.dtype)

    def backward(self, g: Tensor) -> Tensor:
        x, target = self.saved("self"), self.saved("target")
        frames, dim = _frames(x._data)
        tt = target._data.reshape(-1)
        xm = x.reshape(frames, dim)
        rows = np.arange(frames)
        z = xm.gather(1, _const(tt[:, None])).neg().add(float(self.saved("margin"))) + xm
        active = z._data > 0
        active[rows, tt] = False
        g, mean = _frame_scale(g, self.saved("reduction"), frames, target._data.ndim > 0)
        scale = np.full(frames, mean / dim)
        weight = self.saved("weight")
        if weight is not None:
            scale = scale * weight._data[tt]
        coef = active * scale[:, None]
        onehot = np.zeros((frames, dim))
        onehot[rows, tt] = 1.0
        dt = x._data.dtype
        if self.saved("p") == 1:
            h = coef
            h = h - onehot * h.sum(axis=1, keepdims=True)
            return (g * _const(h.astype(dt))).reshape(x.shape)
        hz = z.clamp_min(0) * _const((2 * coef).astype(dt))  # +0, not -0, where z < 0
        h = hz - _const(onehot.astype(dt)) * hz.sum(1, keepdim=True)
        return (g * h).reshape(x.shape)


def _check_margin_args(x: Tensor, target: Tensor, p: Any, weight: Any) -> None:
    # PyTorch's Python wrapper: p compared as it comes, weight asked for its dim(); then ATen's
    # parser takes p as a Number.
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    number("multi_margin_loss", "p", p, 3)
    frames, dim = _frames(x._data)
    t = target._data
    if not (t.ndim <= 1 and t.size == frames):
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{frames}], but got "
            f"{list(t.shape)}. Input has shape {list(x._data.shape)}."
        )
    if weight is not None and weight._data.size != dim:
        raise RuntimeError(
            f"inconsistent weight size, expected {dim} but got {list(weight._data.shape)}"
        )
    _long_target(t)
    if weight is not None and weight._data.dtype != x._data.dtype:
        raise RuntimeError(
            f"expected scalar type {c_name(x._data.dtype)} but found {c_name(weight._data.dtype)}"
        )


@declare(
    "multi_margin_loss", nodes=MultiMarginLossBackward0, torch=False, method=False, functional=True
)
def multi_margin_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    p: Any = 1,
    margin: float = 1.0,
    weight: Any = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Per frame, ``Σ_{j≠y} max(0, margin − x[y] + x[j])^p · weight[y] / classes``, reduced."""
    code = reduction_code(legacy_reduction(size_average, reduce, reduction))
    target = wrap(target)
    _check_margin_args(input, target, p, weight)
    return apply(
        MultiMarginLossBackward0,
        input,
        target=target,
        p=int(number("multi_margin_loss", "p", p, 3)),
        margin=float(margin),
        weight=weight,
        reduction=code,
    )


def _as_int64(v: Any) -> int:
    """A scalar as C++'s ``item<int64_t>()`` reads it: truncated, NaN the least int64."""
    return -(2**63) if v != v else int(v)


def _label_mask(tt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per frame, how often each class is listed before the first -1, and whether it is listed."""
    frames, dim = tt.shape
    listed = np.cumprod(tt != -1, axis=1).astype(bool)
    counts = np.zeros((frames, dim), dtype=np.int64)
    rows = np.broadcast_to(np.arange(frames)[:, None], tt.shape)
    np.add.at(counts, (rows[listed], tt[listed]), 1)
    return counts, counts > 0


class MultilabelMarginLossBackward0(Op):
    op_name = "multilabel_margin_loss"
    input_names = ("self",)
    formulas = {"self": "multilabel_margin_loss_backward(grad, self, target, reduction)"}

    def forward(self, x: Tensor, target: Tensor, reduction: int) -> np.ndarray:
        xx = x._data
        frames, dim = _frames(xx)
        xm, tt = xx.reshape(frames, dim), target._data.reshape(frames, dim)
        counts, is_target = _label_mask(tt)
        one = xm.dtype.type(1)
        # z[n, j, k]: target class j of frame n against non-target class k.
        z = one - xm[:, :, None] + xm[:, None, :]
        pairs = (counts[:, :, None] > 0) & ~is_target[:, None, :] & (z > 0)
        per = (np.where(pairs, z, 0) * counts[:, :, None]).sum(axis=(1, 2)) / xm.dtype.type(dim)
        self.save(self=x, target=target, reduction=reduction)
        self._is_target = is_target
        return _reduce_frames(per, reduction, xx.ndim > 1, xx.dtype)

    def backward(self, g: Tensor) -> Tensor:
        x, target = self.saved("self"), self.saved("target")
        frames, dim = _frames(x._data)
        xm = x._data.reshape(frames, dim)
        counts, is_target = _label_mask(target._data.reshape(frames, dim))
        z = 1 - xm[:, :, None] + xm[:, None, :]
        pairs = ((counts[:, :, None] > 0) & ~is_target[:, None, :] & (z > 0)) * counts[:, :, None]
        g, mean = _frame_scale(g, self.saved("reduction"), frames, x._data.ndim > 1)
        coef = (pairs.sum(axis=1) - pairs.sum(axis=2)) * (mean / dim)
        return (g * _const(coef.astype(x._data.dtype))).reshape(x.shape)


@declare(
    "multilabel_margin_loss",
    nodes=MultilabelMarginLossBackward0,
    torch=False,
    method=False,
    functional=True,
)
def multilabel_margin_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Per frame, ``Σ_j Σ_{k not a target} max(0, 1 − x[y_j] + x[k]) / classes`` over the target
    classes ``y_j`` listed before the first -1, reduced."""
    code = reduction_code(legacy_reduction(size_average, reduce, reduction))
    target = wrap(target)
    frames, dim = _frames(input._data)
    t = target._data
    fits = t.ndim <= 1 and t.size == dim if input._data.ndim <= 1 else t.shape == (frames, dim)
    if not fits:
        raise RuntimeError(
            f"inconsistent target size: {list(t.shape)} for input of size: "
            f"{list(input._data.shape)}"
        )
    # ATen checks the range first, on min().item<int64_t>() and max(): a float truncates.
    if t.size and (_as_int64(t.min()) < -1 or _as_int64(t.max()) >= dim):
        raise RuntimeError("argument #2 'target' is out of range")
    _long_target(t)
    return apply(MultilabelMarginLossBackward0, input, target=target, reduction=code)
