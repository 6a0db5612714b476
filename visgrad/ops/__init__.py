"""The op table, and the Tensor methods and operators that call it."""

from __future__ import annotations

from typing import Any

from visgrad.ops import convert, elementwise, linalg, loss, reduce, shape  # noqa: F401 - loss registers its ops
from visgrad.ops.base import Op, apply
from visgrad.tensor import Tensor

E = elementwise


def _r(fn: Any) -> Any:
    """Reflected operator: ``number op tensor``."""
    return lambda self, other: fn(other, self)


def _cmp(op: str) -> Any:
    return lambda self, other: E.compare(self, other, op)


_METHODS: dict[str, Any] = {
    # operators
    "__add__": E.add,
    "__radd__": _r(E.add),
    "__sub__": E.sub,
    "__rsub__": _r(E.sub),
    "__mul__": E.mul,
    "__rmul__": _r(E.mul),
    "__truediv__": E.div,
    "__rtruediv__": _r(E.div),
    "__pow__": E.pow,
    "__rpow__": _r(E.pow),
    "__neg__": E.neg,
    "__abs__": E.abs,
    "__matmul__": linalg.matmul,
    "__rmatmul__": _r(linalg.matmul),
    "__pos__": lambda self: self,
    "__eq__": _cmp("eq"),
    "__ne__": _cmp("ne"),
    "__lt__": _cmp("lt"),
    "__le__": _cmp("le"),
    "__gt__": _cmp("gt"),
    "__ge__": _cmp("ge"),
    # elementwise
    "add": E.add,
    "sub": E.sub,
    "subtract": E.sub,
    "mul": E.mul,
    "multiply": E.mul,
    "div": E.div,
    "divide": E.div,
    "true_divide": E.div,
    "pow": E.pow,
    "neg": E.neg,
    "negative": E.neg,
    "reciprocal": E.reciprocal,
    "exp": E.exp,
    "log": E.log,
    "log1p": E.log1p,
    "sqrt": E.sqrt,
    "abs": E.abs,
    "sign": E.sign,
    "sin": E.sin,
    "cos": E.cos,
    "tanh": E.tanh,
    "sigmoid": E.sigmoid,
    "relu": E.relu,
    "clamp": E.clamp,
    "clip": E.clamp,
    "maximum": E.maximum,
    "minimum": E.minimum,
    "eq": _cmp("eq"),
    "ne": _cmp("ne"),
    "lt": _cmp("lt"),
    "le": _cmp("le"),
    "gt": _cmp("gt"),
    "ge": _cmp("ge"),
    # reductions
    "sum": reduce.sum,
    "mean": reduce.mean,
    # linear algebra
    "matmul": linalg.matmul,
    "mm": linalg.mm,
    "mv": linalg.mv,
    "dot": linalg.dot,
    "bmm": linalg.bmm,
    # shape
    "reshape": shape.reshape,
    "view": shape.view,
    "flatten": shape.flatten,
    "t": shape.t,
    "transpose": shape.transpose,
    "permute": shape.permute,
    "unsqueeze": shape.unsqueeze,
    "squeeze": shape.squeeze,
    "expand": shape.expand,
    "contiguous": shape.contiguous,
    "clone": shape.clone,
    "view_as": lambda self, other: shape.view(self, other.shape),
    "reshape_as": lambda self, other: shape.reshape(self, other.shape),
    "expand_as": lambda self, other: shape.expand(self, other.shape),
    # conversion
    "to": convert.to,
    "detach": convert.detach,
    "detach_": convert.detach_,
    "float": lambda self: convert.to(self, "float32"),
    "double": lambda self: convert.to(self, "float64"),
    "long": lambda self: convert.to(self, "int64"),
    "int": lambda self: convert.to(self, "int32"),
    "bool": lambda self: convert.to(self, "bool"),
    "half": lambda self: convert.to(self, "float16"),
    "type_as": lambda self, other: convert.to(self, other.dtype),
    "cpu": lambda self: self,
}


def install(methods: dict[str, Any]) -> None:
    """Attach functions as Tensor methods (op modules call this for their own entries)."""
    for name, fn in methods.items():
        setattr(Tensor, name, fn)


install(_METHODS)
Tensor.T = property(shape.T)  # type: ignore[attr-defined]
Tensor.mT = property(lambda self: shape.transpose(self, -2, -1))  # type: ignore[attr-defined]

from visgrad.ops import inplace  # noqa: E402 - needs install() and the op modules above

install(inplace.METHODS)

from visgrad.ops import index, join, minmax, nn_ops  # noqa: E402 - op breadth: indexing, joins, ...

install(
    {
        "__getitem__": index.getitem,
        "select": index.select,
        "narrow": index.narrow,
        "max": minmax.max,
        "min": minmax.min,
        "amax": minmax.amax,
        "amin": minmax.amin,
        "argmax": minmax.argmax,
        "argmin": minmax.argmin,
        "var": reduce.var,
        "std": reduce.std,
        "prod": reduce.prod,
        "norm": reduce.norm,
        "flip": join.flip,
        "split": join.split,
        "chunk": join.chunk,
        "unbind": join.unbind,
        "__floordiv__": E.floor_divide,
        "__rfloordiv__": _r(E.floor_divide),
        "floor_divide": E.floor_divide,
        "__mod__": E.remainder,
        "__rmod__": _r(E.remainder),
        "remainder": E.remainder,
        "softmax": lambda self, dim, dtype=None: nn_ops.softmax(self, dim, dtype=dtype),
        "log_softmax": lambda self, dim, dtype=None: nn_ops.log_softmax(self, dim, dtype=dtype),
    }
)

__all__ = ["Op", "apply", "install"]

from visgrad.ops import extra, layout, predicates, scan, tensor_api  # noqa: E402, F401
