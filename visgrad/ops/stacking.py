"""NumPy-style joins and shape helpers: ``hstack``, ``vstack``, ``dstack``, ``column_stack``,
``atleast_1d/2d/3d``, ``ravel``, ``fliplr``, ``flipud``. Each is the composite PyTorch makes of
``cat``, ``reshape``, ``unsqueeze`` and ``flip``, so graphs show the same nodes.
"""

from __future__ import annotations

from typing import Any

from visgrad.ops.gate import tensors_arg
from visgrad.ops.join import cat, flip
from visgrad.ops.registry import declare
from visgrad.ops.shape import contiguous, reshape, unsqueeze, view
from visgrad.tensor import Tensor


def _joined(op: str, tensors: Any) -> tuple[Tensor, ...]:
    tensors = tensors_arg(op, tensors)
    if not tensors:
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    return tensors


def _at_least(tensors: tuple[Any, ...], one: Any) -> Any:
    """``atleast_Nd``'s calling forms: one tensor, several, or one list of them."""
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return one(tensors[0])
    items = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    return tuple(one(t) for t in items)


def _1d(t: Tensor) -> Tensor:
    return reshape(t, 1) if t.dim() == 0 else t


def _2d(t: Tensor) -> Tensor:
    if t.dim() == 0:
        return reshape(t, 1, 1)
    return unsqueeze(t, 0) if t.dim() == 1 else t


def _3d(t: Tensor) -> Tensor:
    if t.dim() == 0:
        return reshape(t, 1, 1, 1)
    if t.dim() == 1:
        return unsqueeze(unsqueeze(t, 0), -1)
    return unsqueeze(t, -1) if t.dim() == 2 else t


@declare("atleast_1d", method=False)
def atleast_1d(*tensors: Any) -> Any:
    """Each tensor with at least one dim (a 0-d one becomes shape ``(1,)``)."""
    return _at_least(tensors, _1d)


@declare("atleast_2d", method=False)
def atleast_2d(*tensors: Any) -> Any:
    """Each tensor with at least two dims (leading dims of size 1 added)."""
    return _at_least(tensors, _2d)


@declare("atleast_3d", method=False)
def atleast_3d(*tensors: Any) -> Any:
    """Each tensor with at least three dims (a matrix gets a trailing dim, a vector both)."""
    return _at_least(tensors, _3d)


@declare("hstack", method=False)
def hstack(tensors: Any) -> Tensor:
    """Join along dim 1 (dim 0 for vectors)."""
    ts = [_1d(t) for t in _joined("hstack", tensors)]
    return cat(ts, 0 if ts[0].dim() == 1 else 1)


@declare("vstack", "row_stack", method=False)
def vstack(tensors: Any) -> Tensor:
    """Join along dim 0, vectors taken as rows."""
    return cat([_2d(t) for t in _joined("vstack", tensors)], 0)


@declare("dstack", method=False)
def dstack(tensors: Any) -> Tensor:
    """Join along dim 2 (depth), after ``atleast_3d``."""
    return cat([_3d(t) for t in _joined("dstack", tensors)], 2)


@declare("column_stack", method=False)
def column_stack(tensors: Any) -> Tensor:
    """Vectors (and scalars) as columns, then ``hstack``."""
    ts = _joined("column_stack", tensors)
    return hstack([reshape(t, t.numel(), 1) if t.dim() <= 1 else t for t in ts])


@declare("ravel")
def ravel(a: Tensor) -> Tensor:
    """The elements in one dim, in order: a view of a contiguous tensor, else of a copy."""
    return view(contiguous(a), -1)


@declare("fliplr")
def fliplr(a: Tensor) -> Tensor:
    """Reverse the columns (dim 1)."""
    if a.dim() < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(a, 1)


@declare("flipud")
def flipud(a: Tensor) -> Tensor:
    """Reverse the rows (dim 0)."""
    if a.dim() < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(a, 0)
