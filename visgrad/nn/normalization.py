"""Normalisation layers: ``BatchNorm1d/2d/3d``, ``LayerNorm``, ``RMSNorm``, ``GroupNorm``.

BatchNorm keeps ``running_mean``, ``running_var`` and ``num_batches_tracked`` as buffers and
follows PyTorch's rules: batch statistics in training (the running variance takes the unbiased
batch variance), running ones in eval, ``momentum=None`` for a cumulative average.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.autograd.grad_mode import no_grad
from visgrad.nn.module import Module
from visgrad.nn.parameter import Parameter
from visgrad.ops.group_norm import group_norm
from visgrad.ops.norm import batch_norm, layer_norm
from visgrad.ops.rms_norm import rms_norm
from visgrad.tensor import Tensor

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "GroupNorm", "LayerNorm", "RMSNorm"]


def _tensor(values: np.ndarray) -> Tensor:
    return Tensor._make(values, False, None, 0)


def _np(dtype: Any) -> np.dtype:
    return dtypes.to_np(dtype) or dtypes.default_float.np


def _affine(m: Module, shape: Any, affine: bool, bias: bool, dtype: Any) -> None:
    """``m.weight`` (ones) and ``m.bias`` (zeros) of ``shape``, or None where PyTorch has none."""
    dt = _np(dtype)
    weight = Parameter(_tensor(np.ones(shape, dtype=dt))) if affine else None
    m.register_parameter("weight", weight)
    b = Parameter(_tensor(np.zeros(shape, dtype=dt))) if affine and bias else None
    m.register_parameter("bias", b)


class _BatchNorm(Module):
    _dims: tuple[int, ...] = (2, 3)
    _expect = "2D or 3D"

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-05,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine(self, num_features, affine, bias, dtype)
        if track_running_stats:
            dt = _np(dtype)
            self.register_buffer("running_mean", _tensor(np.zeros(num_features, dtype=dt)))
            self.register_buffer("running_var", _tensor(np.ones(num_features, dtype=dt)))
            self.register_buffer("num_batches_tracked", _tensor(np.zeros((), dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Zero the running mean and batch count, and set the running variance to one."""
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """The running statistics and, with ``affine``, weight 1 and bias 0."""
        self.reset_running_stats()
        with no_grad():
            if self.weight is not None:
                self.weight.fill_(1)
            if self.bias is not None:
                self.bias.zero_()

    def _check_input_dim(self, input: Tensor) -> None:  # noqa: A002
        if input.dim() not in self._dims:
            raise ValueError(f"expected {self._expect} input (got {input.dim()}D input)")

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked)
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        keep = not self.training or self.track_running_stats
        return batch_norm(
            input,
            self.running_mean if keep else None,
            self.running_var if keep else None,
            self.weight,
            self.bias,
            use_batch,
            factor,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation over (N, C) or (N, C, L), one mean and variance per channel."""

    _dims = (2, 3)
    _expect = "2D or 3D"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation over (N, C, H, W), one mean and variance per channel."""

    _dims = (4,)
    _expect = "4D"


class BatchNorm3d(_BatchNorm):
    """Batch normalisation over (N, C, D, H, W)."""

    _dims = (5,)
    _expect = "5D"


class LayerNorm(Module):
    """Normalise over the trailing ``normalized_shape`` dims of each sample."""

    def __init__(
        self,
        normalized_shape: Any,
        eps: float = 1e-05,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if isinstance(normalized_shape, (int, np.integer)):
            normalized_shape = (int(normalized_shape),)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine(self, self.normalized_shape, elementwise_affine, bias, dtype)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


class RMSNorm(Module):
    """Scale each sample's trailing ``normalized_shape`` dims to unit root mean square;
    ``eps=None`` is the machine epsilon of the input's type."""

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(
        self,
        normalized_shape: Any,
        eps: float | None = None,
        elementwise_affine: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if isinstance(normalized_shape, (int, np.integer)):
            normalized_shape = (int(normalized_shape),)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        ones = np.ones(self.normalized_shape, dtype=_np(dtype))
        self.register_parameter("weight", Parameter(_tensor(ones)) if elementwise_affine else None)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            with no_grad():
                self.weight.fill_(1.0)

    def forward(self, x: Tensor) -> Tensor:
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


class GroupNorm(Module):
    """Normalise each sample's ``num_groups`` groups of channels."""

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-05,
        affine: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(
                f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})"
            )
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine(self, num_channels, affine, bias, dtype)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )
