"""``torch.nn.utils.rnn``: variable-length sequences padded into one tensor, and packed.

``pad_sequence`` builds the padded tensor as PyTorch builds it (a filled tensor with each
sequence copied into its slot, so the graph is a chain of CopySlices and gradients reach every
sequence). ``PackedSequence`` and ``pack_padded_sequence`` / ``pad_packed_sequence`` /
``pack_sequence`` / ``unpack_sequence`` / ``unpad_sequence`` lay sequences end to end by time
step as PyTorch does (``torch._pack_padded_sequence``), so RNN, LSTM and GRU run only the steps
each sequence has; the padded tensor ``pad_packed_sequence`` returns is built with PyTorch's
ops too (a block copy per run of equal batch sizes, then a transpose for ``batch_first``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

import visgrad as torch
from visgrad.autograd import errors

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]


def pad_sequence(
    sequences: Any,
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Any:
    """``(T, B, *)`` (``(B, T, *)`` with ``batch_first``) from ``B`` tensors of shape ``(L_i, *)``,
    padded with ``padding_value`` on ``padding_side`` up to the longest ``T``."""
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    seqs = list(sequences.unbind(0)) if isinstance(sequences, torch.Tensor) else list(sequences)
    if not seqs:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.size(0) for s in seqs)
    trailing = tuple(seqs[0].shape[1:])
    shape = (len(seqs), longest, *trailing) if batch_first else (longest, len(seqs), *trailing)
    out = seqs[0].new_full(shape, padding_value)
    for i, s in enumerate(seqs):
        n = s.size(0)
        slot = (n, *trailing)
        try:
            np.broadcast_shapes(tuple(s.shape), slot)
        except ValueError:
            raise RuntimeError(errors.broadcast(slot, tuple(s.shape))) from None
        start = longest - n if padding_side == "left" else 0
        if batch_first:
            out[i, start : start + n] = s
        else:
            out[start : start + n, i] = s
    return out


class PackedSequence_(NamedTuple):  # noqa: N801 - PyTorch's name
    data: Any
    batch_sizes: Any
    sorted_indices: Any
    unsorted_indices: Any


def invert_permutation(permutation: Any) -> Any:
    """The permutation that undoes ``permutation`` (None stays None)."""
    if permutation is None:
        return None
    output = torch.empty_like(permutation)
    output.scatter_(0, permutation, torch.arange(0, permutation.numel()))
    return output


class PackedSequence(PackedSequence_):
    """Sequences laid end to end by time step: ``data``, ``batch_sizes`` (sequences at each
    step) and the permutation that sorted them by length (``None`` when they came sorted)."""

    def __new__(
        cls,
        data: Any,
        batch_sizes: Any = None,
        sorted_indices: Any = None,
        unsorted_indices: Any = None,
    ) -> PackedSequence:
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence(*other): the fields of another
            if isinstance(data, (list, tuple)) and len(data) == 2:
                data, batch_sizes = data
            else:
                raise ValueError("PackedSequence needs batch_sizes")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """The same sequences with ``data`` converted as ``Tensor.to``; itself when unchanged."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self, *args: Any, **kwargs: Any) -> PackedSequence:
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> PackedSequence:
        return type(self)(
            self.data.cuda(*args, **kwargs), self.batch_sizes, self.sorted_indices,
            self.unsorted_indices,
        )  # fmt: skip

    def double(self) -> PackedSequence:
        return self.to(dtype=torch.double)

    def float(self) -> PackedSequence:
        return self.to(dtype=torch.float)

    def half(self) -> PackedSequence:
        return self.to(dtype=torch.half)

    def long(self) -> PackedSequence:
        return self.to(dtype=torch.long)

    def int(self) -> PackedSequence:
        return self.to(dtype=torch.int)

    def short(self) -> PackedSequence:
        return self.to(dtype=torch.short)

    def char(self) -> PackedSequence:
        return self.to(dtype=torch.int8)

    def byte(self) -> PackedSequence:
        return self.to(dtype=torch.uint8)

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def pack_padded_sequence(
    input: Any,  # noqa: A002
    lengths: Any,
    batch_first: bool = False,
    enforce_sorted: bool = True,
) -> PackedSequence:
    """A padded batch (``(T, B, *)``, or ``(B, T, *)`` with ``batch_first``) packed; with
    ``enforce_sorted=False`` the sequences need not come sorted by decreasing length."""
    if isinstance(lengths, torch.Tensor):
        lengths = lengths.to(dtype=torch.int64)
    else:
        lengths = torch.as_tensor(lengths, dtype=torch.int64)
    if enforce_sorted:
        sorted_indices = None
    else:
        lengths, sorted_indices = torch.sort(lengths, descending=True)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    data, batch_sizes = torch._pack_padded_sequence(input, lengths, batch_first)
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def _pad_packed(data: Any, batch_sizes: Any, batch_first: bool, value: float, total: int) -> Any:
    """ATen's ``_pad_packed_sequence``: the padded output and each sequence's length."""
    sizes = [int(b) for b in batch_sizes.tolist()]
    steps, top = len(sizes), sizes[0]
    output = torch.full((max(total, steps), top, *data.shape[1:]), value, dtype=data.dtype)
    lengths = [0] * top
    offset, prev_b, prev_i = 0, top, 0
    for i in range(steps + 1):
        b = sizes[i] if i != steps else 0
        if b != prev_b:
            n = prev_b * (i - prev_i)
            block = data[offset : offset + n].view(i - prev_i, prev_b, *data.shape[1:])
            output[prev_i:i, :prev_b].copy_(block)
            offset += n
            prev_i = i
        for j in range(b, prev_b):
            lengths[j] = i
        prev_b = b
    if batch_first:
        output = output.transpose(0, 1)
    return output, torch.tensor(lengths, dtype=torch.int64)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Any, Any]:
    """The padded batch of a ``PackedSequence`` (``total_length`` steps, or the longest) and
    each sequence's length, in the order the sequences had before packing."""
    max_seq_length = sequence.batch_sizes.size(0)
    if total_length is not None:
        if total_length < max_seq_length:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{max_seq_length}"
            )
        max_seq_length = total_length
    padded, lengths = _pad_packed(
        sequence.data, sequence.batch_sizes, batch_first, padding_value, max_seq_length
    )
    unsorted = sequence.unsorted_indices
    if unsorted is not None:
        return padded.index_select(0 if batch_first else 1, unsorted), lengths[unsorted]
    return padded, lengths


def pack_sequence(sequences: Any, enforce_sorted: bool = True) -> PackedSequence:
    """Tensors of shape ``(L_i, *)`` packed (sorted by decreasing length unless
    ``enforce_sorted=False``)."""
    lengths = torch.as_tensor([v.size(0) for v in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Any, lengths: Any, batch_first: bool = False) -> list[Any]:
    """The sequences of a padded batch, each cut to its length.

    PyTorch transposes the caller's ``(T, B, *)`` tensor in place (``transpose_``) when
    ``batch_first`` is False; visgrad has no in-place transpose yet and leaves it as it was
    (the sequences returned are the same)."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    idx = torch.arange(padded_sequences.shape[1])
    return [seq[idx < length] for seq, length in zip(padded_sequences, lengths, strict=False)]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Any]:
    """The sequences of a ``PackedSequence``, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
