"""Joining and splitting: cat, stack, split, chunk, unbind, and flip."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.arg_parser import int_list, invalid_combination, is_int, type_name
from visgrad.ops.base import Op, apply, promote
from visgrad.ops.gate import tensors_arg
from visgrad.ops.index import narrow, select
from visgrad.ops.registry import declare
from visgrad.ops.shape import _as_view
from visgrad.tensor import Tensor, _dim


def _common(tensors: tuple[Tensor, ...]) -> list[np.ndarray]:
    """The arrays cast to the dtype PyTorch would give the joined result."""
    dt = tensors[0]._data.dtype
    for t in tensors[1:]:
        dt = promote(np.empty(1, dt), t._data)
    return [t._data.astype(dt, copy=False) for t in tensors]


class CatBackward0(Op):
    op_name = "cat"
    input_names = ("tensors",)  # every input: the i-th gets its own slice
    formulas = {"tensors": "grad.narrow(dim, offset(shapes, dim, i), shapes[i][dim])"}

    def forward(self, *tensors: Tensor, dim: int) -> np.ndarray:
        self.save(dim=dim)
        self._sizes = tuple(t._data.shape[dim] if t._data.ndim else 0 for t in tensors)
        self.input_names = tuple(f"tensors[{i}]" for i in range(len(tensors)))
        return np.concatenate([x for x in _common(tensors) if x.ndim], axis=dim)

    def backward(self, g: Tensor) -> tuple[Tensor | None, ...]:
        dim = self.saved("dim")
        out: list[Tensor | None] = []
        start = 0
        for need, size in zip(self.needs_input_grad, self._sizes, strict=True):
            out.append(narrow(g, dim, start, size) if need and size else None)
            start += size
        return tuple(out)


class StackBackward0(Op):
    op_name = "stack"
    input_names = ("tensors",)  # every input: the i-th gets its own slice
    formulas = {"tensors": "grad.select(dim, i)"}

    def forward(self, *tensors: Tensor, dim: int) -> np.ndarray:
        self.save(dim=dim)
        self.input_names = tuple(f"tensors[{i}]" for i in range(len(tensors)))
        return np.stack(_common(tensors), axis=dim)

    def backward(self, g: Tensor) -> tuple[Tensor | None, ...]:
        dim = self.saved("dim")
        return tuple(
            select(g, dim, i) if need else None for i, need in enumerate(self.needs_input_grad)
        )


class FlipBackward0(Op):
    op_name = "flip"
    formulas = {"self": "grad.flip(dims)"}

    def forward(self, a: Tensor, dims: tuple[int, ...]) -> np.ndarray:
        self.save(dims=dims)
        return np.flip(a._data, dims).copy()

    def backward(self, g: Tensor) -> Tensor:
        return flip(g, self.saved("dims"))


class _MultiOutput(Op):
    """A node with one differentiable output per piece (split, unbind)."""

    differentiable = range(2**31)  # every output carries a gradient

    def output_meta(self) -> list[tuple[tuple[int, ...], np.dtype]]:
        return self._meta


class SplitBackward0(_MultiOutput):
    op_name = "split"
    formulas = {"self": "cat(grads, dim)"}

    def forward(self, a: Tensor, split_size: int, dim: int, sizes: tuple[int, ...]) -> tuple:
        x = a._data
        self.save(dim=dim, self_sym_sizes=x.shape, split_size=split_size)
        self.num_outputs = len(sizes)
        cuts = np.cumsum(sizes)[:-1]
        outs = tuple(np.split(x, cuts, axis=dim))
        self._meta = [(o.shape, o.dtype) for o in outs]
        return outs

    def backward(self, *grads: Tensor) -> Tensor:
        return cat(grads, self.saved("dim"))


class SplitWithSizesBackward0(SplitBackward0):
    """``split`` into listed sizes (PyTorch's ``split_with_sizes``)."""

    op_name = "split_with_sizes"
    formulas = {"self": "cat(grads, dim)"}


class UnsafeSplitBackward0(SplitBackward0):
    """``unsafe_split``: the pieces are not views (PyTorch's RNN cells split their gates so)."""

    op_name = "unsafe_split"

    def forward(self, a: Tensor, split_size: int, dim: int, sizes: tuple[int, ...]) -> tuple:
        return tuple(o.copy() for o in super().forward(a, split_size, dim, sizes))


class UnbindBackward0(_MultiOutput):
    op_name = "unbind"
    formulas = {"self": "stack(grads, dim)"}

    def forward(self, a: Tensor, dim: int) -> tuple:
        x = a._data
        self.save(dim=dim)
        self.num_outputs = x.shape[dim]
        outs = tuple(x[(slice(None),) * dim + (i,)] for i in range(x.shape[dim]))
        self._meta = [(o.shape, o.dtype) for o in outs]
        return outs

    def backward(self, *grads: Tensor) -> Tensor:
        return stack(grads, self.saved("dim"))


# -- functions --------------------------------------------------------------------------------------
@declare("cat", "concat", "concatenate", nodes=CatBackward0, method=False)
def cat(tensors: Any, dim: int = 0) -> Tensor:
    """``torch.cat``: join along an existing dim (1-D empty tensors are skipped, as in PyTorch)."""
    tensors = tensors_arg("cat", tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    real = [t for t in tensors if not (t._data.ndim == 1 and t._data.shape[0] == 0)]
    ref = real[0] if real else tensors[0]
    nd = ref._data.ndim
    if nd == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    dim = _dim(dim, nd)
    for i, t in enumerate(tensors):
        x = t._data
        if x.ndim == 1 and x.shape[0] == 0:
            continue
        if x.ndim != nd:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {nd} and {x.ndim}"
            )
        for d in range(nd):
            if d != dim and x.shape[d] != ref._data.shape[d]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size "
                    f"{ref._data.shape[d]} but got size {x.shape[d]} for tensor number {i} in "
                    "the list."
                )
    return apply(CatBackward0, *tensors, dim=dim)


@declare("stack", nodes=StackBackward0, method=False)
def stack(tensors: Any, dim: int = 0) -> Tensor:
    """``torch.stack``: join along a new dim."""
    tensors = tensors_arg("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != first:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(first)} at entry 0 "
                f"and {list(t._data.shape)} at entry {i}"
            )
    return apply(StackBackward0, *tensors, dim=_dim(dim, len(first) + 1))


@declare("flip", nodes=FlipBackward0)
def flip(a: Tensor, *dims: Any) -> Tensor:
    """``a.flip(dims)``: reverse the order along ``dims`` (a copy, as in PyTorch)."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    nd = a._data.ndim
    # A 0-d tensor flips along its one pseudo-dim (-1 or 0), as in PyTorch.
    dims = tuple(_dim(d, nd) for d in dims)
    return apply(FlipBackward0, a, dims=dims if nd else ())


@declare("split", nodes=(SplitBackward0, SplitWithSizesBackward0))
def split(a: Tensor, split_size_or_sections: Any, dim: Any = 0) -> tuple[Tensor, ...]:
    """``a.split(n)`` (pieces of n, the last smaller) or ``a.split([n1, n2, ...])``."""
    if not is_int(dim):  # PyTorch's Python passes dim on to split or split_with_sizes
        if isinstance(split_size_or_sections, (int, np.integer)):
            raise invalid_combination("split", (a, split_size_or_sections, dim), {})
        raise TypeError(
            f"split_with_sizes(): argument 'dim' (position 3) must be int, not {type_name(dim)}"
        )
    if not a._data.ndim:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = _dim(dim, a._data.ndim)
    size = a._data.shape[dim]
    if isinstance(split_size_or_sections, Tensor) and split_size_or_sections._data.size == 1:
        split_size_or_sections = int(split_size_or_sections._data.reshape(()).item())
    if isinstance(split_size_or_sections, bool):  # an int to PyTorch's Python, not to its kernel
        raise invalid_combination("split", (a, split_size_or_sections, dim), {})
    if not isinstance(split_size_or_sections, (int, np.integer)):
        sizes = int_list("split_with_sizes", "split_sizes", split_size_or_sections, 2)
        if sum(sizes) != size:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
                f"size at dimension {dim}), but got split_sizes={list(sizes)}"
            )
        n = None
    else:
        n = int(split_size_or_sections)
        if n < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={n}")
        if n == 0 and size != 0:
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}"
            )
        sizes = tuple(min(n, size - s) for s in range(0, size, n)) if n else (0,)
    node = SplitBackward0 if n is not None else SplitWithSizesBackward0
    outs = apply(node, a, split_size=n, dim=dim, sizes=sizes)
    return tuple(_as_view(o, a) for o in outs)


@declare("unsafe_split", nodes=UnsafeSplitBackward0)
def unsafe_split(a: Tensor, split_size: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``a.unsafe_split(n)``: as ``split``, but the pieces are new tensors, not views."""
    if not a._data.ndim:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = _dim(dim, a._data.ndim)
    size = a._data.shape[dim]
    n = int(split_size)
    if n < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={n}")
    if n == 0 and size != 0:
        raise RuntimeError(
            f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}"
        )
    sizes = tuple(min(n, size - s) for s in range(0, size, n)) if n else (0,)
    return apply(UnsafeSplitBackward0, a, split_size=n, dim=dim, sizes=sizes)


@declare("unsafe_chunk", nodes=UnsafeSplitBackward0)
def unsafe_chunk(a: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``a.unsafe_chunk(n)``: as ``chunk``, the pieces new tensors."""
    if not a._data.ndim:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = a._data.shape[_dim(dim, a._data.ndim)]
    return unsafe_split(a, max(-(-size // chunks), 1), dim)


@declare("chunk", nodes=SplitBackward0)
def chunk(a: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``a.chunk(n)``: at most n pieces of equal size (the last may be smaller)."""
    if not a._data.ndim:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = a._data.shape[_dim(dim, a._data.ndim)]
    return split(a, max(-(-size // chunks), 1), dim)


@declare("unbind", nodes=UnbindBackward0)
def unbind(a: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """``a.unbind(dim)``: the slices along ``dim``, as views."""
    a.size(dim)  # a 0-dim tensor has no dim to unbind: PyTorch's IndexError
    dim = _dim(dim, a._data.ndim)
    outs = apply(UnbindBackward0, a, dim=dim)
    return tuple(_as_view(o, a) for o in outs)
