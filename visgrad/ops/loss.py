"""Loss ops with PyTorch's fused nodes (BinaryCrossEntropyWithLogitsBackward0, ...)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from visgrad.ops.base import Op, apply, wrap
from visgrad.ops.gate import user_stacklevel
from visgrad.ops.gate_tables import c_name
from visgrad.ops.nll_checks import check_nll
from visgrad.ops.nll_kernel import cascade_total, put_targets, take_targets
from visgrad.ops.operand_arrays import _pair
from visgrad.ops.registry import declare
from visgrad.ops.sum_kernel import float_sum
from visgrad.tensor import Tensor

REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}


def reduction_code(reduction: str) -> int:
    try:
        return REDUCTIONS[reduction]
    except KeyError:
        raise ValueError(f"{reduction} is not a valid value for reduction") from None


def legacy_reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """The reduction of a ``torch.nn.functional`` loss: the deprecated ``size_average`` and
    ``reduce``, when either is given, decide it by their truth (an unset one counts as true),
    with PyTorch's deprecation warning; otherwise ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return ret


def reduce_loss(x: np.ndarray, code: int) -> np.ndarray:
    """'mean' or 'sum' of the unreduced loss, as PyTorch's ``.mean()`` / ``.sum()`` add."""
    if code == 0:
        return x
    total = float_sum(x, tuple(range(x.ndim)), False, x.dtype)
    if code == 1:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(total / x.dtype.type(x.size), dtype=x.dtype)
    return total


def _softplus_neg(z: np.ndarray) -> np.ndarray:
    """log(1 + exp(-z)) without overflow."""
    return np.log1p(np.exp(-np.abs(z))) + np.maximum(-z, 0)


class BinaryCrossEntropyWithLogitsBackward0(Op):
    op_name = "binary_cross_entropy_with_logits"
    input_names = ("self", "target", "weight", "pos_weight")
    no_grad_inputs = ("weight", "pos_weight")
    formulas = {
        "self": (
            "grad * given(weight, 1) * (sigmoid(self) - target - (given(pos_weight, 1) - 1) "
            "* target * (1 - sigmoid(self))) / (numel(self) if reduction == 1 else 1)"
        ),
        "target": (
            "grad * given(weight, 1) * (-self + (given(pos_weight, 1) - 1) * softplus(-self)) "
            "/ (numel(self) if reduction == 1 else 1)"
        ),
    }

    def forward(
        self,
        z: Tensor,
        y: Tensor,
        weight: Tensor | None,
        pos_weight: Tensor | None,
        reduction: int = 1,
    ) -> np.ndarray:
        if z._data.shape != y._data.shape:
            raise ValueError(
                f"Target size ({_size(y._data.shape)}) must be the same as input size "
                f"({_size(z._data.shape)})"
            )
        # PyTorch computes log_sigmoid(input) in the input's dtype, then writes the loss into
        # ``1 - target``: the target's dtype is the result's, and a bool or integer one fails.
        if z._data.dtype.kind != "f":
            raise NotImplementedError(
                f"\"log_sigmoid_cpu\" not implemented for '{c_name(z._data.dtype)}'"
            )
        if y._data.dtype.kind == "b":
            raise RuntimeError(
                "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
                "`^` or `logical_xor()` operator instead."
            )
        if y._data.dtype.kind != "f":
            raise RuntimeError(
                f"result type {c_name(z._data.dtype)} can't be cast to the desired output type "
                f"{c_name(y._data.dtype)}"
            )
        out_dtype = y._data.dtype
        sp = _softplus_neg(z._data.astype(np.promote_types(z._data.dtype, np.float32)))
        sp = sp.astype(z._data.dtype, copy=False)
        zz, yy = _pair(z, y)
        self.save(self=z, target=y, weight=weight, pos_weight=pos_weight, reduction=reduction)
        if pos_weight is not None:
            lw = 1 + (pos_weight._data - 1) * yy
            loss = (1 - yy) * zz + lw * sp
        else:
            loss = (1 - yy) * zz + sp
        if weight is not None:
            loss = loss * weight._data
        return reduce_loss(loss.astype(out_dtype, copy=False), reduction)

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


@declare(
    "binary_cross_entropy_with_logits",
    nodes=BinaryCrossEntropyWithLogitsBackward0,
    torch=False,
    method=False,
    functional=True,
)
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
    code = reduction_code(legacy_reduction(size_average, reduce, reduction))
    return apply(
        BinaryCrossEntropyWithLogitsBackward0,
        input,
        wrap(target, input),
        weight=weight,
        pos_weight=pos_weight,
        reduction=code,
    )


def _reduce_t(x: Tensor, code: int) -> Tensor:
    """A loss reduction written with visgrad ops (used where the graph must stay visible)."""
    if code == 1:
        return x.mean()
    if code == 2:
        return x.sum()
    return x


class MseLossBackward0(Op):
    op_name = "mse_loss"
    input_names = ("self", "target")
    formulas = {
        "self": "grad * 2 * (self - target) / (numel(self) if reduction == 1 else 1)",
        "target": "-grad * 2 * (self - target) / (numel(self) if reduction == 1 else 1)",
    }

    def forward(self, x: Tensor, t: Tensor, reduction: int) -> np.ndarray:
        xx, tt = _pair(x, t)
        self.save(self=x, target=t, reduction=reduction)
        d = xx - tt
        return reduce_loss(d * d, reduction)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, t = self.saved("self"), self.saved("target")
        d = x - t
        scale = g * (2.0 / d.numel()) if self.saved("reduction") == 1 else g * 2.0
        gx = scale * d
        na, nb = self.needs_input_grad
        return (gx if na else None), (-gx if nb else None)


@declare("mse_loss", nodes=MseLossBackward0, torch=False, method=False, functional=True)
def mse_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Mean squared error; a target of another shape is broadcast, with PyTorch's warning."""
    target = wrap(target, input)
    if target._data.shape != input._data.shape:
        warnings.warn(
            f"Using a target size ({_size(target._data.shape)}) that is different to the input "
            f"size ({_size(input._data.shape)}). This will likely lead to incorrect results due "
            "to broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    reduction = legacy_reduction(size_average, reduce, reduction)
    return apply(MseLossBackward0, input, target, reduction=reduction_code(reduction))


class NllLossBackward0(Op):
    op_name = "nll_loss"
    input_names = ("self",)
    # -weight[target[n]] at each sample's target class, times grad (/ the total weight for mean).
    formulas = {"self": "nll_loss_backward(grad, self, target, weight, reduction, ignore_index)"}

    def forward(
        self, x: Tensor, target: Tensor, weight: Tensor | None, reduction: int, ignore_index: int
    ) -> np.ndarray:
        t = target
        xx, tt = x._data, t._data
        batched = xx.ndim >= 2
        n_class = xx.shape[1] if batched else xx.shape[0]
        valid = tt != ignore_index
        bad = tt[valid & ((tt < 0) | (tt >= n_class))]
        if bad.size:
            raise IndexError(f"Target {int(bad.flat[0])} is out of bounds.")
        safe_t = np.where(valid, tt, 0)
        w = weight._data if weight is not None else np.ones(n_class, dtype=xx.dtype)
        per_w = np.where(valid, w[safe_t], 0).astype(xx.dtype)
        # The input's class axis is 1 for batches (0 for a single sample); pick x[n, t[n], ...].
        axis = 1 if batched else 0
        picked = take_targets(xx, safe_t, axis)
        losses = -picked * per_w
        if xx.ndim <= 2:  # nll_loss's own kernel and its order of additions
            kept = np.atleast_1d(valid)
            if weight is None:
                total = np.asarray(kept.sum(), dtype=xx.dtype)
            else:
                total = cascade_total(np.atleast_1d(per_w), kept)
            summed = cascade_total(np.atleast_1d(losses), kept)
        else:
            total = np.asarray(per_w.sum(), dtype=xx.dtype)
            summed = np.asarray(losses.sum(), dtype=xx.dtype)
        self.save(
            self=x,
            target=t,
            weight=weight,
            reduction=reduction,
            ignore_index=ignore_index % 2**64 if ignore_index < 0 else ignore_index,
            total_weight=Tensor._make(total, False, None, 0),
        )
        # What backward scatters: -weight at each picked class (before reduction).
        self._axis = axis
        coef = np.zeros_like(xx)
        put_targets(coef, safe_t, -per_w, axis)
        self._coef = coef
        if reduction == 1:
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.asarray(summed / total, dtype=xx.dtype)
        if reduction == 2:
            return np.asarray(summed, dtype=xx.dtype)
        return losses

    def backward(self, g: Tensor) -> Tensor:
        coef = self._coef
        if self.saved("reduction") == 1:
            coef = coef / self.saved("total_weight")._data
        elif self.saved("reduction") == 0 and g._data.ndim:
            g = g.unsqueeze(self._axis)
        return g * Tensor._make(coef, False, None, 0)


@declare("nll_loss", nodes=NllLossBackward0, torch=False, method=False, functional=True)
def nll_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` at class indices ``target``."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    target = wrap(target)
    check_nll(input._data, target._data, None if weight is None else weight._data)
    return apply(
        NllLossBackward0,
        input,
        target=target,
        weight=weight,
        reduction=reduction_code(reduction),
        ignore_index=ignore_index,
    )


class BinaryCrossEntropyBackward0(Op):
    op_name = "binary_cross_entropy"
    input_names = ("self", "target")
    formulas = {
        "self": (
            "grad * given(weight, 1) * (self - target) / maximum(self * (1 - self), 1e-12) "
            "/ (numel(self) if reduction == 1 else 1)"
        ),
        "target": "grad * given(weight, 1) * (log(1 - self) - log(self)) / (numel(self) if reduction == 1 else 1)",
    }

    def forward(self, x: Tensor, t: Tensor, weight: Tensor | None, reduction: int) -> np.ndarray:
        xx, tt = _pair(x, t)
        if np.any((xx < 0) | (xx > 1)):
            raise RuntimeError("all elements of input should be between 0 and 1")
        self.save(self=x, target=t, weight=weight, reduction=reduction)
        with np.errstate(divide="ignore"):
            # PyTorch clamps each log at -100 so a saturated input gives a finite loss.
            log_x = np.maximum(np.log(xx), -100)
            log_1mx = np.maximum(np.log1p(-xx), -100)
        loss = -(tt * log_x + (1 - tt) * log_1mx)
        if weight is not None:
            loss = loss * weight._data
        return reduce_loss(loss.astype(xx.dtype, copy=False), reduction)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, t, w = self.saved("self"), self.saved("target"), self.saved("weight")
        if self.saved("reduction") == 1:
            g = g / x.numel()
        if w is not None:
            g = g * w
        na, nb = self.needs_input_grad[:2]
        gx = gt = None
        if na:
            gx = g * (x - t) / ((1 - x) * x).clamp(min=1e-12)
        if nb:
            gt = g * ((1 - x).log().clamp(min=-100) - x.log().clamp(min=-100))
        return gx, gt


@declare(
    "binary_cross_entropy",
    nodes=BinaryCrossEntropyBackward0,
    torch=False,
    method=False,
    functional=True,
)
def binary_cross_entropy(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy of probabilities ``input`` against ``target``."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    target = wrap(target, input)
    if target._data.shape != input._data.shape:
        raise ValueError(
            f"Using a target size ({_size(target._data.shape)}) that is different to the input "
            f"size ({_size(input._data.shape)}) is deprecated. Please ensure they have the same "
            "size."
        )
    x, t = input._data, target._data
    if t.dtype != x.dtype:
        raise RuntimeError(f"Found dtype {c_name(t.dtype)} but expected {c_name(x.dtype)}")
    if x.dtype.kind != "f":
        raise NotImplementedError(
            f"\"binary_cross_entropy\" not implemented for '{c_name(x.dtype)}'"
        )
    return apply(
        BinaryCrossEntropyBackward0,
        input,
        target,
        weight=weight,
        reduction=reduction_code(reduction),
    )
