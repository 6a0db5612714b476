"""``F.embedding_bag`` / ``torch.embedding_bag``: sums, means or maxima of bags of embedding rows.

The indices are cut into bags by ``offsets`` (or by the rows of a 2-D input); each bag's rows of
``weight`` are reduced to one row, ``padding_idx`` rows left out (and not counted by the mean), an
empty bag giving zeros. One ``EmbeddingBagBackward0`` of ``weight`` and ``per_sample_weights`` is
recorded, as in PyTorch; its backward is written with visgrad ops, so it differentiates again.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from visgrad import events
from visgrad.dtypes import from_numpy
from visgrad.ops import elementwise as E
from visgrad.ops.base import Op, apply
from visgrad.ops.embedding import _renorm_
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["embedding_bag"]

MODES = {"sum": 0, "mean": 1, "max": 2}


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


def _bags(idx: np.ndarray, offsets: np.ndarray, n_bags: int) -> np.ndarray:
    """Each index's bag: how many of the bags after the first start at or before it."""
    starts = offsets[1:n_bags]
    return np.searchsorted(np.sort(starts), np.arange(idx.size), side="right").astype(np.int64)


def _freq_divisors(idx: np.ndarray) -> np.ndarray:
    """What scale_grad_by_freq divides each index's gradient by, as PyTorch's kernel does: the
    k-th smallest distinct index by the count of the k-th entry of the sorted indices (its own
    count only while the smaller indices occur once each)."""
    distinct = np.unique(idx)
    by_value = np.zeros(int(distinct[-1]) + 1 if distinct.size else 0, dtype=np.float64)
    by_value[distinct] = np.bincount(idx)[np.sort(idx)[: distinct.size]]
    return by_value[idx]


class EmbeddingBagBackward0(Op):
    op_name = "_embedding_bag"
    input_names = ("weight", "per_sample_weights")
    formulas = {
        "weight": (
            "embedding_bag_weight_grad(grad, weight, indices, offset2bag, bag_size, mode, "
            "padding_idx, scale_grad_by_freq, per_sample_weights)"
        ),
        "per_sample_weights": (
            "embedding_bag_sample_grad(grad, weight, indices, offset2bag, padding_idx)"
        ),
    }

    def forward(
        self,
        weight: Tensor,
        psw: Tensor,
        indices: Tensor,
        offset2bag: Tensor,
        bag_size: Tensor,
        mode: int,
        padding_idx: int,
        scale_grad_by_freq: bool,
    ) -> np.ndarray:
        w, idx, bag, sizes = weight._data, indices._data, offset2bag._data, bag_size._data
        keep = idx != padding_idx
        rows = w[idx]
        out = np.zeros((sizes.size, w.shape[1]), dtype=w.dtype)
        if mode == 2:
            max_idx = np.full(out.shape, -1, dtype=np.int64)
            kept = np.flatnonzero(keep)
            members = kept[np.argsort(bag[kept], kind="stable")]  # by bag, in input order
            starts = np.searchsorted(bag[members], np.arange(out.shape[0] + 1))
            cols = np.arange(out.shape[1])
            for b in np.flatnonzero(np.diff(starts)):
                seg = members[starts[b] : starts[b + 1]]
                best = rows[seg].argmax(0)  # the first maximum wins a tie
                out[b] = rows[seg[best], cols]
                max_idx[b] = idx[seg[best]]
            self._max_idx = max_idx
        else:
            if psw._data.size:
                rows = rows * psw._data[:, None]
            np.add.at(out, bag[keep], rows[keep])
            if mode == 1:
                out = out / np.where(sizes > 0, sizes, 1)[:, None].astype(w.dtype)
        self.save(weight=weight, per_sample_weights=psw, indices=indices, offset2bag=offset2bag,
                  bag_size=bag_size, mode=mode, padding_idx=padding_idx,
                  scale_grad_by_freq=scale_grad_by_freq)  # fmt: skip
        return out.astype(w.dtype, copy=False)

    def _coefficients(self, idx: np.ndarray, bag: np.ndarray, dtype: np.dtype) -> np.ndarray:
        """What each index's row of the gradient is scaled by (psw left out)."""
        c = (idx != self.saved("padding_idx")).astype(np.float64)
        if self.saved("mode") == 1:
            sizes = self.saved("bag_size")._data
            c = c / np.where(sizes > 0, sizes, 1)[bag]
        if self.saved("scale_grad_by_freq"):
            c = c / _freq_divisors(idx)
        return c.astype(dtype)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        weight, psw = self.saved("weight"), self.saved("per_sample_weights")
        idx, bag = self.saved("indices")._data, self.saved("offset2bag")._data
        w_shape = weight._data.shape
        gw = gp = None
        if self.needs_input_grad[0] and self.saved("mode") == 2:
            max_idx = self._max_idx
            filled = _const((max_idx >= 0).astype(g._data.dtype))
            zeros = _const(np.zeros(w_shape, dtype=g._data.dtype))
            gw = zeros.scatter_add(0, _const(np.maximum(max_idx, 0)), g * filled)
        elif self.needs_input_grad[0]:
            rows = g.index_select(0, _const(bag))
            c = self._coefficients(idx, bag, g._data.dtype)
            rows = rows * _const(c[:, None])
            if psw._data.size:
                rows = rows * psw.unsqueeze(1)
            gw = _const(np.zeros(w_shape, dtype=g._data.dtype)).index_add(0, _const(idx), rows)
        if self.needs_input_grad[1]:
            keep = _const(idx != self.saved("padding_idx"))
            picked = weight.index_select(0, _const(idx))
            gp = E.where(keep, (g.index_select(0, _const(bag)) * picked).sum(1), 0.0)
        return gw, gp


def _checks(idx: np.ndarray, offsets: np.ndarray, weight: Tensor, psw: Tensor | None) -> None:
    for a in (idx, offsets):  # PyTorch names the offsets 'indices' too
        if a.dtype not in (np.int64, np.int32):
            raise RuntimeError(
                "Expected tensor for argument #1 'indices' to have one of the following scalar "
                f"types: Long, Int; but got torch.{_tensor_type(a)} instead (while checking "
                "arguments for embedding_bag)"
            )
    w = weight._data
    if w.dtype.kind != "f":
        raise RuntimeError(
            "Expected tensor for argument #1 'weight' to have one of the following scalar types: "
            f"Half, BFloat16, Float, Double; but got torch.{_tensor_type(w)} instead (while "
            "checking arguments for embedding_bag)"
        )
    if psw is not None and psw._data.dtype != w.dtype:
        raise RuntimeError(
            "Expected tensor for argument #1 'weight' to have the same type as tensor for "
            f"argument #1 'per_sample_weights'; but type torch.{_tensor_type(w)} does not equal "
            f"torch.{_tensor_type(psw._data)} (while checking arguments for embedding_bag)"
        )
    if (offsets < 0).any():
        raise IndexError("index out of range in self")
    if offsets.size and offsets[0] != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
            f"from position 0. However, got {offsets[0]}"
        )
    if offsets.size and offsets[-1] > idx.size:
        raise RuntimeError(
            f"offsets[-1] can not be greater than input's length {idx.size} but got offsets[-1] "
            f"of {offsets[-1]}"
        )
    bad = np.flatnonzero((idx < 0) | (idx >= w.shape[0]))
    if bad.size and w.dtype == np.float32:  # the float kernel's own check and words
        raise RuntimeError(
            f"Index {bad[0]} of input takes value {idx[bad[0]]} which is not in the valid range "
            f"[0, {w.shape[0]})"
        )
    if bad.size:
        raise RuntimeError(
            "embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be "
            f"{idx[bad[0]]}"
        )


def _tensor_type(a: np.ndarray) -> str:
    return from_numpy(a.dtype).tensor_type


def _bag_call(
    weight: Tensor,
    input: Tensor,  # noqa: A002
    offsets: Tensor,
    scale_grad_by_freq: bool,
    mode: int,
    psw: Tensor | None,
    include_last_offset: bool,
    padding_idx: int | None,
) -> Tensor:
    """``torch.embedding_bag``'s kernel call, on a 1-D input and 1-D offsets."""
    idx, offs = input._data.reshape(-1), offsets._data.reshape(-1)
    _checks(idx, offs, weight, psw)
    num = weight._data.shape[0]
    if padding_idx is None:
        pad = -1
    elif -num <= padding_idx < num:
        pad = padding_idx % num
    else:
        raise RuntimeError(
            f"padding_idx must be within the number of embeddings, -{num} through {num - 1}, "
            f"but got {padding_idx}"
        )
    n_bags = max(offs.size - 1, 0) if include_last_offset else offs.size
    idx, offs = idx.astype(np.int64), offs.astype(np.int64)
    bag = _bags(idx, offs, n_bags)
    # A bag's size is its span of positions; with include_last_offset the last bag runs to the
    # end of the input (PyTorch's generic kernel), whatever the last offset says.
    starts = offs[:n_bags]
    span = np.append(offs[1:n_bags], idx.size) - starts if n_bags else np.zeros(0, np.int64)
    sizes = span - np.bincount(bag[idx == pad], minlength=n_bags)[:n_bags]
    if psw is None:
        # Without sample weights, ones: an input that needs no gradient (PyTorch's None edge),
        # announced so the debugger's formula sees its values.
        psw = _const(np.ones(idx.size, dtype=weight._data.dtype))
        if events.SINKS:
            psw._announce("ones")
    return apply(
        EmbeddingBagBackward0,
        weight,
        psw,
        indices=_const(idx),
        offset2bag=_const(bag),
        bag_size=_const(sizes),
        mode=mode,
        padding_idx=pad,
        scale_grad_by_freq=bool(scale_grad_by_freq),
    )


@declare("embedding_bag", nodes=EmbeddingBagBackward0, torch=False, method=False, functional=True)
def embedding_bag(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    offsets: Any = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """Each bag of ``input``'s indices reduced (``mode``) to one row of ``weight``'s."""
    if weight.dtype.tensor_type == "LongTensor" and input.is_floating_point():
        warnings.warn(
            "Argument order of nn.functional.embedding_bag was changed. "
            "Usage `embedding_bag(weight, input, ...)` is deprecated, "
            "and should now be `embedding_bag(input, weight, ...)`.",
            stacklevel=3,
        )
        weight, input = input, weight
    psw = per_sample_weights
    if psw is not None and input.shape != psw.shape:
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({psw.shape}) is not None, "
            f"then it must have the same shape as the input ({input.shape})"
        )
    if weight.dim() != 2:
        raise ValueError(
            f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}"
        )
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a "
                "mini-batch of fixed length sequences. However, found offsets of type "
                f"{_type_str(offsets)}"
            )
        step = input.shape[1]
        if step == 0:
            raise RuntimeError("step must be nonzero")  # PyTorch's arange of the offsets
        offsets = _const(np.arange(0, input.numel(), step, dtype=input._data.dtype))
        include_last_offset = False
        input = input.reshape(-1)
        if psw is not None:
            psw = psw.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}"
        )
    if mode not in MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if max_norm is not None:
        _renorm_(weight, input._data.astype(np.int64), float(max_norm), float(norm_type))
    if psw is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. "
            "per_sample_weights is only supported for mode='sum' "
            f"(got mode='{mode}'). Please open a feature request on GitHub."
        )
    return _bag_call(weight, input, offsets, scale_grad_by_freq, MODES[mode], psw,
                     include_last_offset, padding_idx)  # fmt: skip


def _type_str(x: Any) -> str:
    return "<class 'torch.Tensor'>" if isinstance(x, Tensor) else str(type(x))
