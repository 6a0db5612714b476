"""``nn.LocalResponseNorm``, ``nn.ChannelShuffle``, the power-average pools ``nn.LPPool1d/2d/3d``
and ``nn.MaxUnpool1d/2d/3d``: parameter-free layers over ``F``'s functions, printing as PyTorch's."""

from __future__ import annotations

from typing import Any

from visgrad.nn.module import Module
from visgrad.ops.channel_ops import (
    channel_shuffle,
    local_response_norm,
    lp_pool1d,
    lp_pool2d,
    lp_pool3d,
)
from visgrad.ops.unpool import max_unpool1d, max_unpool2d, max_unpool3d
from visgrad.tensor import Tensor

__all__ = [
    "ChannelShuffle",
    "LPPool1d",
    "LPPool2d",
    "LPPool3d",
    "LocalResponseNorm",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "MaxUnpool3d",
]


def _tuple(v: Any, n: int) -> tuple[int, ...]:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


class LocalResponseNorm(Module):
    """Each value normalised by the squares of its ``size`` neighbouring channels."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        return local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class ChannelShuffle(Module):
    """The channels of ``groups`` groups interleaved (``F.channel_shuffle``)."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        return channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"


class _LPPoolNd(Module):
    def __init__(
        self, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False
    ) -> None:
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
            f"ceil_mode={self.ceil_mode}"
        )


class LPPool1d(_LPPoolNd):
    """The p-norm of each window of the last dim."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        return lp_pool1d(input, float(self.norm_type), self.kernel_size, self.stride,
                         self.ceil_mode)  # fmt: skip


class LPPool2d(_LPPoolNd):
    """The p-norm of each window of the last two dims."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        return lp_pool2d(input, float(self.norm_type), self.kernel_size, self.stride,
                         self.ceil_mode)  # fmt: skip


class LPPool3d(_LPPoolNd):
    """The p-norm of each window of the last three dims."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        return lp_pool3d(input, float(self.norm_type), self.kernel_size, self.stride,
                         self.ceil_mode)  # fmt: skip


class _MaxUnpoolNd(Module):
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]

    def __init__(self, kernel_size: Any, stride: Any, padding: Any, dims: int) -> None:
        super().__init__()
        self.kernel_size = _tuple(kernel_size, dims)
        self.stride = _tuple(stride if stride is not None else kernel_size, dims)
        self.padding = _tuple(padding, dims)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Undo a ``MaxPool1d``: its values at their indices, zeros elsewhere."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__(kernel_size, stride, padding, 1)

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        return max_unpool1d(input, indices, self.kernel_size, self.stride, self.padding,
                            output_size)  # fmt: skip


class MaxUnpool2d(_MaxUnpoolNd):
    """Undo a ``MaxPool2d``: its values at their indices, zeros elsewhere."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__(kernel_size, stride, padding, 2)

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        return max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding,
                            output_size)  # fmt: skip


class MaxUnpool3d(_MaxUnpoolNd):
    """Undo a ``MaxPool3d``: its values at their indices, zeros elsewhere."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__(kernel_size, stride, padding, 3)

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        return max_unpool3d(input, indices, self.kernel_size, self.stride, self.padding,
                            output_size)  # fmt: skip
