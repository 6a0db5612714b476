"""``group_norm``: normalise each sample's channel groups, then a per-channel affine."""

from __future__ import annotations

import numpy as np

from visgrad.autograd.grad_mode import MODES
from visgrad.ops.base import Op, apply
from visgrad.ops.norm import (
    _absent,
    _check_floating,
    _check_param,
    _const,
    _normalized_grad,
    _stats,
)
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["group_norm"]


class NativeGroupNormBackward0(Op):
    op_name = "native_group_norm"
    input_names = ("input", "weight", "bias")
    formulas = {
        "input": "group_norm_input_grad(grad, input, weight, group, eps)",
        "weight": "group_norm_weight_grad(grad, input, group, eps)",
        "bias": "sum_except(grad, 1)",
    }

    def forward(self, x: Tensor, w: Tensor, b: Tensor, group: int, eps: float) -> np.ndarray:
        xd = x._data
        n, c = xd.shape[:2]
        hxw = int(np.prod(xd.shape[2:], dtype=np.int64))
        grouped = xd.reshape(n, group, -1)
        mean64, _, rstd64 = _stats(grouped, (2,), eps)
        mean, rstd = mean64.astype(xd.dtype), rstd64.astype(xd.dtype)
        self.save(
            input=x,
            weight=w if w._data.size else None,
            N=n,
            C=c,
            HxW=hxw,
            group=group,
            eps=eps,
            result1=_const(mean.reshape(n, group)),
            result2=_const(rstd.reshape(n, group)),
        )
        out = ((grouped - mean) * rstd).reshape(n, c, -1)
        if w._data.size:
            out = out * w._data.reshape(1, c, 1)
        if b._data.size:
            out = out + b._data.reshape(1, c, 1)
        return out.reshape(xd.shape).astype(xd.dtype, copy=False)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        nx, nw, nb = self.needs_input_grad
        x, w = self.saved("input"), self.saved("weight")
        n, c, group = self.saved("N"), self.saved("C"), self.saved("group")
        shape = x._data.shape
        g3 = g.reshape(n, c, -1)
        gh = g3 if w is None else g3 * w.reshape(1, c, 1)
        xg = x.reshape(n, group, -1)
        if MODES.enabled:
            mean = xg.mean((2,), keepdim=True)
            rstd = (((xg - mean) ** 2).mean((2,), keepdim=True) + self.saved("eps")).rsqrt()
        else:
            mean = self.saved("result1").reshape(n, group, 1)
            rstd = self.saved("result2").reshape(n, group, 1)
        gx, xhat = _normalized_grad(gh.reshape(n, group, -1), xg, mean, rstd, None, (2,))
        xhat3 = xhat.reshape(n, c, -1)
        gw = (g3 * xhat3).sum((0, 2)) if nw else None
        gb = g3.sum((0, 2)) if nb else None
        return (gx.reshape(shape) if nx else None), gw, gb


@declare("group_norm", nodes=NativeGroupNormBackward0, torch=False, method=False, functional=True)
def group_norm(
    input: Tensor,  # noqa: A002
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-05,
) -> Tensor:
    """Normalise over each group of ``C / num_groups`` channels (and all positions) per sample."""
    if input._data.ndim < 2:  # F.group_norm's own check, before torch.group_norm's
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input._data.ndim}"
        )
    return torch_group_norm(input, num_groups, weight, bias, eps)


@declare("group_norm", nodes=NativeGroupNormBackward0, method=False)
def torch_group_norm(
    input: Tensor,  # noqa: A002
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-05,
    cudnn_enabled: bool = True,
) -> Tensor:
    """``torch.group_norm``: ``F.group_norm`` with PyTorch's C++ checks only (a 1-D input's
    channel dim is out of range)."""
    x = input._data
    if x.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if x.ndim == 1:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    c = x.shape[1]
    if num_groups <= 0:
        raise RuntimeError(f"Expected num groups to be greater than 0, got {num_groups}")
    if c % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(x.shape)} and num_groups={num_groups}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t._data.ndim != 1 or t._data.size != c):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {list(t._data.shape)} and input of shape "
                f"{list(x.shape)}"
            )
    _check_floating(x, "group_norm")
    for t in (weight, bias):
        _check_param(x, t)
    return apply(
        NativeGroupNormBackward0,
        input,
        weight if weight is not None else _absent(),
        bias if bias is not None else _absent(),
        group=int(num_groups),
        eps=float(eps),
    )
