"""``t[idx] = value`` with PyTorch's node structure: a write through basic indices (or into a view)
is a copy into a region, recorded as ``CopySlices`` on the base; a write through index tensors
into a tensor that is not a view is an ``index_put_`` (``IndexPutBackward0``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import events
from visgrad.autograd import errors
from visgrad.autograd.grad_mode import MODES
from visgrad.ops.base import wrap
from visgrad.ops.copy_slices import (
    AsStridedBackward0,
    AsStridedScatterBackward0,
    CopyBackwards,
    CopySlices,
    drop_leading_ones,
    region_of,
)
from visgrad.ops.index import _advanced
from visgrad.ops.index_put import IndexPutBackward0, check_dtypes, put_key
from visgrad.ops.inplace import (
    _check_leaf,
    _frozen,
    _rebase,
    _record,
    _rederive,
    _rederive_views,
    _write,
    inplace,
    publish_update,
)
from visgrad.ops.registry import declare
from visgrad.ops.shape import expand, expanded_shape, view
from visgrad.tensor import Tensor


@declare(
    nodes=(
        CopyBackwards,
        CopySlices,
        AsStridedBackward0,
        AsStridedScatterBackward0,
        IndexPutBackward0,
    ),
    operators=("__setitem__",),
)
def setitem(t: Tensor, idx: Any, value: Any) -> None:
    """``t[idx] = value``."""
    puts = _put_indices(t, idx)
    idx = _np_index(idx)
    if isinstance(value, Tensor) and not _is_basic(idx):  # an index_put, through a view or not
        parts = idx if isinstance(idx, tuple) else (idx,)
        arrays = [Tensor._make(np.asarray(p), False, None, 0) for p in parts if _is_array(p)]
        check_dtypes(t, tuple(arrays), value)
    if idx is None:
        idx = (None,)  # ``t[None] = v`` writes all of ``t``; a bare None means "no index" below
    src = wrap(value, t)
    rec = False
    if MODES.enabled:
        if t._rg and (t._fn is None or (t._base is not None and t._base._fn is None)):
            raise RuntimeError(errors.INPLACE_VIEW_OF_LEAF)
        _check_leaf(t)
        rec = t._rg or src._rg or (t._base is not None and t._base._rg)
    if not rec:
        _write(t._data, _broadcast_value(t._data[idx], src._data, idx), idx)
        t._version.value += 1
        if events.SINKS:
            publish_update(t, "setitem", None, (src,))
        return
    basic = _is_basic(idx)
    if not basic or (src._data.ndim and src._data.shape != t._data[idx].shape):
        _broadcast_value(t._data[idx], src._data, idx)  # errors before anything is recorded
        src = _as_written(src, t._data[idx].shape if basic else None)
    if puts is not None and t._base is None:
        key, saved = put_key(t, puts)
        _broadcast_value(t._data[key], src._data, key)
        attrs = {"indices": saved, "key": key, "accumulate": False}
        inplace(t, IndexPutBackward0, (src,), attrs, "setitem")
        return
    base = t._base if t._base is not None else t
    flat = region_of(t._data, base._data) if base is not t else None
    old = t._data[idx]
    _broadcast_value(old, src._data, idx)  # PyTorch's shape errors before anything is recorded
    region = (flat if flat is not None else np.arange(t._data.size).reshape(t._data.shape))[idx]
    alias = _frozen(old, False, None, 0)
    inner, out = _record(CopyBackwards, (alias, src), {"setitem": True})
    _write(t._data, out, idx)
    node = _rebase(base, np.asarray(region), inner)
    t._version.value += 1
    if base is not t:
        _rederive(t, base, node)
    _rederive_views(base, node, t)
    if events.SINKS:
        publish_update(t, "setitem", node, (src,))


def _as_written(src: Tensor, target: tuple[int, ...] | None) -> Tensor:
    """``src`` as PyTorch's setitem passes it on: viewed without leading ones (a write through
    index tensors takes the view only when it drops some), and for a basic-index write of
    another shape, expanded to ``target``."""
    shape = src._data.shape
    while shape and shape[0] == 1:
        shape = shape[1:]
    if shape != src._data.shape or target is not None:
        src = view(src, shape)
    if target is not None and src._data.shape != target:
        src = expand(src, target)
    return src


def _put_indices(t: Tensor, idx: Any) -> tuple[Tensor | None, ...] | None:
    """The ``index_put_`` indices of ``t[idx]`` (None for a whole dim) when ``idx`` holds index
    tensors besides whole slices and ``...`` only, as PyTorch writes it; None otherwise."""
    items = idx if isinstance(idx, tuple) else (idx,)
    parts: list[Any] = []
    consumed = 0
    for x in items:
        if x is Ellipsis:
            parts.append(x)
            continue
        if isinstance(x, slice) and x == slice(None):
            parts.append(None)
            consumed += 1
            continue
        if isinstance(x, (bool, np.bool_, int, np.integer, slice)) or x is None:
            return None
        if isinstance(x, Tensor) and x._data.ndim == 0:
            return None  # an integer is a select, a 0-d mask is handled as a new dim
        arr = _advanced(x)
        if arr is None:
            return None
        parts.append(x if isinstance(x, Tensor) else Tensor._make(arr, False, None, 0))
        consumed += max(arr.ndim, 1) if arr.dtype == np.bool_ else 1
    if all(p is None or p is Ellipsis for p in parts):
        return None
    out: list[Tensor | None] = []
    for p in parts:
        if p is Ellipsis:
            out.extend([None] * max(t._data.ndim - consumed, 0))
        else:
            out.append(p)
    while out and out[-1] is None:
        out.pop()
    return tuple(out)


def _broadcast_value(target: np.ndarray, value: np.ndarray, idx: Any) -> np.ndarray:
    """``value`` as written into ``target = t[idx]``, with the errors PyTorch raises."""
    v = drop_leading_ones(value, target.ndim)
    if _is_basic(idx):  # a view, written by copy_ through expand
        return np.broadcast_to(v, expanded_shape(v, target.shape))
    try:
        return np.broadcast_to(v, target.shape)
    except ValueError:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(value.shape)} cannot be broadcast to "
            f"indexing result of shape {list(target.shape)}"
        ) from None


def _is_array(p: Any) -> bool:
    return isinstance(p, (np.ndarray, list, range))


def _is_basic(idx: Any) -> bool:
    parts = idx if isinstance(idx, tuple) else (idx,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, slice)) for p in parts)


def _np_index(idx: Any) -> Any:
    if isinstance(idx, Tensor):
        return idx._data
    if isinstance(idx, tuple):
        return tuple(i._data if isinstance(i, Tensor) else i for i in idx)
    if isinstance(idx, list):
        return np.asarray([i.item() if isinstance(i, Tensor) else i for i in idx])
    return idx
