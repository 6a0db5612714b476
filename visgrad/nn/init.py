"""``nn.init``: fill tensors in place with PyTorch's initialisation schemes (outside autograd).

Each initialiser computes its bound or standard deviation with PyTorch's own formula (the same
floating-point steps, so the same last bit) and draws from the generator in PyTorch's order, so
after ``manual_seed`` the weights equal PyTorch's. Values are written through ``write_``: the
version counter moves and the debugger sees an ``InplaceUpdate``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from visgrad.autograd.grad_mode import no_grad
from visgrad.nn._trunc_normal import trunc_normal_values
from visgrad.nn._write import write_
from visgrad.random import draws, get_generator
from visgrad.random.fills import normal_values
from visgrad.random.generator import Generator
from visgrad.random.sampling import randperm
from visgrad.tensor import Tensor

_LINEAR_FNS = (
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d",
)  # fmt: skip


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (``relu`` → √2, ``tanh`` → 5/3, ...)."""
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope: float = 0.01
        elif (not isinstance(param, bool) and isinstance(param, int)) or isinstance(param, float):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
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
    receptive = 1
    for s in shape[2:]:
        receptive *= s
    return shape[1] * receptive, shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_array(
    shape: tuple[int, ...],
    low: float,
    high: float,
    dtype: np.dtype,
    generator: Generator | None = None,
) -> np.ndarray:
    """What ``uniform_`` would write into a new tensor (layers build their weights from these)."""
    n = int(np.prod(shape))
    return draws.uniform(get_generator(generator), n, dtype, low, high).reshape(shape)


def _write(tensor: Tensor, values: np.ndarray, op: str) -> Tensor:
    with no_grad():
        return write_(tensor, values.reshape(tensor._data.shape), op)


def uniform_(
    tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Generator | None = None
) -> Tensor:
    """Fill with samples from U(a, b)."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)  # type: ignore[attr-defined]


def normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Generator | None = None
) -> Tensor:
    """Fill with samples from N(mean, std²)."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)  # type: ignore[attr-defined]


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    return write_(tensor, val, "fill_")


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with zeros."""
    return write_(tensor, 0, "zero_")


def ones_(tensor: Tensor) -> Tensor:
    """Fill with ones."""
    return write_(tensor, 1, "fill_")


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix."""
    if tensor._data.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return write_(tensor, np.eye(*tensor._data.shape), "eye_")


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3-, 4- or 5-D convolution weight with the Dirac delta (identity per group)."""
    shape = tensor._data.shape
    if len(shape) not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = shape[0] // groups
    values = np.zeros(shape, tensor._data.dtype)
    centre = tuple(s // 2 for s in shape[2:])
    for g in range(groups):
        for d in range(min(per_group, shape[1])):
            values[(g * per_group + d, d, *centre)] = 1
    return write_(tensor, values, "dirac_")


def xavier_uniform_(
    tensor: Tensor, gain: float = 1.0, generator: Generator | None = None
) -> Tensor:
    """Glorot initialisation: U(-a, a) with a = √3 · gain · √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Glorot initialisation: N(0, std²) with std = gain · √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_bound(fan: int, a: float = 0.0, nonlinearity: str = "leaky_relu") -> float:
    """Half-width of He's uniform distribution: √3 · gain / √fan, in PyTorch's steps."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return math.sqrt(3.0) * std


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
) -> Tensor:
    """He initialisation: U(-bound, bound) with bound = gain · √(3 / fan)."""
    if 0 in tensor._data.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    bound = kaiming_bound(_calculate_correct_fan(tensor, mode), a, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
) -> Tensor:
    """He initialisation: N(0, std²) with std = gain / √fan."""
    if 0 in tensor._data.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0, std, generator)


def orthogonal_(tensor: Tensor, gain: float = 1, generator: Generator | None = None) -> Tensor:
    """A (semi-)orthogonal matrix from the QR decomposition of a normal matrix, times ``gain``.

    The normal draws are PyTorch's; the QR runs in float64 through NumPy's LAPACK and is rounded
    to the tensor's dtype, so values agree with PyTorch's (MKL) to within a few units in the last
    place, with the same signs (both make R's diagonal positive).
    """
    data = tensor._data
    if data.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if data.size == 0:
        return tensor
    rows = data.shape[0]
    cols = data.size // rows
    gen = get_generator(generator)
    flat = normal_values(gen, (rows, cols), data.dtype, 0.0, 1.0, True).reshape(rows, cols)
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat.astype(np.float64))
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    q = q.astype(data.dtype) * data.dtype.type(gain)
    return _write(tensor, q, "orthogonal_")


def sparse_(
    tensor: Tensor, sparsity: float, std: float = 0.01, generator: Generator | None = None
) -> Tensor:
    """N(0, std²) values with ``ceil(sparsity · rows)`` zeros per column (rows from ``randperm``)."""
    if tensor._data.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor._data.shape
    num_zeros = math.ceil(sparsity * rows)
    normal_(tensor, 0, std, generator)
    values = tensor._data.copy()
    for col in range(cols):
        # PyTorch draws these permutations from the default generator, not ``generator``.
        values[randperm(get_generator(None), rows)[:num_zeros], col] = 0
    return _write(tensor, values, "sparse_")


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Generator | None = None,
) -> Tensor:
    """N(mean, std²) truncated to [a, b], by PyTorch's rejection sampling (``_trunc_normal``)."""
    values = trunc_normal_values(get_generator(generator), tensor._data, mean, std, a, b)
    return _write(tensor, values, "trunc_normal_")


def _deprecated(name: str, fn: Any) -> Any:
    def deprecated(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"`nn.init.{name}` is now deprecated in favor of `nn.init.{name}_`.",
            FutureWarning,
            stacklevel=2,
        )
        return fn(*args, **kwargs)

    deprecated.__name__ = name
    return deprecated


uniform = _deprecated("uniform", uniform_)
normal = _deprecated("normal", normal_)
constant = _deprecated("constant", constant_)
xavier_uniform = _deprecated("xavier_uniform", xavier_uniform_)
xavier_normal = _deprecated("xavier_normal", xavier_normal_)
kaiming_uniform = _deprecated("kaiming_uniform", kaiming_uniform_)
kaiming_normal = _deprecated("kaiming_normal", kaiming_normal_)
orthogonal = _deprecated("orthogonal", orthogonal_)
sparse = _deprecated("sparse", sparse_)
