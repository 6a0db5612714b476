"""``torch.layout`` and ``torch.memory_format``: how a tensor's elements lie in memory.

Every visgrad tensor is dense and strided. Memory formats are real: ``channels_last`` lays a 4-D
tensor out as N, H, W, C (its strides say so, as PyTorch's), which ``contiguous``, ``clone`` and
``to`` produce and ``is_contiguous`` recognises; the values are the same in every format.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class layout:  # noqa: N801 - PyTorch's name
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name


class memory_format:  # noqa: N801 - PyTorch's name
    __slots__ = ("name", "rank", "order")

    def __init__(self, name: str, rank: int | None = None, order: tuple[int, ...] = ()) -> None:
        self.name = name
        self.rank = rank  # channels-last formats are for 4-D / 5-D tensors only
        self.order = order  # dims from the outermost in memory to the innermost

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name


strided = layout("strided")
sparse_coo = layout("sparse_coo")
contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last", 4, (0, 2, 3, 1))
channels_last_3d = memory_format("channels_last_3d", 5, (0, 2, 3, 4, 1))


def checked(op: str, fmt: Any, ndim: int | None = None) -> memory_format:
    """``fmt`` as a memory format ``op`` can give a tensor of ``ndim`` dims (PyTorch's errors)."""
    if not isinstance(fmt, memory_format):
        raise TypeError(
            f"{op}(): argument 'memory_format' must be torch.memory_format, not "
            f"{type(fmt).__name__}"
        )
    if ndim is not None and fmt.rank is not None and ndim != fmt.rank:
        raise RuntimeError(f"required rank {fmt.rank} tensor to use {fmt.name} format")
    return fmt


def is_in(x: np.ndarray, fmt: memory_format) -> bool:
    """Whether ``x``'s strides are those of ``fmt`` (dims of size 1 may have any stride)."""
    if fmt.rank is None:
        return bool(x.flags.c_contiguous)
    if x.ndim != fmt.rank:
        return False
    expected = x.itemsize
    for d in reversed(fmt.order):
        if x.shape[d] != 1:
            if x.strides[d] != expected:
                return False
            expected *= x.shape[d]
    return True


def laid_out(x: np.ndarray, fmt: memory_format) -> np.ndarray:
    """A copy of ``x`` whose memory follows ``fmt`` (same shape and values); ``preserve_format``
    keeps the order of ``x``'s strides, as PyTorch's ``clone`` does."""
    if fmt is preserve_format:
        return np.array(x, copy=True, order="K")
    if fmt.rank is None:
        return np.array(x, copy=True, order="C")
    dense = np.ascontiguousarray(np.transpose(x, fmt.order))
    return np.transpose(dense, np.argsort(fmt.order))


def relay(tensors: Any, fmt: Any) -> None:
    """``module.to(memory_format=...)``: the 4-D (5-D) tensors among ``tensors`` take ``fmt``."""
    fmt = checked("to", fmt)
    if fmt is preserve_format:
        return
    for t in tensors:
        if fmt.rank in (None, t._data.ndim):
            t._data = laid_out(t._data, fmt)


BY_NAME = {f.name: f for f in (contiguous_format, preserve_format, channels_last, channels_last_3d)}
