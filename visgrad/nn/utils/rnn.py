"""``torch.nn.utils.rnn.pad_sequence``: variable-length sequences stacked into one padded
tensor, built as PyTorch builds it (a filled tensor with each sequence copied into its slot, so
the graph is a chain of CopySlices and gradients reach every sequence).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import visgrad as torch
from visgrad.autograd import errors

__all__ = ["pad_sequence"]


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
