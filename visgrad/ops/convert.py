"""dtype conversion (ToCopyBackward0: ``to``, ``float()``, ``double()``, ...) and detach."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import _aliasing as aliasing
from visgrad import _layout, dtypes, events
from visgrad._device import CPU_ONLY, device
from visgrad.arg_parser import invalid_combination
from visgrad.autograd import inference
from visgrad.autograd.grad_mode import no_grad
from visgrad.ops.base import Op, apply
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor


class ToCopyBackward0(Op):
    op_name = "to"
    formulas = {"self": "grad.to(self.dtype)"}

    def forward(
        self, a: Tensor, dtype: np.dtype, memory_format: str = "preserve_format"
    ) -> np.ndarray:
        self._src = a._data.dtype
        out = a._data.astype(dtype)
        if memory_format == "preserve_format":
            return out
        return _layout.laid_out(out, _layout.BY_NAME[memory_format])

    def backward(self, g: Tensor) -> Tensor:
        return to(g, self._src)


@declare("to", nodes=ToCopyBackward0, torch=False)
def to(a: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """``t.to(dtype)``, ``t.to(other)``, ``t.to(device[, dtype])``; a device other than the CPU
    raises (visgrad is CPU-only). A float or int result of a non-float conversion
    (``t.long()``) has no history, as in PyTorch."""
    np_dtype = dtypes.to_np(_target_dtype(args, kwargs))
    fmt = _layout.checked("to", kwargs.get("memory_format", _layout.preserve_format),
                          a._data.ndim)  # fmt: skip
    relaid = fmt is not _layout.preserve_format and not _layout.is_in(a._data, fmt)
    if (np_dtype is None or np_dtype == a._data.dtype) and not relaid:
        return a
    target = a._data.dtype if np_dtype is None else np_dtype
    if target.kind not in "fc":
        with no_grad():
            return apply(ToCopyBackward0, a, dtype=target, memory_format=fmt.name)
    return apply(ToCopyBackward0, a, dtype=target, memory_format=fmt.name)


_TO_KEYWORDS = frozenset({"device", "dtype", "non_blocking", "copy", "memory_format"})


def _is_dtype(x: Any) -> bool:
    """A dtype, a Python number type or (in our own code) a NumPy one."""
    if isinstance(x, (dtypes.dtype, np.dtype)):
        return True
    return isinstance(x, type) and (x in (float, int, bool) or issubclass(x, np.generic))


def _target_dtype(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The dtype ``t.to(*args, **kwargs)`` asks for, the arguments checked as PyTorch's three
    signatures (device, dtype, tensor) take them."""
    bad = invalid_combination("to", args, kwargs)
    if set(kwargs) - _TO_KEYWORDS or ("dtype" in kwargs and not _is_dtype(kwargs["dtype"])):
        raise bad
    dtype, rest = kwargs.get("dtype"), args[1:]
    first = args[0] if args else kwargs.get("device")
    if args and (_is_dtype(first) or isinstance(first, (Tensor, float, np.floating, bool))):
        if "dtype" in kwargs or "device" in kwargs:
            raise bad
        # PyTorch's parser takes a Python number for a tensor here: 1.5 is float64, True bool.
        dtype = first if _is_dtype(first) else dtypes.bool if isinstance(first, bool) else (
            first.dtype if isinstance(first, Tensor) else dtypes.float64)  # fmt: skip
    elif first is not None:
        _check_device(first, bad)
        if args and rest and _is_dtype(rest[0]) and "dtype" not in kwargs:
            dtype, rest = rest[0], rest[1:]
    if len(rest) > 2 or not all(isinstance(x, bool) for x in rest):
        raise bad
    return dtype


def _check_device(x: Any, bad: TypeError) -> None:
    """A device argument: the CPU passes, anything else is PyTorch's error (or ours: CPU-only)."""
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        if x < 0:
            raise RuntimeError("Device index must not be negative")
        raise RuntimeError("Cannot access accelerator device when none is available.")
    if not isinstance(x, (str, device)):
        raise bad
    if device(x).type != "cpu":
        raise AssertionError(CPU_ONLY)


@declare("detach")
def detach(a: Tensor) -> Tensor:
    """A new leaf sharing storage and the version counter, with no history."""
    t = Tensor._make(a._data, False, None, 0)
    t._version = a._version
    inference.note_detach(a, t)
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
    return to(a, dtypes.float32)


@declare("double", torch=False)
def double(a: Tensor) -> Tensor:
    return to(a, dtypes.float64)


@declare("half", torch=False)
def half(a: Tensor) -> Tensor:
    return to(a, dtypes.float16)


@declare("bfloat16", torch=False)
def bfloat16(a: Tensor) -> Tensor:
    return to(a, dtypes.bfloat16)


@declare("short", torch=False)
def short(a: Tensor) -> Tensor:
    return to(a, dtypes.int16)


@declare("char", torch=False)
def char(a: Tensor) -> Tensor:
    return to(a, dtypes.int8)


@declare("byte", torch=False)
def byte(a: Tensor) -> Tensor:
    return to(a, dtypes.uint8)


@declare("long", torch=False)
def long(a: Tensor) -> Tensor:
    return to(a, dtypes.int64)


@declare("int", torch=False)
def int_(a: Tensor) -> Tensor:
    return to(a, dtypes.int32)


@declare("bool", torch=False)
def bool_(a: Tensor) -> Tensor:
    return to(a, dtypes.bool)


@declare("type_as", torch=False)
def type_as(a: Tensor, other: Tensor) -> Tensor:
    return to(a, other.dtype)


@declare("cpu", torch=False)
def cpu(a: Tensor) -> Tensor:
    """visgrad is CPU-only: the tensor itself."""
    return a
