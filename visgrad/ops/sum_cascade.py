"""The cascades of ATen's sum kernel, on NumPy lanes: ``multi_row_sum``'s four levels of blocks,
``row_sum``'s four interleaved accumulators and the four loops a kernel call picks by its layout
(``sum_kernel`` walks the iterator's dimensions and calls them; its docstring tells the order).
"""

from __future__ import annotations

import numpy as np

_ILP = 4  # row_sum's interleaved accumulators
_LEVELS = 4  # multi_row_sum's cascade depth


def _seq(a: np.ndarray) -> np.ndarray:
    """``0 + a[0] + a[1] + ...`` along axis 0, one rounding per addition, in order. (The sign
    of a zero is the only thing starting from ``a[0]`` instead of 0 can change, and no later
    addition depends on it; the kernel's final ``out += sum`` into zeros clears it.)"""
    n = a.shape[0]
    if n <= 2:
        return (a[0] + a[1]) if n == 2 else (a[0] if n else np.zeros(a.shape[1:], a.dtype))
    if _rows_of_lanes(a):
        # Each row's lanes are one contiguous block, so NumPy's reduction loop runs along the
        # lanes and adds whole rows one after the other (its pairwise sum applies only along
        # the inner axis).
        return np.add.reduce(a, axis=0)
    if a.size < 64 * n:  # few lanes: one ufunc call along the axis
        return np.add.accumulate(a, axis=0)[-1]
    # Many lanes: NumPy's accumulate loops lane by lane; row additions are far faster.
    r = a[0] + a[1]
    for i in range(2, n):
        np.add(r, a[i], out=r)
    return r


def _rows_of_lanes(a: np.ndarray) -> bool:
    """Rows (axis 0, ascending) of at least 16 lanes that lie contiguously, rows apart."""
    if a.ndim < 2 or a.strides[0] <= 0:
        return False
    row = a[0]
    return row.size >= 16 and row.flags.c_contiguous and a.strides[0] >= row.size * a.itemsize


def _groups(a: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray]:
    """The sequential sums of each full group of ``step`` along axis 0, and of the rest."""
    full = a.shape[0] // step
    head = a[: full * step].reshape((full, step) + a.shape[1:])
    if full and _rows_of_lanes(head[0]):
        sums = np.add.reduce(head, axis=1)  # rows in order, lanes inner (as in _seq)
    else:
        sums = _seq(head.swapaxes(0, 1)) if full else head[:, 0]
    return sums, _seq(a[full * step :])


def _ceil_log2(n: int) -> int:
    return 1 if n <= 2 else (n - 1).bit_length()


def cascade(a: np.ndarray) -> np.ndarray:
    """``multi_row_sum``: a four-level cascade along axis 0; the other axes are lanes. Level 0
    adds each block of ``step`` elements; every level passes its sum up to the next after
    ``step`` additions and starts again; the top level keeps adding; at the end the tail's
    accumulator takes the others, lowest level first."""
    size = a.shape[0]
    step = 1 << max(4, _ceil_log2(size) // _LEVELS)
    if size < step:
        return _seq(a)
    blocks, acc0 = _groups(a, step)
    if len(blocks) < step:
        return acc0 + _seq(blocks)
    level1, acc1 = _groups(blocks, step)
    level2, acc2 = _groups(level1, step)
    return ((acc0 + acc1) + acc2) + _seq(level2)


def row_sum(a: np.ndarray) -> np.ndarray:
    """``row_sum``: four interleaved cascades along axis 0, the leftovers into the first, then
    the other three into it."""
    size = a.shape[0]
    n = size // _ILP
    if n == 0:
        return _seq(a)
    part = cascade(a[: n * _ILP].reshape((n, _ILP) + a.shape[1:]))
    return _seq(np.concatenate((part[:1], a[n * _ILP :], part[1:])))


def _inner(block: np.ndarray, lanes: int) -> np.ndarray:
    """``vectorized_inner_sum`` over axis 0 (contiguous, at least one vector long): a row_sum of
    vectors, then one scalar accumulator takes the leftover elements and the vector's lanes."""
    nvec = block.shape[0] // lanes
    vectors = block[: nvec * lanes].reshape((nvec, lanes) + block.shape[1:])
    if block.ndim > 1:
        # Axis 0 is contiguous, so the vectors' lanes and the kept axes are strided: one copy
        # with each vector's lanes (kept axes included) contiguous lets every sum below add
        # whole rows in one reduction instead of one strided addition per row.
        vectors = np.ascontiguousarray(vectors)
    vec = row_sum(vectors)
    return _seq(np.concatenate((block[nvec * lanes :], vec)))


def _columns(block: np.ndarray, wide: int) -> np.ndarray:
    """Outer sums over axis 0 of ``block`` (size0, size1, ...): the first columns in groups of
    ``wide`` go through one cascade each, the remaining ones through ``row_sum``."""
    size1 = block.shape[1]
    split = size1 - size1 % wide
    if split == size1:
        return cascade(block)
    if split == 0:
        return row_sum(block)
    return np.concatenate((cascade(block[:, :split]), row_sum(block[:, split:])))


def _loop(block: np.ndarray, in0: int, in1: int, lanes: int) -> np.ndarray:
    """One kernel call on ``block`` (size0 reduced, size1 kept, outer lanes), by its layout."""
    size0, size1 = block.shape[0], block.shape[1]
    if in0 == 1 and size0 >= lanes:
        return _inner(block, lanes)
    if in1 == 1 and size1 >= lanes:
        # vectorized_outer_sum: groups of four vectors of columns cascade; then whole vectors
        # and single columns take row_sum (the same additions lane by lane).
        return _columns(block, 4 * lanes)
    if in0 < in1:
        return row_sum(block)  # scalar_inner_sum
    return _columns(block, 4)  # scalar_outer_sum
