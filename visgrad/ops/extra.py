"""More elementwise math: rsqrt, exp2, log2, rounding, clamp_min / clamp_max, nan_to_num,
masked_fill and logsumexp (the predicates such as isnan are in ``predicates``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.autograd import errors
from visgrad.ops import power
from visgrad.ops.base import Op, apply, wrap
from visgrad.ops.inplace import inplace
from visgrad.ops.operand_arrays import _binary, _pair
from visgrad.ops.operand_checks import broadcast_checked, no_bool_kernel, scalar_bound
from visgrad.ops.pointwise import _correctly_rounded
from visgrad.ops.reduce import expand_back, kept_shape, norm_dims
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

_LN2 = math.log(2.0)


def _const(x: np.ndarray) -> Tensor:
    return Tensor._make(x, False, None, 0)


# -- math functions -------------------------------------------------------------------------------
class RsqrtBackward0(Op):
    op_name = "rsqrt"
    saves_output = "result"
    formulas = {"self": "-0.5 * grad * result.pow(3)"}

    def forward(self, a: Tensor) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1.0 / np.sqrt(dtypes.as_floating(a._data))

    def backward(self, g: Tensor) -> Tensor:
        return -0.5 * g * self.saved("result") ** 3


class Exp2Backward0(Op):
    op_name = "exp2"
    saves_output = "result"
    formulas = {"self": "grad * result * M_LN2"}

    def forward(self, a: Tensor) -> np.ndarray:
        with np.errstate(over="ignore"):
            return np.exp2(dtypes.as_floating(a._data))

    def backward(self, g: Tensor) -> Tensor:
        return g * self.saved("result") * _LN2


class Log2Backward0(Op):
    op_name = "log2"
    formulas = {"self": "grad / (self * M_LN2)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _correctly_rounded(np.log2, dtypes.as_floating(a._data))

    def backward(self, g: Tensor) -> Tensor:
        return g / (self.saved("self") * _LN2)


class RoundBackward0(Op):
    """Rounding is flat almost everywhere: the gradient is zero (as in PyTorch)."""

    op_name = "round"
    formulas = {"self": "zeros_like(grad)"}
    _np = staticmethod(np.round)

    def forward(self, a: Tensor) -> np.ndarray:
        x = no_bool_kernel(a, f"{self.op_name}_vml_cpu")._data
        return x.copy() if x.dtype.kind != "f" else self._np(x)

    def backward(self, g: Tensor) -> Tensor:
        return g * 0.0


class RoundBackward1(RoundBackward0):
    """``round(decimals=n)``."""

    def forward(self, a: Tensor, decimals: int) -> np.ndarray:
        self.save(decimals=decimals)
        x = a._data
        if x.dtype.kind != "f":
            return x.copy()
        # PyTorch's formula, in the tensor's dtype: a power of ten it cannot hold gives nan.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            ten = np.asarray(10.0, x.dtype) ** np.asarray(min(abs(decimals), 400), x.dtype)
            if decimals > 0:
                return np.rint(x * ten) / ten
            return np.rint(x / ten) * ten


class FloorBackward0(RoundBackward0):
    op_name = "floor"
    _np = staticmethod(np.floor)


class CeilBackward0(RoundBackward0):
    op_name = "ceil"
    _np = staticmethod(np.ceil)


class ClampMinBackward0(Op):
    op_name = "clamp_min"
    formulas = {"self": "where(self >= min, grad, 0)"}

    def forward(self, a: Tensor, min: Any) -> np.ndarray:  # noqa: A002
        self.save(self=a, min=min)
        x = a._data
        r = np.maximum(x, min)
        return r if x.dtype.kind != "f" else r.astype(x.dtype, copy=False)

    def backward(self, g: Tensor) -> Tensor:
        return g * _const(self.saved("self")._data >= self.saved("min"))


class ClampMaxBackward0(Op):
    op_name = "clamp_max"
    formulas = {"self": "where(self <= max, grad, 0)"}

    def forward(self, a: Tensor, max: Any) -> np.ndarray:  # noqa: A002
        self.save(self=a, max=max)
        x = a._data
        r = np.minimum(x, max)
        return r if x.dtype.kind != "f" else r.astype(x.dtype, copy=False)

    def backward(self, g: Tensor) -> Tensor:
        return g * _const(self.saved("self")._data <= self.saved("max"))


class ClampMinBackward1(Op):
    """``clamp_min(self, min)`` with a tensor bound: the bound gets the clipped gradient."""

    op_name = "clamp_min"
    input_names = ("self", "min")
    formulas = {"self": "where(self >= min, grad, 0)", "min": "where(self < min, grad, 0)"}
    _keep = staticmethod(np.greater_equal)
    _np = staticmethod(np.maximum)

    def forward(self, a: Tensor, bound: Tensor) -> np.ndarray:
        self.save(self=a, bound=bound)
        x, y = _pair(a, bound)
        return _binary(self._np, x, y)

    def backward(self, g: Tensor) -> tuple[Tensor, Tensor]:
        x, y = _pair(self.saved("self"), self.saved("bound"))
        keep = self._keep(x, y)
        return g * _const(keep), g * _const(~keep)


class ClampMaxBackward1(ClampMinBackward1):
    op_name = "clamp_max"
    input_names = ("self", "max")
    formulas = {"self": "where(self <= max, grad, 0)", "max": "where(self > max, grad, 0)"}
    _keep = staticmethod(np.less_equal)
    _np = staticmethod(np.minimum)


class NanToNumBackward0(Op):
    op_name = "nan_to_num"
    formulas = {"self": "grad * isfinite(self)"}

    def forward(self, a: Tensor, nan: float, posinf: Any, neginf: Any) -> np.ndarray:
        self.save(self=a)
        x = a._data
        if x.dtype.kind != "f":
            return x.copy()
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, g: Tensor) -> Tensor:
        return g * _const(np.isfinite(self.saved("self")._data))


# C type names, as PyTorch's mask error prints them.
_C_NAMES = {
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
}


class MaskedFillBackward0(Op):
    """``masked_fill(mask, value)`` with a number: filled places get no gradient."""

    op_name = "masked_fill"
    formulas = {"self": "grad.masked_fill(mask, 0)"}

    def forward(self, a: Tensor, mask: Tensor, value: Any) -> np.ndarray:
        m = mask._data
        if m.dtype != np.bool_:
            raise RuntimeError(
                "masked_fill_ only supports boolean masks, but got mask with dtype "
                f"{_C_NAMES.get(m.dtype.name, m.dtype.name)}"
            )
        self.save(mask=mask)
        x = a._data
        try:
            return np.where(m, np.asarray(value).astype(x.dtype), x)
        except ValueError:
            raise RuntimeError(errors.broadcast(m.shape, x.shape)) from None

    def backward(self, g: Tensor) -> Tensor:
        return masked_fill(g, self.saved("mask"), 0)


class LogsumexpBackward0(Op):
    op_name = "logsumexp"
    saves_output = "result"
    formulas = {
        "self": "grad.restore_dims(dim, keepdim, self.ndim) * exp(self - result.restore_dims(dim, keepdim, self.ndim))"
    }

    def forward(self, a: Tensor, dim: tuple[int, ...], keepdim: bool) -> np.ndarray:
        x = dtypes.as_floating(a._data)
        self.save(self=a, dim=dim, keepdim=keepdim)
        self._dims, self._keep = dim, keepdim
        if x.size == 0:
            return np.log(np.sum(np.exp(x), axis=dim, keepdims=keepdim))
        # Shift by the max so exp never overflows; an infinite max must not become inf - inf.
        m = np.max(x, axis=dim, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        with np.errstate(divide="ignore"):
            r = np.log(np.sum(np.exp(x - m), axis=dim, keepdims=True)) + m
        return r if keepdim else r.reshape([s for i, s in enumerate(x.shape) if i not in dim])

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        shape = x._data.shape
        r = self.saved("result").reshape(kept_shape(shape, self._dims))
        g = expand_back(g, shape, self._dims, self._keep)
        return g * (x - r).exp()


# -- functions --------------------------------------------------------------------------------------
def square_(t: Tensor) -> Tensor:
    return power.pow_(t, 2)


@declare("square", inplace=square_, torch_inplace=True)
def square(a: Tensor) -> Tensor:
    """``a * a``, recorded as ``pow(a, 2)`` (PowBackward0), as in PyTorch."""
    if a._data.dtype == np.bool_:
        a = wrap(a._data.astype(np.int64))
    return power.pow(a, 2)


@declare("rsqrt", nodes=RsqrtBackward0, inplace=True, torch_inplace=True)
def rsqrt(a: Tensor) -> Tensor:
    return apply(RsqrtBackward0, a)


@declare("exp2", nodes=Exp2Backward0, inplace=True, torch_inplace=True)
def exp2(a: Tensor) -> Tensor:
    return apply(Exp2Backward0, a)


@declare("log2", nodes=Log2Backward0, inplace=True, torch_inplace=True)
def log2(a: Tensor) -> Tensor:
    return apply(Log2Backward0, a)


def round_(t: Tensor, *, decimals: int = 0) -> Tensor:
    if decimals:
        return inplace(t, RoundBackward1, (), {"decimals": int(decimals)}, "round_")
    return inplace(t, RoundBackward0, (), {}, "round_")


@declare("round", nodes=(RoundBackward0, RoundBackward1), inplace=round_, torch_inplace=True)
def round(a: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001
    if decimals:
        return apply(RoundBackward1, a, decimals=int(decimals))
    return apply(RoundBackward0, a)


@declare("floor", nodes=FloorBackward0, inplace=True, torch_inplace=True)
def floor(a: Tensor) -> Tensor:
    return apply(FloorBackward0, a)


@declare("ceil", nodes=CeilBackward0, inplace=True, torch_inplace=True)
def ceil(a: Tensor) -> Tensor:
    return apply(CeilBackward0, a)


def clamp_min_(t: Tensor, min: Any) -> Tensor:  # noqa: A002
    if not isinstance(min, Tensor):
        scalar_bound("clamp_min_", t, min)
    if isinstance(min, Tensor):
        return inplace(t, ClampMinBackward1, (min,), {}, "clamp_min_")
    return inplace(t, ClampMinBackward0, (), {"min": min}, "clamp_min_")


@declare(
    "clamp_min",
    nodes=(ClampMinBackward0, ClampMinBackward1),
    inplace=clamp_min_,
    torch_inplace=True,
)
def clamp_min(a: Tensor, min: Any) -> Tensor:  # noqa: A002
    if isinstance(min, Tensor):
        return apply(ClampMinBackward1, a, min)
    scalar_bound("clamp_min", a, min, cast=False)
    if a._data.dtype.kind != "f" and isinstance(min, float):
        a = wrap(a._data.astype(dtypes.default_float.np))
    return apply(ClampMinBackward0, a, min=min)


def clamp_max_(t: Tensor, max: Any) -> Tensor:  # noqa: A002
    if not isinstance(max, Tensor):
        scalar_bound("clamp_max_", t, max)
    if isinstance(max, Tensor):
        return inplace(t, ClampMaxBackward1, (max,), {}, "clamp_max_")
    return inplace(t, ClampMaxBackward0, (), {"max": max}, "clamp_max_")


@declare(
    "clamp_max",
    nodes=(ClampMaxBackward0, ClampMaxBackward1),
    inplace=clamp_max_,
    torch_inplace=True,
)
def clamp_max(a: Tensor, max: Any) -> Tensor:  # noqa: A002
    if isinstance(max, Tensor):
        return apply(ClampMaxBackward1, a, max)
    scalar_bound("clamp_max", a, max, cast=False)
    if a._data.dtype.kind != "f" and isinstance(max, float):
        a = wrap(a._data.astype(dtypes.default_float.np))
    return apply(ClampMaxBackward0, a, max=max)


def nan_to_num_(
    t: Tensor, nan: float | None = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Tensor:
    attrs = {"nan": 0.0 if nan is None else nan, "posinf": posinf, "neginf": neginf}
    return inplace(t, NanToNumBackward0, (), attrs, "nan_to_num_")


@declare("nan_to_num", nodes=NanToNumBackward0, inplace=nan_to_num_, torch_inplace=True)
def nan_to_num(
    a: Tensor, nan: float | None = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Tensor:
    """NaN → ``nan``, ±Inf → ``posinf`` / ``neginf`` (default: the dtype's largest finite)."""
    nan = 0.0 if nan is None else nan  # PyTorch's None: zero, as when not given
    return apply(NanToNumBackward0, a, nan=nan, posinf=posinf, neginf=neginf)


def _fill_value(value: Any) -> Any:
    """A masked fill's value: a number, or a 0-d tensor's number (PyTorch's check)."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        return value._data.item()
    return value


def masked_fill_(t: Tensor, mask: Tensor, value: Any) -> Tensor:
    value = _fill_value(value)
    if isinstance(mask, Tensor) and mask._data.dtype == np.bool_:  # in place: dtype, then
        broadcast_checked(t._data.shape, mask._data.shape)  # self's shape with the mask's
    return inplace(t, MaskedFillBackward0, (), {"mask": mask, "value": value}, "masked_fill_")


@declare("masked_fill", nodes=MaskedFillBackward0, inplace=masked_fill_)
def masked_fill(a: Tensor, mask: Tensor, value: Any) -> Tensor:
    value = _fill_value(value)
    if isinstance(mask, Tensor):  # out of place, the mask's shape with self's, first
        broadcast_checked(mask._data.shape, a._data.shape)
    return apply(MaskedFillBackward0, a, mask=mask, value=value)


@declare("logsumexp", nodes=LogsumexpBackward0)
def logsumexp(a: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(a), dim))`` computed without overflow."""
    x = a._data
    if isinstance(dim, (tuple, list)) and not dim and not keepdim and x.ndim and x.size:
        # ATen reduces every dim keeping them, then fails to write that into its 0-d result
        shape = [1] * x.ndim
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape {shape}")
    return apply(LogsumexpBackward0, a, dim=norm_dims(dim, x.ndim), keepdim=keepdim)
