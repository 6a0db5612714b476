"""``prelu``: a leaky ReLU whose negative slope is learnt, one slope or one per channel.

As in PyTorch, the function reshapes the weight to broadcast over the input's channel dim (a
``ViewBackward0`` whenever the ranks differ) and records one ``PreluKernelBackward0`` of both.
"""

from __future__ import annotations

import numpy as np

from visgrad.ops import elementwise as E
from visgrad.ops.base import Op, apply
from visgrad.ops.norm import _c_name
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["prelu"]


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


class PreluKernelBackward0(Op):
    op_name = "_prelu_kernel"
    input_names = ("self", "weight")
    formulas = {
        "self": "where(self > 0, grad, weight * grad)",
        "weight": "where(self > 0, 0, self * grad).sum_to_size(weight.shape)",
    }

    def forward(self, x: Tensor, w: Tensor) -> np.ndarray:
        self.save(self=x, weight=w)
        a, slope = x._data, w._data
        return np.where(a > 0, a, slope * a).astype(a.dtype, copy=False)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, w = self.saved("self"), self.saved("weight")
        positive = _const(x._data > 0)
        gx = E.where(positive, g, w * g) if self.needs_input_grad[0] else None
        gw = E.where(positive, 0.0, x * g) if self.needs_input_grad[1] else None
        return gx, gw


@declare("prelu", nodes=PreluKernelBackward0, functional=True)
def prelu(input: Tensor, weight: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """``x`` where positive, else ``weight · x``; ``weight`` has one slope or one per channel."""
    x, w = input._data, weight._data
    if x.dtype != w.dtype:
        raise RuntimeError(
            f"prelu: Type promoting not supported. Got {_c_name(x.dtype)} and {_c_name(w.dtype)}"
        )
    if w.size != 1:
        if x.ndim == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = x.shape[1] if x.ndim > 1 else 1
        if channels != w.size:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers "
                f"= {w.size} and channel size = {channels}."
            )
    if w.ndim > 1:
        raise RuntimeError(
            f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {w.ndim}"
        )
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"prelu_cpu\" not implemented for '{_c_name(x.dtype)}'")
    if x.ndim != w.ndim:
        shape = [1] * x.ndim
        if x.ndim > 1:
            shape[1] = w.size
        weight = weight.reshape(shape)
    return apply(PreluKernelBackward0, input, weight)
