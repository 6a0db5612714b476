"""Formulas as the debugger prints them: typeset, and written in the program's own names.

The formulas come from the generated table (``formula_table``), keyed by grad_fn name. Qt-free and
engine-free.
"""

from __future__ import annotations

import re
from typing import Any

from visgrad.trace.formula_table import FORMULAS

# How each forward op reads, in the op table's input names (only for display).
FORWARD_TEXT = {
    "add": "self + alpha·other",
    "sub": "self − alpha·other",
    "rsub": "other − alpha·self",
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
    "addmm": "beta·self + alpha·(mat1 @ mat2)",
    "matmul": "self @ mat2",
    "mv": "self @ vec",
    "dot": "self · tensor",
    "sum": "Σ self",
    "mean": "mean(self)",
    "sin": "sin(self)",
    "cos": "cos(self)",
    "abs": "|self|",
    "reciprocal": "1 / self",
    "softmax": "softmax(self, dim)",
    "log_softmax": "log_softmax(self, dim)",
    "view": "self.view(shape)",
    "reshape": "self.reshape(shape)",
    "select": "self.select(dim, index)",
    "slice": "self[start:end:step] (along dim)",
    "mse_loss": "mean((self − target)²)",
    "binary_cross_entropy_with_logits": "mean(−target·log σ(self) − (1−target)·log(1−σ(self)))",
}

# Ops whose derivative is elementwise: ∂y/∂x is an array the shape of y, and the chain rule is
# upstream × local (then summed over broadcast dims). Others are vector-Jacobian products.
ELEMENTWISE = frozenset(
    "add sub rsub mul div neg reciprocal pow exp exp2 log log1p log2 sqrt rsqrt abs sign sin cos "
    "tanh sigmoid relu leaky_relu gelu clamp clamp_min clamp_max maximum minimum where remainder "
    "round floor ceil nan_to_num masked_fill to clone alias".split()
)


def lookup(grad_fn: str) -> tuple[str, tuple[str, ...], dict[str, str], tuple[str, ...]] | None:
    """``(op, input names, formulas, inputs without gradient)`` of a grad_fn, or None."""
    return FORMULAS.get(grad_fn)


def rename(expr: str, mapping: dict[str, str]) -> str:
    """``expr`` with whole-word names replaced (``self`` → ``x``) in one pass."""
    if not mapping:
        return expr
    pat = re.compile(r"(?<![\w.])(" + "|".join(re.escape(k) for k in mapping) + r")\b")
    return pat.sub(lambda m: mapping[m.group(1)], expr)


def simplify(expr: str, attrs: dict[str, Any]) -> str:
    """Drop factors that do nothing for this node (``* alpha`` when alpha is 1, absent weights)."""
    for name in ("alpha", "beta"):
        if attrs.get(name, 1) == 1:
            expr = re.sub(rf"\b{name}\s*[·*]\s*", "", expr)
            expr = re.sub(rf"\s*[·*]\s*{name}\b", "", expr)
    # ``given(weight, 1)``: the default when the op had no weight, else the weight's name.
    expr = re.sub(
        r"given\((\w+), ([^()]+)\)",
        lambda m: m.group(2) if attrs.get(m.group(1)) is None else m.group(1),
        expr,
    )
    m = re.search(r"\(numel\((\w+)\) if reduction == 1 else 1\)", expr)
    if m:
        expr = expr.replace(
            m.group(0), f"numel({m.group(1)})" if attrs.get("reduction") == 1 else "1"
        )
    # Terms multiplied by an absent option's zero, and factors of one, say nothing.
    nested = r"[^()]*(?:\([^()]*\)[^()]*)*"  # text inside one level of nested parentheses
    factor = rf"(?:[\w.]+(?:\({nested}\))?|\({nested}\))"
    expr = re.sub(rf"\s*[-+]\s*\(1 - 1\)(?: \* {factor})+", "", expr)
    expr = re.sub(r"\b1 \* ", "", expr)
    expr = re.sub(r" / 1\b(?!\.)", "", expr)
    return expr


def local_text(formula: str) -> str | None:
    """The local derivative of an elementwise formula ``grad * f`` (``f``), else None."""
    s = formula.strip()
    if s == "grad":
        return "1"
    if s == "-grad":
        return "-1"
    m = re.match(r"^(-?)\s*grad\s*\*\s*(.+)$", s)
    if m and "grad" not in m.group(2):
        return ("-" if m.group(1) else "") + m.group(2)
    m = re.match(r"^(-?)\s*grad\s*/\s*(.+)$", s)
    if m and "grad" not in m.group(2):
        return ("-" if m.group(1) else "") + "1 / " + m.group(2)
    return None


def pretty(expr: str) -> str:
    """Typeset: ``·`` for ``*``, ``^`` for ``**``, a real minus sign, ``σ`` for sigmoid."""
    s = expr.replace(" ** ", "^").replace("**", "^").replace(" * ", "·").replace("*", "·")
    s = re.sub(r"(?<![\w)\]])-", "−", s)
    s = s.replace(" - ", " − ").replace("sigmoid(", "σ(")
    return s
