"""``nn.init``: fill tensors in place with PyTorch's initialisation schemes (outside autograd).

Each initialiser writes through ``write_``, so the version counter moves and the debugger sees an
``InplaceUpdate``. The random numbers come from visgrad's generator (``manual_seed``); they differ
from PyTorch's for the same seed, the distributions do not.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from visgrad.factories import generator
from visgrad.nn._write import write_
from visgrad.tensor import Tensor


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (``relu`` → √2, ``tanh`` → 5/3, ...)."""
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "sigmoid", "identity"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"negative_slope {slope} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    shape = tensor._data.shape
    if len(shape) < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def uniform_array(shape: tuple[int, ...], low: float, high: float, dtype: np.dtype) -> np.ndarray:
    """Samples from U(low, high) as a fresh array (Linear builds its weights from these)."""
    return generator().uniform(low, high, size=shape).astype(dtype)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with samples from U(a, b)."""
    return write_(tensor, uniform_array(tensor._data.shape, a, b, tensor._data.dtype), "uniform_")


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with samples from N(mean, std²)."""
    values = generator().normal(mean, std, size=tensor._data.shape)
    return write_(tensor, values, "normal_")


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    return write_(tensor, val, "fill_")


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with zeros."""
    return write_(tensor, 0, "zero_")


def ones_(tensor: Tensor) -> Tensor:
    """Fill with ones."""
    return write_(tensor, 1, "fill_")


def kaiming_bound(fan: int, a: float = 0.0, nonlinearity: str = "leaky_relu") -> float:
    """Half-width of He's uniform distribution: gain · √(3 / fan)."""
    return calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan)


def kaiming_uniform_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """He initialisation: U(-bound, bound) with bound = gain · √(3 / fan)."""
    if tensor._data.size == 0:
        warnings.warn("Initializing zero-element tensors is a no-op", UserWarning, stacklevel=2)
        return tensor
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = kaiming_bound(fan_in if mode == "fan_in" else fan_out, a, nonlinearity)
    return uniform_(tensor, -bound, bound)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot initialisation: U(-a, a) with a = gain · √(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)
