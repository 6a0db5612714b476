"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from visgrad.optim import _kernels as K
from visgrad.optim.optimizer import Optimizer
from visgrad.tensor import Tensor


class SGD(Optimizer):
    """PyTorch's SGD: the momentum buffer starts as the first gradient, then
    ``buf = momentum·buf + (1 − dampening)·g``; the step is ``p −= lr·(g + momentum·buf)`` with
    Nesterov, else ``p −= lr·buf``.
    """

    step_op = "sgd_step"

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        # foreach / differentiable / fused pick PyTorch kernels; kept so state dicts and printouts
        # match, one NumPy implementation serves them all.
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)

    def _update(
        self, p: Tensor, grad: np.ndarray, group: dict[str, Any], state: dict[str, Any]
    ) -> None:
        if group["maximize"]:
            grad = -grad
        wd = group["weight_decay"]
        if wd != 0:
            grad = K.added(grad, p._data, wd)
        momentum = group["momentum"]
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = Tensor._make(np.array(grad, dtype=p._data.dtype, copy=True), False, None, 0)
                state["momentum_buffer"] = buf
            else:
                b = buf._data
                b *= momentum
                K.add_(b, grad, 1 - group["dampening"])
            grad = K.added(grad, buf._data, momentum) if group["nesterov"] else buf._data
        K.add_(p._data, grad, -float(group["lr"]))
