"""Piecewise activations: hardtanh / relu6, hardswish, hardsigmoid, threshold, glu, and the
composites softsign, tanhshrink and softmin (the smooth ones are in ``activation``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.ops import elementwise as E
from visgrad.ops.activation import _const, _inplace_form, _run, _t, torch_form
from visgrad.ops.base import Op, apply
from visgrad.ops.gate_tables import c_name
from visgrad.ops.join import cat
from visgrad.ops.nn_ops import softmax
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor, _dim

__all__ = [
    "glu",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "hardtanh_",
    "relu6",
    "softmin",
    "softsign",
    "tanhshrink",
    "threshold",
    "threshold_",
]


class HardtanhBackward0(Op):
    op_name = "hardtanh"
    formulas = {"self": "grad * (min_val < self < max_val)"}

    def forward(self, a: Tensor, min_val: float, max_val: float) -> np.ndarray:
        self.save(self=a, min_val=min_val, max_val=max_val)
        x = a._data
        return np.minimum(np.maximum(x, _t(x, min_val)), _t(x, max_val))

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")._data  # a NaN is inside, as in PyTorch's kernel
        inside = ~((x <= self.saved("min_val")) | (x >= self.saved("max_val")))
        return g * _const(inside.astype(g._data.dtype))


class HardswishBackward0(Op):
    op_name = "hardswish"
    formulas = {"self": "grad * where(self <= -3, 0, where(self < 3, self / 3 + 0.5, 1))"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        x = dtypes.as_floating(a._data)
        return x * np.minimum(np.maximum(x + _t(x, 3), _t(x, 0)), _t(x, 6)) / _t(x, 6)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        xd = x._data
        middle = _const((xd > -3) & (xd < 3))
        # PyTorch's kernel: 0 up to -3, the ramp below 3, else (3 up, and NaN) the whole gradient.
        ramp = E.where(middle, x / 3 + 0.5, _const((~(xd <= -3)).astype(xd.dtype)))
        return g * ramp


class HardsigmoidBackward0(Op):
    op_name = "hardsigmoid"
    formulas = {"self": "grad * (-3 < self < 3) / 6"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        x = dtypes.as_floating(a._data)
        return np.minimum(np.maximum(x + _t(x, 3), _t(x, 0)), _t(x, 6)) / _t(x, 6)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")._data
        # PyTorch's kernel multiplies by 1/6 as a float32 constant, in every dtype.
        sixth = float(np.float32(1.0) / np.float32(6.0))
        return g * _const((((x > -3) & (x < 3)) * sixth).astype(g._data.dtype))


class ThresholdBackward0(Op):
    op_name = "threshold"
    formulas = {"self": "grad * (self > threshold)"}

    def forward(self, a: Tensor, threshold: float, value: float) -> np.ndarray:
        self.save(self=a, threshold=threshold)
        x = a._data  # PyTorch's test is ``x <= threshold``: a NaN, or a NaN threshold, keeps x
        return np.where(x <= threshold, _t(x, value), x).astype(x.dtype, copy=False)

    def backward(self, g: Tensor) -> Tensor:
        keep = ~(self.saved("self")._data <= self.saved("threshold"))
        return g * _const(keep.astype(g._data.dtype))


class ThresholdBackward1(ThresholdBackward0):
    """``threshold`` in place (PyTorch saves the written tensor as ``self``)."""

    op_name = "threshold_"


class GluBackward0(Op):
    op_name = "glu"
    formulas = {"self": "glu_backward(grad, self, dim)"}

    def forward(self, a: Tensor, dim: int) -> np.ndarray:
        self.save(self=a, dim=dim)
        first, second = np.split(a._data, 2, axis=dim)
        with np.errstate(over="ignore"):
            return first / (1 + np.exp(-second))

    def backward(self, g: Tensor) -> Tensor:
        x, dim = self.saved("self"), self.saved("dim")
        half = x._data.shape[dim] // 2
        a, b = x.narrow(dim, 0, half), x.narrow(dim, half, half)
        s = b.sigmoid()
        return cat([g * s, g * a * s * (1 - s)], dim)


@declare("hardtanh", nodes=HardtanhBackward0, torch=False, method=False, functional=True)
def hardtanh(
    input: Tensor,  # noqa: A002
    min_val: Any = -1.0,  # PyTorch's Python compares them first: Python's own TypeError
    max_val: Any = 1.0,
    inplace: bool = False,
) -> Tensor:
    """``x`` clamped to ``[min_val, max_val]``; the gradient is 0 outside the open interval."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if isinstance(input, Tensor) and input._data.dtype.kind == "u" and min(min_val, max_val) < 0:
        raise RuntimeError("cannot do hardtanh on an unsigned type with negative limits")
    return _run(HardtanhBackward0, input, inplace, "hardtanh", min_val=min_val, max_val=max_val)


@declare("relu6", nodes=HardtanhBackward0, torch=False, method=False, functional=True)
def relu6(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``hardtanh(x, 0, 6)`` (a ``HardtanhBackward0`` node, as in PyTorch)."""
    return _run(HardtanhBackward0, input, inplace, "hardtanh", min_val=0.0, max_val=6.0)


@declare("hardswish", nodes=HardswishBackward0, torch=False, method=False, functional=True)
def hardswish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x · relu6(x + 3) / 6``."""
    return _run(HardswishBackward0, input, inplace, "hardswish")


@declare("hardsigmoid", nodes=HardsigmoidBackward0, torch=False, method=False, functional=True)
def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``relu6(x + 3) / 6``."""
    return _run(HardsigmoidBackward0, input, inplace, "hardsigmoid")


@declare(
    "threshold",
    nodes=(ThresholdBackward0, ThresholdBackward1),
    torch=False,
    method=False,
    functional=True,
)
def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x`` where ``x > threshold``, else ``value``."""
    return _run(ThresholdBackward0, input, inplace, "threshold", ThresholdBackward1,
                threshold=threshold, value=value)  # fmt: skip


@declare("glu", nodes=GluBackward0, torch=False, method=False, functional=True)
def glu(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002
    """The gated linear unit: first half of ``dim`` times the sigmoid of the second half."""
    x = input._data
    if x.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _dim(dim, x.ndim)
    if x.shape[d] % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {d} is size {x.shape[d]}"
        )
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"glu_cpu\" not implemented for '{c_name(x.dtype)}'")
    return apply(GluBackward0, input, dim=d)


@declare("softsign", torch=False, method=False, functional=True)
def softsign(input: Tensor) -> Tensor:  # noqa: A002
    """``x / (1 + |x|)`` (a composite, as in PyTorch)."""
    return input / (input.abs() + 1)


@declare("tanhshrink", torch=False, method=False, functional=True)
def tanhshrink(input: Tensor) -> Tensor:  # noqa: A002
    """``x − tanh(x)`` (a composite, as in PyTorch)."""
    return input - input.tanh()


@declare("softmin", torch=False, method=False, functional=True)
def softmin(
    input: Tensor,  # noqa: A002
    dim: int | None = None,
    _stacklevel: int = 3,
    dtype: Any = None,
) -> Tensor:
    """``softmax(−x)``."""
    return softmax(-input, dim, _stacklevel + 1, dtype=dtype)


torch_threshold = declare("threshold", nodes=ThresholdBackward0, method=False)(
    torch_form(threshold)
)
threshold_ = declare("threshold_", method=False, functional=True)(
    _inplace_form(threshold, "threshold_")
)
hardtanh_ = declare("hardtanh_", torch=False, method=False, functional=True)(
    _inplace_form(hardtanh, "hardtanh_")
)
