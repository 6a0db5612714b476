"""dtype conversion (ToCopyBackward0: ``to``, ``float()``, ``double()``, ...) and detach."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import _aliasing as aliasing
from visgrad import dtypes, events
from visgrad.ops.base import Op, apply
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor


class ToCopyBackward0(Op):
    op_name = "to"
    formulas = {"self": "grad.to(self.dtype)"}

    def forward(self, a: Tensor, dtype: np.dtype) -> np.ndarray:
        self._src = a._data.dtype
        return a._data.astype(dtype)

    def backward(self, g: Tensor) -> Tensor:
        return to(g, self._src)


@declare("to", nodes=ToCopyBackward0, torch=False)
def to(a: Tensor, *args: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
    """``t.to(dtype)``; ``"cpu"`` is accepted, other devices raise (visgrad is CPU-only)."""
    from visgrad._device import CPU_ONLY

    dev = kwargs.get("device")
    for x in (*args, dev):
        name = getattr(x, "type", x) if not isinstance(x, (str, Tensor)) else x
        if isinstance(name, str) and name.split(":")[0] in ("cuda", "mps", "xpu", "hip"):
            raise AssertionError(CPU_ONLY)
    for x in args:
        if isinstance(x, (dtypes.dtype, np.dtype)) or (
            isinstance(x, type) and x in (float, int, bool)
        ):
            dtype = x
        elif isinstance(x, str) and x.split(":")[0] not in ("cpu", "cuda", "mps", "meta"):
            dtype = x  # a dtype name, as Tensor.float() and friends pass it
        elif isinstance(x, Tensor):
            dtype = x.dtype
    np_dtype = dtypes.to_np(dtype)
    if np_dtype is None or np_dtype == a._data.dtype:
        return a
    return apply(ToCopyBackward0, a, dtype=np_dtype)


@declare("detach")
def detach(a: Tensor) -> Tensor:
    """A new leaf sharing storage and the version counter, with no history."""
    t = Tensor._make(a._data, False, None, 0)
    t._version = a._version
    if events.SINKS:
        aliasing.register(a, t)
        t._announce("detach", a)
    return t


@declare("detach_")
def detach_(a: Tensor) -> Tensor:
    a._fn = None
    a._rg = False
    return a


@declare("float", torch=False)
def float_(a: Tensor) -> Tensor:
    return to(a, "float32")


@declare("double", torch=False)
def double(a: Tensor) -> Tensor:
    return to(a, "float64")


@declare("half", torch=False)
def half(a: Tensor) -> Tensor:
    return to(a, "float16")


@declare("long", torch=False)
def long(a: Tensor) -> Tensor:
    return to(a, "int64")


@declare("int", torch=False)
def int_(a: Tensor) -> Tensor:
    return to(a, "int32")


@declare("bool", torch=False)
def bool_(a: Tensor) -> Tensor:
    return to(a, "bool")


@declare("type_as", torch=False)
def type_as(a: Tensor, other: Tensor) -> Tensor:
    return to(a, other.dtype)


@declare("cpu", torch=False)
def cpu(a: Tensor) -> Tensor:
    """visgrad is CPU-only: the tensor itself."""
    return a
