"""The arrays an op computes on: both operands cast to PyTorch's result dtype, broadcast errors in
PyTorch's words, integers made float32 for float math, and the fast path of a binary op that has
nothing to record.

Shared by the elementwise, pointwise, comparison, logical, division and linear-algebra ops.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import events
from visgrad.autograd import errors
from visgrad.autograd.grad_mode import MODES
from visgrad.ops.base import OBSERVED, Op, promote, record_pair, wrap
from visgrad.tensor import Tensor


def _pair(a: Tensor, b: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """The two operands' arrays, cast to PyTorch's result dtype when they differ."""
    x, y = a._data, b._data
    if x.dtype is not y.dtype and x.dtype != y.dtype:
        dt = promote(x, y)
        x = x.astype(dt, copy=False)
        y = y.astype(dt, copy=False)
    return x, y


def _binary(fn: Any, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    try:
        return fn(x, y)
    except ValueError:
        raise RuntimeError(errors.broadcast(x.shape, y.shape)) from None


# Tensor dtypes whose ufunc with a Python number of the key's type has the dtype PyTorch gives
# (NumPy's weak scalars): floats with int or float numbers, int64 with int numbers.
_WEAK_OK = {float: "f", int: "fl"}


def _unrecorded(ufunc: Any, a: Any, b: Any, cls: type[Op] | None = None) -> Tensor | None:
    """``ufunc(a, b)`` as a Tensor when the op has nothing to publish: no sink listening (or a
    backward formula: apply publishes nothing there either), operands of one float or int dtype
    (or a tensor and a number it takes without promotion). With nothing to record it
    is the bare ufunc; when a grad is to be recorded and ``cls`` is given (an op with
    ``pair_saves``), ``record_pair`` records the node ``apply`` would. Otherwise None: the op runs
    through ``apply``. Every op inside a backward formula without ``create_graph`` and all plain
    tensor code run here; the values are the ones ``apply`` gives. (The profiler, timing every
    op, takes ``apply``.)
    """
    if OBSERVED or (events.SINKS and not MODES.in_backward):
        return None
    if isinstance(a, Tensor):
        x = a._data
        if isinstance(b, Tensor):
            y = b._data
            if x.dtype is not y.dtype or x.dtype.kind not in "fi":
                return None
            if MODES.enabled and (a._rg or b._rg):
                return None if cls is None or MODES.anomaly else _recorded(cls, ufunc, a, b)
        else:
            kinds = _WEAK_OK.get(type(b))
            if kinds is None or x.dtype.char not in _CHARS[kinds]:
                return None
            if MODES.enabled and a._rg:
                if cls is None or MODES.anomaly:
                    return None
                return _recorded(cls, ufunc, a, wrap(b, a))
            y = b
    elif isinstance(b, Tensor):
        y = b._data
        kinds = _WEAK_OK.get(type(a))
        if kinds is None or y.dtype.char not in _CHARS[kinds]:
            return None
        if MODES.enabled and b._rg:
            # ``2 * t`` is recorded as ``t * 2`` (the tensor's edge first), as apply does.
            if cls is None or not cls.commutative or MODES.anomaly:
                return None
            return _recorded(cls, ufunc, b, wrap(a, b))
        x = a
    else:
        return None
    try:
        r = ufunc(x, y)
    except ValueError:
        raise RuntimeError(errors.broadcast(np.shape(x), np.shape(y))) from None
    return Tensor._make(r if type(r) is np.ndarray else np.asarray(r), False, None, 0)


def _recorded(cls: type[Op], ufunc: Any, a: Tensor, b: Tensor) -> Tensor | None:
    try:
        r = ufunc(a._data, b._data)
    except ValueError:
        return None  # apply raises PyTorch's broadcast error
    return record_pair(cls, a, b, r)


_OPERANDS = ("self", "other")


def release_operands(node: Op) -> tuple[str, ...]:
    """``Node.release`` for an op that saves exactly its two operands, both tensors (``mul``),
    without the scan of what it saved: one of every binary op's backward steps."""
    if not node._saved:
        return ()
    node._released += _OPERANDS
    node._saved = {}
    return _OPERANDS


# dtype.char of the float dtypes ("f") and of int64 ("l"), and of both.
_CHARS = {"f": "efdg", "fl": "efdgl"}
