"""One backward step as the chain rule: upstream × local derivative = what each input receives.

Qt-free. The formulas come from the op table (``formulas.lookup``); the numbers from the state at
the tick. Elementwise formulas are evaluated with NumPy so the panel can show the local derivative
and check that upstream × local, summed over broadcast dimensions, is what the engine passed on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from visgrad.app.panels import formulas as F
from visgrad.trace.codec import ArraySummary
from visgrad.trace.state import FunctionState, State

ArrayLike = np.ndarray | ArraySummary


@dataclass(slots=True)
class InputStep:
    """The gradient one input of the node receives."""

    slot: int
    name: str  # the op table's name for the input ("self", "other")
    tensor: int | None
    tensor_name: str
    input_shape: tuple[int, ...] | None
    formula: str  # the op table's text ("grad * other")
    local_text: str  # the local derivative, typeset, in the program's names
    local: np.ndarray | None = None  # ∂out/∂input evaluated (elementwise ops), output-shaped
    product: np.ndarray | None = None  # upstream × local, output-shaped
    reduce_dims: tuple[int, ...] = ()  # dims summed to undo broadcasting
    reduced: np.ndarray | None = None  # product summed back to the input's shape
    passed: ArrayLike | None = None  # what the engine actually passed on
    matches: bool | None = None


@dataclass(slots=True)
class ChainStep:
    node: int
    grad_fn: str
    op: str
    output_name: str
    forward_text: str
    upstream: ArrayLike | None
    out_shape: tuple[int, ...] | None
    executed: int
    inputs: list[InputStep] = field(default_factory=list)
    source: tuple[str, int, str] | None = None
    legend: str = ""  # values of the symbols the formulas use ("n = 3, alpha = 1")


def _rename(expr: str, mapping: dict[str, str]) -> str:
    if not mapping:
        return expr
    pat = re.compile(r"\b(" + "|".join(re.escape(k) for k in mapping) + r")\b")
    return pat.sub(lambda m: mapping[m.group(1)], expr)


def _dense(a: Any) -> np.ndarray | None:
    return a if isinstance(a, np.ndarray) else None


def chain_step(state: State, fs: FunctionState) -> ChainStep:
    """The chain-rule view of ``fs`` at its last execution up to the state's tick."""
    entry = F.lookup(fs.grad_fn)
    names = entry.input_names if entry else tuple(f"input{i}" for i in range(len(fs.inputs)))
    forms = entry.formulas if entry else {}
    out_t = state.tensors.get(fs.outputs[0]) if fs.outputs else None
    upstream = fs.grads_in[0] if fs.grads_in else None
    out_shape = (
        tuple(out_t.shape) if out_t else (tuple(upstream.shape) if upstream is not None else None)
    )
    # Values by op-table name: inputs (constants from attrs), attributes, the result, sizes.
    values: dict[str, Any] = {}
    consts = list(fs.attrs.get("constants", ()) or ())
    display: dict[str, str] = {}
    for i, tid in enumerate(fs.inputs):
        nm = names[i] if i < len(names) else f"input{i}"
        t = state.tensors.get(tid) if tid is not None else None
        if t is not None:
            values[nm] = _dense(t.value)
            if re.fullmatch(r"[A-Za-z_]\w*", t.name) and not re.fullmatch(r"t\d+", t.name):
                display[nm] = t.name
        elif consts:
            values[nm] = consts.pop(0)
            display[nm] = F.pretty(repr(values[nm]))
    for k, v in fs.attrs.items():
        if k != "constants":
            values.setdefault(k, v)
    if out_t is not None:
        values["result"] = _dense(out_t.value)
    first = values.get(names[0]) if names else None
    size = int(np.size(first)) if first is not None else 1
    values.setdefault("n", size if fs.attrs.get("reduction", 1) == 1 else 1)
    values.setdefault("numel", size)
    out_name = out_t.name if out_t else "out"
    step = ChainStep(
        fs.id,
        fs.grad_fn,
        fs.op,
        out_name,
        _rename(F.simplify(F.FORWARD_TEXT.get(fs.op, f"{fs.op}(self)"), fs.attrs), display),
        upstream,
        out_shape,
        fs.executed,
        source=fs.source,
    )
    up = _dense(upstream)
    for i, tid in enumerate(fs.inputs):
        nm = names[i] if i < len(names) else f"input{i}"
        formula = forms.get(nm, "")
        t = state.tensors.get(tid) if tid is not None else None
        passed = fs.grads_out[i] if fs.grads_out and i < len(fs.grads_out) else None
        if tid is None and passed is None:
            continue
        local = F.pretty(F.simplify(F.local_text(formula), fs.attrs)) if formula else "—"
        s = InputStep(
            i,
            nm,
            tid,
            t.name if t else "constant",
            tuple(t.shape) if t else None,
            formula,
            _rename(local, display),
            passed=passed,
        )
        if formula and up is not None and not (fs.grads_out and passed is None):
            lv = F.evaluate(F.simplify(formula, fs.attrs), values)
            if lv is not None:
                s.local = lv
                with np.errstate(all="ignore"):
                    try:
                        s.product = up.astype(np.float64) * lv
                    except ValueError:
                        s.product = None
            if s.product is not None:
                target = (
                    s.input_shape
                    if s.input_shape is not None
                    else (tuple(passed.shape) if isinstance(passed, np.ndarray) else up.shape)
                )
                try:
                    s.reduce_dims = F.reduced_dims(s.product.shape, target)
                    s.reduced = F.sum_to_shape(s.product, target)
                except ValueError:
                    s.reduced = None
                p = _dense(passed)
                if s.reduced is not None and p is not None and p.shape == s.reduced.shape:
                    s.matches = bool(
                        np.allclose(s.reduced, p, rtol=1e-4, atol=1e-6, equal_nan=True)
                    )
        elif (
            s.input_shape is not None
            and out_shape is not None
            and _broadcasts(s.input_shape, out_shape)
        ):
            s.reduce_dims = F.reduced_dims(out_shape, s.input_shape)
        step.inputs.append(s)
    step.legend = _legend(step, values)
    return step


def _legend(step: ChainStep, values: dict[str, Any]) -> str:
    text = " ".join([step.forward_text] + [s.local_text for s in step.inputs])
    parts = []
    for k in ("n", "alpha", "exponent", "min", "max", "dim", "negative_slope"):
        v = values.get(k)
        if v is not None and re.search(rf"\b{k}\b", text) and not isinstance(v, np.ndarray):
            parts.append(f"{k} = {v}")
    return ", ".join(parts)


def _broadcasts(small: tuple[int, ...], big: tuple[int, ...]) -> bool:
    """True when ``small`` was broadcast up to ``big`` by an elementwise op."""
    try:
        return small != big and np.broadcast_shapes(small, big) == big
    except ValueError:
        return False
