"""Ops that rearrange or mask elements: repeat / tile, tril / triu, diag, outer, and the shape
helpers PyTorch spells several ways (swapaxes, movedim, unflatten, broadcast_to).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.arg_parser import int_list, invalid_combination
from visgrad.ops import shape as S
from visgrad.ops.base import Op, apply
from visgrad.ops.elementwise import mul
from visgrad.ops.gate import check_size, is_int
from visgrad.ops.inplace import inplace
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor, _dim


class RepeatBackward0(Op):
    op_name = "repeat"
    formulas = {"self": "unrepeat(grad, self.shape)"}

    def forward(self, a: Tensor, repeats: tuple[int, ...]) -> np.ndarray:
        x = a._data
        self.save(repeats=repeats, self_sym_sizes=x.shape)
        padded = (1,) * (len(repeats) - x.ndim) + x.shape
        check_size(tuple(r * s for r, s in zip(repeats, padded, strict=True)), x.itemsize)
        return np.tile(x.reshape(padded), repeats)

    def backward(self, g: Tensor) -> Tensor:
        repeats = self.saved("repeats")
        shape = self.saved("self_sym_sizes")
        padded = (1,) * (len(repeats) - len(shape)) + tuple(shape)
        # Each output dim r*s splits into (r, s); summing the r axes adds up the copies.
        split = [n for pair in zip(repeats, padded, strict=True) for n in pair]
        summed = g.reshape(split).sum(tuple(range(0, len(split), 2)))
        return summed.reshape(shape)


class TrilBackward0(Op):
    op_name = "tril"
    formulas = {"self": "grad.tril(diagonal)"}
    _np = staticmethod(np.tril)

    def forward(self, a: Tensor, diagonal: int) -> np.ndarray:
        x = a._data
        if x.ndim < 2:
            raise RuntimeError(f"{self.op_name}: input tensor must have at least 2 dimensions")
        self.save(diagonal=diagonal)
        return self._np(x, diagonal)

    def backward(self, g: Tensor) -> Tensor:
        return apply(type(self), g, diagonal=self.saved("diagonal"))


class TriuBackward0(TrilBackward0):
    op_name = "triu"
    formulas = {"self": "grad.triu(diagonal)"}
    _np = staticmethod(np.triu)


def _embed(v: np.ndarray, offset: int, shape: tuple[int, ...] | None) -> np.ndarray:
    """A matrix with ``v`` on diagonal ``offset`` and zeros elsewhere."""
    if shape is None:
        n = v.shape[0] + abs(offset)
        shape = (n, n)
    out = np.zeros(shape, dtype=v.dtype)
    k = v.shape[0]
    rows = np.arange(k) + max(-offset, 0)
    out[rows, rows + offset] = v
    return out


class DiagEmbedBackward0(Op):
    """``diag(vector, diagonal)`` and ``diag_embed``: the input's last dim on one diagonal of
    new matrices over (``dim1``, ``dim2``)."""

    op_name = "diag_embed"
    formulas = {"self": "grad.diagonal(offset, dim1, dim2)"}

    def forward(
        self,
        v: Tensor,
        offset: int,
        shape: tuple[int, ...] | None = None,
        dim1: int = 0,
        dim2: int = 1,
    ) -> np.ndarray:
        self.save(offset=offset, dim1=dim1, dim2=dim2)
        x = v._data
        if x.ndim == 1 and (dim1, dim2) == (0, 1):
            return _embed(x, offset, shape)
        n = x.shape[-1] if x.ndim else 1
        out = np.zeros(x.shape[:-1] + (n + abs(offset),) * 2, dtype=x.dtype)
        idx = np.arange(n)
        out[..., idx + max(-offset, 0), idx + max(offset, 0)] = x
        return np.ascontiguousarray(np.moveaxis(out, (-2, -1), (dim1, dim2)))

    def backward(self, g: Tensor) -> Tensor:
        offset, d1, d2 = self.saved("offset"), self.saved("dim1"), self.saved("dim2")
        if g._data.ndim == 2 and (d1, d2) == (0, 1):
            return apply(DiagonalBackward0_copy, g, offset=offset)
        return g.diagonal(offset, d1, d2)


class DiagonalBackward0_copy(Op):  # noqa: N801 - PyTorch's node name for diag(matrix)
    """``diag(matrix, diagonal)``: one diagonal of a matrix, copied out."""

    op_name = "diagonal_copy"
    formulas = {"self": "diagonal_backward(grad, self.shape, offset)"}

    def forward(self, a: Tensor, offset: int) -> np.ndarray:
        self.save(offset=offset, self_sym_sizes=a._data.shape)
        return np.diagonal(a._data, offset).copy()

    def backward(self, g: Tensor) -> Tensor:
        shape = self.saved("self_sym_sizes")
        return apply(
            DiagEmbedBackward0, g, offset=self.saved("offset"), shape=shape, dim1=0, dim2=1
        )


# -- functions --------------------------------------------------------------------------------------
@declare("repeat", nodes=RepeatBackward0, torch=False)
def repeat(a: Tensor, *sizes: Any) -> Tensor:
    """``a.repeat(r0, r1, ...)``: tile the tensor ``r_i`` times along each dim."""
    repeats = S._shape_arg(sizes, "repeat", "repeats")
    if len(repeats) < a._data.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
            "tensor"
        )
    return apply(RepeatBackward0, a, repeats=repeats)


@declare("tile")
def tile(a: Tensor, *dims: Any) -> Tensor:
    """Like ``repeat``, but missing leading repeat counts are taken as 1."""
    reps = S._shape_arg(dims, "tile", "dims")
    reps = (1,) * (a._data.ndim - len(reps)) + reps
    return repeat(a, reps)


def tril_(a: Tensor, diagonal: int = 0) -> Tensor:
    return inplace(a, TrilBackward0, (), {"diagonal": int(diagonal)}, "tril_")


def triu_(a: Tensor, diagonal: int = 0) -> Tensor:
    return inplace(a, TriuBackward0, (), {"diagonal": int(diagonal)}, "triu_")


@declare("tril", nodes=TrilBackward0, inplace=tril_)
def tril(a: Tensor, diagonal: int = 0) -> Tensor:
    return apply(TrilBackward0, a, diagonal=int(diagonal))


@declare("triu", nodes=TriuBackward0, inplace=triu_)
def triu(a: Tensor, diagonal: int = 0) -> Tensor:
    return apply(TriuBackward0, a, diagonal=int(diagonal))


@declare("diag", nodes=(DiagEmbedBackward0, DiagonalBackward0_copy))
def diag(a: Tensor, diagonal: int = 0) -> Tensor:
    """A vector becomes a diagonal matrix; a matrix gives back its diagonal."""
    nd = a._data.ndim
    offset = int(diagonal)
    if nd == 1:
        n = a._data.shape[0] + abs(offset)
        check_size((n, n), a._data.itemsize)
        return apply(DiagEmbedBackward0, a, offset=offset, dim1=0, dim2=1)
    if nd == 2:
        rows, cols = a._data.shape
        # Past the matrix's edge the diagonal is empty (NumPy would overflow on a huge offset).
        return apply(DiagonalBackward0_copy, a, offset=max(min(offset, cols), -rows))
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


@declare("outer", "ger")
def outer(input: Tensor, vec2: Tensor) -> Tensor:  # noqa: A002 - PyTorch's names
    """``input[:, None] * vec2``, recorded as PyTorch does it (a view of ``input``, then
    MulBackward0)."""
    for name, t in (("self", input), ("vec2", vec2)):
        if t._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t._data.ndim}-D")
    return mul(S.reshape(input, -1, 1), vec2)


@declare("swapaxes", "swapdims")
def swapaxes(a: Tensor, axis0: int, axis1: int) -> Tensor:
    return S.transpose(a, axis0, axis1)


def _movedim(op: str, a: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dims ``source`` to positions ``destination``; the rest keep their order. PyTorch
    takes two ints or two int lists (``op`` names the spelling in its messages)."""
    nd = a._data.ndim
    try:
        if is_int(source) and is_int(destination):
            src, dst = [int(source)], [int(destination)]
        elif isinstance(source, (tuple, list)) and isinstance(destination, (tuple, list)):
            src = list(int_list(op, "source", source))
            dst = list(int_list(op, "destination", destination))
        else:
            raise TypeError
    except TypeError:
        raise invalid_combination(op, (a, source, destination), {}) from None
    if len(src) != len(dst):
        raise RuntimeError(
            "movedim: Invalid source or destination dims: source "
            f"({src} dims) should contain the same number of dims as destination ({dst} dims)"
        )
    src = [_dim(d, nd) for d in src]
    dst = [_dim(d, nd) for d in dst]
    order: list[int | None] = [None] * nd
    for s, d in zip(src, dst, strict=True):
        order[d] = s
    rest = iter(d for d in range(nd) if d not in src)
    perm = [next(rest) if o is None else o for o in order]
    return S.permute(a, *perm)


@declare("movedim")
def movedim(a: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dims ``source`` to positions ``destination``; the rest keep their order."""
    return _movedim("movedim", a, source, destination)


@declare("moveaxis")
def moveaxis(a: Tensor, source: Any, destination: Any) -> Tensor:
    """NumPy's name for ``movedim``."""
    return _movedim("moveaxis", a, source, destination)


@declare("unflatten")
def unflatten(a: Tensor, dim: int, sizes: Any) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (one entry may be -1)."""
    shape = a._data.shape
    dim = _dim(dim, len(shape))
    sizes = int_list("unflatten", "sizes", sizes, 3)
    _unflatten_sizes(tuple(sizes), dim, shape[dim] if shape else 1)
    return S.view(a, (*shape[:dim], *sizes, *shape[dim + 1 :]))


def _unflatten_sizes(sizes: tuple[int, ...], dim: int, size: int) -> None:
    """ATen's checks of unflatten's sizes (what its size inference raises comes wrapped)."""
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    for i, s in enumerate(sizes):
        if s < -1:
            raise RuntimeError(
                "unflatten got an unexpected error:\ninvalid shape dimension "
                f"{s} at index {i} of shape {list(sizes)}"
            )
    if sizes.count(-1) > 1:
        raise RuntimeError("unflatten got an unexpected error:\nonly one dimension can be inferred")
    known = int(np.prod([s for s in sizes if s != -1], dtype=np.int64))
    fits = known == size if -1 not in sizes else known != 0 and size % known == 0
    if not fits:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({size}) in the input tensor"
        )


@declare("broadcast_to")
def broadcast_to(a: Tensor, size: Any) -> Tensor:
    return S.expand(a, int_list("broadcast_to", "size", size, 2))
