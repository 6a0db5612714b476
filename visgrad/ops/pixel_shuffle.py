"""``pixel_shuffle`` and ``pixel_unshuffle``: trade channels for space, ``r * r`` at a time.

``pixel_shuffle`` moves (…, C·r², H, W) to (…, C, H·r, W·r): each channel's ``r * r`` planes
become the ``r × r`` sub-pixels of one output plane. ``pixel_unshuffle`` is its inverse, so
each is the other's backward. Both are one reshape, one transpose and one copy in NumPy.
"""

from __future__ import annotations

import numpy as np

from visgrad.ops.base import Op, apply
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["pixel_shuffle", "pixel_unshuffle"]


def _shuffle(a: np.ndarray, r: int) -> np.ndarray:
    *lead, c, h, w = a.shape
    k = len(lead)
    v = a.reshape(*lead, c // (r * r), r, r, h, w)
    v = v.transpose(*range(k + 1), k + 3, k + 1, k + 4, k + 2)
    return np.ascontiguousarray(v).reshape(*lead, c // (r * r), h * r, w * r)


def _unshuffle(a: np.ndarray, r: int) -> np.ndarray:
    *lead, c, h, w = a.shape
    k = len(lead)
    v = a.reshape(*lead, c, h // r, r, w // r, r)
    v = v.transpose(*range(k + 1), k + 2, k + 4, k + 1, k + 3)
    return np.ascontiguousarray(v).reshape(*lead, c * r * r, h // r, w // r)


class PixelShuffleBackward0(Op):
    op_name = "pixel_shuffle"
    formulas = {"self": "pixel_unshuffle(grad, upscale_factor)"}

    def forward(self, x: Tensor, upscale_factor: int) -> np.ndarray:
        self.save(upscale_factor=upscale_factor)
        return _shuffle(x._data, upscale_factor)

    def backward(self, g: Tensor) -> Tensor:
        return pixel_unshuffle(g, self.saved("upscale_factor"))


class PixelUnshuffleBackward0(Op):
    op_name = "pixel_unshuffle"
    formulas = {"self": "pixel_shuffle(grad, downscale_factor)"}

    def forward(self, x: Tensor, downscale_factor: int) -> np.ndarray:
        self.save(downscale_factor=downscale_factor)
        return _unshuffle(x._data, downscale_factor)

    def backward(self, g: Tensor) -> Tensor:
        return pixel_shuffle(g, self.saved("downscale_factor"))


def _check(name: str, x: np.ndarray, factor: int, what: str) -> None:
    if x.ndim < 3:
        raise RuntimeError(
            f"{name} expects input to have at least 3 dimensions, but got input with "
            f"{x.ndim} dimension(s)"
        )
    if factor <= 0:
        raise RuntimeError(f"{name} expects a positive {what}, but got {factor}")


@declare(
    "pixel_shuffle",
    nodes=(PixelShuffleBackward0, PixelUnshuffleBackward0),
    method=False,
    functional=True,
)
def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:  # noqa: A002
    """(…, C·r², H, W) to (…, C, H·r, W·r)."""
    x, r = input._data, int(upscale_factor)
    _check("pixel_shuffle", x, r, "upscale_factor")
    if x.shape[-3] % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={x.shape[-3]} is not divisible by "
            f"{r * r}"
        )
    return apply(PixelShuffleBackward0, input, upscale_factor=r)


@declare(
    "pixel_unshuffle",
    nodes=(PixelUnshuffleBackward0, PixelShuffleBackward0),
    method=False,
    functional=True,
)
def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:  # noqa: A002
    """(…, C, H·r, W·r) to (…, C·r², H, W)."""
    x, r = input._data, int(downscale_factor)
    _check("pixel_unshuffle", x, r, "downscale_factor")
    for side, dim in (("height", -2), ("width", -1)):
        if x.shape[dim] % r:
            raise RuntimeError(
                f"pixel_unshuffle expects {side} to be divisible by downscale_factor, but "
                f"input.size({dim})={x.shape[dim]} is not divisible by {r}"
            )
    return apply(PixelUnshuffleBackward0, input, downscale_factor=r)
