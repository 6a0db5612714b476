"""Adam (and AMSGrad) with PyTorch's bias correction, and AdamW."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from visgrad.optim import _kernels as K
from visgrad.optim.optimizer import Optimizer, check_betas, check_hyper, new_state, new_step
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
        check_hyper(lr, {"epsilon value": eps})
        check_betas(betas)
        check_hyper(lr, {"weight_decay value": weight_decay})
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
            state["step"] = new_step()
            state["exp_avg"] = new_state(data)
            state["exp_avg_sq"] = new_state(data)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = new_state(data)
        if group["maximize"]:
            grad = -grad
        lr, wd, eps = float(group["lr"]), group["weight_decay"], group["eps"]
        beta1, beta2 = (float(b) for b in group["betas"])
        state["step"]._data += 1
        if wd != 0:
            if group["decoupled_weight_decay"]:
                data *= 1 - lr * wd
            else:
                grad = K.added(grad, data, wd)
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        K.lerp_(m, grad, 1 - beta1)
        v *= beta2
        K.addcmul_(v, grad, grad, 1 - beta2)
        step = float(state["step"]._data)
        step_size = lr / (1 - beta1**step)
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        if group["amsgrad"]:
            vmax = state["max_exp_avg_sq"]._data
            np.maximum(vmax, v, out=vmax)
            v = vmax
        denom = np.sqrt(v) / bias_correction2_sqrt
        denom += eps
        K.addcdiv_(data, m, denom, -step_size)


class AdamW(Adam):
    """Adam with decoupled weight decay (``p *= 1 − lr·wd`` before the update), default 0.01."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )
