"""``torch.testing.assert_close``: the check programs' own tests use, with PyTorch's default
tolerances per dtype and its failure messages (mismatch count, greatest differences and where).
"""

from __future__ import annotations

import math
from numbers import Number
from typing import Any

import numpy as np

from visgrad.tensor import Size, Tensor

__all__ = ["assert_close"]

# (rtol, atol) by dtype; integers and bools compare exactly.
_TOLERANCES = {"float16": (1e-3, 1e-5), "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7)}


def _scalars(actual: Any, expected: Any, rtol: float | None, atol: float | None) -> str | None:
    exact = all(isinstance(v, (int, bool)) for v in (actual, expected))
    rtol, atol = (
        (0.0, 0.0) if exact else (1e-7 if rtol is None else rtol, 1e-7 if atol is None else atol)
    )
    diff = abs(actual - expected)
    if diff <= atol + rtol * abs(expected):
        return None
    rel = diff / abs(expected) if expected else math.inf
    word, up_a, up_r = ("equal", "", "") if exact else (
        "close", f" (up to {atol} allowed)", f" (up to {rtol} allowed)"
    )  # fmt: skip
    return (
        f"Scalars are not {word}!\n\nExpected {expected} but got {actual}.\n"
        f"Absolute difference: {diff}{up_a}\nRelative difference: {rel}{up_r}"
    )


def _tensors(
    a: Tensor, e: Tensor, rtol: float | None, atol: float | None, equal_nan: bool
) -> str | None:
    if tuple(a.shape) != tuple(e.shape):
        return f"The values for attribute 'shape' do not match: {Size(a.shape)} != {Size(e.shape)}."
    if a.dtype is not e.dtype:
        return f"The values for attribute 'dtype' do not match: {a.dtype} != {e.dtype}."
    x, y = a._data, e._data
    floating = x.dtype.kind == "f"
    if floating:
        d_rtol, d_atol = _TOLERANCES[x.dtype.name]
        rtol, atol = (d_rtol if rtol is None else rtol), (d_atol if atol is None else atol)
    else:
        rtol, atol = 0.0, 0.0
        x, y = x.astype(np.int64), y.astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        ok = np.abs(x - y) <= atol + rtol * np.abs(y)
        if floating:
            ok |= x == y  # equal infinities
            if equal_nan:
                ok |= np.isnan(x) & np.isnan(y)
        if ok.all():
            return None
        abs_diff = np.abs(x - y)
        rel_diff = (abs_diff / np.abs(y)).astype(x.dtype if floating else np.float32)
    n, total = int((~ok).sum()), ok.size

    def greatest(d: np.ndarray) -> tuple[Any, tuple[int, ...]]:
        flat = d.reshape(-1)
        i = int(np.argmax(np.isnan(flat))) if np.isnan(flat).any() else int(np.argmax(flat))
        return flat[i].item(), tuple(int(k) for k in np.unravel_index(i, d.shape))

    (ad, ai), (rd, ri) = greatest(abs_diff), greatest(rel_diff)
    word = "close" if floating else "equal"
    up_a = f" (up to {atol} allowed)" if floating else ""
    up_r = f" (up to {rtol} allowed)" if floating else ""
    return (
        f"Tensor-likes are not {word}!\n\nMismatched elements: {n} / {total} "
        f"({100 * n / total:.1f}%)\nGreatest absolute difference: {ad} at index {ai}{up_a}\n"
        f"Greatest relative difference: {rd} at index {ri}{up_r}"
    )


def _kind(x: Any) -> str:
    """``type(x)`` as PyTorch prints it: a tensor is ``torch.Tensor``."""
    return "<class 'torch.Tensor'>" if isinstance(x, Tensor) else str(type(x))


def assert_close(
    actual: Any,
    expected: Any,
    *,
    allow_subclasses: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg: str | None = None,
) -> None:
    """Raise AssertionError unless ``actual`` and ``expected`` are close (see the module doc)."""
    if (rtol is None) != (atol is None):
        raise ValueError(
            f"Both 'rtol' and 'atol' must be either specified or omitted, "
            f"but got no {'rtol' if rtol is None else 'atol'}."
        )
    if isinstance(actual, Tensor) and isinstance(expected, Tensor):
        if not check_dtype and actual.dtype is not expected.dtype:
            expected = expected.to(actual.dtype)
        problem = _tensors(actual, expected, rtol, atol, equal_nan)
    elif isinstance(actual, Number) and isinstance(expected, Number):
        problem = _scalars(actual, expected, rtol, atol)
    else:
        raise TypeError(
            f"No comparison pair was able to handle inputs of type {_kind(actual)} "
            f"and {_kind(expected)}."
        )
    if problem is not None:
        raise AssertionError(msg if msg is not None else problem)
