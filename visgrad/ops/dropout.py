"""Dropout as PyTorch computes it on the CPU: ``input * (bernoulli(1 - p) / (1 - p))``.

The mask is ``empty_like(input).bernoulli_(1 - p)`` divided in the input's dtype by ``1 - p``, so
the kept values and the draws are PyTorch's; the product is a ``MulBackward0`` (CPU PyTorch has
no fused dropout node). The draws are the generator's uniforms on every CPU, as in PyTorch 2.13
(``visgrad.random.mkl_bernoulli`` says why not Intel MKL's stream). ``p == 1`` multiplies by a zero scalar (NaN stays NaN, signs survive), and
``p == 0``, evaluation mode and empty inputs return the input itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.autograd.grad_mode import MODES
from visgrad.ops.gate_tables import c_name
from visgrad.ops.registry import declare
from visgrad.random import draws, get_generator
from visgrad.tensor import Tensor


def _const(x: np.ndarray) -> Tensor:
    return Tensor._make(x, False, None, 0)


def _check_p(p: Any) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _apply(input: Tensor, p: float, inplace: bool, feature: bool = False) -> Tensor:  # noqa: A002
    """``input`` times its noise: one draw per element, or per (sample, channel) in a ``feature``
    dropout (a mask of shape (N, C, 1, ...))."""
    x = input._data
    if p == 1.0:  # ATen multiplies by ``zeros({}, input.options())``: any dtype, any shape
        noise = np.zeros((), x.dtype)
    else:
        if feature and x.ndim < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        if x.dtype.kind != "f":  # the noise, like the input, is divided by ``1 - p`` in place
            raise RuntimeError(
                f"result type Float can't be cast to the desired output type {c_name(x.dtype)}"
            )
        noise_shape = x.shape[:2] + (1,) * (x.ndim - 2) if feature else x.shape
        n = int(np.prod(noise_shape))
        keep = draws.bernoulli_scalar(get_generator(None), n, 1.0 - p)
        noise = keep.astype(x.dtype).reshape(noise_shape) / x.dtype.type(1.0 - p)
    return input.mul_(_const(noise)) if inplace else input * _const(noise)


@declare("dropout", torch=False, method=False, functional=True)
def dropout(
    input: Tensor,  # noqa: A002 - PyTorch's name
    p: Any = 0.5,  # PyTorch compares it first: its own TypeError for a non-number
    training: bool = True,
    inplace: bool = False,
) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1/(1-p)``."""
    _check_p(p)
    if not training or p == 0.0 or input._data.size == 0:
        return input
    return _apply(input, p, inplace)


def _feature_dropout(input: Tensor, p: float, training: bool, inplace: bool) -> Tensor:  # noqa: A002
    """One draw per (sample, channel): the mask has shape (N, C, 1, ...)."""
    _check_p(p)
    if not training or p == 0.0 or input._data.size == 0:
        return input
    return _apply(input, p, inplace, feature=True)


@declare("dropout1d", torch=False, method=False, functional=True)
def dropout1d(input: Tensor, p: Any = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero whole channels of (N, C, L) or (C, L) input with probability ``p``."""
    _check_p(p)
    ndim = input._data.ndim
    if ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, "
            "a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs)."
        )
    if ndim == 2:
        if inplace and MODES.enabled and input.is_leaf and input.requires_grad:
            # PyTorch's Python batches it with ``input.unsqueeze_(0)``: in place on the leaf
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation."
            )
        return _feature_dropout(input.unsqueeze(0), p, training, inplace).squeeze(0)
    return _feature_dropout(input, p, training, inplace)


@declare("dropout2d", torch=False, method=False, functional=True)
def dropout2d(input: Tensor, p: Any = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero whole channels of (N, C, H, W) input with probability ``p``."""
    return _feature_dropout(input, p, training, inplace)
