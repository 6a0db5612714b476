"""NAdam, RAdam and Adamax: Adam's moments with Nesterov momentum, a rectified step, or an
infinity-norm second moment. Each follows the order of PyTorch's single-tensor CPU path (the
one PyTorch takes for CPU parameters), so float32 roundings happen where PyTorch's do.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from visgrad.optim import _kernels as K
from visgrad.optim.optimizer import (
    Optimizer,
    check_betas,
    check_hyper,
    new_scalar,
    new_state,
    new_step,
    signed_grad,
)
from visgrad.tensor import Tensor


def _check(lr: Any, eps: float, betas: tuple[float, float], weight_decay: float) -> None:
    check_hyper(lr, {"epsilon value": eps})
    check_betas(betas)
    check_hyper(lr, {"weight_decay value": weight_decay})


def _moments(grad: np.ndarray, state: dict[str, Any], beta1: float, beta2: float) -> None:
    """``exp_avg.lerp_(g, 1−β₁)``; ``exp_avg_sq.mul_(β₂).addcmul_(g, g, 1−β₂)``."""
    K.lerp_(state["exp_avg"]._data, grad, 1 - beta1)
    v = state["exp_avg_sq"]._data
    v *= beta2
    K.addcmul_(v, grad, grad, 1 - beta2)


def _decayed(p: Tensor, grad: np.ndarray, group: dict[str, Any]) -> np.ndarray:
    """Weight decay: ``p *= 1 − lr·wd`` when decoupled, else ``g + wd·p``."""
    wd = group["weight_decay"]
    if wd == 0:
        return grad
    if group["decoupled_weight_decay"]:
        p._data *= 1 - float(group["lr"]) * wd
        return grad
    return K.added(grad, p._data, wd)


class NAdam(Optimizer):
    """PyTorch's NAdam: Adam's moments with the momentum schedule
    ``μₜ = β₁(1 − ½·0.96^(t·momentum_decay))`` and the Nesterov step
    ``p −= lr(1−μₜ)/(1−Πμ) · g/d + lr·μₜ₊₁/(1−Πμ·μₜ₊₁) · m/d``, ``d = √(v/(1−β₂ᵗ)) + eps``.
    """

    step_op = "nadam_step"

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check(lr, eps, betas, weight_decay)
        check_hyper(lr, {"momentum_decay value": momentum_decay})
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _update(
        self, p: Tensor, grad: np.ndarray, group: dict[str, Any], state: dict[str, Any]
    ) -> None:
        if not state:
            state["step"] = new_step()
            state["mu_product"] = new_scalar(1.0)
            state["exp_avg"] = new_state(p._data)
            state["exp_avg_sq"] = new_state(p._data)
        if group["maximize"]:
            grad = -grad
        lr, eps, decay = float(group["lr"]), group["eps"], group["momentum_decay"]
        beta1, beta2 = (float(b) for b in group["betas"])
        state["step"]._data += 1
        step = float(state["step"]._data)
        bias_correction2 = 1 - beta2**step
        grad = _decayed(p, grad, group)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * decay)))
        product = state["mu_product"]._data
        product *= mu  # a float32 product, as PyTorch keeps it
        _moments(grad, state, beta1, beta2)
        denom = np.sqrt(state["exp_avg_sq"]._data / bias_correction2)
        denom += eps
        mu_product = float(product)
        K.addcdiv_(p._data, grad, denom, -lr * (1.0 - mu) / (1.0 - mu_product))
        K.addcdiv_(
            p._data, state["exp_avg"]._data, denom, -lr * mu_next / (1.0 - mu_product * mu_next)
        )


class RAdam(Optimizer):
    """PyTorch's RAdam: Adam's moments; while the variance estimate's length
    ``ρₜ = ρ∞ − 2tβ₂ᵗ/(1−β₂ᵗ)`` is at most 5 the step is plain momentum ``p −= lr·m̂``, after that
    it is rectified: ``p −= lr·m̂·√(1−β₂ᵗ)/(√v + eps)·r``.
    """

    step_op = "radam_step"

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check(lr, eps, betas, weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _update(
        self, p: Tensor, grad: np.ndarray, group: dict[str, Any], state: dict[str, Any]
    ) -> None:
        if not state:
            state["step"] = new_step()
            state["exp_avg"] = new_state(p._data)
            state["exp_avg_sq"] = new_state(p._data)
        if group["maximize"]:
            grad = -grad
        lr, eps = float(group["lr"]), group["eps"]
        beta1, beta2 = (float(b) for b in group["betas"])
        state["step"]._data += 1
        step = float(state["step"]._data)
        grad = _decayed(p, grad, group)
        _moments(grad, state, beta1, beta2)
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        update = state["exp_avg"]._data / bias_correction1
        update *= lr
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
        if rho_t > 5.0:
            # Python's ``c / tensor`` is ``tensor.reciprocal() * c`` in PyTorch: two roundings.
            root = np.sqrt(state["exp_avg_sq"]._data)
            root += eps
            adaptive = np.reciprocal(root)
            adaptive *= bias_correction2**0.5
            rect = (
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            ) ** 0.5
            update *= adaptive
            update *= rect
        p._data -= update


class Adamax(Optimizer):
    """PyTorch's Adamax: ``m ← β₁m + (1−β₁)g``, ``u ← max(β₂u, |g| + eps)``,
    ``p −= lr/(1−β₁ᵗ) · m/u``.
    """

    step_op = "adamax_step"

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check(lr, eps, betas, weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _update(
        self, p: Tensor, grad: np.ndarray, group: dict[str, Any], state: dict[str, Any]
    ) -> None:
        if not state:
            state["step"] = new_step()
            state["exp_avg"] = new_state(p._data)
            state["exp_inf"] = new_state(p._data)
        grad = signed_grad(grad, p, group)
        beta1, beta2 = (float(b) for b in group["betas"])
        state["step"]._data += 1
        K.lerp_(state["exp_avg"]._data, grad, 1 - beta1)
        u = state["exp_inf"]._data
        u *= beta2
        bound = np.abs(grad)
        bound += group["eps"]
        np.maximum(u, bound, out=u)
        clr = float(group["lr"]) / (1 - beta1 ** float(state["step"]._data))
        K.addcdiv_(p._data, state["exp_avg"]._data, u, -clr)
