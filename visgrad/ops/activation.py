"""Smooth activation functions with ``torch.nn.functional``'s names, arguments and nodes.

silu, softplus, elu / selu / celu, mish and logsigmoid (``activation_piecewise`` has the rest).
Forwards use PyTorch's formulas (``x / (1 + exp(-x))`` for silu, ``expm1`` for elu, ...). Backward formulas are written
with visgrad ops, so second derivatives record too. ``inplace=True`` writes into the input and
records the node PyTorch records for it (``EluBackward1`` saves the result instead of the input).
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from visgrad import _threads as threads
from visgrad import dtypes
from visgrad.ops import elementwise as E
from visgrad.ops import vecmath
from visgrad.ops.base import Op, apply
from visgrad.ops.inplace import inplace as run_inplace
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = [
    "celu",
    "celu_",
    "elu",
    "elu_",
    "logsigmoid",
    "mish",
    "selu",
    "selu_",
    "silu",
    "softplus",
]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


def _t(x: np.ndarray, v: float) -> Any:
    """``v`` as a scalar of ``x``'s dtype, so float32 math stays float32."""
    return x.dtype.type(v)


class SiluBackward0(Op):
    op_name = "silu"
    formulas = {"self": "grad * sigmoid(self) * (1 + self * (1 - sigmoid(self)))"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        x = dtypes.as_floating(a._data)
        if x.dtype == np.float32:
            return vecmath.silu(x, threads.get_num_threads())
        with np.errstate(over="ignore"):
            return x / (_t(x, 1) + np.exp(-x))

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        s = x.sigmoid()
        return g * (s * (1 + x * (1 - s)))


class SoftplusBackward0(Op):
    op_name = "softplus"
    formulas = {"self": "where(self * beta > threshold, grad, grad * sigmoid(self * beta))"}

    def forward(self, a: Tensor, beta: float, threshold: float) -> np.ndarray:
        self.save(self=a, beta=beta, threshold=threshold)
        x = dtypes.as_floating(a._data)
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
        "self": "where(self > 0, grad * scale, grad * scale * alpha * input_scale * exp(self * input_scale))"
    }

    def forward(self, a: Tensor, alpha: float, scale: float, input_scale: float) -> np.ndarray:
        self.save(self=a, alpha=alpha, scale=scale, input_scale=input_scale)
        return _elu(dtypes.as_floating(a._data), alpha, scale, input_scale)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        alpha, scale, s_in = self.saved("alpha"), self.saved("scale"), self.saved("input_scale")
        neg = (x * s_in).exp() * (scale * alpha * s_in)
        return E.where(_const(~(x._data <= 0)), g * scale, g * neg)  # NaN: the linear side


class EluBackward1(Op):
    """``elu`` in place: the input is gone, so the result is saved and the derivative read off it."""

    op_name = "elu_"
    saves_output = "result"
    formulas = {
        "self": "where(result > 0, grad * scale, grad * input_scale * (result + alpha * scale))"
    }

    def forward(self, a: Tensor, alpha: float, scale: float, input_scale: float) -> np.ndarray:
        self.save(alpha=alpha, scale=scale, input_scale=input_scale)
        return _elu(dtypes.as_floating(a._data), alpha, scale, input_scale)

    def backward(self, g: Tensor) -> Tensor:
        r = self.saved("result")
        alpha, scale, s_in = self.saved("alpha"), self.saved("scale"), self.saved("input_scale")
        return E.where(_const(~(r._data <= 0)), g * scale, g * ((r + alpha * scale) * s_in))


def _elu(x: np.ndarray, alpha: float, scale: float, input_scale: float) -> np.ndarray:
    with np.errstate(over="ignore"):
        neg = np.expm1(x * _t(x, input_scale)) * _t(x, alpha * scale)
    return np.where(x <= 0, neg, x * _t(x, scale)).astype(x.dtype, copy=False)


def _celu_backward_scale(alpha: float) -> float:
    # PyTorch's derivative formula divides by alpha rounded to float32 (``alpha.toFloat()``).
    return 1.0 / float(np.float32(alpha))


class CeluBackward0(EluBackward0):
    op_name = "celu"
    formulas = {"self": "where(self > 0, grad, grad * exp(self / alpha))"}

    def forward(self, a: Tensor, alpha: float) -> np.ndarray:  # type: ignore[override]
        self.save(self=a, alpha=alpha, scale=1.0, input_scale=_celu_backward_scale(alpha))
        return _elu(dtypes.as_floating(a._data), alpha, 1.0, 1.0 / alpha)


class CeluBackward1(EluBackward1):
    op_name = "celu_"
    formulas = {"self": "where(result > 0, grad, grad * (result / alpha + 1))"}

    def forward(self, a: Tensor, alpha: float) -> np.ndarray:  # type: ignore[override]
        self.save(alpha=alpha, scale=1.0, input_scale=_celu_backward_scale(alpha))
        return _elu(dtypes.as_floating(a._data), alpha, 1.0, 1.0 / alpha)


class MishBackward0(Op):
    op_name = "mish"
    formulas = {
        "self": "grad * (tanh(softplus(self)) + self * sigmoid(self) * (1 - tanh(softplus(self)) ** 2))"
    }

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        x = dtypes.as_floating(a._data)
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
        x = dtypes.as_floating(a._data)
        buffer = np.exp(-np.abs(x))
        self.save(self=a, buffer=_const(buffer))
        return np.minimum(x, _t(x, 0)) - np.log1p(buffer)

    def backward(self, g: Tensor) -> Tensor:
        return g * (-self.saved("self")).sigmoid()


# Nodes PyTorch records for the in-place forms, where they differ.
_INPLACE = {
    EluBackward0: EluBackward1,
    CeluBackward0: CeluBackward1,
}


def _run(
    cls: type[Op],
    a: Tensor,
    inplace: bool,
    name: str,
    inplace_cls: type[Op] | None = None,
    **attrs: Any,
) -> Tensor:
    if inplace:
        node = inplace_cls or _INPLACE.get(cls, cls)
        return run_inplace(a, node, (), attrs, name + "_")
    return apply(cls, a, **attrs)


@declare("silu", nodes=SiluBackward0, torch=False, method=False, functional=True)
def silu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x * sigmoid(x)`` (also called swish)."""
    return _run(SiluBackward0, input, inplace, "silu")


@declare("softplus", nodes=SoftplusBackward0, torch=False, method=False, functional=True)
def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """``log(1 + exp(beta·x)) / beta``, and ``x`` itself where ``beta·x > threshold``."""
    return apply(SoftplusBackward0, input, beta=beta, threshold=threshold)


@declare("elu", nodes=(EluBackward0, EluBackward1), torch=False, method=False, functional=True)
def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x`` where positive, ``alpha·(exp(x) − 1)`` elsewhere."""
    return _run(EluBackward0, input, inplace, "elu", alpha=alpha, scale=1.0, input_scale=1.0)


@declare("selu", nodes=(EluBackward0, EluBackward1), torch=False, method=False, functional=True)
def selu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``elu`` with the self-normalising constants (an ``EluBackward0`` node, as in PyTorch)."""
    attrs = {"alpha": _SELU_ALPHA, "scale": _SELU_SCALE, "input_scale": 1.0}
    return _run(EluBackward0, input, inplace, "selu", **attrs)


@declare("celu", nodes=(CeluBackward0, CeluBackward1), torch=False, method=False, functional=True)
def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """``max(0, x) + min(0, alpha·(exp(x/alpha) − 1))``."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _run(CeluBackward0, input, inplace, "celu", alpha=alpha)


@declare("mish", nodes=MishBackward0, torch=False, method=False, functional=True)
def mish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x · tanh(softplus(x))``."""
    return _run(MishBackward0, input, inplace, "mish")


@declare("logsigmoid", nodes=LogSigmoidBackward0, torch=False, method=False, functional=True)
def logsigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """``log(sigmoid(x))``, computed without overflow."""
    return apply(LogSigmoidBackward0, input)


def _inplace_form(fn: Any, name: str) -> Any:
    def inplace_fn(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:  # noqa: A002
        return fn(input, *args, inplace=True, **kwargs)

    inplace_fn.__name__ = inplace_fn.__qualname__ = name
    inplace_fn.__doc__ = f"``{name[:-1]}`` written into ``input``."
    return inplace_fn


def torch_form(fn: Any) -> Any:
    """``fn`` without its ``inplace`` parameter: the ``torch.`` function, which PyTorch binds
    from C++ (``torch.selu(x, inplace=True)`` is a TypeError there; ``F.selu`` takes it)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    sig = inspect.signature(fn)
    kept = [p for p in sig.parameters.values() if p.name != "inplace"]
    call.__signature__ = sig.replace(parameters=kept)  # type: ignore[attr-defined]
    call.__name__ = call.__qualname__ = fn.__name__
    call.__doc__, call.__module__ = fn.__doc__, fn.__module__
    return call


torch_selu = declare("selu", nodes=EluBackward0, method=False)(torch_form(selu))
torch_celu = declare("celu", nodes=CeluBackward0, method=False)(torch_form(celu))

# ``F.elu_`` and friends (``torch.selu_``, ``torch.celu_``, ``torch.threshold_`` too).
elu_ = declare("elu_", torch=False, method=False, functional=True)(_inplace_form(elu, "elu_"))
selu_ = declare("selu_", method=False, functional=True)(_inplace_form(selu, "selu_"))
celu_ = declare("celu_", method=False, functional=True)(_inplace_form(celu, "celu_"))
