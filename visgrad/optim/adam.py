"""Adam (and AMSGrad) with PyTorch's bias correction."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from visgrad.optim.optimizer import Optimizer
from visgrad.tensor import Tensor


class Adam(Optimizer):
    """PyTorch's Adam: ``m ← β₁m + (1−β₁)g``, ``v ← β₂v + (1−β₂)g²``, then
    ``p −= lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + eps)`` (``v`` replaced by its running max with amsgrad).
    """

    step_op = "adam_step"

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        # foreach / capturable / differentiable / fused pick PyTorch kernels; kept so state
        # dicts and printouts match, one NumPy implementation serves them all.
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _update(
        self, p: Tensor, grad: np.ndarray, group: dict[str, Any], state: dict[str, Any]
    ) -> None:
        data = p._data
        if not state:
            # ``step`` is a float32 0-d tensor, as in PyTorch's state dicts.
            state["step"] = Tensor._make(np.zeros((), np.float32), False, None, 0)
            state["exp_avg"] = Tensor._make(np.zeros_like(data), False, None, 0)
            state["exp_avg_sq"] = Tensor._make(np.zeros_like(data), False, None, 0)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = Tensor._make(np.zeros_like(data), False, None, 0)
        if group["maximize"]:
            grad = -grad
        lr, wd, eps = group["lr"], group["weight_decay"], group["eps"]
        beta1, beta2 = group["betas"]
        if wd != 0:
            if group["decoupled_weight_decay"]:
                data *= 1 - lr * wd
            else:
                grad = grad + wd * data
        state["step"]._data += 1
        step = float(state["step"]._data)
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        m += (1 - beta1) * (grad - m)  # PyTorch's lerp(m, g, 1 − β₁)
        v *= beta2
        v += (1 - beta2) * grad * grad
        step_size = lr / (1 - beta1**step)
        bias_correction2_sqrt = math.sqrt(1 - beta2**step)
        if group["amsgrad"]:
            vmax = state["max_exp_avg_sq"]._data
            np.maximum(vmax, v, out=vmax)
            v = vmax
        denom = np.sqrt(v) / bias_correction2_sqrt + eps
        data += -step_size * (m / denom)
