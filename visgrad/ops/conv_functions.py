"""``conv1d/2d/3d`` and ``conv_transpose1d/2d/3d`` with PyTorch's arguments, checks and texts.

Each checks its arguments as PyTorch does (in PyTorch's order, so the first error is the same),
then records the one ``ConvolutionBackward0`` node (``conv.convolution``).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.arg_parser import int_list, invalid_combination
from visgrad.ops.conv import ConvolutionBackward0, convolution
from visgrad.ops.conv_checks import (
    check_output_padding,
    check_transposed_stride,
    check_zero_dilation,
)
from visgrad.ops.gate import user_stacklevel
from visgrad.ops.gate_tables import c_name
from visgrad.ops.pad import ConstantPadNdBackward0
from visgrad.ops.pad import pad as pad_op
from visgrad.ops.registry import declare
from visgrad.ops.shape import squeeze, unsqueeze
from visgrad.tensor import Tensor

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
]

Ints = tuple[int, ...]


# -- checks with PyTorch's texts --------------------------------------------------------------------
_INT64 = (1 << 63) - 1
_DEFAULTS = {"stride": 1, "padding": 0, "dilation": 1, "output_padding": 0}


def _lists(name: str, k: int, transposed: bool, given: list[Any], **lists: Any) -> dict[str, Any]:
    """The int-list arguments as PyTorch's parser reads them. ``conv1d/2d/3d`` have two
    overloads (``padding`` an int list or a string), so a bad type there is PyTorch's "invalid
    combination of arguments"; the transposed convolutions have one, and name the argument."""
    out: dict[str, Any] = {}
    try:
        for key, value in lists.items():
            if key == "padding" and isinstance(value, str) and not transposed:
                out[key] = value
            else:
                out[key] = int_list(name, key, value, size=k)
    except TypeError:
        if transposed:
            raise
        keywords = {n: v for n, v in lists.items() if v is not _DEFAULTS[n]}
        raise invalid_combination(name, tuple(given), keywords) from None
    return out


def _check_len(value: Ints, k: int, name: str) -> Ints:
    if len(value) == 1:
        return value * k
    if len(value) != k:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {k} values to match the "
            f"convolution dimensions, but got {name}={list(value)}"
        )
    return value


def _dtype_name(d: np.dtype) -> str:
    return dtypes.from_numpy(d).tensor_type.removesuffix("Tensor")


_C_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int"}


def _check_shapes(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None,
    padding: Ints,
    dilation: Ints,
    transposed: bool,
    groups: int,
) -> None:
    ws = list(w.shape)
    if w.ndim != x.ndim:
        raise RuntimeError(
            f"Expected {w.ndim}-dimensional input for {w.ndim}-dimensional weight {ws}, but got "
            f"{x.ndim}-dimensional input of size {list(x.shape)} instead"
        )
    if ws[0] < groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, but "
            f"got weight of size {ws} instead"
        )
    if ws[0] % groups:
        raise RuntimeError(
            # PyTorch's text has the size in two pairs of brackets.
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size [{ws}] instead"
        )
    if transposed:
        if x.shape[1] != ws[0]:
            raise RuntimeError(
                f"Given transposed=1, weight of size {ws}, expected input{list(x.shape)} to have "
                f"{ws[0]} channels, but got {x.shape[1]} channels instead"
            )
        if b is not None and (b.ndim != 1 or b.shape[0] != ws[1] * groups):
            raise RuntimeError(
                f"Given transposed=1, weight of size {ws}, expected bias to be 1-dimensional with "
                f"{ws[1] * groups} elements, but got bias of size {list(b.shape)} instead"
            )
        return
    if x.shape[1] != ws[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {ws}, expected input{list(x.shape)} to have "
            f"{ws[1] * groups} channels, but got {x.shape[1]} channels instead"
        )
    if b is not None and (b.ndim != 1 or b.shape[0] != ws[0]):
        raise RuntimeError(
            f"Given weight of size {ws}, expected bias to be 1-dimensional with {ws[0]} "
            f"elements, but got bias of size {list(b.shape)} instead"
        )
    padded = [n + 2 * p for n, p in zip(x.shape[2:], padding, strict=True)]
    kernel = [d * (k - 1) + 1 for d, k in zip(dilation, ws[2:], strict=True)]
    if any(n < k for n, k in zip(padded, kernel, strict=True)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, kernel))}). Kernel size can't be greater than "
            "actual input size"
        )


def _check_dtypes(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None, transposed: bool, k: int
) -> None:
    # PyTorch's slow kernels have no bool (and, transposed, no 8-bit) form: that is found first.
    refused = ("bool", "int8", "uint8") if transposed else ("bool",)
    if x.dtype.name in refused:
        d = max(k, 2)
        kernel = f"slow_conv_transpose{d}d_out_cpu" if transposed else f"slow_conv{d}d_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{c_name(x.dtype)}'")
    if x.dtype != w.dtype:
        raise RuntimeError(
            f"expected scalar type {_dtype_name(x.dtype)} but found {_dtype_name(w.dtype)}"
        )
    if b is not None and b.dtype != x.dtype:
        cx, cb = _C_NAMES.get(x.dtype.name, x.dtype.name), _C_NAMES.get(b.dtype.name, b.dtype.name)
        raise RuntimeError(f"Input type ({cx}) and bias type ({cb}) should be the same")


def _same_padding(
    input: Tensor,  # noqa: A002
    kernel: Ints,
    stride: Ints,
    dilation: Ints,
) -> tuple[Tensor, Ints]:
    """PyTorch's ``padding='same'``: symmetric padding, plus one zero on the right of each dim
    whose total padding is odd (as a recorded ``constant_pad_nd``)."""
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    totals = [d * (k - 1) for d, k in zip(dilation, kernel, strict=True)]
    left = tuple(t // 2 for t in totals)
    extra = [t - 2 * lo for t, lo in zip(totals, left, strict=True)]
    if any(extra):
        warnings.warn(
            "Using padding='same' with even kernel lengths and odd dilation may require a "
            "zero-padded copy of the input be created",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        widths: list[int] = []
        for e in reversed(extra):
            widths += [0, e]
        input = pad_op(input, tuple(widths))
    return input, left


def _conv_nd(
    k: int,
    name: str,
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
    transposed: bool = False,
    output_padding: Any = 0,
    parsed: bool = False,
) -> Tensor:
    if not parsed:
        given = [input, weight] if bias is None else [input, weight, bias]
        lists = _lists(name, k, transposed, given, stride=stride, padding=padding,
                       dilation=dilation, output_padding=output_padding)  # fmt: skip
        stride, padding, dilation = lists["stride"], lists["padding"], lists["dilation"]
        output_padding = lists["output_padding"]
    x = input._data
    if x.ndim not in (k + 1, k + 2):
        raise RuntimeError(
            f"Expected {k + 1}D (unbatched) or {k + 2}D (batched) input to {name}, but got input "
            f"of size: {list(x.shape)}"
        )
    if x.ndim == k + 1:
        out = _conv_nd(
            k, name, unsqueeze(input, 0), weight, bias, stride, padding, dilation, groups,
            transposed, output_padding, True,
        )  # fmt: skip
        return squeeze(out, 0)
    if weight._data.ndim < 3:
        raise RuntimeError("weight should have at least three dimensions")
    wk = max(weight._data.ndim - 2, 1)
    stride = _check_len(stride, wk, "stride")
    dilation = _check_len(dilation, wk, "dilation")
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if padding == "valid":
            padding = (0,) * wk
        else:
            input, padding = _same_padding(input, weight._data.shape[2:], stride, dilation)
            x = input._data
    padding = _check_len(padding, wk, "padding")
    output_padding = _check_len(output_padding, wk, "output_padding")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    for i, p in enumerate(padding):
        if p > _INT64 // 2:
            raise RuntimeError(
                f"Given padding={p} at dimension {i} , expected padding to be at most {_INT64 // 2}"
            )
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d < 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    b = bias._data if bias is not None else None
    _check_shapes(x, weight._data, b, padding, dilation, transposed, groups)
    _check_dtypes(x, weight._data, b, transposed, k)
    if transposed:
        check_transposed_stride(stride)
    check_zero_dilation(dilation, transposed, x.shape[0])
    if transposed:
        check_output_padding(output_padding, stride, dilation)
    return convolution(
        input, weight, bias, stride, padding, dilation, transposed, output_padding, groups
    )


@declare(
    "conv1d", nodes=(ConvolutionBackward0, ConstantPadNdBackward0), method=False, functional=True
)
def conv1d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """1-D cross-correlation over (N, C, L) or (C, L); ``padding`` may be 'same' or 'valid'."""
    return _conv_nd(1, "conv1d", input, weight, bias, stride, padding, dilation, groups)


@declare(
    "conv2d", nodes=(ConvolutionBackward0, ConstantPadNdBackward0), method=False, functional=True
)
def conv2d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation over (N, C, H, W) or (C, H, W); ``padding`` may be 'same' or 'valid'."""
    return _conv_nd(2, "conv2d", input, weight, bias, stride, padding, dilation, groups)


@declare(
    "conv3d", nodes=(ConvolutionBackward0, ConstantPadNdBackward0), method=False, functional=True
)
def conv3d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """3-D cross-correlation over (N, C, D, H, W) or (C, D, H, W)."""
    return _conv_nd(3, "conv3d", input, weight, bias, stride, padding, dilation, groups)


def _transpose_nd(k: int, name: str, *args: Any) -> Tensor:
    input, weight, bias, stride, padding, output_padding, groups, dilation = args  # noqa: A001
    return _conv_nd(
        k, name, input, weight, bias, stride, padding, dilation, groups, True, output_padding
    )


@declare("conv_transpose1d", nodes=ConvolutionBackward0, method=False, functional=True)
def conv_transpose1d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """The adjoint of ``conv1d`` (a "deconvolution"); ``weight`` is (C_in, C_out/groups, L)."""
    args = (input, weight, bias, stride, padding, output_padding, groups, dilation)
    return _transpose_nd(1, "conv_transpose1d", *args)


@declare("conv_transpose2d", nodes=ConvolutionBackward0, method=False, functional=True)
def conv_transpose2d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """The adjoint of ``conv2d``; ``weight`` is (C_in, C_out/groups, kH, kW)."""
    args = (input, weight, bias, stride, padding, output_padding, groups, dilation)
    return _transpose_nd(2, "conv_transpose2d", *args)


@declare("conv_transpose3d", nodes=ConvolutionBackward0, method=False, functional=True)
def conv_transpose3d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """The adjoint of ``conv3d``; ``weight`` is (C_in, C_out/groups, kD, kH, kW)."""
    args = (input, weight, bias, stride, padding, output_padding, groups, dilation)
    return _transpose_nd(3, "conv_transpose3d", *args)
