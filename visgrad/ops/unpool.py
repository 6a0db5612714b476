"""``max_unpool1d/2d/3d``: a max pool's values put back where its indices say.

Every other position of the output is zero. One ``MaxUnpool2DBackward0`` is recorded (the 1-d
form unsqueezes a trailing dim, as PyTorch's does); its backward reads the gradient at the same
indices, the max pool's own gather.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.ops.base import Op, apply
from visgrad.ops.gate_tables import c_name
from visgrad.ops.pool import _MaxPoolGather
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["max_unpool1d", "max_unpool2d", "max_unpool3d"]


class MaxUnpool2DBackward0(Op):
    op_name = "max_unpool2d"
    formulas = {"self": "max_pool_gather(grad, index, shape[-k:])"}

    def forward(self, x: Tensor, index: np.ndarray, shape: tuple[int, ...], k: int) -> np.ndarray:
        self.save(index=index, shape=shape, k=k)
        planes = int(np.prod(shape[:-k]))
        out = np.zeros((planes, int(np.prod(shape[-k:]))), dtype=x._data.dtype)
        rows = np.repeat(np.arange(planes), index.size // max(planes, 1))
        out[rows, index.reshape(-1)] = x._data.reshape(-1)
        return out.reshape(shape)

    def backward(self, g: Tensor) -> Tensor:
        return apply(_MaxPoolGather, g, index=self.saved("index"), k=self.saved("k"))


class MaxUnpool3DBackward0(MaxUnpool2DBackward0):
    op_name = "max_unpool3d"


def _tuple(v: Any, n: int) -> tuple[int, ...]:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def _output_size(
    x: Tensor, k: int, kernel_size: Any, stride: Any, padding: Any, output_size: Any
) -> list[int]:
    """PyTorch's ``_unpool_output_size``: the inverse of the pool's size, or a checked request."""
    kernel = _tuple(kernel_size, k)
    stride = kernel if stride is None else _tuple(stride, k)
    padding = _tuple(padding, k)
    default = [(x.shape[-k + d] - 1) * stride[d] + kernel[d] - 2 * padding[d] for d in range(k)]
    if output_size is None:
        ret = default
    else:
        if len(output_size) == k + 2:
            output_size = output_size[2:]
        if len(output_size) != k:
            raise ValueError(
                f"output_size should be a sequence containing {k} or {k + 2} elements, but it "
                f"has a length of '{len(output_size)}'"
            )
        for d in range(k):
            low, high = default[d] - stride[d], default[d] + stride[d]
            if not low < output_size[d] < high:
                raise ValueError(
                    f'invalid output_size "{output_size}" (dim {d} must be between {low} and '
                    f"{high})"
                )
        ret = list(output_size)
    for d in range(k):
        if ret[d] < 0:
            raise ValueError(
                "max_unpooling: output_size must contain non-negative spatial dimensions, but "
                f"got output_size[{d}]={ret[d]}"
            )
    return ret


def _unpool(x: Tensor, indices: Tensor, size: list[int], k: int) -> Tensor:
    """``max_unpool2d`` (k = 2) or ``max_unpool3d`` (k = 3) of ATen, with its checks."""
    xd, idx = x._data, indices._data
    if idx.dtype != np.int64:
        got = f" but got: {c_name(idx.dtype)}" if k == 2 else ""
        raise RuntimeError(f"elements in indices should be type int64{got}")
    if len(size) != k:
        names = "(height, width)" if k == 2 else "(depth, height, width)"
        count = "two" if k == 2 else "three"
        raise RuntimeError(
            f"There should be exactly {count} elements {names} in output_size, but got "
            f"{len(size)} elements."
        )
    if xd.ndim not in (k + 1, k + 2):
        raise RuntimeError(
            f"Input to max_unpooling{k}d should be a {k + 1}d or {k + 2}d Tensor, but got a "
            f"tensor with {xd.ndim} dimensions."
        )
    if idx.shape != xd.shape:
        raise RuntimeError(
            "Expected shape of indices to be same as that of the input tensor "
            f"({list(xd.shape)}) but got indices tensor with shape: {list(idx.shape)}"
        )
    for d in range(1, xd.ndim):
        if xd.shape[d] == 0:
            raise RuntimeError(
                f"max_unpooling{k}d_forward_out_cpu(): Expected input to have non-zero size for "
                f"non-batch dimensions, but got {list(xd.shape)} with dimension {d} being empty."
            )
    if xd.dtype.kind not in "f":
        raise NotImplementedError(f"\"max_unpool{k}d\" not implemented for '{c_name(xd.dtype)}'")
    bad = np.flatnonzero((idx < 0) | (idx >= int(np.prod(size))))
    if bad.size:
        volume = "x".join(str(n) for n in size)
        raise RuntimeError(
            f"Found an invalid max index: {idx.reshape(-1)[bad[0]]} (output volumes are of size "
            f"{volume})"
        )
    shape = (*xd.shape[:-k], *size)
    node = MaxUnpool2DBackward0 if k == 2 else MaxUnpool3DBackward0
    return apply(node, x, index=idx, shape=shape, k=k)


@declare("max_unpool2d", nodes=MaxUnpool2DBackward0, torch=False, method=False, functional=True)
def max_unpool2d(
    input: Tensor,  # noqa: A002 - PyTorch's name
    indices: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """Each value of ``input`` written at its index of a zero plane of the pool's input size."""
    size = _output_size(input, 2, kernel_size, stride, padding, output_size)
    return _unpool(input, indices, size, 2)


@declare("max_unpool1d", nodes=MaxUnpool2DBackward0, torch=False, method=False, functional=True)
def max_unpool1d(
    input: Tensor,  # noqa: A002 - PyTorch's name
    indices: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """``max_unpool2d`` over a trailing dim of size 1."""
    size = _output_size(input, 1, kernel_size, stride, padding, output_size)
    out = _unpool(input.unsqueeze(-1), indices.unsqueeze(-1), [*size, 1], 2)
    return out.squeeze(-1)


@declare("max_unpool3d", nodes=MaxUnpool3DBackward0, torch=False, method=False, functional=True)
def max_unpool3d(
    input: Tensor,  # noqa: A002 - PyTorch's name
    indices: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """``max_unpool2d`` over three spatial dims."""
    size = _output_size(input, 3, kernel_size, stride, padding, output_size)
    return _unpool(input, indices, size, 3)
