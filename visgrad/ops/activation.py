"""Activation functions with ``torch.nn.functional``'s names, arguments and nodes.

silu, softplus, elu / selu / celu, hardtanh / relu6, mish, logsigmoid, hardswish, hardsigmoid,
glu, threshold, and the composites softsign, tanhshrink and softmin. Forwards use PyTorch's
formulas (``x / (1 + exp(-x))`` for silu, ``expm1`` for elu, ...). Backward formulas are written
with visgrad ops, so second derivatives record too. ``inplace=True`` writes into the input and
records the node PyTorch records for it (``EluBackward1`` saves the result instead of the input).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.ops import elementwise as E
from visgrad.ops.base import Op, apply
from visgrad.ops.inplace import inplace as run_inplace
from visgrad.ops.join import cat
from visgrad.ops.nn_ops import softmax
from visgrad.tensor import Tensor, _dim

__all__ = [
    "celu",
    "elu",
    "glu",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "logsigmoid",
    "mish",
    "relu6",
    "selu",
    "silu",
    "softmin",
    "softplus",
    "softsign",
    "tanhshrink",
    "threshold",
]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


def _floating(x: np.ndarray) -> np.ndarray:
    return x if x.dtype.kind == "f" else x.astype(np.float32)


def _t(x: np.ndarray, v: float) -> Any:
    """``v`` as a scalar of ``x``'s dtype, so float32 math stays float32."""
    return x.dtype.type(v)


class SiluBackward0(Op):
    op_name = "silu"
    formulas = {"self": "grad * sigmoid(self) * (1 + self * (1 - sigmoid(self)))"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        x = _floating(a._data)
        with np.errstate(over="ignore"):
            return x / (_t(x, 1) + np.exp(-x))

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        s = x.sigmoid()
        return g * (s * (1 + x * (1 - s)))


class SoftplusBackward0(Op):
    op_name = "softplus"
    formulas = {"self": "beta * self > threshold ? grad : grad * sigmoid(beta * self)"}

    def forward(self, a: Tensor, beta: float, threshold: float) -> np.ndarray:
        self.save(self=a, beta=beta, threshold=threshold)
        x = _floating(a._data)
        z = x * _t(x, beta)
        with np.errstate(over="ignore"):
            soft = np.log1p(np.exp(z)) / _t(x, beta)
        return np.where(z > threshold, x, soft).astype(x.dtype, copy=False)

    def backward(self, g: Tensor) -> Tensor:
        x, beta = self.saved("self"), self.saved("beta")
        z = x * beta
        linear = _const(z._data > self.saved("threshold"))
        return E.where(linear, g, g * z.sigmoid())


class EluBackward0(Op):
    op_name = "elu"
    formulas = {
        "self": "self > 0 ? grad * scale : grad * scale * alpha * input_scale * exp(self * input_scale)"
    }

    def forward(self, a: Tensor, alpha: float, scale: float, input_scale: float) -> np.ndarray:
        self.save(self=a, alpha=alpha, scale=scale, input_scale=input_scale)
        return _elu(_floating(a._data), alpha, scale, input_scale)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        alpha, scale, s_in = self.saved("alpha"), self.saved("scale"), self.saved("input_scale")
        neg = (x * s_in).exp() * (scale * alpha * s_in)
        return E.where(_const(x._data > 0), g * scale, g * neg)


class EluBackward1(Op):
    """``elu`` in place: the input is gone, so the result is saved and the derivative read off it."""

    op_name = "elu_"
    saves_output = "result"
    formulas = {"self": "result > 0 ? grad * scale : grad * input_scale * (result + alpha * scale)"}

    def forward(self, a: Tensor, alpha: float, scale: float, input_scale: float) -> np.ndarray:
        self.save(alpha=alpha, scale=scale, input_scale=input_scale)
        return _elu(_floating(a._data), alpha, scale, input_scale)

    def backward(self, g: Tensor) -> Tensor:
        r = self.saved("result")
        alpha, scale, s_in = self.saved("alpha"), self.saved("scale"), self.saved("input_scale")
        return E.where(_const(r._data > 0), g * scale, g * ((r + alpha * scale) * s_in))


def _elu(x: np.ndarray, alpha: float, scale: float, input_scale: float) -> np.ndarray:
    with np.errstate(over="ignore"):
        neg = np.expm1(x * _t(x, input_scale)) * _t(x, alpha * scale)
    return np.where(x <= 0, neg, x * _t(x, scale)).astype(x.dtype, copy=False)


def _celu_backward_scale(alpha: float) -> float:
    # PyTorch's derivative formula divides by alpha rounded to float32 (``alpha.toFloat()``).
    return 1.0 / float(np.float32(alpha))


class CeluBackward0(EluBackward0):
    op_name = "celu"

    def forward(self, a: Tensor, alpha: float) -> np.ndarray:  # type: ignore[override]
        self.save(self=a, alpha=alpha, scale=1.0, input_scale=_celu_backward_scale(alpha))
        return _elu(_floating(a._data), alpha, 1.0, 1.0 / alpha)


class CeluBackward1(EluBackward1):
    op_name = "celu_"

    def forward(self, a: Tensor, alpha: float) -> np.ndarray:  # type: ignore[override]
        self.save(alpha=alpha, scale=1.0, input_scale=_celu_backward_scale(alpha))
        return _elu(_floating(a._data), alpha, 1.0, 1.0 / alpha)


class HardtanhBackward0(Op):
    op_name = "hardtanh"
    formulas = {"self": "min_val < self < max_val ? grad : 0"}

    def forward(self, a: Tensor, min_val: float, max_val: float) -> np.ndarray:
        self.save(self=a, min_val=min_val, max_val=max_val)
        x = a._data
        return np.minimum(np.maximum(x, _t(x, min_val)), _t(x, max_val))

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")._data
        inside = (x > self.saved("min_val")) & (x < self.saved("max_val"))
        return g * _const(inside.astype(g._data.dtype))


class MishBackward0(Op):
    op_name = "mish"
    formulas = {
        "self": "grad * (tanh(softplus(self)) + self * sigmoid(self) * (1 - tanh²(softplus(self))))"
    }

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        x = _floating(a._data)
        with np.errstate(over="ignore"):
            return x * np.tanh(np.log1p(np.exp(x)))

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        t = softplus(x).tanh()
        return g * (t + x * x.sigmoid() * (1 - t * t))


class LogSigmoidBackward0(Op):
    op_name = "log_sigmoid"
    formulas = {"self": "grad * sigmoid(-self)"}

    def forward(self, a: Tensor) -> np.ndarray:
        x = _floating(a._data)
        buffer = np.exp(-np.abs(x))
        self.save(self=a, buffer=_const(buffer))
        return np.minimum(x, _t(x, 0)) - np.log1p(buffer)

    def backward(self, g: Tensor) -> Tensor:
        return g * (-self.saved("self")).sigmoid()


class HardswishBackward0(Op):
    op_name = "hardswish"
    formulas = {"self": "self <= -3 ? 0 : self < 3 ? grad * (self / 3 + 0.5) : grad"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        x = _floating(a._data)
        return x * np.minimum(np.maximum(x + _t(x, 3), _t(x, 0)), _t(x, 6)) / _t(x, 6)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        xd = x._data
        middle = _const((xd > -3) & (xd < 3))
        ramp = E.where(middle, x / 3 + 0.5, _const((xd >= 3).astype(xd.dtype)))
        return g * ramp


class HardsigmoidBackward0(Op):
    op_name = "hardsigmoid"
    formulas = {"self": "-3 < self < 3 ? grad / 6 : 0"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        x = _floating(a._data)
        return np.minimum(np.maximum(x + _t(x, 3), _t(x, 0)), _t(x, 6)) / _t(x, 6)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")._data
        # PyTorch's kernel multiplies by 1/6 as a float32 constant, in every dtype.
        sixth = float(np.float32(1.0) / np.float32(6.0))
        return g * _const((((x > -3) & (x < 3)) * sixth).astype(g._data.dtype))


class ThresholdBackward0(Op):
    op_name = "threshold"
    formulas = {"self": "self > threshold ? grad : 0"}

    def forward(self, a: Tensor, threshold: float, value: float) -> np.ndarray:
        self.save(self=a, threshold=threshold)
        x = a._data
        return np.where(x > threshold, x, _t(x, value)).astype(x.dtype, copy=False)

    def backward(self, g: Tensor) -> Tensor:
        keep = self.saved("self")._data > self.saved("threshold")
        return g * _const(keep.astype(g._data.dtype))


class ThresholdBackward1(ThresholdBackward0):
    """``threshold`` in place (PyTorch saves the written tensor as ``self``)."""

    op_name = "threshold_"


class GluBackward0(Op):
    op_name = "glu"
    formulas = {"self": "cat(grad * sigmoid(b), grad * a * sigmoid(b) * (1 - sigmoid(b)))"}

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


# Nodes PyTorch records for the in-place forms, where they differ.
_INPLACE = {
    EluBackward0: EluBackward1,
    CeluBackward0: CeluBackward1,
    ThresholdBackward0: ThresholdBackward1,
}


def _run(cls: type[Op], a: Tensor, inplace: bool, name: str, **attrs: Any) -> Tensor:
    if inplace:
        return run_inplace(a, _INPLACE.get(cls, cls), (), attrs, name + "_")
    return apply(cls, a, **attrs)


def silu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x * sigmoid(x)`` (also called swish)."""
    return _run(SiluBackward0, input, inplace, "silu")


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """``log(1 + exp(beta·x)) / beta``, and ``x`` itself where ``beta·x > threshold``."""
    return apply(SoftplusBackward0, input, beta=beta, threshold=threshold)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x`` where positive, ``alpha·(exp(x) − 1)`` elsewhere."""
    return _run(EluBackward0, input, inplace, "elu", alpha=alpha, scale=1.0, input_scale=1.0)


def selu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``elu`` with the self-normalising constants (an ``EluBackward0`` node, as in PyTorch)."""
    attrs = {"alpha": _SELU_ALPHA, "scale": _SELU_SCALE, "input_scale": 1.0}
    return _run(EluBackward0, input, inplace, "selu", **attrs)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """``max(0, x) + min(0, alpha·(exp(x/alpha) − 1))``."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _run(CeluBackward0, input, inplace, "celu", alpha=alpha)


def hardtanh(
    input: Tensor,  # noqa: A002
    min_val: float = -1.0,
    max_val: float = 1.0,
    inplace: bool = False,
) -> Tensor:
    """``x`` clamped to ``[min_val, max_val]``; the gradient is 0 outside the open interval."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _run(HardtanhBackward0, input, inplace, "hardtanh", min_val=min_val, max_val=max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``hardtanh(x, 0, 6)`` (a ``HardtanhBackward0`` node, as in PyTorch)."""
    return _run(HardtanhBackward0, input, inplace, "hardtanh", min_val=0.0, max_val=6.0)


def mish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x · tanh(softplus(x))``."""
    return _run(MishBackward0, input, inplace, "mish")


def logsigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """``log(sigmoid(x))``, computed without overflow."""
    return apply(LogSigmoidBackward0, input)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x · relu6(x + 3) / 6``."""
    return _run(HardswishBackward0, input, inplace, "hardswish")


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``relu6(x + 3) / 6``."""
    return _run(HardsigmoidBackward0, input, inplace, "hardsigmoid")


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x`` where ``x > threshold``, else ``value``."""
    return _run(ThresholdBackward0, input, inplace, "threshold", threshold=threshold, value=value)


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
    return apply(GluBackward0, input, dim=d)


def softsign(input: Tensor) -> Tensor:  # noqa: A002
    """``x / (1 + |x|)`` (a composite, as in PyTorch)."""
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:  # noqa: A002
    """``x − tanh(x)`` (a composite, as in PyTorch)."""
    return input - input.tanh()


def softmin(
    input: Tensor,  # noqa: A002
    dim: int | None = None,
    _stacklevel: int = 3,
    dtype: Any = None,
) -> Tensor:
    """``softmax(−x)``."""
    return softmax(-input, dim, _stacklevel + 1, dtype=dtype)
