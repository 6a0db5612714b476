"""Indexing helpers real programs call: ``take_along_dim``, ``tensor_split``, ``isin``.

``take_along_dim`` is PyTorch's composite: both operands are broadcast to each other's sizes
(apart from ``dim``) with ``broadcast_to`` and the result gathered (ExpandBackward0 under
GatherBackward0); without ``dim``, both are flattened with ``view(-1)`` first. ``tensor_split``
slices (one SliceBackward0 view per piece), at indices or into near-equal sections. ``isin``
compares in the operands' promoted dtype and records nothing (a bool result).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.arg_parser import invalid_combination, is_int
from visgrad.autograd import errors
from visgrad.ops import shape as S
from visgrad.ops.gate_tables import _C_NAMES
from visgrad.ops.index import slice_dim
from visgrad.ops.registry import declare
from visgrad.ops.scan import gather
from visgrad.tensor import Tensor, _dim
from visgrad.type_info import result_type

__all__ = ["isin", "take_along_dim", "tensor_split"]


def _infer(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        raise RuntimeError(errors.broadcast(a, b)) from None


@declare("take_along_dim")
def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:  # noqa: A002
    """The values of ``input`` at ``indices`` along ``dim`` (of the flattened input if None)."""
    if dim is None:
        return gather(S.view(input, -1), 0, S.view(indices, -1))
    x, idx = input._data, indices._data
    if x.ndim != idx.ndim:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {x.ndim} dimensions for input, and {idx.ndim} dimensions for "
            "indices"
        )
    if idx.dtype != np.int64:
        raise RuntimeError(
            "torch.take_along_dim(): dtype of indices should be Long but got "
            f"{_C_NAMES[idx.dtype.name]}"
        )
    d = _dim(dim, x.ndim)
    if not x.ndim:
        raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
    sizes = list(x.shape)
    sizes[d] = idx.shape[d]
    index = S.expand(indices, *_infer(tuple(sizes), idx.shape))
    sizes = list(idx.shape)
    sizes[d] = x.shape[d]
    source = S.expand(input, *_infer(tuple(sizes), x.shape))
    # PyTorch 2.13 wraps every index into the dim's range (a remainder, as Python's %).
    n = x.shape[d]
    if index._data.size:
        if n == 0:
            raise RuntimeError("ZeroDivisionError")
        index = Tensor._make(np.mod(index._data, n), False, None, 0)
    return gather(source, d, index)


_SPLIT_KEYWORDS = ("sections", "indices", "tensor_indices_or_sections")


def _split_argument(input: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, int]:  # noqa: A002
    """The split argument and ``dim`` of one of PyTorch's three signatures, or its refusal."""
    named = [k for k in kwargs if k in _SPLIT_KEYWORDS]
    given = len(named) + min(len(args), 1)
    positional_dim = len(args) == 2 and not named
    if (
        not isinstance(input, Tensor)
        or any(k not in (*_SPLIT_KEYWORDS, "dim") for k in kwargs)
        or given != 1
        or len(args) > (2 if positional_dim else 1) - bool(named)
        or (positional_dim and "dim" in kwargs)
    ):
        raise invalid_combination("tensor_split", (input, *args), kwargs)
    value = args[0] if args else kwargs[named[0]]
    dim = args[1] if positional_dim else kwargs.get("dim", 0)
    form = named[0] if named else None
    fits = {
        "sections": is_int(value),
        "indices": isinstance(value, (list, tuple)) and all(is_int(v) for v in value),
        "tensor_indices_or_sections": isinstance(value, Tensor),
    }
    if not (is_int(dim) and (fits[form] if form else any(fits.values()))):
        raise invalid_combination("tensor_split", (input, *args), kwargs)
    return value, int(dim)


@declare("tensor_split")
def tensor_split(input: Any, *args: Any, **kwargs: Any) -> tuple[Tensor, ...]:  # noqa: A002
    """Views of ``input`` split along ``dim`` at ``indices``, or into ``sections`` near-equal
    pieces (the first ``size % sections`` one longer); a tensor argument is either."""
    value, dim = _split_argument(input, args, kwargs)
    x = input._data
    if not x.ndim:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    if isinstance(value, Tensor):
        v = value._data
        if v.dtype != np.int64:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to have dtype of long, but got "
                f"{_C_NAMES[v.dtype.name]}"
            )
        if v.ndim > 1:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                f"one-dimensional tensor, but got a tensor with {v.ndim} dims"
            )
        value = int(v) if v.ndim == 0 else [int(i) for i in v]
    d = _dim(dim, x.ndim)
    if not isinstance(value, (list, tuple)):
        sections = int(value)
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        size, extra = divmod(x.shape[d], sections)
        bounds = [0]
        for i in range(sections):
            bounds.append(bounds[-1] + size + (i < extra))
        return tuple(slice_dim(input, d, a, b) for a, b in zip(bounds, bounds[1:], strict=False))
    starts = [0, *(int(i) for i in value)]
    ends = [*(int(i) for i in value), x.shape[d]]
    return tuple(slice_dim(input, d, a, b) for a, b in zip(starts, ends, strict=True))


_ISIN_FORMS = (
    ("elements", "test_elements"),
    ("element", "test_elements"),
    ("elements", "test_element"),
)
_NUMBER = (int, float, bool, np.integer, np.floating, np.bool_)


def _isin_operands(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any, bool, bool]:
    """The operands and flags of one of PyTorch's three ``isin`` signatures, or its refusal."""
    flags = {k: kwargs.get(k, False) for k in ("assume_unique", "invert")}
    named = {k: v for k, v in kwargs.items() if k not in flags}
    for first, second in _ISIN_FORMS if len(args) <= 2 else ():
        names = (first, second)[len(args) :]
        if set(named) != set(names) or not all(type(f) is bool for f in flags.values()):
            continue
        a, b = (*args, *(named[n] for n in names))
        ok_a = isinstance(a, Tensor) if first == "elements" else isinstance(a, _NUMBER)
        ok_b = isinstance(b, Tensor) if second == "test_elements" else isinstance(b, _NUMBER)
        if ok_a and ok_b:
            return a, b, flags["assume_unique"], flags["invert"]
    raise invalid_combination("isin", args, kwargs)


@declare("isin", method=False)
def isin(*args: Any, **kwargs: Any) -> Tensor:
    """Whether each of ``elements`` is one of ``test_elements`` (``~`` that with ``invert``)."""
    a, b, _, invert = _isin_operands(args, kwargs)
    for v in (a, b):
        d = v._data.dtype if isinstance(v, Tensor) else np.asarray(v).dtype
        if d.kind in "bc":
            raise RuntimeError(f"Unsupported input type encountered for isin(): {_C_NAMES[d.name]}")
    dt = result_type(a, b).np
    x = (a._data if isinstance(a, Tensor) else np.asarray(a)).astype(dt)
    t = (b._data if isinstance(b, Tensor) else np.asarray(b)).astype(dt)
    found = np.isin(x, t).reshape(x.shape)
    if dt.kind == "f":
        found &= ~np.isnan(x)  # NaN is in nothing
    out = ~found if invert else found
    return Tensor._make(np.array(out, dtype=np.bool_, order="C"), False, None, 0)
