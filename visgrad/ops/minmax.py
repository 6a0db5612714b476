"""max / min / amax / amin and argmax / argmin.

Full reductions (``max()``, ``amax``) split the gradient evenly between tied elements; ``max(dim)``
sends it all to the one index it returned, as PyTorch does.
"""

from __future__ import annotations

import collections
from typing import Any

import numpy as np

from visgrad.arg_parser import is_int, type_name
from visgrad.ops.base import Op, apply
from visgrad.ops.pointwise import maximum, minimum
from visgrad.ops.reduce import expand_back, kept_shape, norm_dims
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor, _dim


def _const(x: np.ndarray) -> Tensor:
    return Tensor._make(x, False, None, 0)


def _return_type(name: str) -> type:
    """``torch.return_types.max``: a named ``(values, indices)`` pair."""
    base = collections.namedtuple(name, ["values", "indices"])

    def __repr__(self: Any) -> str:  # noqa: N807
        return f"torch.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"

    return type(name, (base,), {"__repr__": __repr__, "__slots__": ()})


MaxResult = _return_type("max")
MinResult = _return_type("min")


def _tie_weights(
    x: np.ndarray, r: np.ndarray, dims: tuple[int, ...], nan_equal: bool = False
) -> np.ndarray:
    """1/k on each of the k elements equal to the reduced value, 0 elsewhere (a NaN result
    equal to the NaNs with ``nan_equal``, as PyTorch's full max and min have it)."""
    hit = x == r
    if nan_equal and x.dtype.kind == "f":
        hit |= np.isnan(x) & np.isnan(r)
    hit = hit.astype(x.dtype if x.dtype.kind == "f" else np.float32)
    return hit / hit.sum(axis=dims, keepdims=True)


class MaxBackward1(Op):
    """``a.max()`` over all elements."""

    op_name = "max"
    saves_output = "result"
    formulas = {"self": "grad * evenly(self == result, None)"}
    _np = staticmethod(np.max)

    def forward(self, a: Tensor) -> np.ndarray:
        x = a._data
        if x.size == 0:
            raise RuntimeError(
                f"{self.op_name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        self.save(self=a)
        return np.asarray(self._np(x))

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")._data
        dims = tuple(range(x.ndim))
        return g * _const(_tie_weights(x, self.saved("result")._data, dims, nan_equal=True))


class MinBackward1(MaxBackward1):
    op_name = "min"
    _np = staticmethod(np.min)


class AmaxBackward0(Op):
    op_name = "amax"
    saves_output = "result"
    formulas = {
        "self": "grad.restore_dims(dim, keepdim, self.ndim) * evenly(self == result.restore_dims(dim, keepdim, self.ndim), dim)"
    }
    _np = staticmethod(np.max)

    def forward(self, a: Tensor, dim: Any, keepdim: bool) -> np.ndarray:
        x = a._data
        dims = norm_dims(dim, x.ndim)
        if not x.size and (dim is None or dim == () or any(x.shape[d] == 0 for d in dims)):
            raise RuntimeError(
                f"{self.op_name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        self.save(self=a, dim=dims, keepdim=keepdim)
        self._dims, self._keep = dims, keepdim
        return np.asarray(self._np(x, axis=dims, keepdims=keepdim))

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")._data
        r = self.saved("result")._data.reshape(kept_shape(x.shape, self._dims))
        g = expand_back(g, x.shape, self._dims, self._keep)
        return g * _const(_tie_weights(x, r, self._dims))


class AminBackward0(AmaxBackward0):
    op_name = "amin"
    _np = staticmethod(np.min)


class MaxBackward0(Op):
    """``a.max(dim)``: values and the index each came from."""

    op_name = "max"
    formulas = {
        "self": (
            "zeros(self.shape).scatter(dim, indices.restore_dims(dim, keepdim, self.ndim), "
            "grad.restore_dims(dim, keepdim, self.ndim))"
        )
    }
    _arg = staticmethod(np.argmax)

    def forward(self, a: Tensor, dim: int, keepdim: bool) -> tuple[np.ndarray, np.ndarray]:
        x = a._data
        if x.ndim and x.shape[dim] == 0:
            raise IndexError(
                f"{self.op_name}(): Expected reduction dim {dim} to have non-zero size."
            )
        xx = x.reshape(1) if x.ndim == 0 else x
        idx = np.expand_dims(self._arg(xx, axis=dim), dim)
        values = np.take_along_axis(xx, idx, dim)
        if not keepdim or x.ndim == 0:
            idx, values = np.squeeze(idx, dim), np.squeeze(values, dim)
            if x.ndim == 0:
                idx, values = idx.reshape(()), values.reshape(())
        indices = Tensor._make(idx.astype(np.int64), False, None, 0)
        self.save(dim=dim, keepdim=keepdim, indices=indices, self_sym_sizes=x.shape)
        self._idx = idx
        return values, indices._data

    def backward(self, g: Tensor) -> Tensor:
        shape = self.saved("self_sym_sizes")
        dim = self.saved("dim")
        if not shape:
            return g
        idx = self._idx if self.saved("keepdim") else np.expand_dims(self._idx, dim)
        onehot = np.zeros(shape, dtype=g._data.dtype)
        np.put_along_axis(onehot, idx, 1, dim)
        return expand_back(g, shape, (dim,), self.saved("keepdim")) * _const(onehot)


class MinBackward0(MaxBackward0):
    op_name = "min"
    _arg = staticmethod(np.argmin)


class ArgReduce(Op):
    """argmax / argmin: integer results that never require grad."""

    op_name = "argmax"
    differentiable = ()

    def forward(self, a: Tensor, dim: Any, keepdim: bool, fn: Any) -> np.ndarray:
        x = a._data
        name = fn.__name__
        if x.dtype.kind == "b":
            raise RuntimeError(f"{name}(): does not support bool input")
        if dim is None and not x.size:
            raise IndexError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        if dim is None:
            r = np.asarray(fn(x.reshape(-1)), dtype=np.int64)
            return r.reshape((1,) * x.ndim) if keepdim else r
        return np.asarray(fn(x, axis=dim, keepdims=keepdim), dtype=np.int64)


# -- functions --------------------------------------------------------------------------------------
def _max_min(
    full: type[Op],
    by_dim: type[Op],
    pairwise: Any,
    result: type,
    a: Tensor,
    dim: Any,
    keepdim: bool,
) -> Any:
    if dim is None:
        return apply(full, a)
    if isinstance(dim, Tensor):
        return pairwise(a, dim)
    if not is_int(dim):  # the parser's refusal (its overloads: no signature fits)
        raise TypeError(f"{full.op_name}(): argument 'dim' must be int, not {type_name(dim)}")
    d = _dim(dim, a._data.ndim)
    values, indices = apply(by_dim, a, dim=d, keepdim=keepdim)
    return result(values, indices)


@declare("max", nodes=(MaxBackward1, MaxBackward0))
def max(a: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """``max()`` (a tensor), ``max(dim)`` (values, indices), or ``max(other)`` (maximum)."""
    return _max_min(MaxBackward1, MaxBackward0, maximum, MaxResult, a, dim, keepdim)


@declare("min", nodes=(MinBackward1, MinBackward0))
def min(a: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """``min()``, ``min(dim)`` or ``min(other)``."""
    return _max_min(MinBackward1, MinBackward0, minimum, MinResult, a, dim, keepdim)


@declare("amax", nodes=AmaxBackward0)
def amax(a: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Maximum over ``dim`` (all dims by default); ties share the gradient evenly."""
    return apply(AmaxBackward0, a, dim=dim, keepdim=keepdim)


@declare("amin", nodes=AminBackward0)
def amin(a: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Minimum over ``dim`` (all dims by default); ties share the gradient evenly."""
    return apply(AminBackward0, a, dim=dim, keepdim=keepdim)


@declare("argmax")
def argmax(a: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the largest element (flattened when ``dim`` is None), as int64."""
    d = None if dim is None else _dim(dim, a._data.ndim)
    return apply(ArgReduce, a, dim=d, keepdim=keepdim, fn=np.argmax)


@declare("argmin")
def argmin(a: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the smallest element (flattened when ``dim`` is None), as int64."""
    d = None if dim is None else _dim(dim, a._data.ndim)
    return apply(ArgReduce, a, dim=d, keepdim=keepdim, fn=np.argmin)
