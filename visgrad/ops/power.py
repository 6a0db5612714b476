"""``pow`` and ``**``: a tensor to a number, a tensor to a tensor, a number to a tensor.

``PowBackward0`` / ``1`` / ``2`` are PyTorch's three nodes for them. Small integer exponents are
computed by multiplication, as PyTorch's CPU kernel does, so the results agree bit for bit. Other
float32 and float16 powers are worked in float64 and rounded, the same on every CPU.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import dtypes, events
from visgrad.autograd.grad_mode import MODES
from visgrad.ops.base import OBSERVED, Op, apply, wrap
from visgrad.ops.elementwise import ones_like, operands, where
from visgrad.ops.inplace import inplace
from visgrad.ops.operand_arrays import _binary, _pair
from visgrad.ops.pointwise import log
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

# Exponents PyTorch computes by multiplication (its CPU kernel's special cases), bit for bit:
# ``x ** 3`` is ``x * x * x``, not ``powf`` (which also runs ~100x slower in NumPy than a multiply).
_BY_MULTIPLY: dict[Any, Any] = {
    2: lambda x: x * x,
    3: lambda x: x * x * x,
    -2: lambda x: 1 / (x * x),
    -0.5: lambda x: 1 / np.sqrt(x),
}
_SQUARE_CUBE = (2, 3)
_SPECIAL_EXPONENTS = (int, float)


def _power(x: Any, y: Any) -> np.ndarray:
    """``np.power``, worked in float64 for float32 and float16 results.

    NumPy's own float32 ``pow`` depends on the CPU: on AVX-512 machines it takes a vector kernel
    that differs from libm's ``powf`` in the last bit for about a fifth of inputs, and from
    PyTorch's as often. Rounded from float64 the result is the same on every machine and at
    least as close to PyTorch's as ``powf`` (measured on a million random pairs).
    """
    try:
        dt = np.result_type(x, y)
    except TypeError:  # operands NumPy cannot take: its own error, from np.power
        return np.power(x, y)
    if dt == np.float32 or dt == np.float16:
        return np.power(np.asarray(x, np.float64), np.asarray(y, np.float64)).astype(dt)
    return np.power(x, y)


class PowBackward0(Op):
    """``tensor ** number``."""

    op_name = "pow"
    formulas = {"self": "grad * exponent * self ** (exponent - 1)"}

    def forward(self, a: Tensor, exponent: Any) -> np.ndarray:
        self.save(self=a, exponent=exponent)
        x = a._data
        if x.dtype.kind == "f" and type(exponent) in _SPECIAL_EXPONENTS:
            special = _BY_MULTIPLY.get(exponent)
            if special is not None:
                if exponent > 0:
                    # A product: no division by zero nor invalid value to silence.
                    return special(x)
                with np.errstate(divide="ignore", invalid="ignore"):
                    return special(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            if x.dtype.kind != "f" and isinstance(exponent, float):
                x = x.astype(dtypes.default_float.np)
            elif x.dtype.kind == "b" and not isinstance(exponent, (bool, np.bool_)):
                x = x.astype(np.int64)  # an int exponent is of a higher category: Long
            r = _power(x, exponent)
        return r.astype(x.dtype, copy=False)

    def backward(self, g: Tensor) -> Tensor:
        e = self.saved("exponent")
        if e == 0:
            return g * 0.0
        return g * e * self.saved("self") ** (e - 1)


class PowBackward1(Op):
    """``tensor ** tensor``."""

    op_name = "pow"
    input_names = ("self", "exponent")
    saves_output = "result"
    formulas = {
        "self": "grad * exponent * self ** (exponent - 1)",
        "exponent": "grad * result * log(self)",
    }

    def forward(self, a: Tensor, b: Tensor) -> np.ndarray:
        self.save(self=a, exponent=b)
        x, y = _pair(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _binary(_power, x, y)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        na, nb = self.needs_input_grad
        a, b = self.saved("self"), self.saved("exponent")
        ga = g * b * a ** (b - 1) if na else None
        gb = None
        if nb:
            # d/db a**b = a**b * log(a); PyTorch defines it as 0 where a == 0 and b >= 0.
            safe = where(a == 0, ones_like(a), a)
            gb = g * self.saved("result") * log(safe)
        return ga, gb


class PowBackward2(Op):
    """``number ** tensor``: the base is an attribute, the exponent the only input."""

    op_name = "pow"
    input_names = ("exponent",)
    saves_output = "result"
    formulas = {"exponent": "grad * result * log(base)"}

    def forward(self, b: Tensor, base: Any) -> np.ndarray:
        self.save(self=base, exponent=b)
        x, y = _pair(wrap(base, b), b)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = _power(x, y)
        return r if r.dtype.kind == "f" or y.dtype.kind != "f" else r.astype(y.dtype)

    def backward(self, g: Tensor) -> Tensor:
        base = self.saved("self")
        base = base._data.item() if isinstance(base, Tensor) else base
        with np.errstate(divide="ignore"):
            return g * self.saved("result") * float(np.log(base))


def pow_(t: Tensor, exponent: Any) -> Tensor:
    if isinstance(exponent, Tensor):
        return inplace(t, PowBackward1, (exponent,), {}, "pow_")
    return inplace(t, PowBackward0, (), {"exponent": exponent}, "pow_")


@declare(
    "pow",
    nodes=(PowBackward0, PowBackward1, PowBackward2),
    operators=("__pow__", "__rpow__", "__ipow__"),
    inplace=pow_,
)
def pow(a: Any, exponent: Any) -> Tensor:  # noqa: A001
    if (
        type(exponent) in _SPECIAL_EXPONENTS
        and not OBSERVED
        and not (events.SINKS and not MODES.in_backward)
        and isinstance(a, Tensor)
        and not (MODES.enabled and a._rg)
        and a._data.dtype.kind == "f"
        and exponent in _SQUARE_CUBE
    ):
        # ``x ** 2`` and ``x ** 3`` with nothing to record or publish: the product itself.
        r = _BY_MULTIPLY[exponent](a._data)
        return Tensor._make(r if type(r) is np.ndarray else np.asarray(r), False, None, 0)
    if not isinstance(a, Tensor):
        return apply(PowBackward2, operands("pow", a, exponent, numbers=False)[1], base=a)
    if isinstance(exponent, Tensor):
        return apply(PowBackward1, a, exponent)
    return apply(PowBackward0, a, exponent=exponent)
