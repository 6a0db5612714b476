"""Tests with bool or Python results: comparisons (``==``, ``<``, ...), isnan / isinf / isfinite,
any / all, isclose / allclose, equal, is_tensor, numel. None of them is differentiable, so none records a node.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.arg_parser import dims_arg, tensor_or_number
from visgrad.ops.base import Op, apply, wrap
from visgrad.ops.operand_arrays import _binary, _pair
from visgrad.ops.reduce import norm_dims
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor


class Predicate(Op):
    """Tests with bool results (isnan, isclose, any, ...): no node, no gradient."""

    op_name = "predicate"
    differentiable = ()

    def forward(self, *tensors: Tensor, fn: Any, **kw: Any) -> np.ndarray:
        return np.asarray(fn(*(t._data for t in tensors), **kw))


class CompareBackward(Op):
    """Comparisons: bool results that never require grad."""

    op_name = "compare"
    differentiable = ()
    _fns = {
        "eq": np.equal,
        "ne": np.not_equal,
        "lt": np.less,
        "le": np.less_equal,
        "gt": np.greater,
        "ge": np.greater_equal,
    }

    def forward(self, a: Tensor, b: Tensor, op: str) -> np.ndarray:
        x, y = _pair(a, b)
        return _binary(self._fns[op], x, y)


def compare(a: Tensor, b: Any, op: str) -> Tensor:
    return apply(CompareBackward, a, wrap(tensor_or_number(op, "other", b, 2), a), op=op)


@declare("eq", operators=("__eq__",))
def eq(a: Tensor, b: Any) -> Tensor:
    return compare(a, b, "eq")


@declare("ne", operators=("__ne__",))
def ne(a: Tensor, b: Any) -> Tensor:
    return compare(a, b, "ne")


@declare("lt", operators=("__lt__",))
def lt(a: Tensor, b: Any) -> Tensor:
    return compare(a, b, "lt")


@declare("le", operators=("__le__",))
def le(a: Tensor, b: Any) -> Tensor:
    return compare(a, b, "le")


@declare("gt", operators=("__gt__",))
def gt(a: Tensor, b: Any) -> Tensor:
    return compare(a, b, "gt")


@declare("ge", operators=("__ge__",))
def ge(a: Tensor, b: Any) -> Tensor:
    return compare(a, b, "ge")


_PREDICATES = {
    name: type(name, (Predicate,), {"op_name": name})
    for name in ("isnan", "isinf", "isfinite", "isclose", "any", "all")
}


def _test(name: str, *tensors: Tensor, fn: Any, **kw: Any) -> Tensor:
    return apply(_PREDICATES[name], *tensors, fn=fn, **kw)


@declare("isnan")
def isnan(a: Tensor) -> Tensor:
    return _test("isnan", a, fn=np.isnan)


@declare("isinf")
def isinf(a: Tensor) -> Tensor:
    return _test("isinf", a, fn=np.isinf)


@declare("isfinite")
def isfinite(a: Tensor) -> Tensor:
    return _test("isfinite", a, fn=np.isfinite)


def _test_dims(dim: Any, a: Tensor) -> Any:
    """any / all's dims: unlike the reductions, an empty tuple reduces nothing (as PyTorch)."""
    if dim is None:
        return None
    return norm_dims(dim, a._data.ndim) if dims_arg(dim) else ()


def _any(x: np.ndarray, dim: Any = None, keepdim: bool = False) -> np.ndarray:
    # A uint8 tensor's test is uint8, as PyTorch keeps it.
    return np.any(x, axis=dim, keepdims=keepdim).astype(np.uint8 if x.dtype == np.uint8 else bool)


def _all(x: np.ndarray, dim: Any = None, keepdim: bool = False) -> np.ndarray:
    return np.all(x, axis=dim, keepdims=keepdim).astype(np.uint8 if x.dtype == np.uint8 else bool)


@declare("any")
def any(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    return _test("any", a, fn=_any, dim=_test_dims(dim, a), keepdim=keepdim)


@declare("all")
def all(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    return _test("all", a, fn=_all, dim=_test_dims(dim, a), keepdim=keepdim)


# PyTorch's scalar type names, as its dtype-mismatch errors print them.
_SCALAR_NAMES = {
    "float16": "Half",
    "float32": "Float",
    "float64": "Double",
    "int8": "Char",
    "uint8": "Byte",
    "int16": "Short",
    "int32": "Int",
    "int64": "Long",
    "bool": "Bool",
}


def _same_dtype(a: Tensor, b: Tensor) -> None:
    da, db = a._data.dtype, b._data.dtype
    if da != db:
        raise RuntimeError(f"{_SCALAR_NAMES[da.name]} did not match {_SCALAR_NAMES[db.name]}")


@declare("isclose")
def isclose(
    a: Tensor, b: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """``|a - b| <= atol + rtol * |b|`` elementwise."""
    _same_dtype(a, b)
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if tol < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got {tol}")
    return _test("isclose", a, b, fn=np.isclose, rtol=rtol, atol=atol, equal_nan=equal_nan)


@declare("allclose")
def allclose(
    a: Tensor, b: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    return bool(isclose(a, b, rtol, atol, equal_nan)._data.all())


@declare("equal")
def equal(a: Tensor, b: Tensor) -> bool:
    """Same shape and same values (a plain Python bool)."""
    x, y = a._data, b._data
    return x.shape == y.shape and bool(np.array_equal(x, y))


@declare("is_tensor", method=False)
def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


# ``Tensor.numel`` is the Tensor's own method (tensor.py).
@declare("numel", method=False)
def numel(a: Tensor) -> int:
    return int(a._data.size)
