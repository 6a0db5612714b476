"""Tensor methods about memory and Python callbacks: ``is_signed``, ``is_pinned``,
``share_memory_``, ``data_ptr``, ``dim_order``, ``to_dense``, ``sum_to_size``, ``mH``/``H``/
``adjoint``, and ``apply_`` / ``map_`` (a Python function over every element, in place)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from visgrad import events
from visgrad.arg_parser import spread_int_list
from visgrad.autograd.grad_mode import MODES
from visgrad.ops.inplace import publish_update
from visgrad.ops.registry import declare
from visgrad.ops.shape import reshape, transpose
from visgrad.tensor import Tensor


@declare("is_signed")
def is_signed(t: Tensor) -> bool:
    """Whether the dtype holds negative numbers (False for uint8 and bool)."""
    return t._data.dtype.kind in "fic"


@declare("is_pinned", torch=False)
def is_pinned(t: Tensor, device: Any = None) -> bool:
    """False: pinned (page-locked) memory is for GPU transfers."""
    return False


@declare("is_shared", torch=False)
def is_shared(t: Tensor) -> bool:
    """Whether ``share_memory_()`` was called (one process here: nothing is really shared)."""
    return bool(getattr(t, "_shared", False))


@declare("share_memory_", torch=False)
def share_memory_(t: Tensor) -> Tensor:
    """Mark ``t`` as shared with other processes (``torch.multiprocessing``); returns ``t``."""
    t._shared = True
    return t


@declare("data_ptr", torch=False)
def data_ptr(t: Tensor) -> int:
    """The address of the first element (equal for views that start at the same element)."""
    return int(t._data.__array_interface__["data"][0]) if t._data.size else 0


@declare("dim_order", torch=False)
def dim_order(t: Tensor, *, ambiguity_check: Any = False) -> tuple[int, ...]:
    """The dims from the outermost in memory to the innermost (by decreasing stride)."""
    strides = t._data.strides
    return tuple(sorted(range(t._data.ndim), key=lambda d: -strides[d]))


@declare("to_dense", torch=False)
def to_dense(t: Tensor, dtype: Any = None, *, masked_grad: Any = None) -> Tensor:
    """``t`` itself: every visgrad tensor is dense (a dtype, if given, converts)."""
    return t if dtype is None else t.to(dtype)


@declare("sum_to_size", torch=False)
def sum_to_size(t: Tensor, *size: Any) -> Tensor:
    """Sum ``t`` down to ``size``, which ``t`` must be broadcastable from (``sum_to``)."""
    shape = tuple(spread_int_list("sum_to_size", "size", size))
    full, lead = tuple(t._data.shape), t._data.ndim - len(shape)
    if lead < 0 or any(s not in (1, full[lead + i]) for i, s in enumerate(shape)):
        raise RuntimeError(
            f"size {{{list(shape)}}} is not expandable to size {{{list(t._data.shape)}}}."
        )
    if shape == full:
        return t
    dims = [*range(lead), *(lead + i for i, s in enumerate(shape) if s == 1)]
    dims = [d for d in dims if d < lead or t._data.shape[d] != 1]
    r = t.sum(tuple(dims), keepdim=True) if dims else t
    return reshape(r, shape) if r._data.shape != shape else r


@declare("mH", torch=False, property=True)
def mH(a: Tensor) -> Tensor:  # noqa: N802 - PyTorch's name
    """The conjugate transpose of the last two dims (for real tensors, ``mT``)."""
    if a._data.ndim < 2:
        raise RuntimeError(
            "tensor.mH is only supported on matrices or batches of matrices. "
            f"Got {a._data.ndim}-D tensor."
        )
    return transpose(a, -2, -1)


@declare("H", torch=False, property=True)
def H(a: Tensor) -> Tensor:  # noqa: N802 - PyTorch's name
    """The conjugate transpose of a matrix."""
    if a._data.ndim != 2:
        hint = " For batches of matrices, consider using tensor.mH" if a._data.ndim > 2 else ""
        raise RuntimeError(
            "tensor.H is only supported on matrices (2-D tensors). Got "
            f"{a._data.ndim}-D tensor.{hint}"
        )
    return transpose(a, 0, 1)


@declare("adjoint")
def adjoint(a: Tensor) -> Tensor:
    """``a.mH``."""
    return mH(a)


def _overwrite(t: Tensor, values: list[Any], op: str) -> Tensor:
    """Write the callback's results; as PyTorch's, this bypasses autograd: no version bump."""
    np.copyto(t._data, np.asarray(values).reshape(t._data.shape), casting="unsafe")
    if events.SINKS:
        publish_update(t, op)
    return t


def _callback_target(t: Tensor, op: str) -> None:
    if MODES.enabled and t.requires_grad:
        raise RuntimeError(
            f"Can't call {op}() on Variable that requires grad. Use var.detach().{op}() instead."
        )


@declare("apply_", torch=False)
def apply_(t: Tensor, callable: Callable[[Any], Any]) -> Tensor:  # noqa: A002 - PyTorch's name
    """Replace each element ``x`` by ``callable(x)`` (a Python number in, one out), in place."""
    _callback_target(t, "apply_")
    flat = [callable(x) for x in t._data.reshape(-1).tolist()]
    return _overwrite(t, flat, "apply_")


@declare("map_", torch=False)
def map_(t: Tensor, other: Tensor, callable: Callable[[Any, Any], Any]) -> Tensor:  # noqa: A002
    """Replace each ``x`` by ``callable(x, y)`` with ``y`` the matching element of ``other``."""
    _callback_target(t, "map_")
    ys = np.broadcast_to(other._data, t._data.shape).reshape(-1).tolist()
    flat = [callable(x, y) for x, y in zip(t._data.reshape(-1).tolist(), ys, strict=True)]
    return _overwrite(t, flat, "map_")
