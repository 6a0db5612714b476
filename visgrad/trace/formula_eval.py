"""The formula language: each op's derivative as the debugger shows it, evaluated with NumPy.

A formula is a Python expression over the op's input names (``self``, ``other``, ...), ``grad``
(the gradient arriving at the output), ``result`` (the output) and the op's attributes (``dim``,
``alpha``, ...). It is parsed with ``ast`` and walked here: nothing is ``eval``-ed, only the
operators below and the functions and methods of ``formula_functions`` exist, so a formula from a trace file cannot run
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

from visgrad.trace.formula_functions import FUNCTIONS, METHODS, as_array

__all__ = ["FormulaError", "evaluate", "names_used", "parse"]


class FormulaError(ValueError):
    """A formula that does not parse, names an unknown symbol, or cannot be computed."""


CONSTANTS = {
    "inf": math.inf,
    "nan": math.nan,
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
    ast.MatMult: lambda a, b: np.matmul(as_array(a), as_array(b)),
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
            return as_array(_Walker(names).visit(parse(formula).body))
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
            return as_array(v) if isinstance(v, (bool, np.bool_)) else v
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
            return 1.0 - as_array(v).astype(bool)
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
        cond = as_array(self.visit(node.test)).astype(bool)
        return np.where(cond, self.visit(node.body), self.visit(node.orelse))

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        v = self.visit(node.value)
        if node.attr == "shape":
            return tuple(np.shape(v))
        if node.attr == "ndim":
            return int(np.ndim(v))
        if node.attr == "mT":
            return np.swapaxes(as_array(v), -1, -2)
        if node.attr == "T":
            return as_array(v).T
        if node.attr == "dtype":
            return None  # formulas compute in float64; ``.to(self.dtype)`` reads as PyTorch's
        raise FormulaError(f"attribute .{node.attr} is not part of the formula language")

    def visit_Subscript(self, node: ast.Subscript) -> Any:
        v = self.visit(node.value)
        key = self.visit(node.slice)
        return v[key] if isinstance(v, tuple) else as_array(v)[key]

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
