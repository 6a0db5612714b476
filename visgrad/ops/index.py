"""Indexing (``t[...]``): select and slice views, advanced (integer / boolean) indexing copies.

``t[i, a:b, None, idx]`` is taken apart the way PyTorch does it: basic items become one view node
each (SelectBackward0, SliceBackward0, UnsqueezeBackward0; full slices inside a tuple are skipped),
and whatever integer or boolean tensors remain are applied at the end by one IndexBackward0.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad.arg_parser import invalid_combination
from visgrad.ops.base import Op, apply
from visgrad.ops.registry import declare
from visgrad.ops.shape import _as_view, unsqueeze
from visgrad.tensor import Tensor, _dim

_INT64_MAX = 2**63 - 1


def as_saved_int(v: int) -> int:
    """A negative int as PyTorch shows it in ``_saved_*`` (its unsigned 64-bit bit pattern)."""
    return v % 2**64 if v < 0 else v


def _key(dim: int, item: Any) -> tuple[Any, ...]:
    return (slice(None),) * dim + (item,)


class SelectBackward0(Op):
    op_name = "select"
    formulas = {"self": "select_backward(grad, self.shape, dim, index)"}

    def forward(self, a: Tensor, dim: int, index: int) -> np.ndarray:
        self.save(dim=dim, index=as_saved_int(index), self_sym_sizes=a._data.shape)
        self._index = index
        return a._data[_key(dim, index)]

    def backward(self, g: Tensor) -> Tensor:
        sizes = self.saved("self_sym_sizes")
        return apply(
            SelectBackwardBackward0, g, sizes=sizes, dim=self.saved("dim"), index=self._index
        )


class SelectBackwardBackward0(Op):
    """The gradient of select: ``grad`` written into zeros of the input's shape."""

    op_name = "select_backward"
    input_names = ("grad_output",)
    formulas = {"grad_output": "grad.select(dim, index)"}

    def forward(self, g: Tensor, sizes: tuple[int, ...], dim: int, index: int) -> np.ndarray:
        self._dim, self._index = dim, index
        out = np.zeros(sizes, dtype=g._data.dtype)
        out[_key(dim, index)] = g._data
        return out

    def backward(self, gg: Tensor) -> Tensor:
        return select(gg, self._dim, self._index)


class SliceBackward0(Op):
    op_name = "slice"
    formulas = {"self": "slice_backward(grad, self.shape, dim, start, end, step)"}

    def forward(self, a: Tensor, dim: int, start: Any, end: Any, step: int) -> np.ndarray:
        self.save(
            dim=dim,
            start=as_saved_int(0 if start is None else start),
            end=as_saved_int(_INT64_MAX if end is None else end),
            step=step,
            self_sym_sizes=a._data.shape,
        )
        self._slice = slice(start, end, step)
        return a._data[_key(dim, self._slice)]

    def backward(self, g: Tensor) -> Tensor:
        sizes = self.saved("self_sym_sizes")
        return apply(SliceBackwardBackward0, g, sizes=sizes, dim=self.saved("dim"), sl=self._slice)


class SliceBackwardBackward0(Op):
    op_name = "slice_backward"
    input_names = ("grad_output",)
    formulas = {"grad_output": "grad[start:end:step]"}

    def forward(self, g: Tensor, sizes: tuple[int, ...], dim: int, sl: slice) -> np.ndarray:
        self._dim, self._slice = dim, sl
        out = np.zeros(sizes, dtype=g._data.dtype)
        out[_key(dim, sl)] = g._data
        return out

    def backward(self, gg: Tensor) -> Tensor:
        s = self._slice
        return slice_dim(gg, self._dim, s.start, s.stop, s.step)


class AliasBackward0(Op):
    """``t[:, :]`` or ``t[...]``: an index that selects everything is still a new view."""

    op_name = "alias"
    formulas = {"self": "grad"}

    def forward(self, a: Tensor) -> np.ndarray:
        return a._data.view()

    def backward(self, g: Tensor) -> Tensor:
        return g


class IndexBackward0(Op):
    op_name = "index"
    formulas = {"self": "zeros(self.shape).index_put_(indices, grad, accumulate=True)"}

    def forward(self, a: Tensor, indices: tuple[Tensor | None, ...], key: tuple[Any, ...]) -> Any:
        self.save(indices=indices, self_sym_sizes=a._data.shape)
        self._key = key
        return a._data[key]

    def backward(self, g: Tensor) -> Tensor:
        sizes = self.saved("self_sym_sizes")
        return apply(IndexPutImplBackward0, g, sizes=sizes, key=self._key)


class IndexPutImplBackward0(Op):
    """The gradient of advanced indexing: ``grad`` added into zeros at the indexed places."""

    op_name = "index_put"
    input_names = ("values",)
    formulas = {"values": "grad[indices]"}

    def forward(self, g: Tensor, sizes: tuple[int, ...], key: tuple[Any, ...]) -> np.ndarray:
        self._key = key
        out = np.zeros(sizes, dtype=g._data.dtype)
        # add.at, not assignment: an index repeated in ``key`` must receive every contribution.
        np.add.at(out, key, g._data)
        return out

    def backward(self, gg: Tensor) -> Tensor:
        return apply(IndexBackward0, gg, indices=(), key=self._key)


# -- functions --------------------------------------------------------------------------------------
@declare("select", nodes=(SelectBackward0, SelectBackwardBackward0))
def select(a: Tensor, dim: int, index: int) -> Tensor:
    """``a.select(dim, index)``: drop ``dim`` by picking one position (a view)."""
    if a._data.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = _dim(dim, a._data.ndim)
    size = a._data.shape[dim]
    if not -size <= index < size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size "
            f"{list(a._data.shape)} at dimension {dim}"
        )
    return _as_view(apply(SelectBackward0, a, dim=dim, index=int(index)), a)


def slice_dim(a: Tensor, dim: int, start: Any, end: Any, step: Any = 1) -> Tensor:
    """``a[..., start:end:step, ...]`` on one dim (a view)."""
    step = 1 if step is None else int(step)
    if step <= 0:
        raise ValueError("step must be greater than zero")
    return _as_view(apply(SliceBackward0, a, dim=dim, start=start, end=end, step=step), a)


@declare("narrow", nodes=(SliceBackward0, SliceBackwardBackward0))
def narrow(a: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """``a.narrow(dim, start, length)``, with PyTorch's checks of the range (``start`` an int,
    or a 0-d integer tensor: PyTorch's second signature)."""
    if isinstance(start, Tensor):
        if start._data.ndim != 0 or start._data.dtype.kind not in "iu":
            raise RuntimeError("start must be an 0-dim integral Tensor.")
        start = int(start._data)
    elif not _is_int(start):
        raise invalid_combination("narrow", (a, dim, start, length), {})
    start = int(start)
    if a._data.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    dim = _dim(dim, a._data.ndim)
    size = a._data.shape[dim]
    if not -size <= start <= size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    start = start % size if start < 0 else start
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return slice_dim(a, dim, start, start + length, 1)


def _is_int(x: Any) -> bool:
    if isinstance(x, (bool, np.bool_)):
        return False
    if isinstance(x, (int, np.integer)):
        return True
    return isinstance(x, Tensor) and x._data.ndim == 0 and x._data.dtype.kind in "iu"


def _advanced(x: Any) -> np.ndarray | None:
    """The index array of a list / tensor index, or None for basic items (a uint8 tensor is a
    mask, as in PyTorch, which warns that this is deprecated)."""
    if isinstance(x, Tensor):
        return x._data.astype(np.bool_) if x._data.dtype == np.uint8 else x._data
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (list, tuple)):
        try:
            arr = np.asarray([v._data if isinstance(v, Tensor) else v for v in x])
        except ValueError:  # ragged, or holding tensors of several elements
            raise IndexError(_INDEX_DTYPES) from None
        return arr.astype(np.int64) if arr.size == 0 else arr
    if isinstance(x, range):  # ``logprobs[range(n), Yb]``
        return np.arange(x.start, x.stop, x.step, dtype=np.int64)
    return None


_INDEX_DTYPES = "tensors used as indices must be long, int, byte or bool tensors"


def _check_item(x: Any) -> None:
    if x is None or x is Ellipsis or isinstance(x, slice) or _is_int(x):
        return
    if isinstance(x, str):  # PyTorch tries to make a tensor of it
        raise TypeError("new(): invalid data type 'str'")
    if _advanced(x) is not None:
        return
    raise IndexError(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
        f"indices (got {'torch.dtype' if isinstance(x, dtypes.dtype) else type(x).__name__})"
    )


def _too_many(items: Any, ndim: int) -> IndexError:
    if ndim == 0 and len(items) == 1 and _is_int(items[0]):  # ``t[0]`` of a 0-dim tensor
        return IndexError(
            "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
            "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
        )
    return IndexError(f"too many indices for tensor of dimension {ndim}")


def _plain_slice(x: Any) -> Any:
    """A slice whose bounds are 0-d integer tensors (``data[i : i + block]``) with int bounds."""
    if isinstance(x, slice) and (
        isinstance(x.start, Tensor) or isinstance(x.stop, Tensor) or isinstance(x.step, Tensor)
    ):
        return slice(*(b if b is None else operator.index(b) for b in (x.start, x.stop, x.step)))
    return x


@declare(
    nodes=(
        SelectBackward0,
        SliceBackward0,
        IndexBackward0,
        AliasBackward0,
        SelectBackwardBackward0,
        SliceBackwardBackward0,
        IndexPutImplBackward0,
    ),
    operators=("__getitem__",),
)
def getitem(a: Tensor, index: Any) -> Tensor:
    """``a[index]`` with PyTorch's node structure."""
    if isinstance(index, (bool, np.bool_)) or (
        isinstance(index, Tensor) and index._data.ndim == 0 and index._data.dtype == np.bool_
    ):
        # A 0-d mask adds a dim of size 1 (True) or 0 (False), and copies as a mask does.
        return getitem(
            unsqueeze(a, 0), Tensor._make(np.zeros(int(bool(index)), np.int64), False, None, 0)
        )
    single = not isinstance(index, tuple)
    items = tuple(map(_plain_slice, (index,) if single else index))
    for x in items:
        _check_item(x)
    ndim = a._data.ndim
    consumed = 0
    for x in items:
        arr = (
            None
            if (x is None or x is Ellipsis or isinstance(x, slice) or _is_int(x))
            else _advanced(x)
        )
        if arr is not None and arr.dtype == np.bool_:
            consumed += max(arr.ndim, 1)
        elif x is not None and x is not Ellipsis:
            consumed += 1
    if consumed > ndim:
        raise _too_many(items, ndim)

    out, dim, applied = a, 0, False
    orig = 0  # the dim of ``a`` this item indexes (PyTorch's errors name it, not ``dim``)
    adv: list[tuple[int, np.ndarray, Any]] = []
    for x in items:
        if x is Ellipsis:
            dim += ndim - consumed
            orig += ndim - consumed
        elif x is None:
            out, dim, applied = unsqueeze(out, dim), dim + 1, True
        elif _is_int(x):
            size = out._data.shape[dim]
            if not -size <= int(x) < size:
                raise IndexError(
                    f"index {int(x)} is out of bounds for dimension {orig} with size {size}"
                )
            out, applied, orig = select(out, dim, int(x)), True, orig + 1
        elif isinstance(x, slice):
            size = out._data.shape[dim]
            full = (
                (x.start in (None, 0))
                and (x.stop is None or x.stop >= size)
                and x.step in (None, 1)
            )
            if single or not full:
                out, applied = slice_dim(out, dim, x.start, x.stop, x.step), True
            elif x.step is not None and x.step <= 0:
                raise ValueError("step must be greater than zero")
            dim += 1
            orig += 1
        else:
            arr = _advanced(x)
            adv.append((dim, arr, x))
            step = max(arr.ndim, 1) if arr.dtype == np.bool_ else 1
            dim += step
            orig += step
    if adv:
        return _index(out, adv)
    if not applied:
        return _as_view(apply(AliasBackward0, out), out)
    return out


def _index(a: Tensor, adv: list[tuple[int, np.ndarray, Any]]) -> Tensor:
    """One IndexBackward0 for all integer / boolean indices left after the basic items."""
    key, saved = advanced_key(a._data.shape, adv)
    return apply(IndexBackward0, a, indices=saved, key=key)


def advanced_key(
    shape: tuple[int, ...], adv: list[tuple[int, np.ndarray, Any]]
) -> tuple[tuple[Any, ...], tuple[Tensor | None, ...]]:
    """The NumPy key of integer / boolean indices ``(dim, array, as given)`` into ``shape``, and
    the indices as PyTorch saves them (None for the dims they skip), with PyTorch's errors."""
    key: list[Any] = []
    saved: list[Tensor | None] = []
    pos = 0
    for dim, arr, orig in adv:
        while pos < dim:
            key.append(slice(None))
            saved.append(None)
            pos += 1
        if arr.dtype == np.bool_:
            want = shape[dim : dim + arr.ndim]
            if arr.shape != want:
                raise IndexError(
                    f"The shape of the mask {list(arr.shape)} at index {dim} does not match the "
                    f"shape of the indexed tensor {list(shape)} at index {dim}"
                )
            # Masks become integer indices (PyTorch does the same, via nonzero).
            key.extend(np.nonzero(arr))
            pos += arr.ndim
        else:
            if arr.dtype.kind not in "iu":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            size = shape[dim]
            bad = arr[(arr < -size) | (arr >= size)]
            if bad.size:
                raise IndexError(
                    f"index {int(bad.flat[0])} is out of bounds for dimension {dim} with size {size}"
                )
            key.append(arr.astype(np.int64, copy=False))
            pos += 1
        saved.append(orig if isinstance(orig, Tensor) else Tensor._make(arr, False, None, 0))
    arrays = [k.shape for k in key if isinstance(k, np.ndarray)]
    try:
        np.broadcast_shapes(*arrays)
    except ValueError:
        shapes = ", ".join(str(list(s)) for s in arrays)
        raise IndexError(
            f"shape mismatch: indexing tensors could not be broadcast together with shapes {shapes}"
        ) from None
    return tuple(key), tuple(saved)
