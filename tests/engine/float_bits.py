"""Shared by the bit-exactness tests: float32 arrays compared bit for bit, and the thread count
pinned to the one PyTorch's fixture was recorded with (thread splits move the rounding)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

import visgrad as torch


def same_bits(got: np.ndarray, want: np.ndarray) -> None:
    """Equal float32 bits everywhere; NaN where and only where ``want`` has NaN."""
    assert got.dtype == want.dtype == np.float32 and got.shape == want.shape
    nan = np.isnan(want)
    np.testing.assert_array_equal(np.isnan(got), nan)
    np.testing.assert_array_equal(got[~nan].view(np.int32), want[~nan].view(np.int32))


@contextmanager
def threads(n: int) -> Iterator[None]:
    """visgrad's thread count set to ``n`` for the block, then restored."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
