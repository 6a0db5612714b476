"""``rrelu``: a leaky ReLU whose negative slope is drawn from U(lower, upper) while training.

In training each value ``<= 0`` (in memory order) draws its own slope from the generator, as
PyTorch's CPU kernel draws them (one double-precision uniform each), and the slopes are kept as
the ``noise`` the backward multiplies by; in evaluation the slope is ``(lower + upper) / 2``. Both
record ``RreluWithNoiseBackward0``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.ops.base import Op, apply
from visgrad.ops.gate_tables import c_name
from visgrad.ops.inplace import inplace as run_inplace
from visgrad.ops.registry import declare
from visgrad.random import get_generator
from visgrad.random.exact import fma64
from visgrad.random.normal import unit53
from visgrad.tensor import Tensor

__all__ = ["rrelu", "rrelu_"]


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


def _slopes(
    x: np.ndarray, lower: float, upper: float, training: bool, generator: Any
) -> np.ndarray:
    """The slope of every element: 1 where positive, else a draw (training) or the mid-slope."""
    if not training:
        mid = (lower + upper) / 2
        return np.where(x > 0, 1.0, mid).astype(x.dtype)
    t = x.dtype.type
    lo, hi = float(t(lower)), float(t(upper))  # the kernel's bounds are in the op's precision
    flat = np.ascontiguousarray(x).reshape(-1)
    neg = flat <= 0
    noise = np.ones(flat.shape, dtype=x.dtype)
    draws = fma64(unit53(get_generator(generator).random64(int(neg.sum()))), hi - lo, lo)
    noise[neg] = draws.astype(x.dtype)
    return noise.reshape(x.shape)


def _values(x: np.ndarray, noise: Tensor, lower: float, upper: float, training: bool) -> Any:
    """The drawn slopes when training, else the mean slope, on the negative side."""
    if training:
        return (x * noise._data).astype(x.dtype, copy=False)
    return np.where(x > 0, x, x * ((lower + upper) / 2)).astype(x.dtype, copy=False)


def _gradient(op: Op, g: Tensor, sign: np.ndarray) -> Tensor:
    """``g`` times the slope each element was scaled by; ``sign`` is the input's or the result's."""
    lower, upper = op.saved("lower"), op.saved("upper")
    if op.saved("training") and upper - lower > 1e-6:
        return g * op.saved("noise")
    slope = np.where(sign > 0, 1.0, (lower + upper) / 2).astype(g._data.dtype)
    return g * _const(slope)


class RreluWithNoiseBackward0(Op):
    op_name = "rrelu_with_noise"
    formulas = {
        "self": (
            "where(training * (upper - lower > 1e-06), grad * noise, "
            "where(self > 0, grad, grad * (lower + upper) / 2))"
        )
    }

    def forward(
        self, a: Tensor, noise: Tensor, lower: float, upper: float, training: bool
    ) -> np.ndarray:
        self.save(self=a, noise=noise, lower=lower, upper=upper, training=training)
        return _values(a._data, noise, lower, upper, training)

    def backward(self, g: Tensor) -> Tensor:
        return _gradient(self, g, self.saved("self")._data)


def _prepare(x: Tensor, lower: float, upper: float, training: bool, generator: Any) -> Tensor:
    d = x._data
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if d.dtype.kind != "f":
        kernel = "rrelu_with_noise_out_cpu" if training else "leaky_relu_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{c_name(d.dtype)}'")
    return _const(_slopes(d, lower, upper, training, generator))


@declare("rrelu", nodes=RreluWithNoiseBackward0, functional=True, method=False)
def rrelu(
    input: Tensor,  # noqa: A002 - PyTorch's name
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
    *,
    generator: Any = None,
) -> Tensor:
    """``x`` where positive, else ``x`` times a slope in [lower, upper] (drawn when training)."""
    if inplace:
        return rrelu_(input, lower, upper, training, generator=generator)
    noise = _prepare(input, lower, upper, training, generator)
    return apply(RreluWithNoiseBackward0, input, noise=noise, lower=float(lower),
                 upper=float(upper), training=bool(training))  # fmt: skip


class RreluWithNoiseBackward1(Op):
    """``rrelu_``: written in place, so the result (whose sign is the input's) is saved."""

    op_name = "rrelu_with_noise_"
    saves_output = "result"
    formulas = {
        "self": (
            "where(training * (upper - lower > 1e-06), grad * noise, "
            "where(result > 0, grad, grad * (lower + upper) / 2))"
        )
    }

    def forward(
        self, a: Tensor, noise: Tensor, lower: float, upper: float, training: bool
    ) -> np.ndarray:
        self.save(noise=noise, lower=lower, upper=upper, training=training)
        return _values(a._data, noise, lower, upper, training)

    def backward(self, g: Tensor) -> Tensor:
        return _gradient(self, g, self.saved("result")._data)


@declare("rrelu_", nodes=RreluWithNoiseBackward1, functional=True, method=False)
def rrelu_(
    input: Tensor,  # noqa: A002 - PyTorch's name
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    *,
    generator: Any = None,
) -> Tensor:
    """``rrelu`` written into ``input``."""
    noise = _prepare(input, lower, upper, training, generator)
    attrs = {"noise": noise, "lower": float(lower), "upper": float(upper),
             "training": bool(training)}  # fmt: skip
    return run_inplace(input, RreluWithNoiseBackward1, (), attrs, "rrelu_")
