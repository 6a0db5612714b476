"""The op table's backward formulas, looked up by grad_fn name, rendered and evaluated for display.

The registry walks ``Op.__subclasses__()``, so the chain-rule panel shows exactly the formulas that
sit next to the engine's backward code: there is no second copy to drift. Qt-free.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from visgrad.autograd.node import Node
from visgrad.ops.base import Op


@dataclass(frozen=True, slots=True)
class OpFormulas:
    """What the op table says about one backward node."""

    grad_fn: str
    op_name: str
    input_names: tuple[str, ...]
    formulas: dict[str, str]


def _walk(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_walk(sub))
    return out


_REGISTRY: dict[str, OpFormulas] = {}


def registry() -> dict[str, OpFormulas]:
    """``grad_fn name -> OpFormulas`` for every op class (built once, after the ops are imported)."""
    if not _REGISTRY:
        import visgrad.ops  # noqa: F401 - importing the package registers every op class

        for cls in _walk(Op) + _walk(Node):
            name = cls.name_ or cls.__name__
            entry = OpFormulas(
                name, getattr(cls, "op_name", ""), tuple(cls.input_names), dict(cls.formulas)
            )
            _REGISTRY.setdefault(name, entry)
            _REGISTRY.setdefault(cls.__name__, entry)
    return _REGISTRY


def lookup(grad_fn: str) -> OpFormulas | None:
    return registry().get(grad_fn)


# How each forward op reads, in the input names of the op table (only for display).
FORWARD_TEXT = {
    "add": "self + alpha·other",
    "sub": "self − alpha·other",
    "mul": "self·other",
    "div": "self / other",
    "neg": "−self",
    "pow": "self^exponent",
    "exp": "exp(self)",
    "log": "log(self)",
    "sqrt": "√self",
    "sigmoid": "σ(self)",
    "tanh": "tanh(self)",
    "relu": "relu(self)",
    "mm": "self @ mat2",
    "matmul": "self @ other",
    "mv": "self @ vec",
    "dot": "self · tensor",
    "sum": "Σ self",
    "mean": "mean(self)",
    "sin": "sin(self)",
    "cos": "cos(self)",
    "abs": "|self|",
    "reciprocal": "1 / self",
    "binary_cross_entropy_with_logits": "mean(−target·log σ(self) − (1−target)·log(1−σ(self)))",
}

_GRAD_PREFIX = re.compile(r"^\s*(-?)\s*grad\s*(\*|·)\s*")


def local_text(formula: str) -> str:
    """The local derivative part of ``grad * f`` (``-grad * f`` gives ``−f``); else the formula."""
    m = _GRAD_PREFIX.match(formula)
    if m:
        return ("−" if m.group(1) else "") + formula[m.end() :]
    m = re.match(r"^\s*(-?)\s*grad\s*/\s*", formula)
    if m:
        return ("−" if m.group(1) else "") + "1 / " + formula[m.end() :]
    if formula.strip() == "grad":
        return "1"
    if formula.strip() == "-grad":
        return "−1"
    return formula


def pretty(expr: str) -> str:
    """Typeset an op-table expression: ``·`` for ``*``, ``^`` for ``**``, a real minus sign."""
    s = expr.replace(" ** ", "^").replace("**", "^").replace(" * ", "·").replace("*", "·")
    s = re.sub(r"(?<![\w)])-", "−", s)
    s = s.replace(" - ", " − ").replace("sigmoid(", "σ(")
    return s


def simplify(expr: str, attrs: dict[str, Any]) -> str:
    """Drop factors that are absent for this node (``· weight`` when no weight was given)."""
    for name, value in attrs.items():
        if value is None:
            expr = re.sub(rf"\s*[·*]\s*{re.escape(name)}\b", "", expr)
    if attrs.get("alpha", None) == 1:
        expr = re.sub(r"\balpha\s*[·*]\s*", "", expr)
        expr = re.sub(r"\s*[·*]\s*alpha\b", "", expr)
        expr = re.sub(r"^(−?)alpha$", r"\g<1>1", expr.strip())
    if attrs.get("reduction", 1) != 1:
        expr = re.sub(r"\s*/\s*n\b", "", expr)
    return expr


# -- numeric evaluation of the elementwise formulas ------------------------------------------------
def _sigmoid(x: Any) -> Any:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


_FUNCS = {
    "sign": np.sign,
    "cos": np.cos,
    "sin": np.sin,
    "log": np.log,
    "exp": np.exp,
    "where": np.where,
    "zeros_like": np.zeros_like,
    "sigmoid": _sigmoid,
    "σ": _sigmoid,
    "abs": np.abs,
    "sqrt": np.sqrt,
    "tanh": np.tanh,
    "pi": math.pi,
}
_PY_SAFE = re.compile(r"^[\w\s.+\-*/()<>=,σ]*$")


def to_python(expr: str) -> str:
    s = expr.replace("−", "-").replace("·", "*").replace("^", "**")
    return s


def evaluate(formula: str, names: dict[str, Any], grad: Any = 1.0) -> np.ndarray | None:
    """``formula`` evaluated elementwise with NumPy (``None`` when it is not elementwise text).

    With ``grad`` = 1 this is the local derivative, shaped like whatever the formula's operands
    broadcast to (the input's shape for a reduction such as a mean loss).
    """
    src = to_python(formula)
    if not _PY_SAFE.match(src) or "__" in src or "." in re.sub(r"\d\.\d", "", src):
        return None
    ns: dict[str, Any] = dict(_FUNCS)
    for k, v in names.items():
        ns[k] = 1.0 if v is None else (np.asarray(v, dtype=np.float64) if _numeric(v) else v)
    ns["grad"] = np.asarray(grad, dtype=np.float64)
    try:
        with np.errstate(all="ignore"):
            out = eval(src, {"__builtins__": {}}, ns)  # noqa: S307 - op-table text, not user input
    except Exception:
        return None
    if not _numeric(out):
        return None
    return np.asarray(out, dtype=np.float64)


def _numeric(v: Any) -> bool:
    if isinstance(v, (bool, np.bool_)):
        return True
    if isinstance(v, (int, float, np.number)):
        return True
    return isinstance(v, np.ndarray) and v.dtype.kind in "biuf"


def reduced_dims(big: tuple[int, ...], small: tuple[int, ...]) -> tuple[int, ...]:
    """Dims of ``big`` that broadcasting added or stretched relative to ``small``."""
    lead = len(big) - len(small)
    if lead < 0:
        return ()
    dims = list(range(lead))
    for i, s in enumerate(small):
        if s == 1 and big[lead + i] != 1:
            dims.append(lead + i)
    return tuple(dims)


def sum_to_shape(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a broadcast array back to ``shape`` (the same reduction the engine applies)."""
    dims = reduced_dims(a.shape, shape)
    r = a.sum(axis=dims, keepdims=True) if dims else a
    return r.reshape(shape)
