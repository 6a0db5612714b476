"""``t.fill_diagonal_(value, wrap=False)``: fill the main diagonal (every index equal) in place,
as PyTorch does, through views of ``t``, so the write is a ``CopySlices`` on ``t``'s graph."""

from __future__ import annotations

from typing import Any

from visgrad.arg_parser import number
from visgrad.ops.inplace import fill_
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor


@declare("fill_diagonal_", torch=False)
def fill_diagonal_(t: Tensor, fill_value: Any, wrap: bool = False) -> Tensor:
    """Write ``fill_value`` at ``t[i, i, ...]``; with ``wrap``, a tall matrix's diagonal starts
    again below each ``width + 1`` rows."""
    value = number("fill_diagonal_", "fill_value", fill_value, 1)
    shape = t._data.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    height, width = shape[0], shape[1]
    wraps = wrap and len(shape) == 2 and height > width + 1
    if wraps and t._data.flags.c_contiguous:
        # PyTorch's two strided writes, both read off the flat layout.
        flat = t.view(-1)
        step = width + 1
        fill_(flat[: width * step : step], value)
        fill_(flat[width * step :: step], value)
        return t
    main = t
    for _ in range(len(shape) - 1):
        main = main.diagonal(0, 0, 1)
    fill_(main, value)
    if wraps:
        fill_diagonal_(t[width + 1 :], value, wrap=True)
    return t
