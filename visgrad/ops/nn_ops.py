"""Neural-network ops with ``torch.nn.functional``'s names and signatures.

softmax / log_softmax, linear / addmm, leaky_relu, gelu, and the losses of ``ops.loss`` (mse,
nll, binary cross-entropy). Cross-entropy is in ``ops.cross_entropy_loss``.
``visgrad.nn.functional`` re-exports these.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from visgrad import _threads as threads
from visgrad.autograd.grad_mode import MODES
from visgrad.ops._normal import cdf_and_density
from visgrad.ops.addmm_checks import check_addmm
from visgrad.ops.base import Op, apply, wrap
from visgrad.ops.dropout import dropout
from visgrad.ops.inplace import inplace as run_inplace
from visgrad.ops.linalg import _strides, mat1_grad, mat2_grad, matmul
from visgrad.ops.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    mse_loss,
    nll_loss,
)
from visgrad.ops.matrix_dtypes import dtype_mismatch
from visgrad.ops.registry import declare
from visgrad.ops.softmax_kernel import log_softmax_forward, softmax_forward
from visgrad.tensor import Tensor, _dim

__all__ = [
    "addmm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "dropout",
    "gelu",
    "leaky_relu",
    "linear",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "softmax",
]


def _const(x: np.ndarray) -> Tensor:
    return Tensor._make(x, False, None, 0)


def _floating_input(a: Tensor) -> np.ndarray:
    return a._data if a._data.dtype.kind == "f" else a._data.astype(np.float32)


# -- softmax ------------------------------------------------------------------------------------------
def _softmax_dim(name: str, ndim: int, dim: int | None, stacklevel: int) -> int:
    if dim is None:
        warnings.warn(
            f"Implicit dimension choice for {name} has been deprecated. Change the call to "
            "include dim=X as an argument.",
            UserWarning,
            stacklevel=stacklevel,
        )
        return 0 if ndim in (0, 1, 3) else 1
    return _dim(dim, ndim)


class SoftmaxBackward0(Op):
    op_name = "softmax"
    saves_output = "result"
    formulas = {"self": "result * (grad - (grad * result).sum(dim, keepdim=True))"}

    def forward(self, a: Tensor, dim: int) -> np.ndarray:
        self.save(dim=dim)
        return softmax_forward(_floating_input(a), dim, threads.get_num_threads())

    def backward(self, g: Tensor) -> Tensor:
        r, dim = self.saved("result"), self.saved("dim")
        return r * (g - (g * r).sum(dim, keepdim=True))


class LogSoftmaxBackward0(Op):
    op_name = "log_softmax"
    saves_output = "result"
    formulas = {"self": "grad - exp(result) * grad.sum(dim, keepdim=True)"}

    def forward(self, a: Tensor, dim: int) -> np.ndarray:
        self.save(dim=dim)
        return log_softmax_forward(_floating_input(a), dim)

    def backward(self, g: Tensor) -> Tensor:
        r, dim = self.saved("result"), self.saved("dim")
        return g - r.exp() * g.sum(dim, keepdim=True)


@declare("softmax", nodes=SoftmaxBackward0, torch=False, method=False, functional=True)
def softmax(
    input: Tensor,
    dim: int | None = None,
    _stacklevel: int = 3,  # noqa: A002
    dtype: Any = None,
) -> Tensor:
    """``exp(x) / exp(x).sum(dim)``, computed stably."""
    if dtype is not None:
        input = input.to(dtype)
    d = _softmax_dim("softmax", input._data.ndim, dim, _stacklevel + 2)  # the gate, axis=
    return apply(SoftmaxBackward0, input, dim=d)


@declare("log_softmax", nodes=LogSoftmaxBackward0, torch=False, method=False, functional=True)
def log_softmax(
    input: Tensor,
    dim: int | None = None,
    _stacklevel: int = 3,  # noqa: A002
    dtype: Any = None,
) -> Tensor:
    """``log(softmax(x))`` without the overflow of computing it in two steps."""
    if dtype is not None:
        input = input.to(dtype)
    d = _softmax_dim("log_softmax", input._data.ndim, dim, _stacklevel + 2)
    return apply(LogSoftmaxBackward0, input, dim=d)


@declare("softmax", nodes=SoftmaxBackward0)
def softmax_method(a: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """``t.softmax(dim)`` and ``torch.softmax``: ``dim`` is required."""
    return softmax(a, dim, dtype=dtype)


@declare("log_softmax", nodes=LogSoftmaxBackward0)
def log_softmax_method(a: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """``t.log_softmax(dim)`` and ``torch.log_softmax``: ``dim`` is required."""
    return log_softmax(a, dim, dtype=dtype)


# -- linear ---------------------------------------------------------------------------------------
class AddmmBackward0(Op):
    op_name = "addmm"
    input_names = ("self", "mat1", "mat2")
    formulas = {
        "self": "beta * grad",
        "mat1": "alpha * grad @ mat2.t()",
        "mat2": "alpha * mat1.t() @ grad",
    }

    def forward(self, bias: Tensor, m1: Tensor, m2: Tensor, beta: Any = 1, alpha: Any = 1) -> Any:
        x, y, b = m1._data, m2._data, bias._data
        check_addmm(b, x, y)
        self.save(
            mat1=m1,
            mat2=m2,
            alpha=alpha,
            beta=beta,
            mat1_sym_sizes=x.shape,
            mat1_sym_strides=_strides(x),
            mat2_sym_sizes=y.shape,
            mat2_sym_strides=_strides(y),
        )
        prod = x @ y
        out = (prod if alpha == 1 else alpha * prod) + (b if beta == 1 else beta * b)
        return out.astype(np.result_type(x, y), copy=False)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        nb, n1, n2 = self.needs_input_grad
        alpha, beta = self.saved("alpha"), self.saved("beta")
        ga = g if beta == 1 else g * beta
        m1, m2 = self.saved("mat1"), self.saved("mat2")
        g1 = mat1_grad(g, m1, m2) if n1 else None
        g2 = mat2_grad(g, m1, m2) if n2 else None
        if alpha != 1:
            g1 = g1 * alpha if g1 is not None else None
            g2 = g2 * alpha if g2 is not None else None
        return (ga if nb else None), g1, g2


def _scalar(v: Any) -> Any:
    """A Scalar argument given as a one-element tensor, as the number it holds."""
    return v.item() if isinstance(v, Tensor) else v


def addmm_(t: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    scalars = {"beta": _scalar(beta), "alpha": _scalar(alpha)}
    return run_inplace(t, AddmmBackward0, (mat1, mat2), scalars, "addmm_")


@declare("addmm", nodes=AddmmBackward0, inplace=addmm_)
def addmm(
    input: Tensor,
    mat1: Tensor,
    mat2: Tensor,
    *,
    beta: Any = 1,  # noqa: A002
    alpha: Any = 1,
) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)`` in one node."""
    beta, alpha = _scalar(beta), _scalar(alpha)
    return apply(AddmmBackward0, wrap(input, mat1), mat1, mat2, beta=beta, alpha=alpha)


@declare("linear", nodes=AddmmBackward0, torch=False, method=False, functional=True)
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """``input @ weight.T + bias`` with PyTorch's node layout (AddmmBackward0 when biased)."""
    if bias is None:
        if input._data.dtype != weight._data.dtype:  # matmul's check (addmm's, with a bias)
            dtype_mismatch("mm", input, weight)
        return matmul(input, weight.t())
    x, w = input._data, weight._data
    if not (x.ndim and w.ndim):
        raise RuntimeError(
            f"both arguments to linear need to be at least 1D, but they are {x.ndim}D and {w.ndim}D"
        )
    if x.ndim == 2:
        return addmm(bias, input, weight.t())
    if x.ndim > 2 and not x.flags.c_contiguous:  # PyTorch: matmul, then the bias added in place
        return matmul(input, weight.t()).add_(bias)
    # Other ranks are flattened to a matrix, multiplied, and viewed back (ViewBackward0 nodes).
    lead = x.shape[:-1]
    flat = input.reshape(-1, x.shape[-1]) if x.ndim != 1 else input.view(1, x.shape[0])
    out = addmm(bias, flat, weight.t())
    return out.view(*lead, weight._data.shape[0])


# -- activations ----------------------------------------------------------------------------------
class LeakyReluBackward0(Op):
    op_name = "leaky_relu"
    formulas = {"self": "grad * where(self > 0, 1, negative_slope)"}

    def forward(self, a: Tensor, negative_slope: float) -> np.ndarray:
        self.save(self=a, negative_slope=negative_slope)
        x = a._data
        return np.where(x > 0, x, x * negative_slope).astype(x.dtype, copy=False)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")._data
        slope = np.where(x > 0, 1.0, self.saved("negative_slope")).astype(g._data.dtype)
        return g * _const(slope)


class LeakyReluBackward1(Op):
    """``leaky_relu`` in place: the result is saved (its sign is the input's)."""

    op_name = "leaky_relu_"
    saves_output = "result"
    formulas = {"self": "where(result > 0, grad, grad * negative_slope)"}

    def forward(self, a: Tensor, negative_slope: float) -> np.ndarray:
        self.save(negative_slope=negative_slope)
        x = a._data
        return np.where(x > 0, x, x * negative_slope).astype(x.dtype, copy=False)

    def backward(self, g: Tensor) -> Tensor:
        r = self.saved("result")._data
        slope = np.where(r > 0, 1.0, self.saved("negative_slope")).astype(g._data.dtype)
        return g * _const(slope)


@declare(
    "leaky_relu",
    nodes=(LeakyReluBackward0, LeakyReluBackward1),
    torch=False,
    method=False,
    functional=True,
)
def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x`` where positive, ``negative_slope * x`` elsewhere (the slope also at 0)."""
    if inplace:
        return leaky_relu_(input, negative_slope)
    return apply(LeakyReluBackward0, input, negative_slope=negative_slope)


@declare("leaky_relu_", torch=False, method=False, functional=True)
def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:  # noqa: A002
    """``leaky_relu`` written into ``input``."""
    return run_inplace(
        input, LeakyReluBackward1, (), {"negative_slope": negative_slope}, "leaky_relu_"
    )


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def _gelu_parts(x: np.ndarray, approximate: str) -> tuple[np.ndarray, np.ndarray]:
    """(gelu(x), gelu'(x)) in x's own dtype, by PyTorch's CPU formulas."""
    t = x.dtype.type
    if approximate == "tanh":
        inner = t(_SQRT_2_OVER_PI) * (x + t(0.044715) * x * x * x)
        th = np.tanh(inner)
        value = t(0.5) * x * (t(1) + th)
        slope = t(0.5) * (t(1) + th) + t(0.5) * x * (t(1) - th * th) * t(_SQRT_2_OVER_PI) * (
            t(1) + t(3 * 0.044715) * x * x
        )
        return value, slope
    cdf, pdf = cdf_and_density(x)
    pdf *= x
    pdf += cdf
    cdf *= x
    return cdf.astype(x.dtype, copy=False), pdf.astype(x.dtype, copy=False)


_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


class GeluBackward0(Op):
    op_name = "gelu"
    formulas = {
        "self": (
            "grad * (0.5 * (1 + tanh(sqrt(2 / pi) * (self + 0.044715 * self**3))) + 0.5 * self "
            "* (1 - tanh(sqrt(2 / pi) * (self + 0.044715 * self**3)) ** 2) * sqrt(2 / pi) * (1 + 3 * 0.044715 "
            '* self**2) if approximate == "tanh" else 0.5 * (1 + erf(self / sqrt(2))) + self '
            "* exp(-0.5 * self * self) / sqrt(2 * pi))"
        )
    }

    def forward(self, a: Tensor, approximate: str) -> np.ndarray:
        self.save(self=a, approximate=approximate)
        x = a._data if a._data.dtype.kind == "f" else a._data.astype(np.float32)
        value, slope = _gelu_parts(x, approximate)
        if approximate != "tanh" and x.dtype == np.float32 and x.size > 1 and x.flags.c_contiguous:
            # ATen's vectorized float erf loop (a contiguous input of 2 or more elements) gives
            # NaN at +inf, where its scalar loop (one element, or a strided input) gives +inf.
            value[np.isposinf(x)] = np.nan
        if self._saved is not None:
            # The derivative comes out of the same erf / exp as the value: kept for backward
            # (PyTorch recomputes it; the erf is most of this op's cost).
            self._slope = slope
        return value

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        approximate = self.saved("approximate")
        if MODES.enabled:
            return apply(GeluBackwardBackward0, g, x, approximate=approximate)
        slope = self.__dict__.get("_slope")
        if slope is None:
            slope = _gelu_parts(x._data.astype(g._data.dtype), approximate)[1]
        return _const((g._data * slope).astype(g._data.dtype, copy=False))


class GeluBackwardBackward0(Op):
    """``grad * gelu'(self)`` as a recorded op (``create_graph``): its own derivative is
    ``gelu'(self)`` for the gradient and ``grad * gelu''(self)`` for the input."""

    op_name = "gelu_backward"
    input_names = ("grad_output", "self")
    formulas = {
        "grad_output": "grad * gelu_slope(self, approximate)",
        "self": "grad * grad_output * gelu_curvature(self, approximate)",
    }

    def forward(self, g: Tensor, a: Tensor, approximate: str) -> np.ndarray:
        self.save(grad_output=g, self=a, approximate=approximate)
        x = a._data.astype(g._data.dtype, copy=False)
        return g._data * _gelu_parts(x, approximate)[1]

    def backward(self, gg: Tensor) -> tuple[Tensor | None, Tensor | None]:
        g, a = self.saved("grad_output"), self.saved("self")
        approximate = self.saved("approximate")
        x = a._data.astype(np.float64)
        slope = _gelu_parts(x, approximate)[1]
        if approximate == "tanh":
            k = _SQRT_2_OVER_PI
            th = np.tanh(k * (x + 0.044715 * x**3))
            dinner = k * (1 + 3 * 0.044715 * x * x)
            sech2 = 1 - th * th
            curve = sech2 * dinner + 0.5 * x * (
                -2 * th * sech2 * dinner * dinner + sech2 * k * 6 * 0.044715 * x
            )
        else:
            curve = np.exp(-0.5 * x * x) * _INV_SQRT_2PI * (2 - x * x)
        dt = gg._data.dtype
        return gg * _const(slope.astype(dt)), gg * g * _const(curve.astype(dt))


@declare(
    "gelu", nodes=(GeluBackward0, GeluBackwardBackward0), torch=False, method=False, functional=True
)
def gelu(input: Tensor, approximate: str = "none") -> Tensor:  # noqa: A002
    """Gaussian error linear unit, exact (erf) or with ``approximate='tanh'``."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return apply(GeluBackward0, input, approximate=approximate)
