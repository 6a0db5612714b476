"""``multi_head_attention_forward``'s checks of its inputs' ranks, in PyTorch's order and words
(PyTorch's Python code: a query, key or value that is not a tensor fails on its ``dim()``)."""

from __future__ import annotations

from typing import Any

from visgrad.arg_parser import type_name
from visgrad.tensor import Tensor

__all__ = ["_shape_check", "_size"]


def _size(shape: tuple[int, ...]) -> str:
    return f"torch.Size([{', '.join(str(s) for s in shape)}])"


def _ndim(t: Any) -> int:
    if not isinstance(t, Tensor):
        raise AttributeError(f"'{type_name(t)}' object has no attribute 'dim'")
    return t._data.ndim


def _shape_check(
    q: Tensor, k: Tensor, v: Tensor, padding: Tensor | None, mask: Tensor | None, heads: int
) -> bool:
    """Whether the call is batched (3-D query), with PyTorch's messages for wrong ranks (and
    its Python code's AttributeError for a query, key or value that is not a tensor)."""
    qn = _ndim(q)
    if qn not in (2, 3):
        raise AssertionError(
            f"query should be unbatched 2D or batched 3D tensor but received {qn}-D query tensor"
        )
    kn = _ndim(k)
    vn = _ndim(v)
    batched = qn == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    if kn != qn or vn != qn:
        raise AssertionError(
            f"For {kind} `query`, expected `key` and `value` to be {qn}-D but found {kn}-D and "
            f"{vn}-D tensors respectively"
        )
    if padding is not None and _ndim(padding) != qn - 1:
        raise AssertionError(
            f"For {kind} `query`, expected `key_padding_mask` to be `None` or {qn - 1}-D but "
            f"found {padding._data.ndim}-D tensor instead"
        )
    if mask is not None:
        if _ndim(mask) not in (2, 3):
            raise AssertionError(
                f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                f"{mask._data.ndim}-D tensor instead"
            )
        want = (heads, q._data.shape[0], k._data.shape[0])
        if not batched and mask._data.ndim == 3 and mask._data.shape != want:
            raise AssertionError(
                f"Expected `attn_mask` shape to be {want} but got {_size(mask._data.shape)}"
            )
    return batched
