"""Layers: ``Linear``, activations, ``Flatten``, ``Identity``, ``Dropout``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.nn import functional as F
from visgrad.nn import init
from visgrad.nn.module import Module
from visgrad.nn.parameter import Parameter
from visgrad.tensor import Tensor


class Linear(Module):
    """``y = x Wᵀ + b`` with PyTorch's default initialisation, U(-1/√in, 1/√in) for both."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        np_dtype = dtypes.to_np(dtype) or dtypes.default_float.np
        # PyTorch's reset_parameters: kaiming_uniform_(weight, a=√5), then the bias from
        # U(-1/√fan_in, 1/√fan_in), drawn in that order. The values are drawn before the
        # Parameters exist so the debugger sees them born initialised.
        if in_features > 0:
            bound = init.kaiming_bound(in_features, math.sqrt(5))
            w = init.uniform_array((out_features, in_features), -bound, bound, np_dtype)
        else:
            w = np.empty((out_features, 0), np_dtype)
        self.weight = Parameter(Tensor._make(w, False, None, 0))
        if bias:
            bound = 1 / math.sqrt(in_features) if in_features > 0 else 0
            b = init.uniform_array((out_features,), -bound, bound, np_dtype)
            self.bias = Parameter(Tensor._make(b, False, None, 0))
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """Draw fresh weights in place, as ``__init__`` did."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Bilinear(Module):
    """``y[o] = x1 · W[o] · x2 + b[o]``; weight and bias drawn from U(-1/√in1, 1/√in1)."""

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        np_dtype = dtypes.to_np(dtype) or dtypes.default_float.np
        shape = (out_features, in1_features, in2_features)
        self.weight = Parameter(Tensor._make(np.empty(shape, np_dtype), False, None, 0))
        if bias:
            b = np.empty((out_features,), np_dtype)
            self.bias = Parameter(Tensor._make(b, False, None, 0))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """The weight, then the bias, from U(-1/√in1, 1/√in1) (PyTorch's order of draws)."""
        if self.in1_features <= 0:
            raise ValueError(
                f"in1_features must be > 0, but got (in1_features={self.in1_features})"
            )
        bound = 1 / math.sqrt(self.in1_features)
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )


class ReLU(Module):
    """max(0, x). ``inplace=True`` prints as PyTorch's does; the result is a new tensor."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.relu(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Tanh(Module):
    """tanh(x)."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.tanh(input)


class Sigmoid(Module):
    """1 / (1 + exp(-x))."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.sigmoid(input)


class Softmax(Module):
    """exp(x) normalised to sum to one along ``dim``."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log(softmax(x)) along ``dim``, computed stably."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.log_softmax(input, self.dim)


class Flatten(Module):
    """Flatten dims ``start_dim..end_dim`` (keeps the batch dim by default)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Identity(Module):
    """Returns its input; accepts and ignores any constructor arguments."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input


class Dropout(Module):
    """Zero elements with probability ``p`` while training, scaling the rest by 1/(1-p)."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(Dropout):
    """Zero whole channels of (N, C, L) or (C, L) input with probability ``p`` while training."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(Dropout):
    """Zero whole channels of (N, C, H, W) input with probability ``p`` while training."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.dropout2d(input, self.p, self.training, self.inplace)
