"""Rearranging ops: ``roll``, ``diagonal``, ``trace``, ``repeat_interleave``, ``meshgrid``, and
the paired reductions ``std_mean`` / ``var_mean``."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.arg_parser import int_list, invalid_combination, is_int
from visgrad.ops import cpp_printing
from visgrad.ops.base import Op, apply
from visgrad.ops.gate import check_size, check_tensors
from visgrad.ops.gate_tables import _C_NAMES
from visgrad.ops.operand_checks import moment_args
from visgrad.ops.reduce import mean, std, var
from visgrad.ops.registry import declare
from visgrad.ops.shape import _as_view
from visgrad.tensor import Tensor, _dim


class RollBackward0(Op):
    op_name = "roll"
    formulas = {"self": "grad.roll(negated(shifts), dims)"}

    def forward(self, a: Tensor, shifts: tuple[int, ...], dims: tuple[int, ...]) -> np.ndarray:
        self.save(shifts=shifts, dims=dims)
        x = a._data
        if not x.size:
            return x.copy()
        if not dims:  # no dims: the flattened tensor rolls
            return np.roll(x.reshape(-1), shifts[0]).reshape(x.shape)
        return np.roll(x, shifts, dims)

    def backward(self, g: Tensor) -> Tensor:
        return roll(g, tuple(-s for s in self.saved("shifts")), self.saved("dims") or None)


def _diagonal_of(x: np.ndarray, offset: int, dim1: int, dim2: int) -> np.ndarray:
    """A writable view of diagonal ``offset`` of dims ``dim1``/``dim2``, last (NumPy's is
    read-only; PyTorch's can be written through)."""
    m = np.moveaxis(x, (dim1, dim2), (-2, -1))
    r0, c0 = max(-offset, 0), max(offset, 0)
    n = max(min(m.shape[-2] - r0, m.shape[-1] - c0), 0)
    corner = m[..., r0:, c0:] if n else m[..., :0, :0]
    return np.lib.stride_tricks.as_strided(
        corner,
        shape=m.shape[:-2] + (n,),
        strides=m.strides[:-2] + (m.strides[-2] + m.strides[-1],),
        writeable=bool(x.flags.writeable),
    )


class DiagonalBackward0(Op):
    op_name = "diagonal"
    formulas = {"self": "diagonal_backward(grad, self.shape, offset, dim1, dim2)"}

    def forward(self, a: Tensor, offset: int, dim1: int, dim2: int) -> np.ndarray:
        self.save(self_sym_sizes=a._data.shape, offset=offset, dim1=dim1, dim2=dim2)
        return _diagonal_of(a._data, offset, dim1, dim2)

    def backward(self, g: Tensor) -> Tensor:
        return apply(
            DiagonalBackwardBackward0,
            g,
            sizes=self.saved("self_sym_sizes"),
            offset=self.saved("offset"),
            dim1=self.saved("dim1"),
            dim2=self.saved("dim2"),
        )


class DiagonalBackwardBackward0(Op):
    """``diagonal``'s backward as an op: zeros of the input's shape, ``grad`` on the diagonal."""

    op_name = "diagonal_backward"
    input_names = ("grad",)
    formulas = {"grad": "grad.diagonal(offset, dim1, dim2)"}

    def forward(self, g: Tensor, sizes: Any, offset: int, dim1: int, dim2: int) -> np.ndarray:
        self.save(offset=offset, dim1=dim1, dim2=dim2)
        out = np.zeros(sizes, g._data.dtype)
        _diagonal_of(out, offset, dim1, dim2)[...] = g._data
        return out

    def backward(self, gg: Tensor) -> Tensor:
        return diagonal(gg, self.saved("offset"), self.saved("dim1"), self.saved("dim2"))


class TraceBackward0(Op):
    op_name = "trace"
    formulas = {"self": "diagonal_backward(grad, self.shape, 0)"}

    def forward(self, a: Tensor) -> np.ndarray:
        x = a._data
        if x.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
        self.save(self_sym_sizes=x.shape)
        return np.asarray(np.trace(x), dtype=np.int64 if x.dtype.kind in "biu" else x.dtype)

    def backward(self, g: Tensor) -> Tensor:
        n, m = self.saved("self_sym_sizes")
        return g * Tensor._make(np.eye(n, m, dtype=g._data.dtype), False, None, 0)


# -- functions --------------------------------------------------------------------------------------
@declare("roll", nodes=RollBackward0)
def roll(a: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift elements along ``dims`` (the flattened tensor without ``dims``), wrapping around."""
    shifts_t = int_list("roll", "shifts", shifts, 2, size=1)
    dims_t = () if dims is None else int_list("roll", "dims", dims, 3, size=1)
    if not shifts_t:
        raise RuntimeError("`shifts` required")
    if dims_t or len(shifts_t) != 1:
        if len(dims_t) != len(shifts_t):
            raise RuntimeError(
                f"shifts and dimensions must align. shifts: {len(shifts_t)}, dims:{len(dims_t)}"
            )
        nd = a._data.ndim
        # PyTorch copies an empty tensor before it looks at the dims.
        if nd == 0 and a._data.size:
            a.size(dims_t[0])  # a 0-dim tensor has no dims to roll: PyTorch's IndexError
        dims_t = tuple(_dim(d, nd) for d in dims_t) if a._data.size else dims_t
    return apply(RollBackward0, a, shifts=shifts_t, dims=dims_t)


@declare("diagonal", nodes=(DiagonalBackward0, DiagonalBackwardBackward0))
def diagonal(a: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal ``offset`` of dims ``dim1``/``dim2`` as a view, moved to the last dim."""
    nd = a._data.ndim
    d1, d2 = _dim(dim1, nd), _dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return _as_view(apply(DiagonalBackward0, a, offset=int(offset), dim1=d1, dim2=d2), a)


@declare("trace", nodes=TraceBackward0, torch=False)  # visgrad.trace is the trace-file package
def trace(a: Tensor) -> Tensor:
    """Sum of the main diagonal of a matrix."""
    return apply(TraceBackward0, a)


@declare("repeat_interleave")
def repeat_interleave(a: Tensor, repeats: Any = None, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:  # fmt: skip
    """Repeat each element ``repeats`` times along ``dim`` (of the flattened tensor by default).

    ``repeat_interleave(counts)`` with one integer tensor gives ``i`` repeated ``counts[i]`` times.
    Recorded as PyTorch records it: integer repeats expand and copy a view (``ViewBackward0``),
    tensor repeats pick rows with ``index_select``.
    """
    if repeats is None:  # torch.repeat_interleave(counts)
        return _counts_repeated(a)
    if not (isinstance(repeats, Tensor) or is_int(repeats)):
        raise invalid_combination("repeat_interleave", (a, repeats), {})
    x = a.reshape(-1) if dim is None else a
    d = 0 if dim is None else _dim(dim, a._data.ndim)
    if isinstance(repeats, Tensor):
        if repeats._data.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if repeats._data.dtype.kind not in "iu":
            name = _C_NAMES[repeats._data.dtype.name]
            raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{name}'")
    if isinstance(repeats, Tensor) and repeats._data.size != 1:
        reps = repeats._data.astype(np.int64).reshape(-1)
        if reps.size != x.shape[d]:
            raise RuntimeError("repeats must have the same size as input along dim")
        index = Tensor._make(np.repeat(np.arange(reps.size), reps), False, None, 0)
        return x.index_select(d, index)
    r = int(repeats._data.reshape(()).item() if isinstance(repeats, Tensor) else repeats)
    if r < 0:
        raise RuntimeError("Repeats must be non-negative")
    sizes = list(x.shape)
    sizes.insert(d + 1, r)
    check_size(tuple(sizes), x._data.itemsize)
    if output_size is not None and output_size != x._data.shape[d] * r:
        raise RuntimeError(
            f"repeat_interleave: Invalid output_size, expected {x._data.shape[d] * r} but got "
            f"{output_size}"
        )
    return x.unsqueeze(d + 1).expand(sizes).clone().flatten(d, d + 1)


def _counts_repeated(counts: Tensor) -> Tensor:
    """``repeat_interleave(counts)``: ``i`` repeated ``counts[i]`` times."""
    c = counts._data
    if c.dtype.kind not in "iu":
        name = _C_NAMES[c.dtype.name]
        raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{name}'")
    if c.ndim > 1:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    c = c.astype(np.int64).reshape(-1)
    if (c < 0).any():
        raise RuntimeError("repeats can not be negative")
    return Tensor(np.repeat(np.arange(c.size), c))


@declare("meshgrid", method=False)
def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors (``indexing="ij"`` or ``"xy"``), as expanded views."""
    one_list = len(tensors) == 1 and isinstance(tensors[0], (list, tuple))
    ts = check_tensors(tensors[0] if one_list else tensors, 0)
    if any(t._data.dtype != ts[0]._data.dtype for t in ts):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    for t in ts:
        if t._data.ndim > 1:
            raise RuntimeError(
                "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "
                + cpp_printing.printout(t._data)
            )
    if indexing is None:
        indexing = "ij"  # PyTorch's default (it warns that the default will change)
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}'
        )
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = [t.numel() for t in ts]
    out = []
    for i, t in enumerate(ts):
        view = [1] * len(ts)
        view[i] = -1
        out.append(t.view(view).expand(shape))
    if swap:  # "xy": the grids of (y, x, ...) with the first two handed back swapped
        out[0], out[1] = out[1], out[0]
    return tuple(out)


@declare("std_mean", method=False)
def std_mean(a: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False,
             *, correction: Any = None) -> tuple[Tensor, Tensor]:  # fmt: skip
    """``(std, mean)`` over ``dim`` in one call."""
    if isinstance(a, Tensor) and a._data.dtype.kind not in "fc":  # checked before the dims
        raise RuntimeError("std_mean only support floating point and complex dtypes")
    moment_args("std_mean", dim, correction)
    return (
        std(a, dim, unbiased, keepdim, correction=correction),
        mean(a, None if isinstance(dim, (tuple, list)) and not dim else dim, keepdim),
    )


@declare("var_mean", method=False)
def var_mean(a: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False,
             *, correction: Any = None) -> tuple[Tensor, Tensor]:  # fmt: skip
    """``(var, mean)`` over ``dim`` in one call."""
    if isinstance(a, Tensor) and a._data.dtype.kind not in "fc":  # checked before the dims
        raise RuntimeError("var_mean only support floating point and complex dtypes")
    moment_args("var_mean", dim, correction)
    return (
        var(a, dim, unbiased, keepdim, correction=correction),
        mean(a, None if isinstance(dim, (tuple, list)) and not dim else dim, keepdim),
    )
