"""Floating-point sums in the order ATen's CPU kernel adds, so the last bit agrees with PyTorch.

NumPy's pairwise sum and PyTorch's cascade sum round differently: ``torch.randn(7).sum()`` differs
from ``np.add.reduce`` in the last bit for most inputs, and a seeded training loop then drifts from
the numbers a learner sees in PyTorch. This module reproduces, with NumPy operations on whole
lanes, the order of additions of ``cascade_sum`` (aten/src/ATen/native/cpu/SumKernel.cpp) as the
reduction ``TensorIterator`` drives it:

* the iterator sorts the dimensions (reduced ones first, then by stride), merges the ones that are
  contiguous together, and calls the kernel once per outer index with two dimensions; each call
  adds its result into the output (``out += partial``, the output filled with zeros first);
* the kernel picks one of four loops by the layout: a contiguous reduced dimension of at least one
  vector is summed in vector lanes (``vectorized_inner_sum``), a contiguous kept dimension of at
  least one vector is summed column-wise (``vectorized_outer_sum``), and otherwise row or column
  scalar loops; each of them sums a row with four interleaved accumulators (``row_sum``) that are
  each a four-level cascade of blocks of 16 or more elements (``multi_row_sum``);
* a whole-tensor sum of at least 32,768 elements is split into one chunk per thread, each summed
  alone, then the chunks' sums added (``two_pass_reduction``), so the result depends on
  ``torch.get_num_threads()`` as it does in PyTorch.

Vectors are 32 bytes (8 floats, 4 doubles) on every CPU: the sum kernel is registered with
``REGISTER_DISPATCH``, which ATen leaves empty for AVX-512, so an AVX-512 CPU runs the AVX2 kernel,
and the portable kernel's vectors are 32 bytes too. Float16 and bfloat16, which ATen accumulates
in float32 with its own load order, keep NumPy's sum.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from visgrad import _threads as threads
from visgrad.ops.sum_cascade import _ILP, _loop, _seq, row_sum

VECTOR_BYTES = 32  # Vectorized<T> of the AVX2 and the portable kernels
GRAIN_SIZE = 32768  # at::internal::GRAIN_SIZE: below it, a reduction never goes parallel


class _Dim:
    __slots__ = ("size", "ins", "outs")

    def __init__(self, size: int, ins: int, outs: int) -> None:
        self.size, self.ins, self.outs = size, ins, outs


def _should_swap(a: _Dim, b: _Dim) -> int:
    """TensorIterator::reorder_dimensions' comparison for a reduction: 1 if ``a`` goes after
    ``b``, -1 before, 0 undecided. The output decides first (reduced dimensions go to the
    front), then the strides, the output's and then the input's; equal strides, by size."""
    if (a.outs == 0) != (b.outs == 0):
        return 1 if b.outs == 0 else -1
    for s0, s1 in ((a.outs, b.outs), (a.ins, b.ins)):
        if s0 == 0 or s1 == 0:
            continue
        if s0 != s1:
            return -1 if s0 < s1 else 1
        if a.size > b.size:
            return 1
    return 0


def _iteration_dims(shape: Sequence[int], ins: Sequence[int], outs: Sequence[int]) -> list[_Dim]:
    """The dimensions as the iterator walks them: sorted (fastest first), then coalesced."""
    dims = [_Dim(shape[i], ins[i], outs[i]) for i in reversed(range(len(shape)))]
    for i in range(1, len(dims)):  # insertion sort that tolerates ambiguous comparisons
        j = i
        for k in range(i - 1, -1, -1):
            c = _should_swap(dims[k], dims[j])
            if c > 0:
                dims[k], dims[j] = dims[j], dims[k]
                j = k
            elif c < 0:
                break
    merged = [dims[0]]
    for d in dims[1:]:
        p = merged[-1]
        if p.size == 1 or d.size == 1 or (p.ins * p.size == d.ins and p.outs * p.size == d.outs):
            if p.size == 1:
                p.ins, p.outs = d.ins, d.outs
            p.size *= d.size
        else:
            merged.append(d)
    return merged


def _calls(block: np.ndarray, d0: _Dim, d1: _Dim, lanes: int) -> np.ndarray:
    """One kernel call on ``block`` (d0 x d1 x outer lanes): what it adds into the output for
    each index of ``d1`` (axis 0 of the result; the outer lanes follow)."""
    if d0.outs != 0 and d1.outs == 0:  # the kernel moves the reduction to the first dimension
        block = np.swapaxes(block, 0, 1)
        d0, d1 = d1, d0
    return _loop(block, d0.ins, d1.ins, lanes)


class _Plan:
    """How one reduction (shape, strides, dims) is walked, worked out once per layout."""

    __slots__ = (
        "walk_shape",
        "walk_strides",
        "dims",
        "order",
        "nred",
        "k",
        "chunks",
        "place",
        "shape",
    )

    def __init__(self, x_shape, x_strides, itemsize, red, keepdim):  # type: ignore[no-untyped-def]
        kept_shape = tuple(1 if i in red else s for i, s in enumerate(x_shape))
        self.shape = (
            kept_shape if keepdim else tuple(s for i, s in enumerate(x_shape) if i not in red)
        )
        outs = [0] * len(x_shape)
        stride = 1
        for i in reversed(range(len(x_shape))):  # the output: contiguous in the kept dimensions
            if i not in red:
                outs[i] = stride if x_shape[i] != 1 else 0
                stride *= x_shape[i]
        dims = _iteration_dims(x_shape, [s // itemsize for s in x_strides], outs)
        self.dims = dims
        self.walk_shape = tuple(d.size for d in dims)
        self.walk_strides = tuple(d.ins * itemsize for d in dims)
        # The kernel's results have axes (dim 1, outer dims...); for one output element the
        # additions run over the reduced axes with the fastest (dim 1, dims[2], ...) innermost.
        axes = [(0, dims[1] if len(dims) > 1 else _Dim(1, 0, 0))]
        axes += [(i + 1, d) for i, d in enumerate(dims[2:])]
        reduced = [i for i, d in axes if d.outs == 0]
        kept = [i for i, d in axes if d.outs != 0]
        self.order = sorted(reduced, reverse=True) + kept
        self.nred = len(reduced)
        self.k = int(np.prod([axes[i][1].size for i in reduced]))
        # A whole-tensor sum of GRAIN_SIZE or more goes one chunk per thread.
        n = int(np.prod(x_shape))
        nthreads = (
            1
            if stride != 1 or n < GRAIN_SIZE
            else max(1, min(threads.get_num_threads(), -(-n // GRAIN_SIZE)))
        )
        self.chunks = -(-n // nthreads) if nthreads > 1 else 0
        # Where the results go: the kept walk dims laid over the contiguous output.
        kept_dims = [d for d in dims if d.outs != 0]
        self.place = (
            tuple(d.size for d in kept_dims),
            tuple(d.outs * itemsize for d in kept_dims),
            stride,
        )


_PLANS: dict[tuple, _Plan] = {}


def _plan(x: np.ndarray, red: frozenset[int], keepdim: bool) -> _Plan:
    key = (x.shape, x.strides, x.itemsize, red, keepdim, threads.get_num_threads())
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) > 1024:
            _PLANS.clear()
        plan = _PLANS[key] = _Plan(x.shape, x.strides, x.itemsize, red, keepdim)
    return plan


def _walk(x: np.ndarray, plan: _Plan) -> np.ndarray:
    try:  # a view over x's own buffer, when it exports one (contiguous arrays)
        return np.ndarray(plan.walk_shape, x.dtype, x, 0, plan.walk_strides)
    except (TypeError, ValueError, BufferError):
        return np.lib.stride_tricks.as_strided(
            x, plan.walk_shape, plan.walk_strides, writeable=False
        )


def _serial(view: np.ndarray, plan: _Plan, lanes: int) -> np.ndarray:
    """A single-threaded walk: the sums laid out as the walk's kept dimensions, fastest first."""
    dims = plan.dims
    d1 = dims[1] if len(dims) > 1 else _Dim(1, 0, 0)
    block = view if len(dims) > 1 else view.reshape(view.shape + (1,))
    part = _calls(block, dims[0], d1, lanes)
    if plan.order != list(range(part.ndim)):
        part = np.transpose(part, plan.order)
    return _seq(part.reshape((plan.k,) + part.shape[plan.nred :]))


def _chunk(view: np.ndarray, dims: list[_Dim], begin: int, end: int, lanes: int) -> np.ndarray:
    """One thread's range [begin, end) of a whole-tensor walk (``serial_for_each``): the
    iterator calls the kernel on a partial first row, whole rows, then a partial last row."""
    if len(dims) == 1:
        return _calls(view[begin:end].reshape(-1, 1), dims[0], _Dim(1, 0, 0), lanes)
    flat = view.transpose(list(reversed(range(view.ndim)))).reshape(-1)  # walk order
    shape0, shape1 = dims[0].size, dims[1].size
    adds = []
    offset = begin
    while offset < end:
        v1 = (offset // shape0) % shape1
        step0 = min(shape0 - offset % shape0, end - offset)
        step1 = min(shape1 - v1, (end - offset) // shape0) if step0 == shape0 else 1
        rows = flat[offset : offset + step0 * step1].reshape(step1, step0).T
        adds.append(_calls(rows, dims[0], dims[1], lanes))  # one addition per row
        offset += step0 * step1
    return np.concatenate(adds)


def _whole(v: np.ndarray, lanes: int) -> Any:
    """The sum of a contiguous run ``v`` (1 to GRAIN_SIZE - 1 elements) as a NumPy scalar: the
    additions of the general walk (a vectorised inner sum, or the scalar loop below one
    vector), written straight for the short cascades: a small tensor's ``sum()`` is mostly the
    cost of the calls that make it."""
    n = len(v)
    if n < lanes:  # scalar row_sum: accumulators 0-3, the leftovers into the first, then 1-3
        items = list(v)  # NumPy scalars: each addition rounds in the array's dtype
        if n > _ILP:
            items = [items[0], *items[_ILP:], *items[1:_ILP]]
        total = items[0]
        for item in items[1:]:
            total = total + item
        return total
    nvec = n // lanes
    m = nvec // _ILP
    if m >= 256:
        vec = row_sum(v[: nvec * lanes].reshape(nvec, lanes))
    elif m:
        vec = _small_row_sum(v, nvec, m, lanes)
    else:  # one to three vectors, added in order
        vec = v[:lanes] + v[lanes : 2 * lanes] if nvec > 1 else v[:lanes].copy()
        if nvec == 3:
            vec += v[2 * lanes : 3 * lanes]
    # The scalar accumulator takes the leftover elements, then the vector's lanes.
    rest = v[nvec * lanes :]
    return np.add.accumulate(np.concatenate((rest, vec)) if len(rest) else vec)[-1]


def _small_row_sum(v: np.ndarray, nvec: int, m: int, lanes: int) -> np.ndarray:
    """``row_sum`` of the ``nvec`` vectors of ``v`` when its cascade has at most one level of
    blocks (``m`` < 256 rows of four vectors), in three NumPy reductions instead of the general
    walk's dozens of calls. A row of the four accumulators' lanes is contiguous, so a block of 16
    rows is a sequential sum of whole rows; the rows after the last block, padded with zero rows
    to one more block, sum the same; and the blocks' sums go up a level in order, the tail's
    joining them last (``tail + sum`` is ``sum + tail``)."""
    width = _ILP * lanes
    k = m * width
    nblocks = max(1, -(-m // 16))  # cascade's step is 16 below 2**16 rows
    pad = nblocks * 16 * width - k
    rows = np.concatenate((v[:k], _ZEROS[:pad])) if pad else v[:k]
    blocks = np.add.reduce(rows.reshape(nblocks, 16, width), axis=1)
    # at most 16 rows of 16 or more lanes: the reduction adds whole rows in order
    part = np.add.reduce(blocks, axis=0) if nblocks > 1 else blocks[0]
    acc = part.reshape(_ILP, lanes)
    # The first accumulator takes the leftover vectors, then the other three (at most 7 rows:
    # a reduction that short adds them in order).
    if k == nvec * lanes:
        return np.add.reduce(acc, axis=0)
    left = v[k : nvec * lanes].reshape(-1, lanes)
    return np.add.reduce(np.concatenate((acc[:1], left, acc[1:])), axis=0)


# Zero rows to pad a cascade's last block with (concatenate casts them to the sum's dtype).
_ZEROS = np.zeros(16 * _ILP * (VECTOR_BYTES // 4), np.float32)
_ZEROS.setflags(write=False)


def reduce_sum(x: np.ndarray, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
    """``x.sum(dims, keepdim)`` for a float32/float64 array (``dims`` non-negative), added in
    ATen's order."""
    n = x.size
    if 0 < n < GRAIN_SIZE and len(dims) == x.ndim and x.flags.c_contiguous:
        # the output, zero-filled, takes the sum: ``0 + s`` (a negative zero turns positive)
        zero = _ZERO.get(x.dtype.char)
        total = _whole(x if x.ndim == 1 else x.reshape(-1), VECTOR_BYTES // x.itemsize) + (
            zero if zero is not None else x.dtype.type(0)
        )
        return np.asarray(total).reshape((1,) * x.ndim) if keepdim else np.asarray(total)
    return _walked(x, dims, keepdim)


_ZERO = {"f": np.float32(0), "d": np.float64(0)}


def _walked(x: np.ndarray, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
    """``reduce_sum`` by the general walk of the iterator's dimensions, for any layout."""
    red = frozenset(dims)
    if x.size == 0 or all(x.shape[i] == 1 for i in red):  # nothing to add up
        return np.add.reduce(x, axis=tuple(red), keepdims=keepdim) + x.dtype.type(0)
    lanes = VECTOR_BYTES // x.itemsize
    if x.ndim and min(x.strides) < 0:  # PyTorch has no negative strides: its flip copies
        x = np.ascontiguousarray(x)
    plan = _plan(x, red, keepdim)
    view = _walk(x, plan)
    if plan.chunks:  # two_pass_reduction: each thread's chunk, then the chunks' sums
        n = x.size
        sums = np.stack(
            [
                _seq(_chunk(view, plan.dims, b, min(n, b + plan.chunks), lanes))
                for b in range(0, n, plan.chunks)
            ]
        )
        result = _seq(_calls(sums.reshape(-1, 1), _Dim(len(sums), 1, 0), _Dim(1, 0, 0), lanes))
        return np.asarray(result + x.dtype.type(0)).reshape(plan.shape)
    part = _serial(view, plan, lanes) + x.dtype.type(0)
    sizes, strides, total = plan.place
    if len(sizes) <= 1:  # one kept walk dimension (or none): already in the output's order
        return np.asarray(part).reshape(plan.shape)
    out = np.empty(total, x.dtype)
    np.ndarray(sizes, x.dtype, out, 0, strides)[...] = part.reshape(sizes)
    return out.reshape(plan.shape)


def float_sum(x: np.ndarray, dims: tuple[int, ...], keepdim: bool, out_dt: Any) -> np.ndarray:
    """``x`` summed over ``dims`` as ``out_dt``: float32 and float64 in the order ATen adds
    (``sum_kernel``), other dtypes with NumPy."""
    out_dt = np.dtype(out_dt)
    if out_dt.kind == "f" and out_dt.itemsize >= 4 and x.dtype.kind in "fbiu":
        return reduce_sum(x if x.dtype == out_dt else x.astype(out_dt), dims, keepdim)
    return np.asarray(np.add.reduce(x, axis=dims, keepdims=keepdim, dtype=out_dt))
