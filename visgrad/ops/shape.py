"""Shape ops: views (reshape, transpose, permute, squeeze, unsqueeze, expand) and copies.

A view shares its base's version counter, so an in-place change through either is seen by
every saved value that refers to the other, as in PyTorch.
"""

from __future__ import annotations

import math
import weakref
from typing import Any

import numpy as np

from visgrad import _layout
from visgrad.arg_parser import spread_int_list
from visgrad.autograd.grad_mode import MODES
from visgrad.ops.base import Op, apply, sum_to
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor, _dim


def _shape_arg(shape: tuple[Any, ...], op: str = "view", name: str = "size") -> tuple[int, ...]:
    """A size (or dims) given as ``f(2, 3)`` or ``f((2, 3))``, by PyTorch's parser's rules."""
    return spread_int_list(op, name, shape)


def _as_view(out: Tensor, base: Tensor) -> Tensor:
    """Make ``out`` share ``base``'s version counter when its array aliases base's memory; a
    view made in grad mode is remembered by its base, to be re-derived when the base is written
    by a recorded op (then it requires grad even if it did not)."""
    if np.may_share_memory(out._data, base._data):
        out._version = base._version
        root = base._base if base._base is not None else base
        out._base = root
        if MODES.enabled:
            d = root.__dict__
            views = d.get("_views")
            if views is None:
                d["_views"] = [weakref.ref(out)]
            else:
                views.append(weakref.ref(out))
                if len(views) > 64:  # a weight's per-step t(): drop the dead ones now and then
                    views[:] = [r for r in views if r() is not None]
    return out


def live_views(base: Tensor) -> list[Tensor]:
    """The differentiable views of ``base`` still alive (in the order they were made)."""
    views = base.__dict__.get("_views")
    if not views:
        return []
    return [v for v in (r() for r in list(views)) if v is not None and v._base is base]


def _infer(shape: tuple[int, ...], numel: int) -> tuple[int, ...]:
    known = 1
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s != -1:
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = shape[: neg[0]] + (numel // known,) + shape[neg[0] + 1 :]
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


class ViewBackward0(Op):
    op_name = "view"
    formulas = {"self": "grad.reshape(self.shape)"}

    def forward(self, a: Tensor, shape: tuple[int, ...]) -> np.ndarray:
        self.save(self_sym_sizes=a._data.shape)
        return a._data.reshape(shape)

    def backward(self, g: Tensor) -> Tensor:
        return g.reshape(self.saved("self_sym_sizes"))


class UnsafeViewBackward0(ViewBackward0):
    """``reshape`` of an input that needed a copy (after ``CloneBackward0``)."""

    op_name = "reshape"


class ReshapeAliasBackward0(ViewBackward0):
    """``reshape`` of a non-contiguous input that can still be viewed (no copy)."""

    op_name = "reshape"


class CloneBackward0(Op):
    op_name = "clone"
    formulas = {"self": "grad"}

    def forward(self, a: Tensor, memory_format: str = "preserve_format") -> np.ndarray:
        return _layout.laid_out(a._data, _layout.BY_NAME[memory_format])

    def backward(self, g: Tensor) -> Tensor:
        return g


class TBackward0(Op):
    op_name = "t"
    formulas = {"self": "grad.t()"}

    def forward(self, a: Tensor) -> np.ndarray:
        if a._data.ndim > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {a._data.ndim}D"
            )
        return a._data.T

    def backward(self, g: Tensor) -> Tensor:
        return g.t()


class TransposeBackward0(Op):
    op_name = "transpose"
    formulas = {"self": "grad.transpose(dim0, dim1)"}

    def forward(self, a: Tensor, dim0: int, dim1: int) -> np.ndarray:
        self.save(dim0=dim0, dim1=dim1)
        return np.swapaxes(a._data, dim0, dim1)

    def backward(self, g: Tensor) -> Tensor:
        return g.transpose(self.saved("dim0"), self.saved("dim1"))


class PermuteBackward0(Op):
    op_name = "permute"
    formulas = {"self": "grad.permute(argsort(dims))"}

    def forward(self, a: Tensor, dims: tuple[int, ...]) -> np.ndarray:
        self.save(dims=dims)
        return np.transpose(a._data, dims)

    def backward(self, g: Tensor) -> Tensor:
        return g.permute(tuple(int(i) for i in np.argsort(self.saved("dims"))))


class UnsqueezeBackward0(Op):
    op_name = "unsqueeze"
    formulas = {"self": "grad.squeeze(dim)"}

    def forward(self, a: Tensor, dim: int) -> np.ndarray:
        self.save(dim=dim)
        return np.expand_dims(a._data, dim)

    def backward(self, g: Tensor) -> Tensor:
        return g.squeeze(self.saved("dim"))


class SqueezeBackward0(Op):
    op_name = "squeeze"
    formulas = {"self": "grad.reshape(self.shape)"}

    def forward(self, a: Tensor, dim: Any = None) -> np.ndarray:
        x = a._data
        self.save(self_sym_sizes=x.shape)
        if dim is None:
            return x.reshape(tuple(s for s in x.shape if s != 1))
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if x.ndim == 0 or not dims:
            return x
        dims = tuple(_dim(d, x.ndim) for d in dims)
        self.save(dim=dims if len(dims) > 1 else dims[0])
        return x.reshape(tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1)))

    def backward(self, g: Tensor) -> Tensor:
        return g.reshape(self.saved("self_sym_sizes"))


class SqueezeBackward1(SqueezeBackward0):
    """``squeeze(dim)``."""


class SqueezeBackward4(SqueezeBackward0):
    """The squeeze that ends a vector @ matrix product."""


class ExpandBackward0(Op):
    op_name = "expand"
    formulas = {"self": "grad.sum_to_size(self.shape)"}

    def forward(self, a: Tensor, shape: tuple[int, ...]) -> np.ndarray:
        x = a._data
        self.save(self_sym_sizes=x.shape)
        return np.broadcast_to(x, shape)

    def backward(self, g: Tensor) -> Tensor:
        return sum_to(g, self.saved("self_sym_sizes"))


@declare("reshape", nodes=(ViewBackward0, ReshapeAliasBackward0, UnsafeViewBackward0))
def reshape(a: Tensor, *shape: Any) -> Tensor:
    shape = _infer(_shape_arg(shape, "reshape", "shape"), a._data.size)
    # PyTorch's three outcomes: a view of a contiguous input, an alias of a strided one that can
    # still be viewed, or a copy (clone) that is then viewed.
    if a._data.flags.c_contiguous:
        return _as_view(apply(ViewBackward0, a, shape=shape), a)
    if _viewable(a._data, shape):
        return _as_view(apply(ReshapeAliasBackward0, a, shape=shape), a)
    return apply(UnsafeViewBackward0, apply(CloneBackward0, a), shape=shape)


@declare("view", nodes=ViewBackward0, torch=False)
def view(a: Tensor, *shape: Any) -> Tensor:
    shape = _infer(_shape_arg(shape), a._data.size)
    if not _viewable(a._data, shape):
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        )
    return _as_view(apply(ViewBackward0, a, shape=shape), a)


def _viewable(x: np.ndarray, shape: tuple[int, ...]) -> bool:
    """Whether numpy can reshape without copying (what a view requires)."""
    if x.flags.c_contiguous:
        return True
    try:
        v = x.view()
        v.shape = shape
        return True
    except AttributeError:
        return False


@declare("flatten")
def flatten(a: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    nd = a._data.ndim
    if nd == 0:
        return reshape(a, 1)
    s, e = _dim(start_dim, nd), _dim(end_dim, nd)
    if s == e:
        return a
    shape = a._data.shape
    n = 1
    for d in shape[s : e + 1]:
        n *= d
    return reshape(a, shape[:s] + (n,) + shape[e + 1 :])


@declare("t", nodes=TBackward0)
def t(a: Tensor) -> Tensor:
    return _as_view(apply(TBackward0, a), a)


@declare("transpose", nodes=TransposeBackward0)
def transpose(a: Tensor, dim0: int, dim1: int) -> Tensor:
    nd = a._data.ndim
    return _as_view(apply(TransposeBackward0, a, dim0=_dim(dim0, nd), dim1=_dim(dim1, nd)), a)


@declare("permute", nodes=PermuteBackward0)
def permute(a: Tensor, *dims: Any) -> Tensor:
    dims = _shape_arg(dims, "permute", "dims")
    nd = a._data.ndim
    if len(dims) != nd:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    dims = tuple(_dim(d, nd) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _as_view(apply(PermuteBackward0, a, dims=dims), a)


@declare("T", torch=False, property=True)
def T(a: Tensor) -> Tensor:  # noqa: N802 - PyTorch's name
    """``a.T``: all dims reversed (PermuteBackward0, as in PyTorch)."""
    return permute(a, tuple(range(a._data.ndim - 1, -1, -1)))


@declare("mT", torch=False, property=True)
def mT(a: Tensor) -> Tensor:  # noqa: N802 - PyTorch's name
    """``a.mT``: the last two dims swapped."""
    if a._data.ndim < 2:
        raise RuntimeError(
            "tensor.mT is only supported on matrices or batches of matrices. "
            f"Got {a._data.ndim}-D tensor."
        )
    return transpose(a, -2, -1)


@declare("unsqueeze", nodes=UnsqueezeBackward0)
def unsqueeze(a: Tensor, dim: int) -> Tensor:
    return _as_view(apply(UnsqueezeBackward0, a, dim=_dim(dim, a._data.ndim + 1)), a)


@declare("squeeze", nodes=(SqueezeBackward0, SqueezeBackward1))
def squeeze(a: Tensor, dim: Any = None) -> Tensor:
    cls = SqueezeBackward0 if dim is None else SqueezeBackward1
    return _as_view(apply(cls, a, dim=dim), a)


_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}  # fmt: skip


def expanded_shape(x: np.ndarray, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The shape ``x.expand(*shape)`` has (``-1`` kept), or PyTorch's error when it cannot."""
    lead = len(shape) - x.ndim
    if lead < 0:
        name = _TYPE_NAMES.get(x.dtype.name, "Float")
        raise RuntimeError(
            f"expand(torch.{name}Tensor{{{list(x.shape)}}}, size={list(shape)}): the number of "
            "sizes provided (%d) must be greater or equal to the number of dimensions in the "
            "tensor (%d)" % (len(shape), x.ndim)
        )
    full = list(shape)
    for i in range(len(shape) - 1, lead - 1, -1):  # from the last dim, as PyTorch checks
        s, have = shape[i], x.shape[i - lead]
        if s == -1:
            full[i] = have
        elif have != s and have != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({have}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(shape)}.  Tensor sizes: "
                f"{list(x.shape)}"
            )
    return tuple(full)


@declare("expand", nodes=ExpandBackward0, torch=False)
def expand(a: Tensor, *shape: Any) -> Tensor:
    shape = _shape_arg(shape, "expand")
    full = expanded_shape(a._data, shape)
    if min(full, default=0) < 0 or math.prod(full) >= 1 << 63:  # counted unsigned: overflows
        raise RuntimeError("numel: integer multiplication overflow")
    return _as_view(apply(ExpandBackward0, a, shape=tuple(full)), a)


@declare("contiguous", torch=False)
def contiguous(a: Tensor, memory_format: Any = _layout.contiguous_format) -> Tensor:
    """``a`` if its memory already follows ``memory_format``, else a copy that does."""
    fmt = _layout.checked("contiguous", memory_format, a._data.ndim)
    if _layout.is_in(a._data, _layout.contiguous_format if fmt is _layout.preserve_format else fmt):
        return a
    if fmt is _layout.preserve_format:
        raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
    return apply(CloneBackward0, a, memory_format=fmt.name)


@declare("clone", nodes=CloneBackward0)
def clone(a: Tensor, *, memory_format: Any = _layout.preserve_format) -> Tensor:
    fmt = _layout.checked("clone", memory_format, a._data.ndim)
    return apply(CloneBackward0, a, memory_format=fmt.name)


@declare("view_as", torch=False)
def view_as(a: Tensor, other: Tensor) -> Tensor:
    return view(a, other.shape)


@declare("reshape_as", torch=False)
def reshape_as(a: Tensor, other: Tensor) -> Tensor:
    return reshape(a, other.shape)


@declare("expand_as", torch=False)
def expand_as(a: Tensor, other: Tensor) -> Tensor:
    return expand(a, other.shape)
