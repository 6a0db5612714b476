"""Convolution layers: ``Conv1d``, ``Conv2d``, ``Conv3d``, ``ConvTranspose1d``, ``ConvTranspose2d``.

Weights are drawn as PyTorch draws them: ``kaiming_uniform_(a=√5)``, then the bias from
U(-1/√fan_in, 1/√fan_in), in that order.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.nn import init
from visgrad.nn.module import Module
from visgrad.nn.parameter import Parameter
from visgrad.ops import conv_functions as C
from visgrad.ops.pad import pad
from visgrad.tensor import Tensor

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]

# PyTorch prints this set in its own (hash) order; this is the order of its usual message.
_PADDING_MODES = "{'replicate', 'reflect', 'zeros', 'circular'}"


def _ntuple(value: Any, n: int) -> tuple[int, ...]:
    if isinstance(value, (tuple, list)):
        return tuple(value)
    return (value,) * n


def _empty(shape: tuple[int, ...], dtype: Any) -> Parameter:
    np_dtype = dtypes.to_np(dtype) or dtypes.default_float.np
    return Parameter(Tensor._make(np.empty(shape, dtype=np_dtype), False, None, 0))


class _ConvNd(Module):
    _k = 2
    _transposed = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
        output_padding: Any = 0,
    ) -> None:
        super().__init__()
        k = self._k
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        stride_ = _ntuple(stride, k)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(
                    f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}"
                )
            if padding == "same" and any(s != 1 for s in stride_):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(
                f"padding_mode must be one of {_PADDING_MODES}, but got padding_mode='{padding_mode}'"
            )
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _ntuple(kernel_size, k)
        self.stride = stride_
        self.padding = padding if isinstance(padding, str) else _ntuple(padding, k)
        self.dilation = _ntuple(dilation, k)
        self.transposed = self._transposed
        self.output_padding = _ntuple(output_padding, k)
        self.groups = groups
        self.padding_mode = padding_mode
        self._reversed_padding_repeated_twice = self._reversed_padding()
        if self._transposed:
            shape = (in_channels, out_channels // groups, *self.kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = _empty(shape, dtype)
        if bias:
            self.bias = _empty((out_channels,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _reversed_padding(self) -> list[int]:
        if isinstance(self.padding, str):
            out = [0, 0] * self._k
            if self.padding == "same":
                for d, k, i in zip(
                    self.dilation, self.kernel_size, range(self._k - 1, -1, -1), strict=True
                ):
                    total = d * (k - 1)
                    left = total // 2
                    out[2 * i], out[2 * i + 1] = left, total - left
            return out
        return [p for p in reversed(self.padding) for _ in range(2)]

    def reset_parameters(self) -> None:
        """Draw fresh weights (and bias) in place, as ``__init__`` did."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        zeros = (0,) * len(self.padding)
        if self.padding != zeros:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    _fn = staticmethod(C.conv2d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
            padding_mode, device, dtype,
        )  # fmt: skip

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        if self.padding_mode != "zeros":
            padded = pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            zero = (0,) * self._k
            return self._fn(padded, self.weight, self.bias, self.stride, zero, self.dilation,
                            self.groups)  # fmt: skip
        return self._fn(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups)  # fmt: skip


class Conv1d(_Conv):
    """1-D convolution over (N, C_in, L): ``C_out`` filters of ``C_in / groups`` channels."""

    _k = 1
    _fn = staticmethod(C.conv1d)


class Conv2d(_Conv):
    """2-D convolution over (N, C_in, H, W): ``C_out`` filters of ``C_in / groups`` channels."""

    _k = 2
    _fn = staticmethod(C.conv2d)


class Conv3d(_Conv):
    """3-D convolution over (N, C_in, D, H, W)."""

    _k = 3
    _fn = staticmethod(C.conv3d)


class _ConvTranspose(_ConvNd):
    _transposed = True
    _fn = staticmethod(C.conv_transpose2d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
            padding_mode, device, dtype, output_padding,
        )  # fmt: skip

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple[int, ...]:  # noqa: A002
        if output_size is None:
            return self.output_padding
        k = self._k
        size = list(output_size)[-k:]
        spatial = input._data.shape[-k:]
        out = []
        for d in range(k):
            low = (
                (spatial[d] - 1) * self.stride[d] - 2 * self.padding[d]
                + self.dilation[d] * (self.kernel_size[d] - 1) + 1
            )  # fmt: skip
            high = low + self.stride[d] - 1
            if not low <= size[d] <= high:
                raise ValueError(
                    f"requested an output size of {size}, but valid sizes range from "
                    f"{[low]} to {[high]} (for an input of {list(spatial)})"
                )
            out.append(size[d] - low)
        return tuple(out)

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        op = self._output_padding(input, output_size)
        return self._fn(input, self.weight, self.bias, self.stride, self.padding, op,
                        self.groups, self.dilation)  # fmt: skip


class ConvTranspose1d(_ConvTranspose):
    """The adjoint of ``Conv1d`` (upsamples L by the stride)."""

    _k = 1
    _fn = staticmethod(C.conv_transpose1d)


class ConvTranspose2d(_ConvTranspose):
    """The adjoint of ``Conv2d`` (upsamples H and W by the stride)."""

    _k = 2
    _fn = staticmethod(C.conv_transpose2d)


class ConvTranspose3d(_ConvTranspose):
    """The adjoint of ``Conv3d``."""

    _k = 3
    _fn = staticmethod(C.conv_transpose3d)
