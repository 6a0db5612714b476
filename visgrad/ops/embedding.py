"""``embedding``: rows of a weight matrix picked by integer indices (``EmbeddingBackward0``).

The backward adds each output row's gradient into the weight row it came from, skips
``padding_idx`` and, with ``scale_grad_by_freq``, divides by how often each index occurs in the
batch. ``max_norm`` renormalises the looked-up rows of the weight in place first, as PyTorch does.
"""

from __future__ import annotations

import numpy as np

from visgrad import events
from visgrad.autograd.grad_mode import MODES
from visgrad.ops.base import Op, apply
from visgrad.ops.inplace import publish_update
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["embedding"]


def _row_scale(indices: np.ndarray, num: int, padding_idx: int, by_freq: bool) -> np.ndarray:
    """Per looked-up row: 0 at padding_idx, else 1 (or 1/count with ``scale_grad_by_freq``)."""
    flat = indices.reshape(-1)
    scale = np.ones(flat.shape, dtype=np.float64)
    if by_freq:
        counts = np.bincount(flat, minlength=num)
        scale = 1.0 / counts[flat]
    if padding_idx >= 0:
        scale = np.where(flat == padding_idx, 0.0, scale)
    return scale


class EmbeddingBackward0(Op):
    op_name = "embedding"
    input_names = ("weight",)
    formulas = {
        "weight": "embedding_backward(grad, indices, weight.shape[0], padding_idx, scale_grad_by_freq)"
    }

    def forward(
        self, weight: Tensor, indices: Tensor, padding_idx: int, scale_grad_by_freq: bool
    ) -> np.ndarray:
        # The indices come as an attribute, not an input: the node has one edge, as in PyTorch.
        self.save(
            indices=indices,
            padding_idx=padding_idx,
            scale_grad_by_freq=scale_grad_by_freq,
            sparse=False,
            weight_sym_argsize_0=weight._data.shape[0],
        )
        return weight._data[indices._data]

    def backward(self, g: Tensor) -> Tensor:
        idx = self.saved("indices")._data
        return apply(
            _EmbeddingDenseBackward,
            g,
            indices=idx,
            num=self.saved("weight_sym_argsize_0"),
            padding_idx=self.saved("padding_idx"),
            scale_grad_by_freq=self.saved("scale_grad_by_freq"),
        )


class _EmbeddingDenseBackward(Op):
    """The weight's gradient: each row's gradient summed into its index's row."""

    op_name = "embedding_dense_backward"
    input_names = ("grad_output",)
    formulas = {"grad_output": "embedding_rows(grad, indices, padding_idx, scale_grad_by_freq)"}

    def forward(
        self,
        g: Tensor,
        indices: np.ndarray,
        num: int,
        padding_idx: int,
        scale_grad_by_freq: bool,
    ) -> np.ndarray:
        attrs = {"num": num, "padding_idx": padding_idx, "scale_grad_by_freq": scale_grad_by_freq}
        self.save(indices=indices, **attrs)
        gd = g._data
        dim = gd.shape[-1]
        rows = gd.reshape(-1, dim)
        scale = _row_scale(indices, num, padding_idx, scale_grad_by_freq)
        if padding_idx >= 0 or scale_grad_by_freq:
            rows = rows * scale[:, None].astype(gd.dtype)
        out = np.zeros((num, dim), dtype=gd.dtype)
        np.add.at(out, indices.reshape(-1), rows)
        return out

    def backward(self, gg: Tensor) -> Tensor:
        idx = self.saved("indices")
        scale = _row_scale(idx, self.saved("num"), self.saved("padding_idx"),
                           self.saved("scale_grad_by_freq"))  # fmt: skip
        picked = apply(EmbeddingBackward0, gg, indices=Tensor._make(idx, False, None, 0),
                       padding_idx=-1, scale_grad_by_freq=False)  # fmt: skip
        if (scale != 1).any():
            shape = idx.shape + (1,)
            picked = picked * Tensor._make(
                scale.reshape(shape).astype(gg._data.dtype), False, None, 0
            )
        return picked


def _renorm_(weight: Tensor, indices: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Scale every looked-up row whose norm exceeds ``max_norm`` down to it, in place."""
    rows = np.unique(indices.reshape(-1))
    w = weight._data
    norms = np.linalg.norm(w[rows].astype(np.float64), ord=norm_type, axis=1)
    big = norms > max_norm
    if not big.any():
        return
    scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
    w[rows[big]] *= scale[:, None]
    weight._version.value += 1
    if events.SINKS:
        publish_update(weight, "embedding_renorm_", None, ())


@declare(
    "embedding",
    nodes=(EmbeddingBackward0, _EmbeddingDenseBackward),
    torch=False,
    method=False,
    functional=True,
)
def embedding(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """``weight[input]``: one row of ``weight`` per index."""
    num = weight._data.shape[0] if weight._data.ndim else 0
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= num:
                raise AssertionError("Padding_idx must be within num_embeddings")  # PyTorch's
        elif padding_idx < 0:
            if padding_idx < -num:
                raise AssertionError("Padding_idx must be within num_embeddings")  # PyTorch's
            padding_idx = num + padding_idx
    else:
        padding_idx = -1
    if weight._data.ndim == 0 and weight._rg and MODES.enabled:
        # the autograd wrapper saves weight.size(0) for the backward before the kernel checks
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        kind = type(input).__name__ if not isinstance(input, Tensor) else None
        name = f"torch.{input.dtype.tensor_type}" if kind is None else kind
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
            f"Long, Int; but got {name} instead (while checking arguments for embedding)"
        )
    if weight._data.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    if num == 0 and idx.size:  # ATen's index_select on an empty table
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError("index out of range in self")
    idx = idx.astype(np.int64, copy=False)
    if max_norm is not None:
        _renorm_(weight, idx, float(max_norm), float(norm_type))
    return apply(
        EmbeddingBackward0,
        weight,
        indices=Tensor._make(idx, False, None, 0),
        padding_idx=int(padding_idx),
        scale_grad_by_freq=bool(scale_grad_by_freq),
    )


@declare("embedding", nodes=(EmbeddingBackward0, _EmbeddingDenseBackward), method=False)
def torch_embedding(
    weight: Tensor,
    indices: Tensor,
    padding_idx: int = -1,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """``torch.embedding(weight, indices)``: the weight first, and a ``padding_idx`` outside the
    table (``-1``: none) simply matches no row, as in PyTorch."""
    num = weight._data.shape[0] if weight._data.ndim else 0
    pad = padding_idx if 0 <= padding_idx < num else None
    return embedding(indices, weight, pad, None, 2.0, scale_grad_by_freq, sparse)
