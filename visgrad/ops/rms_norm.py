"""``rms_norm``: divide by the root mean square of the trailing ``normalized_shape`` dims.

PyTorch's CPU autograd path is a composite, not a native node: ``x * rsqrt(mean(x**2) + eps)``,
times the weight, computed in float32 for half inputs and cast back. Recording the same pieces
gives the same graph (PowBackward0, MeanBackward1, AddBackward1, RsqrtBackward0, MulBackward0,
ToCopyBackward0) and the same gradients, higher orders included.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.arg_parser import int_list
from visgrad.ops import convert, power
from visgrad.ops import shape as shape_ops
from visgrad.ops.base import apply
from visgrad.ops.extra import rsqrt
from visgrad.ops.gate import user_stacklevel
from visgrad.ops.gate_tables import _C_NAMES, _CPP_NAMES
from visgrad.ops.losses import AddBackward1
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["rms_norm"]

# The machine epsilon of the type the kernel computes in: eps=None means this.
_EPSILON = {"float16": 2.0**-23, "float32": 2.0**-23, "float64": 2.0**-52}


def _check(x: np.ndarray, shape: tuple[int, ...], weight: Tensor | None) -> None:
    if not shape:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
            "one element, but got normalized_shape = []"
        )
    if weight is not None and tuple(weight._data.shape) != shape:
        raise RuntimeError(
            "Expected weight to be of same shape as normalized_shape, but got weight of shape "
            f"{list(weight._data.shape)} and normalized_shape = {list(shape)}"
        )
    if x.ndim < len(shape):
        raise ValueError(
            f"Input tensor must have at least {len(shape)} dimensions, but got {x.ndim}"
        )
    if tuple(x.shape[x.ndim - len(shape) :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*{', '.join(str(s) for s in shape)}], but got input of size{list(x.shape)}"
        )
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"rms_norm\" not implemented for '{_C_NAMES[x.dtype.name]}'")


# PyTorch's kernel warns of a weight of another dtype once a process (``TORCH_WARN_ONCE``).
WARN_ONCE = {"dtype_mismatch": True}


def _warn_once(x: np.dtype, w: np.dtype) -> None:
    WARN_ONCE["dtype_mismatch"] = False
    warnings.warn(
        f"Mismatch dtype between input and weight: input dtype = {_CPP_NAMES[x.name]}, "
        f"weight dtype = {_CPP_NAMES[w.name]}, Cannot dispatch to fused implementation.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


@declare("rms_norm", method=False, functional=True)
def rms_norm(
    input: Tensor,  # noqa: A002
    normalized_shape: Any,
    weight: Tensor | None = None,
    eps: float | None = None,
) -> Tensor:
    """Scale each trailing ``normalized_shape`` block to unit root mean square, then by weight."""
    shape = int_list("rms_norm", "normalized_shape", normalized_shape, 2)
    x = input._data
    _check(x, shape, weight)
    if weight is not None and weight._data.dtype != x.dtype and WARN_ONCE["dtype_mismatch"]:
        _warn_once(x.dtype, weight._data.dtype)
    name = x.dtype.name
    e = _EPSILON[name] if eps is None else float(eps)
    half = name == "float16"
    if half:  # the kernel holds eps as a half before adding it in float32
        e = float(np.float16(e))
    up = convert.to(input, dtypes.float32) if half else input
    dims = tuple(range(x.ndim - 1, x.ndim - 1 - len(shape), -1))
    mean_square = power.pow(up, 2).mean(dims, keepdim=True)
    result = up * rsqrt(apply(AddBackward1, mean_square, other=e))
    if weight is not None:
        result = result * weight
    # The kernel returns a contiguous result whatever layout the product kept (a transposed input).
    return convert.type_as(shape_ops.contiguous(result), input)
