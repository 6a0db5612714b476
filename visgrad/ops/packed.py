"""``torch._pack_padded_sequence``: the steps of a padded batch laid end to end, as ATen packs them.

A padded ``(T, B, *)`` batch sorted by decreasing length becomes one ``(sum of lengths, *)``
tensor holding time step 0 of every sequence, then step 1 of those still running, and so on,
with ``batch_sizes[t]`` the number of sequences at step ``t``. ATen copies one block of steps
per distinct length (``input[prev:l, :b]``); this gathers the same rows in the same order (so
inputs it does not refuse give its result, a length past the padded steps included), and the
backward adds the gradient back into a zero padded batch at those rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.ops.base import Op, apply
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["_pack_padded_sequence"]


def _blocks(lengths: list[int]) -> list[tuple[int, int, int]]:
    """(first step, end step, batch size) of each block ATen slices, shortest length first."""
    out, prev = [], 0
    n = len(lengths)
    for i in range(n):
        length = lengths[n - 1 - i]
        if length > prev:
            out.append((prev, length, n - i))
            prev = length
    return out


def _batch_sizes(lengths: list[int]) -> np.ndarray:
    sizes = np.empty(lengths[0], dtype=np.int64)
    for lo, hi, b in _blocks(lengths):
        sizes[lo:hi] = b
    return sizes


def _positions(lengths: list[int], shape: tuple[int, ...], batch_first: bool) -> np.ndarray:
    """Where each packed row sits in the padded input seen as ``(-1, *features)``: ATen's
    blocks of steps, in its order (within a step, by batch index)."""
    steps, batch = (shape[1], shape[0]) if batch_first else (shape[0], shape[1])
    rows = []
    for lo, hi, b in _blocks(lengths):
        t = np.arange(lo, min(hi, steps))[:, None]
        i = np.arange(min(b, batch))[None, :]
        rows.append((i * steps + t if batch_first else t * batch + i).reshape(-1))
    return np.concatenate(rows).astype(np.int64)


class PackPaddedSequenceBackward0(Op):
    op_name = "_pack_padded_sequence"
    input_names = ("input",)
    formulas = {
        "input": "zeros(input.shape).reshape(flat).index_add(0, positions, grad).reshape(input.shape)"
    }

    def forward(
        self, x: Tensor, positions: np.ndarray, flat: tuple[int, ...], steps: int, batch_first: bool
    ) -> np.ndarray:
        self.save(input_sizes=tuple(x.shape), positions=positions, flat=flat, steps=steps)
        self.save(batch_first=batch_first)
        return x._data.reshape(flat)[positions]

    def backward(self, g: Tensor) -> Tensor:
        shape, flat = self.saved("input_sizes"), self.saved("flat")
        padded = list(shape)
        if self.saved("batch_first"):
            padded[0], padded[1] = padded[1], padded[0]
        if self.saved("steps") > padded[0]:  # a length past the padded steps: ATen's loop
            raise IndexError(
                f"select(): index {padded[0]} out of range for tensor of size {padded} at "
                "dimension 0"
            )
        where = Tensor._make(self.saved("positions"), False, None, 0)
        return g.new_zeros(shape).reshape(flat).index_add(0, where, g).reshape(shape)


def _check_lengths(x: Tensor, lengths: Any, batch_first: bool) -> list[int]:
    if not isinstance(lengths, Tensor) or lengths.dtype.name != "int64" or lengths.dim() != 1:
        got = "none" if not isinstance(lengths, Tensor) else f"{lengths.dim()}D {lengths.dtype}"
        raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got {got}")
    if x.dim() < 2:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [-{max(x.dim(), 1)}, "
            f"{max(x.dim(), 1) - 1}], but got 1)"
        )
    if x.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    batch = x.size(0) if batch_first else x.size(1)
    got = lengths.tolist()
    if len(got) != batch:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {len(got)} "
            f"(batch_size={batch})"
        )
    if got[-1] <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in "
            "'lengths' that is <= 0"
        )
    if any(a < b for a, b in zip(got, got[1:], strict=False)):
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
            "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
            "to sidestep this requirement if you do not need ONNX exportability."
        )
    return got


@declare("_pack_padded_sequence", nodes=PackPaddedSequenceBackward0, method=False)
def _pack_padded_sequence(
    input: Tensor, lengths: Tensor, batch_first: bool
) -> tuple[Tensor, Tensor]:  # noqa: A002
    """(data, batch_sizes) of a padded batch sorted by decreasing ``lengths``."""
    got = _check_lengths(input, lengths, bool(batch_first))
    shape = tuple(input.shape)
    where = _positions(got, shape, bool(batch_first))
    data = apply(
        PackPaddedSequenceBackward0, input, positions=where, flat=(-1, *shape[2:]),
        steps=got[0], batch_first=bool(batch_first),
    )  # fmt: skip
    return data, Tensor._make(_batch_sizes(got), False, None, 0)
