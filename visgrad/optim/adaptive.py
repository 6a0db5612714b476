"""RMSprop, Adagrad and Adadelta: per-element step sizes from running averages of g²."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from visgrad.optim import _kernels as K
from visgrad.optim.optimizer import Optimizer, check_hyper, new_state, new_step, signed_grad
from visgrad.tensor import Tensor


class RMSprop(Optimizer):
    """PyTorch's RMSprop: ``v ← αv + (1−α)g²``; ``p −= lr · g / (√v + eps)``, with ``v`` centred
    by the running mean of ``g`` when ``centered``, through a momentum buffer when ``momentum``.
    """

    step_op = "rmsprop_step"

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_hyper(
            lr,
            {
                "epsilon value": eps,
                "momentum value": momentum,
                "weight_decay value": weight_decay,
                "alpha value": alpha,
            },
        )
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _update(
        self, p: Tensor, grad: np.ndarray, group: dict[str, Any], state: dict[str, Any]
    ) -> None:
        if not state:
            state["step"] = new_step()
            state["square_avg"] = new_state(p._data)
            if group["momentum"] > 0:
                state["momentum_buffer"] = new_state(p._data)
            if group["centered"]:
                state["grad_avg"] = new_state(p._data)
        state["step"]._data += 1
        grad = signed_grad(grad, p, group)
        alpha, lr = group["alpha"], float(group["lr"])
        v = state["square_avg"]._data
        v *= alpha
        K.addcmul_(v, grad, grad, 1 - alpha)
        if group["centered"]:
            mean = K.lerp_(state["grad_avg"]._data, grad, 1 - alpha)
            avg = K.addcmul_(v.copy(), mean, mean, -1)
            np.sqrt(avg, out=avg)
        else:
            avg = np.sqrt(v)
        avg += group["eps"]
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]._data
            buf *= group["momentum"]
            K.addcdiv_(buf, grad, avg)
            K.add_(p._data, buf, -lr)
        else:
            K.addcdiv_(p._data, grad, avg, -lr)


class Adagrad(Optimizer):
    """PyTorch's Adagrad: ``s += g²``; ``p −= lr/(1 + (t−1)·lr_decay) · g / (√s + eps)``."""

    step_op = "adagrad_step"

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_hyper(
            lr,
            {
                "lr_decay value": lr_decay,
                "weight_decay value": weight_decay,
                "initial_accumulator_value value": initial_accumulator_value,
                "epsilon value": eps,
            },
        )
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        # Unlike the others, PyTorch's Adagrad makes its state when it is built.
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p]["step"] = new_step()
                self.state[p]["sum"] = new_state(p._data, initial_accumulator_value)

    def _update(
        self, p: Tensor, grad: np.ndarray, group: dict[str, Any], state: dict[str, Any]
    ) -> None:
        if not state:  # a group added later, with add_param_group
            state["step"] = new_step()
            state["sum"] = new_state(p._data, group["initial_accumulator_value"])
        state["step"]._data += 1
        step = float(state["step"]._data)
        grad = signed_grad(grad, p, group)
        clr = float(group["lr"]) / (1 + (step - 1) * group["lr_decay"])
        s = K.addcmul_(state["sum"]._data, grad, grad)
        std = np.sqrt(s)
        std += group["eps"]
        K.addcdiv_(p._data, grad, std, -clr)


class Adadelta(Optimizer):
    """PyTorch's Adadelta: ``v ← ρv + (1−ρ)g²``, ``Δ = √(u + eps)/√(v + eps) · g``,
    ``u ← ρu + (1−ρ)Δ²``, ``p −= lr · Δ``.
    """

    step_op = "adadelta_step"

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_hyper(lr, {})
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_hyper(lr, {"epsilon value": eps, "weight_decay value": weight_decay})
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _update(
        self, p: Tensor, grad: np.ndarray, group: dict[str, Any], state: dict[str, Any]
    ) -> None:
        if not state:
            state["step"] = new_step()
            state["square_avg"] = new_state(p._data)
            state["acc_delta"] = new_state(p._data)
        state["step"]._data += 1
        grad = signed_grad(grad, p, group)
        rho, eps = group["rho"], group["eps"]
        v, u = state["square_avg"]._data, state["acc_delta"]._data
        v *= rho
        K.addcmul_(v, grad, grad, 1 - rho)
        std = np.sqrt(v + v.dtype.type(eps))
        delta = np.sqrt(u + u.dtype.type(eps))
        delta /= std
        delta *= grad
        u *= rho
        K.addcmul_(u, delta, delta, 1 - rho)
        K.add_(p._data, delta, -float(group["lr"]))
