"""``channel_shuffle``, ``local_response_norm`` and the power-average pools ``lp_pool1d/2d/3d``.

``channel_shuffle`` is one op (``ChannelShuffleBackward0``, whose backward is the shuffle that
undoes it). The other two are PyTorch's Python composites, written here with the same ops in the
same order, so their values and graphs are PyTorch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.ops.base import Op, apply
from visgrad.ops.no_derivative import _NoDerivative
from visgrad.ops.pad import pad
from visgrad.ops.pointwise import relu, sign
from visgrad.ops.pool_functions import (
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    max_pool1d,
    max_pool2d,
    max_pool3d,
)
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = [
    "channel_shuffle",
    "local_response_norm",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "native_channel_shuffle",
]


def _shuffled(a: np.ndarray, groups: int) -> np.ndarray:
    n, c, *rest = a.shape
    v = a.reshape(n, groups, c // groups, *rest).swapaxes(1, 2)
    return np.ascontiguousarray(v).reshape(a.shape)


class ChannelShuffleBackward0(Op):
    op_name = "channel_shuffle"
    formulas = {"self": "channel_shuffle(grad, self.shape[1] // groups)"}

    def forward(self, x: Tensor, groups: int) -> np.ndarray:
        self.save(self=x, groups=groups)
        return _shuffled(x._data, groups)

    def backward(self, g: Tensor) -> Tensor:
        return apply(ChannelShuffleBackward0, g, groups=g._data.shape[1] // self.saved("groups"))


@declare("channel_shuffle", nodes=ChannelShuffleBackward0, method=False, functional=True)
def channel_shuffle(input: Tensor, groups: int) -> Tensor:  # noqa: A002 - PyTorch's name
    """Channels ``(g, C/g)`` read as ``(C/g, g)``: each group hands one channel in turn."""
    _check_shuffle(input._data, groups)
    return apply(ChannelShuffleBackward0, input, groups=int(groups))


def _check_shuffle(x: np.ndarray, groups: int) -> None:
    if x.ndim <= 2:
        raise RuntimeError(
            f"channel_shuffle expects input with > 2 dims, but got input with sizes {list(x.shape)}"
        )
    if groups <= 0:
        raise RuntimeError(
            f"Number of groups to divide channels in must be positive. Value of groups:{groups}"
        )
    if x.shape[1] % groups:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {x.shape[1]} channels and "
            f"{groups} groups."
        )


class NativeChannelShuffleNotImplemented(_NoDerivative):
    """``native_channel_shuffle``: the same shuffle, which PyTorch does not differentiate."""

    op_name = aten = "native_channel_shuffle"
    name_ = "torch::autograd::NotImplemented"

    def forward(self, x: Tensor, groups: int) -> np.ndarray:
        return _shuffled(x._data, groups)


NativeChannelShuffleNotImplemented.__name__ = "NotImplemented"


@declare(
    "native_channel_shuffle",
    nodes=NativeChannelShuffleNotImplemented,
    method=False,
    functional=True,
)
def native_channel_shuffle(input: Tensor, groups: int) -> Tensor:  # noqa: A002
    """``channel_shuffle`` without a derivative (its backward raises, as PyTorch's does)."""
    _check_shuffle(input._data, groups)
    return apply(NativeChannelShuffleNotImplemented, input, groups=int(groups))


@declare("local_response_norm", torch=False, method=False, functional=True)
def local_response_norm(
    input: Tensor,  # noqa: A002 - PyTorch's name
    size: int,
    alpha: float = 1e-4,
    beta: float = 0.75,
    k: float = 1.0,
) -> Tensor:
    """Each value over ``(k + alpha · mean of the squares of ``size`` neighbouring channels)^beta``."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(
            f"Expected 3D or higher dimensionality                          input (got {dim} "
            "dimensions)"
        )
    if input.numel() == 0:
        return input
    div = input.mul(input)
    if dim == 3:
        div = div.unsqueeze(1)
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.shape
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.view(sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div


def _lp_pool(
    input: Tensor,  # noqa: A002
    norm_type: Any,
    kernel_size: Any,
    stride: Any,
    ceil_mode: bool,
    dims: int,
) -> Tensor:
    max_pool = (max_pool1d, max_pool2d, max_pool3d)[dims - 1]
    avg_pool = (avg_pool1d, avg_pool2d, avg_pool3d)[dims - 1]
    k = (kernel_size,) * dims if isinstance(kernel_size, int) else kernel_size
    if dims == 1:
        (kw,) = k
        area = kw
    elif dims == 2:
        kw, kh = k  # PyTorch's unpacking, and its error for a kernel of another length
        area = kw * kh
    else:
        kd, kw, kh = k
        area = kd * kw * kh
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return max_pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -max_pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if stride is not None:
        out = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    return (sign(out) * relu(out.abs())).mul(area).pow(1.0 / norm_type)


@declare("lp_pool1d", torch=False, method=False, functional=True)
def lp_pool1d(
    input: Tensor,  # noqa: A002 - PyTorch's name
    norm_type: Any,
    kernel_size: Any,
    stride: Any = None,
    ceil_mode: bool = False,
) -> Tensor:
    """The ``norm_type``-power mean of each window, times the window's size, to ``1/norm_type``."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1)


@declare("lp_pool2d", torch=False, method=False, functional=True)
def lp_pool2d(
    input: Tensor,  # noqa: A002 - PyTorch's name
    norm_type: Any,
    kernel_size: Any,
    stride: Any = None,
    ceil_mode: bool = False,
) -> Tensor:
    """``lp_pool1d`` over windows of two dims."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2)


@declare("lp_pool3d", torch=False, method=False, functional=True)
def lp_pool3d(
    input: Tensor,  # noqa: A002 - PyTorch's name
    norm_type: Any,
    kernel_size: Any,
    stride: Any = None,
    ceil_mode: bool = False,
) -> Tensor:
    """``lp_pool1d`` over windows of three dims."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3)
