"""Rprop (steps from the signs of successive gradients) and ASGD (SGD with a running average).

Both follow the order of PyTorch's single-tensor CPU path; neither takes a square root, so their
float32 updates match PyTorch's bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from visgrad.optim import _kernels as K
from visgrad.optim.optimizer import (
    Optimizer,
    check_hyper,
    new_scalar,
    new_state,
    new_step,
    signed_grad,
)
from visgrad.tensor import Tensor


class Rprop(Optimizer):
    """PyTorch's Rprop: each element's step size grows by ``etas[1]`` while its gradient keeps
    its sign and shrinks by ``etas[0]`` when it flips (that step is then skipped), clamped to
    ``step_sizes``; ``p −= sign(g) · step_size``.
    """

    step_op = "rprop_step"

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_hyper(lr, {})
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
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
            state["prev"] = new_state(p._data)
            state["step_size"] = new_state(grad, float(group["lr"]))
        if group["maximize"]:
            grad = -grad
        etaminus, etaplus = group["etas"]
        low, high = group["step_sizes"]
        state["step"]._data += 1
        prev, step_size = state["prev"]._data, state["step_size"]._data
        sign = np.sign(grad * prev)
        # The factor per element: grow on agreement, shrink on a flip, keep after a skip.
        factor = np.where(sign > 0, sign.dtype.type(etaplus), sign)
        factor = np.where(factor < 0, factor.dtype.type(etaminus), factor)
        factor = np.where(factor == 0, factor.dtype.type(1), factor)
        step_size *= factor
        np.clip(step_size, step_size.dtype.type(low), step_size.dtype.type(high), out=step_size)
        grad = grad.copy()
        grad[factor == factor.dtype.type(etaminus)] = 0
        K.addcmul_(p._data, np.sign(grad), step_size, -1)
        np.copyto(prev, grad)


class ASGD(Optimizer):
    """PyTorch's averaged SGD: ``p ← p(1 − λη) − ηg``; from step ``t0`` on, ``ax`` averages the
    iterates (``ax += (p − ax)·μ``), before it follows ``p``; then ``η = lr/(1 + λ·lr·t)^α`` and
    ``μ = 1/max(1, t − t0)``.
    """

    step_op = "asgd_step"

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_hyper(lr, {"weight_decay value": weight_decay})
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
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
        lr, lambd = float(group["lr"]), group["lambd"]
        if not state:
            state["step"] = new_step()
            state["eta"] = new_scalar(lr)
            state["mu"] = new_scalar(1.0)
            state["ax"] = new_state(p._data)
        grad = signed_grad(grad, p, group)
        state["step"]._data += 1
        data, ax, mu = p._data, state["ax"]._data, state["mu"]._data
        eta = float(state["eta"]._data)
        data *= 1 - lambd * eta
        K.add_(data, grad, -eta)
        if float(mu) != 1:
            ax += (data - ax) * mu
        else:
            np.copyto(ax, data)
        step = float(state["step"]._data)
        state["eta"]._data[()] = lr / ((1 + lambd * lr * step) ** group["alpha"])
        mu[()] = 1 / max(1, step - group["t0"])
