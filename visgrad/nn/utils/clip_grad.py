"""Gradient clipping as PyTorch does it: one norm per gradient, then the norm of those norms.

The per-gradient norms are accumulated in float64 and rounded to the gradient's dtype (PyTorch
accumulates float32 in float32 in its own order, so the last bit may differ); the clip
coefficient ``max_norm / (total + 1e-6)``, clamped to 1, is then computed in that dtype as
PyTorch computes it. Each clipped gradient is published as an in-place update.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from visgrad.autograd.grad_mode import no_grad
from visgrad.nn._write import write_
from visgrad.ops.join import cat
from visgrad.tensor import Tensor

_NONFINITE = (
    "The total norm of order {} for gradients from `parameters` is non-finite, so it cannot be "
    "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
    "`error_if_nonfinite=False`"
)


def _as_list(tensors: Any) -> list[Tensor]:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _norm(a: np.ndarray, p: float) -> Any:
    """The ``p``-norm of ``a``'s elements, in ``a``'s dtype."""
    x = np.abs(a.astype(np.float64, copy=False)).reshape(-1)
    if p == math.inf:
        v = x.max() if x.size else 0.0
    elif p == -math.inf:
        v = x.min() if x.size else math.inf
    elif p == 0:
        v = float(np.count_nonzero(x))
    elif p == 1:
        v = x.sum()
    elif p == 2:
        v = math.sqrt(np.dot(x, x))
    else:
        v = np.sum(x**p) ** (1.0 / p)
    return a.dtype.type(v)


def get_total_norm(
    tensors: Any,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The ``norm_type`` norm of all ``tensors`` together (the norm of their norms)."""
    ts = _as_list(tensors)
    norm_type = float(norm_type)
    if not ts:
        return Tensor._make(np.array(0.0, np.float32), False, None, 0)
    norms = [_norm(t._data, norm_type) for t in ts]
    dtype = np.result_type(*[n.dtype for n in norms])
    total = _norm(np.array(norms, dtype=dtype), norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(_NONFINITE.format(norm_type))
    return Tensor._make(np.array(total), False, None, 0)


def _grads(parameters: Any) -> tuple[list[Any], list[Tensor]]:
    params = _as_list(parameters)
    return params, [p.grad for p in params if p.grad is not None]


def clip_grad_norm_(
    parameters: Any,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale the gradients so their total norm is at most ``max_norm``; returns the norm."""
    _, grads = _grads(parameters)
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    if not grads:
        return total
    t = total._data
    coef = np.minimum(float(max_norm) / (t + t.dtype.type(1e-6)), t.dtype.type(1.0))
    with no_grad(), np.errstate(invalid="ignore"):  # an infinite norm makes NaN, as in PyTorch
        for g in grads:
            write_(g, g._data * coef.astype(g._data.dtype), "mul_")
    return total


def clip_grad_norm(*args: Any, **kwargs: Any) -> Tensor:
    """Deprecated spelling of ``clip_grad_norm_``."""
    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
        "`torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(*args, **kwargs)


def clip_grad_value_(parameters: Any, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]``."""
    _, grads = _grads(parameters)
    c = float(clip_value)
    with no_grad():
        for g in grads:
            write_(g, np.clip(g._data, -c, c), "clamp_")


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and joined into one vector."""
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    offset = 0
    with no_grad():
        for p in parameters:
            n = p.numel()
            write_(p, vec._data[offset : offset + n].reshape(p._data.shape), "copy_")
            offset += n
