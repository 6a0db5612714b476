"""Max and average pooling with ``torch.nn.functional``'s names, arguments and checks.

The 1-D forms are the 2-D ones on an unsqueezed input, as in PyTorch
(``SqueezeBackward1 → MaxPool2DWithIndicesBackward0 → UnsqueezeBackward0``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.arg_parser import fit_int32, int_list, optional_int_list
from visgrad.autograd.grad_mode import MODES
from visgrad.ops.base import apply
from visgrad.ops.gate_tables import c_name
from visgrad.ops.pool import (
    _AVG_NODES,
    _AXES,
    _MAX_NODES,
    AvgPool2DBackward0,
    AvgPool3DBackward0,
    Ints,
    MaxPool2DWithIndicesBackward0,
    MaxPool3DWithIndicesBackward0,
    _AvgPoolSpread,
    _MaxPoolGather,
    _MaxPoolScatter,
    out_length,
)
from visgrad.ops.registry import declare
from visgrad.ops.shape import squeeze, unsqueeze
from visgrad.tensor import Tensor

__all__ = ["avg_pool1d", "avg_pool2d", "avg_pool3d", "max_pool1d", "max_pool2d", "max_pool3d"]


# -- public functions, with PyTorch's argument checks ----------------------------------------------
def _lists(fn: str, k: int, kernel_size: Any, stride: Any, padding: Any, dilation: Any = 1) -> Any:
    """The int-list arguments as PyTorch's parser reads them, all before any kernel check."""
    return (
        int_list(fn, "kernel_size", kernel_size, 2, size=k),
        optional_int_list(fn, "stride", stride, size=k),
        int_list(fn, "padding", padding, size=k),
        int_list(fn, "dilation", dilation, size=k),
    )


def _ints(vals: Ints | None, k: int, name: str, fn: str, default: Ints | None = None) -> Ints:
    """A parsed int list of a ``k``-D pool: its length checked, then each value as a C int."""
    if default is not None and not vals:
        return default
    assert vals is not None
    if len(vals) not in (1, k):
        words = {2: "two", 3: "three"}[k]
        how = (
            "must either be omitted, a single int,"
            if name == "stride"
            else "must either be a single int,"
        )
        if name == "dilation":
            how = "must be either a single int,"
        raise RuntimeError(f"{fn}: {name} {how} or a tuple of {words} ints")
    fit_int32(*vals)
    return vals * k if len(vals) == 1 else vals


def _check_dims(x: np.ndarray, k: int) -> None:
    """PyTorch's check that the input is (C, *spatial) or (N, C, *spatial) with no empty dim
    (but the batch)."""
    if k == 2:
        if (x.ndim == 3 and 0 not in x.shape) or (x.ndim == 4 and 0 not in x.shape[1:]):
            return
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
            f"but got:{list(x.shape)}"
        )
    if x.ndim not in (k + 1, k + 2) or any(n == 0 for n in x.shape[1:]):
        raise RuntimeError(f"non-empty {k + 1}D or {k + 2}D (batch mode) tensor expected for input")


def _shape_check(
    x: np.ndarray, kernel: Ints, stride: Ints, padding: Ints, dilation: Ints, ceil_mode: bool
) -> None:
    k = len(kernel)
    positions = []
    for n, kk, s, p, d in zip(
        x.shape[x.ndim - k :], kernel, stride, padding, dilation, strict=True
    ):
        if s == 0:
            raise RuntimeError("stride should not be zero")
        if p < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
        if p > ((kk - 1) * d + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={kk} and dilation={d}"
            )
        positions.append(out_length(n, kk, s, p, d, ceil_mode))
    axes = _AXES[3 - k :]
    if any(kk <= 0 for kk in kernel):
        got = " ".join(f"k{a}: {v}" for a, v in zip(axes, kernel, strict=True))
        raise RuntimeError(f"kernel size should be greater than zero, but got {got}")
    if any(s <= 0 for s in stride):
        got = " ".join(f"d{a}: {v}" for a, v in zip(axes, stride, strict=True))
        raise RuntimeError(f"stride should be greater than zero, but got {got}")
    if any(d <= 0 for d in dilation):
        got = " ".join(f"dilation{a}: {v}" for a, v in zip(axes, dilation, strict=True))
        raise RuntimeError(f"dilation should be greater than zero, but got {got}")
    _check_dims(x, k)
    if any(q < 1 for q in positions):
        plane = x.shape[x.ndim - k - 1]
        given = "x".join(map(str, (plane, *x.shape[x.ndim - k :])))
        calc = "x".join(map(str, (plane, *positions)))
        raise RuntimeError(
            f"Given input size: ({given}). Calculated output size: ({calc}). Output size is too small"
        )


def _max_pool_nd(
    k: int,
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
    return_indices: bool,
) -> Any:
    fn = f"max_pool{k}d"
    lists = _lists(fn, k, kernel_size, stride, padding, dilation)
    kernel = _ints(lists[0], k, "kernel_size", fn)
    stride_ = _ints(lists[1], k, "stride", fn, default=kernel)
    padding_ = _ints(lists[2], k, "padding", fn)
    dilation_ = _ints(lists[3], k, "dilation", fn)
    if input._data.ndim not in (k + 1, k + 2):
        raise RuntimeError(f"non-empty {k + 1}D or {k + 2}D (batch mode) tensor expected for input")
    _shape_check(input._data, kernel, stride_, padding_, dilation_, ceil_mode)
    out, idx = apply(
        _MAX_NODES[k],
        input,
        kernel_size=kernel,
        stride=stride_,
        padding=padding_,
        dilation=dilation_,
        ceil_mode=bool(ceil_mode),
    )
    return (out, idx) if return_indices else out


@declare(
    "max_pool2d",
    nodes=(MaxPool2DWithIndicesBackward0, _MaxPoolScatter, _MaxPoolGather),
    method=False,
    functional=True,
)
def max_pool2d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The maximum of each (dilated) window; ``return_indices`` adds each maximum's flat index."""
    return _max_pool_nd(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


@declare("max_pool3d", nodes=MaxPool3DWithIndicesBackward0, method=False, functional=True)
def max_pool3d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """``max_pool2d`` over three spatial dims."""
    return _max_pool_nd(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _ints1(vals: Ints | None, name: str, fn: str, default: Ints | None = None) -> int:
    """A 1-D pool's parsed int list (one value), with PyTorch's texts."""
    if default is not None and not vals:
        return default[0]
    assert vals is not None
    if len(vals) != 1:
        kinds = {
            "kernel_size": "must be an int, list of ints or tuple of ints of size 1",
            "stride": "must be None, an int, list of ints, or tuple of ints of size 1",
            "padding": "must be an int, list of ints, or tuple of ints of size 1",
            "dilation": "must be an int, list of ints or tuple of ints of size 1",
        }
        raise RuntimeError(f"{fn}() {name} {kinds[name]} but got size {len(vals)}")
    return vals[0]


@declare("max_pool1d", nodes=MaxPool2DWithIndicesBackward0, method=False, functional=True)
def max_pool1d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """``max_pool2d`` over the last dim of (N, C, L) or (C, L)."""
    lists = _lists("max_pool1d", 1, kernel_size, stride, padding, dilation)
    x = input._data
    if x.ndim not in (2, 3) or any(n == 0 for n in x.shape[x.ndim - 2 :]):
        raise RuntimeError(
            "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
            f"for input, but got:{list(x.shape)}"
        )
    k = _ints1(lists[0], "kernel_size", "max_pool1d")
    s = _ints1(lists[1], "stride", "max_pool1d", default=(k,))
    p = _ints1(lists[2], "padding", "max_pool1d")
    d = _ints1(lists[3], "dilation", "max_pool1d")
    for name, v, ok in (("kernel_size", k, k > 0), ("stride", s, s > 0)):
        if not ok:
            raise RuntimeError(f"max_pool1d() {name} must be greater than zero, but got {v}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError(
            "max_pool1d() padding should be at most half of kernel size, but got "
            f"padding={p} and kernel_size={k}"
        )
    if d <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d}")
    if input.requires_grad and MODES.enabled:
        fit_int32(k, s, p, d)  # the path that records indices works in C ints
    length = out_length(x.shape[-1], k, s, p, d, ceil_mode)
    if length <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {length}")
    if x.dtype.kind not in "fc":
        raise NotImplementedError(f"\"max_pool1d_impl\" not implemented for '{c_name(x.dtype)}'")
    r = max_pool2d(unsqueeze(input, -2), (1, k), (1, s), (0, p), (1, d), ceil_mode, True)
    out = squeeze(r[0], -2)
    return (out, squeeze(r[1], -2)) if return_indices else out


def _avg_pool_nd(
    k: int,
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any,
    padding: Any,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: int | None,
) -> Tensor:
    fn = f"avg_pool{k}d"
    lists = _lists(fn, k, kernel_size, stride, padding)
    kernel = _ints(lists[0], k, "kernel_size", fn)
    stride_ = _ints(lists[1], k, "stride", fn, default=kernel)
    padding_ = _ints(lists[2], k, "padding", fn)
    x = input._data
    if k == 3 and x.ndim not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if x.ndim < k + 1:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-max(x.ndim, 1)}, "
            f"{max(x.ndim, 1) - 1}], but got {-(k + 1)})"
        )
    _shape_check(x, kernel, stride_, padding_, (1,) * k, ceil_mode)
    if x.dtype.kind not in "fc" and x.dtype != np.int64:
        raise NotImplementedError(f"\"{fn}\" not implemented for '{c_name(x.dtype)}'")
    return apply(
        _AVG_NODES[k],
        input,
        kernel_size=kernel,
        stride=stride_,
        padding=padding_,
        ceil_mode=bool(ceil_mode),
        count_include_pad=bool(count_include_pad),
        divisor_override=divisor_override,
    )


@declare(
    "avg_pool2d",
    nodes=(AvgPool2DBackward0, _AvgPoolSpread),
    torch=False,
    method=False,
    functional=True,
)
def avg_pool2d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """The mean of each window (padding zeros counted unless ``count_include_pad=False``)."""
    args = (kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)
    return _avg_pool_nd(2, input, *args)


@declare("avg_pool3d", nodes=AvgPool3DBackward0, torch=False, method=False, functional=True)
def avg_pool3d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """``avg_pool2d`` over three spatial dims."""
    args = (kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)
    return _avg_pool_nd(3, input, *args)


@declare("avg_pool1d", nodes=AvgPool2DBackward0, method=False, functional=True)
def avg_pool1d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """``avg_pool2d`` over the last dim of (N, C, L) or (C, L)."""
    lists = _lists("avg_pool1d", 1, kernel_size, stride, padding)
    x = input._data
    if x.ndim not in (2, 3):
        raise RuntimeError(
            f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor for argument #1 "
            "'self' (while checking arguments for avg_pool1d)"
        )
    k = _ints1(lists[0], "kernel_size", "avg_pool1d")
    s = _ints1(lists[1], "stride", "avg_pool1d", default=(k,))
    p = _ints1(lists[2], "padding", "avg_pool1d")
    out = avg_pool2d(unsqueeze(input, -2), (1, k), (1, s), (0, p), ceil_mode, count_include_pad)
    return squeeze(out, -2)
