"""The formula language: each op's derivative as the debugger shows it, evaluated with NumPy.

A formula is a Python expression over the op's input names (``self``, ``other``, ...), ``grad``
(the gradient arriving at the output), ``result`` (the output) and the op's attributes (``dim``,
``alpha``, ...). It is parsed with ``ast`` and walked here: nothing is ``eval``-ed, only the
operators, functions and methods listed below exist, so a formula from a trace file cannot run
code. Methods read as PyTorch's (``grad.sum(dim, keepdim=True)``, ``mat2.t()``); the few helpers
PyTorch spells differently are documented on each.

Qt-free and engine-free: the debugger evaluates formulas from events alone.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np


class FormulaError(ValueError):
    """A formula that does not parse, names an unknown symbol, or cannot be computed."""


def _arr(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64) if not isinstance(x, np.ndarray) else x


def _dims(dim: Any, ndim: int) -> tuple[int, ...]:
    if dim is None or dim == ():
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    return tuple(int(d) % max(ndim, 1) for d in dims)


def sum_to_shape(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a broadcast array back to ``shape`` (the reduction the engine applies for every op)."""
    a = _arr(a)
    shape = tuple(shape)
    lead = a.ndim - len(shape)
    if lead < 0:
        return np.broadcast_to(a, shape).copy()
    dims = list(range(lead))
    for i, s in enumerate(shape):
        if s == 1 and a.shape[lead + i] != 1:
            dims.append(lead + i)
    r = a.sum(axis=tuple(dims), keepdims=True) if dims else a
    return r.reshape(shape)


def _restore_dims(g: Any, dim: Any, keepdim: bool, ndim: int) -> np.ndarray:
    """``grad`` of a reduction with the reduced dims put back as size 1 (``unsqueeze`` each)."""
    g = _arr(g)
    if keepdim:
        return g
    for d in sorted(_dims(dim, ndim)):
        g = np.expand_dims(g, d)
    return g


def _t(a: Any) -> np.ndarray:
    a = _arr(a)
    return a.T if a.ndim == 2 else a


def _select_back(g: Any, shape: Any, dim: int, index: int) -> np.ndarray:
    """``zeros(shape)`` with ``grad`` written at position ``index`` of ``dim``."""
    out = np.zeros(tuple(shape))
    key = [slice(None)] * out.ndim
    key[int(dim)] = int(index)
    out[tuple(key)] = g
    return out


def _slice_back(g: Any, shape: Any, dim: int, start: Any, end: Any, step: Any) -> np.ndarray:
    """``zeros(shape)`` with ``grad`` written into ``[start:end:step]`` along ``dim``."""
    out = np.zeros(tuple(shape))
    key = [slice(None)] * out.ndim
    key[int(dim)] = slice(start, end, step)
    out[tuple(key)] = g
    return out


def _softmax(x: Any, dim: int) -> np.ndarray:
    x = _arr(x)
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def _evenly(mask: Any, dim: Any) -> np.ndarray:
    """``mask`` divided by its count along ``dim``: ties share a max's gradient evenly."""
    m = _arr(mask)
    return m / m.sum(axis=_dims(dim, m.ndim), keepdims=True)


def _scatter(a: Any, dim: int, index: Any, src: Any) -> np.ndarray:
    out = _arr(a).copy()
    np.put_along_axis(out, np.asarray(index, dtype=np.int64), _arr(src), axis=int(dim))
    return out


def _scatter_add(a: Any, dim: int, index: Any, src: Any) -> np.ndarray:
    out = _arr(a).copy()
    idx = np.asarray(index, dtype=np.int64)
    grid = list(np.indices(idx.shape, sparse=True))
    grid[int(dim)] = idx
    np.add.at(out, tuple(grid), np.broadcast_to(_arr(src), idx.shape))
    return out


def _index_add(a: Any, dim: int, index: Any, src: Any) -> np.ndarray:
    out = np.moveaxis(_arr(a).copy(), int(dim), 0)
    np.add.at(out, np.asarray(index, dtype=np.int64).reshape(-1), np.moveaxis(_arr(src), dim, 0))
    return np.moveaxis(out, 0, int(dim))


def _diagonal_back(g: Any, shape: Any, offset: int) -> np.ndarray:
    """``zeros(shape)`` with ``grad`` on diagonal ``offset``."""
    out = np.zeros(tuple(shape))
    n = min(out.shape[0] - max(-offset, 0), out.shape[1] - max(offset, 0))
    rows = np.arange(n) + max(-offset, 0)
    out[rows, rows + offset] = _arr(g)
    return out


def _unrepeat(g: Any, shape: Any) -> np.ndarray:
    """The gradient of ``repeat``: each repeated copy of the input summed back into one."""
    g = _arr(g)
    shape = (1,) * (g.ndim - len(shape)) + tuple(shape)
    split = []
    for n, s in zip(g.shape, shape, strict=True):
        split += [n // s, s]
    r = g.reshape(split).sum(axis=tuple(range(0, len(split), 2)))
    return r.reshape(shape)


def _prod_others(x: Any, dim: Any) -> np.ndarray:
    """Each element's product of the other elements along ``dim`` (exact with zeros)."""
    x = _arr(x)
    axes = _dims(dim, x.ndim)
    moved = np.moveaxis(x, axes, tuple(range(len(axes))))
    flat = moved.reshape((-1,) + moved.shape[len(axes) :])
    ones = np.ones((1,) + flat.shape[1:])
    before = np.concatenate([ones, np.cumprod(flat, axis=0)[:-1]], axis=0)
    after = np.concatenate([np.cumprod(flat[::-1], axis=0)[:-1][::-1], ones], axis=0)
    out = (before * after).reshape(moved.shape)
    return np.moveaxis(out, tuple(range(len(axes))), axes)


def _nll_back(g: Any, x: Any, target: Any, weight: Any, reduction: int, ignore: int) -> np.ndarray:
    """``nll_loss``'s gradient: ``-weight[t]`` at each sample's target class, times ``grad``."""
    x, t = _arr(x), np.asarray(target, dtype=np.int64)
    axis = 1 if x.ndim >= 2 else 0
    valid = t != ignore
    safe = np.where(valid, t, 0)
    w = np.ones(x.shape[axis]) if weight is None else _arr(weight)
    per_w = np.where(valid, w[safe], 0.0)
    coef = np.zeros_like(x)
    np.put_along_axis(coef, np.expand_dims(safe, axis), np.expand_dims(-per_w, axis), axis)
    g = _arr(g)
    if reduction == 1:  # mean: divided by the total weight of the counted samples
        return coef * g / per_w.sum()
    return coef * (g if reduction == 2 else np.expand_dims(g, axis))


_erf = np.vectorize(math.erf, otypes=[np.float64])

# Methods, called as ``x.name(...)``: the first argument is ``x``.
METHODS: dict[str, Callable[..., Any]] = {
    "t": _t,
    "sum": lambda a, dim=None, keepdim=False: _arr(a).sum(
        axis=_dims(dim, _arr(a).ndim), keepdims=keepdim
    ),
    "mean": lambda a, dim=None, keepdim=False: _arr(a).mean(
        axis=_dims(dim, _arr(a).ndim), keepdims=keepdim
    ),
    "expand": lambda a, shape: np.broadcast_to(_arr(a), tuple(shape)),
    "reshape": lambda a, shape: _arr(a).reshape(tuple(shape)),
    "sum_to_size": lambda a, shape: sum_to_shape(a, tuple(shape)),
    "restore_dims": _restore_dims,
    "transpose": lambda a, d0, d1: np.swapaxes(_arr(a), d0, d1),
    "permute": lambda a, dims: np.transpose(_arr(a), tuple(dims)),
    "squeeze": lambda a, dim=None: np.squeeze(_arr(a), axis=dim),
    "unsqueeze": lambda a, dim: np.expand_dims(_arr(a), dim),
    "flip": lambda a, dims: np.flip(_arr(a), axis=_dims(dims, _arr(a).ndim)),
    "cumsum": lambda a, dim: np.cumsum(_arr(a), axis=dim),
    "tril": lambda a, diagonal=0: np.tril(_arr(a), diagonal),
    "triu": lambda a, diagonal=0: np.triu(_arr(a), diagonal),
    "pow": lambda a, e: np.power(_arr(a), e),
    "exp": lambda a: np.exp(_arr(a)),
    "log": lambda a: np.log(_arr(a)),
    "abs": lambda a: np.abs(_arr(a)),
    "sign": lambda a: np.sign(_arr(a)),
    "sigmoid": lambda a: 1 / (1 + np.exp(-_arr(a))),
    "outer": lambda a, b: np.outer(_arr(a), _arr(b)),
    "masked_fill": lambda a, mask, v: np.where(_arr(mask).astype(bool), v, _arr(a)),
    "to": lambda a, *_: _arr(a),
    "softmax": _softmax,
    "select": lambda a, dim, index: np.take(_arr(a), int(index), axis=int(dim)),
    "narrow": lambda a, dim, start, length: np.take(
        _arr(a), np.arange(int(start), int(start) + int(length)), axis=int(dim)
    ),
    "diagonal": lambda a, offset=0: np.diagonal(_arr(a), offset).copy(),
    "scatter": _scatter,
    "scatter_add": _scatter_add,
    "index_add": _index_add,
    "index_select": lambda a, dim, index: np.take(
        _arr(a), np.asarray(index, dtype=np.int64).reshape(-1), axis=dim
    ),
    "gather": lambda a, dim, index: np.take_along_axis(
        _arr(a), np.asarray(index, dtype=np.int64), axis=dim
    ),
}

FUNCTIONS: dict[str, Callable[..., Any]] = {
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "sin": np.sin,
    "cos": np.cos,
    "tanh": np.tanh,
    "sign": np.sign,
    "abs": np.abs,
    "floor": np.floor,
    "erf": _erf,
    "sigmoid": lambda x: 1 / (1 + np.exp(-_arr(x))),
    "isfinite": lambda x: np.isfinite(_arr(x)).astype(np.float64),
    "where": lambda c, a, b: np.where(_arr(c).astype(bool), a, b),
    "zeros_like": lambda x: np.zeros_like(_arr(x)),
    "ones_like": lambda x: np.ones_like(_arr(x)),
    "zeros": lambda shape: np.zeros(tuple(shape)),
    "maximum": np.maximum,
    "minimum": np.minimum,
    "select_backward": _select_back,
    "slice_backward": _slice_back,
    "diagonal_backward": _diagonal_back,
    "nll_loss_backward": _nll_back,
    "unrepeat": _unrepeat,
    "prod_others": _prod_others,
    "evenly": _evenly,
    "argsort": lambda dims: tuple(int(i) for i in np.argsort(np.asarray(dims))),
    "numel": lambda x: int(np.size(x)),
    "offset": lambda shapes, dim, i: int(sum(s[int(dim)] for s in shapes[: int(i)])),
    "cat": lambda parts, dim: np.concatenate([_arr(p) for p in parts], axis=int(dim)),
    "stack": lambda parts, dim: np.stack([_arr(p) for p in parts], axis=int(dim)),
    "given": lambda x, default: default if x is None else x,
    "softplus": lambda x: np.logaddexp(0.0, _arr(x)),
}

CONSTANTS = {
    "inf": math.inf,
    "pi": math.pi,
    "M_LN2": math.log(2.0),
    "M_2_SQRTPI": 2 / math.sqrt(math.pi),
}

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.MatMult: lambda a, b: np.matmul(_arr(a), _arr(b)),
    ast.Mod: operator.mod,
    ast.FloorDiv: operator.floordiv,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


def parse(formula: str) -> ast.Expression:
    """The formula's syntax tree (``FormulaError`` when it is not an expression)."""
    try:
        return ast.parse(formula, mode="eval")
    except SyntaxError as e:
        raise FormulaError(f"not a formula: {formula!r} ({e.msg})") from None


def names_used(formula: str) -> set[str]:
    """Every plain name a formula reads (functions and methods excluded)."""
    tree = parse(formula)
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called}


def evaluate(formula: str, names: dict[str, Any]) -> np.ndarray:
    """``formula`` computed with NumPy in float64, symbols taken from ``names``."""
    with np.errstate(all="ignore"):
        try:
            return _arr(_Walker(names).visit(parse(formula).body))
        except FormulaError:
            raise
        except (ValueError, TypeError, IndexError, KeyError, ZeroDivisionError) as e:
            raise FormulaError(f"{formula!r}: {e}") from None


class _Walker:
    def __init__(self, names: dict[str, Any]) -> None:
        self.names = names

    def visit(self, node: ast.AST) -> Any:
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            raise FormulaError(f"{type(node).__name__} is not part of the formula language")
        return method(node)

    def visit_Constant(self, node: ast.Constant) -> Any:
        if isinstance(node.value, (int, float, bool, str)) or node.value is None:
            return node.value
        raise FormulaError(f"constant {node.value!r} is not a number or a name")

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in self.names:
            v = self.names[node.id]
            return _arr(v) if isinstance(v, (bool, np.bool_)) else v
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        raise FormulaError(f"unknown name {node.id!r}")

    def visit_Tuple(self, node: ast.Tuple) -> Any:
        return tuple(self.visit(e) for e in node.elts)

    visit_List = visit_Tuple

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        fn = _BINARY.get(type(node.op))
        if fn is None:
            raise FormulaError(f"operator {type(node.op).__name__} is not allowed")
        return fn(_num(self.visit(node.left)), _num(self.visit(node.right)))

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        v = _num(self.visit(node.operand))
        if isinstance(node.op, ast.USub):
            return -v
        if isinstance(node.op, ast.UAdd):
            return v
        if isinstance(node.op, ast.Not):
            return 1.0 - _arr(v).astype(bool)
        raise FormulaError(f"operator {type(node.op).__name__} is not allowed")

    def visit_Compare(self, node: ast.Compare) -> Any:
        # ``lo <= x <= hi`` reads as in mathematics; each comparison gives a 0/1 mask.
        left = self.visit(node.left)
        out: Any = 1.0
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.visit(right_node)
            fn = _COMPARE.get(type(op))
            if fn is None:
                raise FormulaError(f"comparison {type(op).__name__} is not allowed")
            if right is None or left is None:
                mask: Any = 1.0  # an absent bound (clamp without max) holds everywhere
            elif isinstance(left, str) or isinstance(right, str):
                mask = float(fn(left, right))  # an attribute's name: ``approximate == "tanh"``
            else:
                mask = np.asarray(fn(_num(left), _num(right)), dtype=np.float64)
            out = out * mask
            left = right
        return out

    def visit_IfExp(self, node: ast.IfExp) -> Any:
        cond = _arr(self.visit(node.test)).astype(bool)
        return np.where(cond, self.visit(node.body), self.visit(node.orelse))

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        v = self.visit(node.value)
        if node.attr == "shape":
            return tuple(np.shape(v))
        if node.attr == "ndim":
            return int(np.ndim(v))
        if node.attr == "mT":
            return np.swapaxes(_arr(v), -1, -2)
        if node.attr == "T":
            return _arr(v).T
        if node.attr == "dtype":
            return None  # formulas compute in float64; ``.to(self.dtype)`` reads as PyTorch's
        raise FormulaError(f"attribute .{node.attr} is not part of the formula language")

    def visit_Subscript(self, node: ast.Subscript) -> Any:
        v = self.visit(node.value)
        key = self.visit(node.slice)
        return v[key] if isinstance(v, tuple) else _arr(v)[key]

    def visit_Slice(self, node: ast.Slice) -> Any:
        parts = [None if p is None else self.visit(p) for p in (node.lower, node.upper, node.step)]
        return slice(*parts)

    def visit_Call(self, node: ast.Call) -> Any:
        args = [self.visit(a) for a in node.args]
        kwargs = {k.arg: self.visit(k.value) for k in node.keywords if k.arg is not None}
        f = node.func
        if isinstance(f, ast.Attribute):
            fn = METHODS.get(f.attr)
            if fn is None:
                raise FormulaError(f"method .{f.attr}() is not part of the formula language")
            return fn(self.visit(f.value), *args, **kwargs)
        if isinstance(f, ast.Name):
            fn = FUNCTIONS.get(f.id)
            if fn is None:
                raise FormulaError(f"function {f.id}() is not part of the formula language")
            return fn(*args, **kwargs)
        raise FormulaError("only functions and methods can be called")


def _num(v: Any) -> Any:
    if v is None:
        raise FormulaError("a formula operand is absent (None)")
    return v
