"""Tensor factories: tensor, ones, zeros, full, eye, arange, linspace, *_like (random ones: random/)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from visgrad import dtypes, events, ranges
from visgrad.arg_parser import int_list, invalid_combination, is_int, is_number, number, type_name
from visgrad.tensor import Tensor, as_array


def _leaf(arr: np.ndarray, requires_grad: bool, op: str) -> Tensor:
    t = Tensor._make(arr, False, None, 0)
    if requires_grad:
        t.requires_grad_(True, _creating=True)
    if events.SINKS:
        t._announce(op)
    return t


def _size(size: tuple[Any, ...], itemsize: int = 4, op: str = "") -> tuple[int, ...]:
    """A factory's size, given as ``f(2, 3)`` or ``f((2, 3))``, checked as PyTorch does (``op``
    names the factory in the errors of its parser)."""
    spread = not (len(size) == 1 and isinstance(size[0], (tuple, list)))
    if not spread:
        size = tuple(size[0])
    elif op and len(size) > 1 and (isinstance(size[0], bool) or not _size_int(size[0])):
        _not_a_spread_size(op, size)
    for i, s in enumerate(size):
        if not _size_int(s):
            name = type_name(s)
            if op and spread and i:
                raise TypeError(
                    f"{op}(): argument 'size' failed to unpack the object at pos {i + 1} with "
                    f'error "type must be tuple of ints,but got {name}"'
                )
            raise TypeError(
                f"argument 'size' must be tuple of ints, but found element of type {name} at pos {i}"
            )
    out = tuple(int(s) for s in size)
    if any(s < 0 for s in out):
        neg = next(s for s in out if s < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {neg}: {list(out)}")
    check_size(out, itemsize)
    return out


# Larger than any machine we run on: refused outright rather than left to the allocator.
_ALLOCATABLE = 1 << 46


def check_size(shape: tuple[int, ...], itemsize: int = 4) -> None:
    """Refuse a result shape no allocation can hold, as PyTorch does, before NumPy tries (some
    NumPy functions overflow on such shapes instead of raising)."""
    wrapped = []
    numel = 1
    for s in shape:
        w = (int(s) + (1 << 63)) % (1 << 64) - (1 << 63)  # the size as an int64
        wrapped.append(w)
        numel *= w
    neg = next((s for s in wrapped if s < 0), None)
    if neg is not None:
        raise RuntimeError(f"Trying to create tensor with negative dimension {neg}: {wrapped}")
    nbytes = numel * itemsize
    if nbytes >= 1 << 63:
        raise RuntimeError(f"Storage size calculation overflowed with sizes={wrapped}")
    if nbytes > _ALLOCATABLE:
        raise RuntimeError(
            "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate "
            f"memory: you tried to allocate {nbytes} bytes. Error code 12 (Cannot allocate memory)"
        )


def _size_int(s: Any) -> bool:
    # A bool is an int to PyTorch's size parser; a tensor only as a 0-d integer one.
    if isinstance(s, Tensor):
        return s._data.ndim == 0 and s._data.dtype.kind in "iu"
    return isinstance(s, (int, np.integer))


def _not_a_spread_size(op: str, size: tuple[Any, ...]) -> None:
    """``f(x, 3)`` whose ``x`` cannot start a spread-out size (a bool, a float, a list): PyTorch's
    parser tries the one-argument signatures (zeros) or finds none (rand, which has several)."""
    if op in ("rand", "randn"):
        raise invalid_combination(op, size, {})
    raise TypeError(f"{op}() takes 1 positional argument but {len(size)} were given")


def _float(dtype: Any) -> np.dtype:
    return dtypes.to_np(dtype) or dtypes.default_float.np


def tensor(
    data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A new leaf tensor holding a copy of ``data``."""
    if not isinstance(requires_grad, (bool, np.bool_)):
        raise TypeError(
            f"tensor(): argument 'requires_grad' must be bool, not {type(requires_grad).__name__}"
        )
    return _leaf(as_array(data, dtype), requires_grad, "tensor")


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    if isinstance(data, Tensor) and dtype is None:
        return data
    return tensor(data, dtype=dtype)


def from_numpy(arr: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``arr``."""
    dtypes.from_numpy(arr.dtype)
    return _leaf(arr, False, "from_numpy")


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.ones(_size(size, op="ones"), _float(dtype)), requires_grad, "ones")


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    try:
        shape = _size(size, op="zeros")
    except RuntimeError as e:  # zeros' own kernel checks the sizes first, in its words
        if str(e).startswith("Trying to create tensor with negative dimension"):
            raise RuntimeError("zeros: Dimension size must be non-negative.") from None
        raise
    return _leaf(np.zeros(shape, _float(dtype)), requires_grad, "zeros")


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.zeros(_size(size, op="empty"), _float(dtype)), requires_grad, "empty")


def full(
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **kwargs: Any,
) -> Tensor:
    _factory_keywords("full", kwargs)
    shape = _size(int_list("full", "size", size, 1))
    fill_value = number("full", "fill_value", fill_value, 2)
    if dtype is None:
        dtype = (
            dtypes.bool
            if isinstance(fill_value, (bool, np.bool_))
            else dtypes.int64
            if isinstance(fill_value, (int, np.integer))
            else dtypes.default_float
        )
    return _leaf(np.full(shape, fill_value, dtypes.to_np(dtype)), requires_grad, "full")


# The keywords PyTorch's factories take that change nothing on a CPU-only engine.
_INERT = frozenset({"layout", "pin_memory", "memory_format", "out", "device"})


def _factory_keywords(op: str, kwargs: dict[str, Any]) -> None:
    """Refuse a keyword PyTorch's factory ``op`` does not take, as PyTorch does."""
    for k in kwargs:
        if k not in _INERT:
            raise TypeError(f"{op}() got an unexpected keyword argument '{k}'")


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    for i, (name, v) in enumerate((("n", n), ("m", m))):
        if v is not None and not is_int(v):
            raise TypeError(
                f"eye(): argument '{name}' (position {i + 1}) must be int, not {type_name(v)}"
            )
    n, m = int(n), (None if m is None else int(m))
    for name, v in (("n", n), ("m", m)):
        if v is not None and v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    if n * (n if m is None else m) > (1 << 63) - 1:
        raise RuntimeError("numel: integer multiplication overflow")
    return _leaf(np.eye(n, m, dtype=_float(dtype)), requires_grad, "eye")


_NO_END: Any = object()  # arange(5): an explicit None end fits none of PyTorch's signatures


def arange(
    start: Any,
    end: Any = _NO_END,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Values from ``start`` up to ``end`` (excluded) by ``step``, as PyTorch computes them."""
    if end is _NO_END:
        start, end = 0, start
    _range_checks(start, end, step)
    if dtype is None:
        is_int = all(isinstance(v, int) for v in (start, end, step))
        dtype = dtypes.int64 if is_int else dtypes.default_float
    np_dtype = dtypes.to_np(dtype)
    if np_dtype.kind == "f":
        arr = ranges.arange_values(float(start), float(end), float(step), np_dtype)
    else:
        arr = np.arange(start, end, step).astype(np_dtype)
    return _leaf(arr, requires_grad, "arange")


def _range_checks(start: Any, end: Any, step: Any) -> None:
    """PyTorch's checks of ``arange``'s bounds, before any array is made."""
    values = (start, end, step)
    for v in values:
        if isinstance(v, Tensor) and v._data.ndim == 0:  # a Scalar: 0-d tensors only
            continue
        if not isinstance(v, (int, float, np.integer, np.floating)):
            got = ", ".join(type(x).__name__ for x in values)
            raise TypeError(
                f"arange() received an invalid combination of arguments - got ({got}), but "
                "expected one of:"
            )
    start, end, step = (float(v) for v in values)
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {values[0]} -> {values[1]}")
    if step == 0 or math.isnan(step):  # NaN too, as PyTorch's check words it
        raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    size = math.ceil((end - start) / step)
    if size > 1 << 46:
        raise RuntimeError(
            "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate "
            f"memory: you tried to allocate {size * 8} bytes. Error code 12 (Cannot allocate memory)"
        )


def linspace(
    start: float,
    end: float,
    steps: int,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` evenly spaced values; the second half counts back from ``end`` (as PyTorch)."""
    start, end, steps = _space_args("linspace", start, end, steps, _float(dtype).itemsize)
    arr = ranges.linspace_values(start, end, steps, _float(dtype))
    return _leaf(arr, requires_grad, "linspace")


def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    start, end, steps = _space_args("logspace", start, end, steps, _float(dtype).itemsize, base)
    arr = ranges.logspace_values(start, end, steps, float(base), _float(dtype))
    return _leaf(arr, requires_grad, "logspace")


def _space_args(
    op: str, start: Any, end: Any, steps: Any, itemsize: int, *more: Any
) -> tuple[float, float, int]:
    """``linspace`` / ``logspace``'s bounds and count, checked as PyTorch's parser and kernel do:
    numbers or 0-d tensors, and an int count."""
    numbers = (start, end, *more)
    if not all(isinstance(v, Tensor) or is_number(v) for v in numbers) or not (
        is_int(steps) and not isinstance(steps, Tensor)
    ):
        raise invalid_combination(op, (start, end, steps), {})
    for name, v in (("start", start), ("end", end)):
        if isinstance(v, Tensor) and v._data.ndim:
            raise RuntimeError(
                f"{op} only supports 0-dimensional start and end tensors, but got {name} with "
                f"{v._data.ndim} dimension(s)."
            )
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    check_size((int(steps),), itemsize)
    return float(start), float(end), int(steps)


def _like(a: Tensor, dtype: Any, op: str) -> tuple[tuple[int, ...], np.dtype]:
    if not isinstance(a, Tensor):
        raise TypeError(
            f"{op}(): argument 'input' (position 1) must be Tensor, not "
            + ("torch.dtype" if isinstance(a, dtypes.dtype) else type(a).__name__)
        )
    return a._data.shape, dtypes.to_np(dtype) or a._data.dtype


def ones_like(
    a: Tensor, *, dtype: Any = None, requires_grad: bool = False, **kwargs: Any
) -> Tensor:
    _factory_keywords("ones_like", kwargs)
    shape, dt = _like(a, dtype, "ones_like")
    return _leaf(np.ones(shape, dt), requires_grad, "ones_like")


def zeros_like(
    a: Tensor, *, dtype: Any = None, requires_grad: bool = False, **kwargs: Any
) -> Tensor:
    _factory_keywords("zeros_like", kwargs)
    shape, dt = _like(a, dtype, "zeros_like")
    return _leaf(np.zeros(shape, dt), requires_grad, "zeros_like")


def empty_like(
    a: Tensor, *, dtype: Any = None, requires_grad: bool = False, **kwargs: Any
) -> Tensor:
    _factory_keywords("empty_like", kwargs)
    _like(a, dtype, "empty_like")
    return zeros_like(a, dtype=dtype, requires_grad=requires_grad)


def full_like(
    a: Tensor, fill_value: Any, *, dtype: Any = None, requires_grad: bool = False, **kwargs: Any
) -> Tensor:
    _factory_keywords("full_like", kwargs)
    shape, dt = _like(a, dtype, "full_like")
    fill_value = number("full_like", "fill_value", fill_value, 2)
    return _leaf(np.full(shape, fill_value, dt), requires_grad, "full_like")
