"""``unfold`` (im2col) and ``fold`` (col2im): sliding blocks of an image as columns, and back.

``unfold`` turns (N, C, H, W) into (N, C·kh·kw, L), one column per block position; ``fold``
adds such columns back into an image, summing where blocks overlap, so each is the other's
adjoint and backward. The arithmetic is the convolution kernels' (``conv_kernels``): one strided
copy per kernel offset, never a loop over pixels. Arguments are checked in ATen's order, with
its texts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from visgrad.arg_parser import int_list
from visgrad.ops.base import Op, apply
from visgrad.ops.conv_kernels import col2im, crop_spatial, im2col, out_size, pad_spatial
from visgrad.ops.norm import _check_floating
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["fold", "unfold"]

Ints = tuple[int, ...]


def _pair(op: str, name: str, position: int, v: Any) -> Ints:
    """``F``'s ``_pair`` (an iterable as it is, anything else twice), then ATen's parser's
    ``int[2]`` check of argument ``position`` of ``op``."""
    items = tuple(v) if isinstance(v, (Iterable, Tensor)) else (v, v)
    return int_list(op, name, items, position)


def _pairs(op: str, **args: Any) -> dict[str, Ints]:
    """Each argument as a pair, as ``F.unfold``'s ``_pair`` and ATen's size check make it (the
    arguments of ATen's ``op`` from its second on, in order)."""
    out = {}
    for i, (name, v) in enumerate(args.items()):
        p = _pair(op, name, i + 2, v)
        if len(p) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(p)}")
        out[name] = p
    return out


def _positive(name: str, what: str, v: Ints, nonnegative: bool = False) -> None:
    if min(v) < 0 or (not nonnegative and min(v) == 0):
        adj = "non-negative" if nonnegative else "greater than zero"
        raise RuntimeError(
            f"{name} should be {adj}, but got {what}_height: {v[0]} {what}_width: {v[1]}"
        )


def _blocks(size: Ints, k: Ints, d: Ints, p: Ints, s: Ints) -> Ints:
    # Floor division, as ATen's div_rtn: a negative count stays negative for the error text.
    return tuple((n + 2 * q - dd * (kk - 1) - 1) // ss + 1 for n, kk, dd, q, ss in zip(size, k, d, p, s, strict=True))  # fmt: skip


def _unfold(x: np.ndarray, k: Ints, d: Ints, p: Ints, s: Ints) -> np.ndarray:
    batched = x if x.ndim == 4 else x[None]
    xp = pad_spatial(batched, p)
    positions = out_size(xp.shape[2:], k, s, d)
    cols = im2col(xp, k, s, d, positions)
    out = cols.reshape(batched.shape[0], -1, math.prod(positions))
    return out if x.ndim == 4 else out[0]


def _fold(cols: np.ndarray, size: Ints, k: Ints, d: Ints, p: Ints, s: Ints) -> np.ndarray:
    batched = cols if cols.ndim == 3 else cols[None]
    n = batched.shape[0]
    blocks = _blocks(size, k, d, p, s)
    shaped = batched.reshape(n, -1, *k, *blocks)
    padded = tuple(a + 2 * q for a, q in zip(size, p, strict=True))
    out = crop_spatial(col2im(shaped, padded, s, d), p, size)
    out = np.ascontiguousarray(out)
    return out if cols.ndim == 3 else out[0]


class Im2ColBackward0(Op):
    op_name = "im2col"
    formulas = {"self": "fold(grad, self.shape[-2:], kernel_size, dilation, padding, stride)"}

    def forward(self, x: Tensor, kernel_size: Ints, dilation: Ints, padding: Ints, stride: Ints) -> np.ndarray:  # fmt: skip
        self.save(self_sym_argsize_minus_2=x._data.shape[-2:], kernel_size=kernel_size,
                  dilation=dilation, padding=padding, stride=stride)  # fmt: skip
        return _unfold(x._data, kernel_size, dilation, padding, stride)

    def backward(self, g: Tensor) -> Tensor:
        size = self.saved("self_sym_argsize_minus_2")
        k, d = self.saved("kernel_size"), self.saved("dilation")
        return fold(g, size, k, d, self.saved("padding"), self.saved("stride"))


class Col2ImBackward0(Op):
    op_name = "col2im"
    formulas = {"self": "unfold(grad, kernel_size, dilation, padding, stride)"}

    def forward(self, x: Tensor, output_size: Ints, kernel_size: Ints, dilation: Ints, padding: Ints, stride: Ints) -> np.ndarray:  # fmt: skip
        self.save(kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)
        return _fold(x._data, output_size, kernel_size, dilation, padding, stride)

    def backward(self, g: Tensor) -> Tensor:
        k, d = self.saved("kernel_size"), self.saved("dilation")
        return unfold(g, k, d, self.saved("padding"), self.saved("stride"))


def _check_unfold_input(x: np.ndarray) -> None:
    for dim in (1, 2):
        if dim >= x.ndim:
            top = max(x.ndim, 1)
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-top}, {top - 1}], but "
                f"got {dim})"
            )
    valid = x.shape[1] != 0 and x.shape[2] != 0
    if not ((x.ndim == 3 and x.shape[0] and valid) or (x.ndim == 4 and valid and x.shape[3])):
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
            f"non-zero dimensions for input, but got: {list(x.shape)}"
        )


@declare("unfold", nodes=(Im2ColBackward0, Col2ImBackward0), torch=False, method=False,
         functional=True)  # fmt: skip
def unfold(
    input: Tensor,  # noqa: A002 - PyTorch's names
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """(N, C, H, W) to (N, C·kh·kw, L): every sliding block of the image as a column."""
    a = _pairs("im2col", kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)
    k, d, p, s = a["kernel_size"], a["dilation"], a["padding"], a["stride"]
    _positive("kernel size", "kernel", k)
    _positive("dilation", "dilation", d)
    _positive("padding", "pad", p, nonnegative=True)
    _positive("stride", "stride", s)
    x = input._data
    _check_unfold_input(x)
    blocks = _blocks(x.shape[-2:], k, d, p, s)
    if min(blocks) < 1:
        raise RuntimeError(
            f"Given input with spatial size {tuple(x.shape[-2:])}, kernel_size={k}, "
            f"dilation={d}, padding={p}, calculated shape of the array of sliding blocks as "
            f"{blocks}, but its components must be at least one."
        )
    _check_floating(x, "im2col_out_cpu")
    return apply(Im2ColBackward0, input, kernel_size=k, dilation=d, padding=p, stride=s)


def _check_fold(x: np.ndarray, size: Ints, k: Ints, d: Ints, p: Ints, s: Ints) -> None:
    _positive("kernel size", "kernel", k)
    _positive("stride", "stride", s)
    _positive("dilation", "dilation", d)
    _positive("padding", "pad", p, nonnegative=True)
    sh = x.shape
    if not ((x.ndim == 2 and sh[0] and sh[1]) or (x.ndim == 3 and sh[1] and sh[2])):
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
            f"non-zero dimensions for input, but got: {list(sh)}"
        )
    planes, length = sh[-2], sh[-1]
    if planes % (k[0] * k[1]):
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={planes} and kernel_size={k}."
        )
    bh, bw = _blocks(size, k, d, p, s)
    given = f"Given output_size={size}, kernel_size={k}, dilation={d}, padding={p}, stride={s}"
    if length != bh * bw:
        raise RuntimeError(
            f"{given}, expected size of input's dimension 2 to match the calculated number of "
            f"sliding blocks {bh} * {bw} = {bh * bw}, but got input.size(2)={length}."
        )
    if bh < 1 or bw < 1:
        raise RuntimeError(
            f"{given}, calculated shape of the array of sliding blocks as ({bh}, {bw}), which "
            "is too small (non-positive)"
        )
    if min(size) < 1:
        raise RuntimeError(
            f"Expected output spatial size to be positive, but got: output_size={size}."
        )


@declare("fold", nodes=(Col2ImBackward0, Im2ColBackward0), torch=False, method=False,
         functional=True)  # fmt: skip
def fold(
    input: Tensor,  # noqa: A002
    output_size: Any,
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """(N, C·kh·kw, L) to (N, C, H, W): add each column back where its block lies."""
    a = _pairs("col2im", output_size=output_size, kernel_size=kernel_size, dilation=dilation,
               padding=padding, stride=stride)  # fmt: skip
    size, k, d, p, s = (a[n] for n in ("output_size", "kernel_size", "dilation", "padding", "stride"))  # fmt: skip
    _check_fold(input._data, size, k, d, p, s)
    _check_floating(input._data, "col2im_out_cpu")
    return apply(Col2ImBackward0, input, output_size=size, kernel_size=k, dilation=d, padding=p, stride=s)  # fmt: skip
