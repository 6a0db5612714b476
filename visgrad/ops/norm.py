"""Normalisation: ``batch_norm``, ``layer_norm`` and ``group_norm``, one native node each.

Each normalises over some axes (batch and spatial; the trailing ``normalized_shape``; each
group's channels and positions) and applies a per-channel or per-element affine. The backward
is one formula for all three, written with visgrad ops: with ``create_graph`` the mean and
inverse standard deviation are recomputed from the input so the second derivative sees them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import dtypes, events
from visgrad.arg_parser import int_list
from visgrad.autograd.grad_mode import MODES
from visgrad.ops import batch_norm_rows as rows_kernel
from visgrad.ops.base import Op, apply
from visgrad.ops.inplace import publish_update
from visgrad.ops.registry import declare
from visgrad.tensor import Size, Tensor

__all__ = ["batch_norm", "layer_norm"]

Ints = tuple[int, ...]


def _absent() -> Tensor:
    t = Tensor._make(np.empty(0, dtype=np.float32), False, None, 0)
    t._id = 0
    return t


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


def _stats(x: np.ndarray, axes: Ints, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, biased variance and 1/sqrt(var + eps) over ``axes`` (kept as size-1 dims), in
    float64: PyTorch's CPU kernels accumulate in double too."""
    x64 = x.astype(np.float64, copy=False)
    mean = x64.mean(axis=axes, keepdims=True)
    centred = x64 - mean
    var = np.mean(centred * centred, axis=axes, keepdims=True)
    return mean, var, 1.0 / np.sqrt(var + eps)


def _normalized_grad(
    g: Tensor, x: Tensor, mean: Tensor, invstd: Tensor, gamma: Tensor | None, axes: Ints
) -> tuple[Tensor, Tensor]:
    """dL/dx of ``(x - mean) * invstd * gamma`` with batch statistics, and ``x̂``."""
    xhat = (x - mean) * invstd
    gh = g if gamma is None else g * gamma
    gx = (gh - gh.mean(axes, keepdim=True) - xhat * (gh * xhat).mean(axes, keepdim=True)) * invstd
    return gx, xhat


def _channel_shape(ndim: int) -> tuple[int, ...]:
    return (1, -1) + (1,) * (ndim - 2)


class NativeBatchNormBackward0(Op):
    op_name = "native_batch_norm"
    input_names = ("input", "weight", "bias")
    formulas = {
        "input": "batch_norm_input_grad(grad, input, weight, eps, training, running_var)",
        "weight": "batch_norm_weight_grad(grad, input, eps, training, running_mean, running_var)",
        "bias": "sum_except(grad, 1)",
    }

    def forward(
        self,
        x: Tensor,
        w: Tensor,
        b: Tensor,
        running_mean: Tensor | None,
        running_var: Tensor | None,
        training: bool,
        momentum: float,
        eps: float,
    ) -> np.ndarray:
        xd = x._data
        axes = (0,) + tuple(range(2, xd.ndim))
        cshape = _channel_shape(xd.ndim)
        rows = rows_kernel.applies(xd, training)
        if rows:
            mean, var_sum, invstd = rows_kernel.stats(xd, eps)
            rows_kernel.update_running(
                *(None if t is None else t._data for t in (running_mean, running_var)),
                mean, var_sum, xd.shape[0], momentum,
            )  # fmt: skip
            _published(running_mean, running_var)
            save_mean, save_invstd = mean, invstd
        elif training:
            mean64, var, invstd64 = _stats(xd, axes, eps)
            _update_running(xd, mean64, var, running_mean, running_var, momentum)
            mean, invstd = mean64.astype(xd.dtype), invstd64.astype(xd.dtype)
            save_mean, save_invstd = mean.reshape(-1), invstd.reshape(-1)
        else:
            mean = running_mean._data.reshape(cshape).astype(xd.dtype, copy=False)
            rv = running_var._data.reshape(cshape).astype(xd.dtype, copy=False)
            invstd = (1.0 / np.sqrt(rv + xd.dtype.type(eps))).astype(xd.dtype, copy=False)
            save_mean = save_invstd = np.empty(0, dtype=xd.dtype)
        self.save(
            input=x,
            weight=w if w._data.size else None,
            running_mean=running_mean,
            running_var=running_var,
            training=training,
            eps=eps,
            result1=_const(save_mean.astype(xd.dtype, copy=False)),
            result2=_const(save_invstd.astype(xd.dtype, copy=False)),
        )
        if rows:
            return rows_kernel.forward(xd, mean, invstd, w._data, b._data)
        # PyTorch's form: one multiply-add per element, x·alpha + beta, per-channel alpha, beta.
        alpha = invstd * w._data.reshape(cshape) if w._data.size else invstd
        beta = -mean * alpha
        if b._data.size:
            beta = b._data.reshape(cshape) + beta
        return (xd * alpha + beta).astype(xd.dtype, copy=False)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        nx, nw, nb = self.needs_input_grad
        x, w = self.saved("input"), self.saved("weight")
        nd = x._data.ndim
        axes = (0,) + tuple(range(2, nd))
        cshape = _channel_shape(nd)
        gamma = w.reshape(cshape) if w is not None else None
        eps = self.saved("eps")
        if not MODES.enabled and rows_kernel.applies(x._data, self.saved("training")):
            gx_, gw_, gb_ = rows_kernel.backward(
                g._data,
                x._data,
                self.saved("result1")._data,
                self.saved("result2")._data,
                w._data if w is not None else np.empty(0, np.float32),
            )
            return (
                _const(gx_) if nx else None,
                _const(gw_) if nw else None,
                _const(gb_) if nb else None,
            )
        if self.saved("training"):
            if MODES.enabled:
                mean = x.mean(axes, keepdim=True)
                invstd = (((x - mean) ** 2).mean(axes, keepdim=True) + eps).rsqrt()
            else:
                mean = self.saved("result1").reshape(cshape)
                invstd = self.saved("result2").reshape(cshape)
            gx, xhat = _normalized_grad(g, x, mean, invstd, gamma, axes)
        else:
            rm, rv = self.saved("running_mean"), self.saved("running_var")
            invstd = (rv.reshape(cshape).to(x.dtype) + eps).rsqrt()
            xhat = (x - rm.reshape(cshape).to(x.dtype)) * invstd
            gx = g * invstd if gamma is None else g * (gamma * invstd)
        gw = (g * xhat).sum(axes) if nw else None
        gb = g.sum(axes) if nb else None
        return (gx if nx else None), gw, gb


def _update_running(
    x: np.ndarray,
    mean: np.ndarray,
    var: np.ndarray,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    momentum: float,
) -> None:
    """PyTorch's in-place update: the running variance takes the unbiased batch variance."""
    n = x.size // x.shape[1]
    for t, batch in ((running_mean, mean), (running_var, var * (n / max(n - 1, 1)))):
        if t is not None:
            r = t._data
            r[...] = momentum * batch.reshape(-1) + (1 - momentum) * r
    _published(running_mean, running_var)


def _published(*running: Tensor | None) -> None:
    """The running statistics changed in place: bump their versions, tell the debugger."""
    for t in running:
        if t is None:
            continue
        t._version.value += 1
        if events.SINKS:
            publish_update(t, "batch_norm", None, ())


def _c_name(d: np.dtype) -> str:
    return dtypes.from_numpy(d).tensor_type.removesuffix("Tensor")


def _check_param(x: np.ndarray, t: Tensor | None) -> None:
    if t is not None and t._data.dtype != x.dtype:
        raise RuntimeError(
            f"mixed dtype (CPU): expect parameter to have scalar type of {_c_name(x.dtype)}"
        )


def _check_floating(x: np.ndarray, kernel: str) -> None:
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_c_name(x.dtype)}'")


@declare("batch_norm", nodes=NativeBatchNormBackward0, torch=False, method=False, functional=True)
def batch_norm(
    input: Tensor,  # noqa: A002
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-05,
) -> Tensor:
    """Normalise each channel by the batch's (training) or the running (eval) statistics."""
    x = input._data
    if training:
        size = list(x.shape)
        prod = size[0] if size else 1
        for s in size[2:]:
            prod *= s
        if prod == 1:
            raise ValueError(
                "Expected more than 1 value per channel when training, got input size "
                f"{Size(size)!r}"
            )
    if x.size == 0:  # PyTorch returns before it checks anything else
        out = input.clone()
        out = out * weight[0] if weight is not None else out
        return out + bias[0] if bias is not None else out
    c = x.shape[1] if x.ndim > 1 else 0  # PyTorch reads a 1-D input's channels as 0
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):  # fmt: skip
        if t is None and not training and name.startswith("running"):
            raise RuntimeError(f"{name} must be defined in evaluation mode")
        if t is not None and t._data.size != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t._data.size}")
    _check_floating(x, "batch_norm")
    params = [t for t in (weight, bias, running_mean, running_var) if t is not None]
    # A half-precision input may come with float32 parameters (PyTorch's mixed-dtype path).
    if not (x.dtype == np.float16 and all(t._data.dtype == np.float32 for t in params)):
        for t in params:
            _check_param(x, t)
    return apply(
        NativeBatchNormBackward0,
        input,
        weight if weight is not None else _absent(),
        bias if bias is not None else _absent(),
        running_mean=running_mean,
        running_var=running_var,
        training=bool(training),
        momentum=float(momentum),
        eps=float(eps),
    )


class NativeLayerNormBackward0(Op):
    op_name = "native_layer_norm"
    input_names = ("input", "weight", "bias")
    formulas = {
        "input": "layer_norm_input_grad(grad, input, weight, normalized_shape, eps)",
        "weight": "layer_norm_weight_grad(grad, input, normalized_shape, eps)",
        "bias": "sum_leading(grad, normalized_shape)",
    }

    def forward(
        self, x: Tensor, w: Tensor, b: Tensor, normalized_shape: Ints, eps: float
    ) -> np.ndarray:
        xd = x._data
        k = len(normalized_shape)
        axes = tuple(range(xd.ndim - k, xd.ndim))
        mean64, _, rstd64 = _stats(xd, axes, eps)
        mean, rstd = mean64.astype(xd.dtype), rstd64.astype(xd.dtype)
        self.save(
            input=x,
            normalized_shape=normalized_shape,
            weight=w if w._data.size else None,
            bias=b if b._data.size else None,
            eps=eps,
            result1=_const(mean.astype(xd.dtype, copy=False)),
            result2=_const(rstd.astype(xd.dtype, copy=False)),
        )
        out = (xd - mean) * rstd
        if w._data.size:
            out = out * w._data
        if b._data.size:
            out = out + b._data
        # PyTorch's kernel writes a contiguous result whatever the input's layout; a transposed
        # output would make the next reshape a view where PyTorch copies (another graph).
        return np.ascontiguousarray(out, dtype=xd.dtype)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        nx, nw, nb = self.needs_input_grad
        x, w = self.saved("input"), self.saved("weight")
        nd, k = x._data.ndim, len(self.saved("normalized_shape"))
        axes = tuple(range(nd - k, nd))
        lead = tuple(range(nd - k))
        if MODES.enabled:
            mean = x.mean(axes, keepdim=True)
            rstd = (((x - mean) ** 2).mean(axes, keepdim=True) + self.saved("eps")).rsqrt()
        else:
            mean, rstd = self.saved("result1"), self.saved("result2")
        gx, xhat = _normalized_grad(g, x, mean, rstd, w, axes)
        gw = ((g * xhat).sum(lead) if lead else g * xhat) if nw else None
        gb = (g.sum(lead) if lead else g) if nb else None
        return (gx if nx else None), gw, gb


@declare("layer_norm", nodes=NativeLayerNormBackward0, method=False, functional=True)
def layer_norm(
    input: Tensor,  # noqa: A002
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-05,
) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dims, then scale and shift per element."""
    shape = int_list("layer_norm", "normalized_shape", normalized_shape, 2)
    x = input._data
    k = len(shape)
    if not k:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
            "one element, but got normalized_shape = []"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t._data.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(t._data.shape)} and normalized_shape = {list(shape)}"
            )
    if x.ndim < k or tuple(x.shape[x.ndim - k :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*{''.join(', ' + str(s) for s in shape)}], but got input of size{list(x.shape)}"
        )
    _check_floating(x, "LayerNormKernelImpl")
    for t in (weight, bias):
        _check_param(x, t)
    return apply(
        NativeLayerNormBackward0,
        input,
        weight if weight is not None else _absent(),
        bias if bias is not None else _absent(),
        normalized_shape=shape,
        eps=float(eps),
    )


@declare("batch_norm", nodes=NativeBatchNormBackward0, method=False)
def torch_batch_norm(
    input: Tensor,  # noqa: A002
    weight: Tensor | None,
    bias: Tensor | None,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    training: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool,
) -> Tensor:
    """``torch.batch_norm``: every argument given, the affine ones before the running ones."""
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError(
            f"running_{'mean' if running_mean is None else 'var'} must be defined in evaluation mode"
        )
    return batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
