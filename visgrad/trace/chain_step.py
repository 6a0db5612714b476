"""One backward step as the chain rule, in the program's names: ∂loss/∂x = ∂loss/∂y · ∂y/∂x.

For the backward node of ``y = op(x, ...)``, each input ``x`` gets the gradient of the loss
(the root of the backward pass) from the gradient that arrived at ``y`` and the op's local
derivative. The formula comes from the generated table; it is evaluated with the numbers of the
tick (the values the ForwardOp recorded, the gradient the BackwardNode received), and the result
is compared with what the engine passed on: a step is marked as agreeing only when both were
computed, are finite, and are equal. Elementwise ops also show the local derivative ∂y/∂x as an
array; for the others (mm, reshape, sums over dims, softmax, indexing) the chain rule is the
vector-Jacobian product the formula writes out. Qt-free and engine-free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from visgrad.trace import formula_text as T
from visgrad.trace.formula_check import names_for
from visgrad.trace.formula_eval import FormulaError, evaluate, names_used
from visgrad.trace.formula_functions import sum_to_shape
from visgrad.trace.state import FunctionState, State
from visgrad.trace.summary import ArraySummary

ArrayLike = np.ndarray | ArraySummary
_PROGRAM_NAME = re.compile(r"[A-Za-z_][\w.]*")


@dataclass(slots=True)
class InputStep:
    """The gradient one input of the node receives."""

    slot: int
    name: str  # the op table's name for the input ("self", "mat2")
    tensor: int | None
    tensor_name: str  # the program's name ("w"), or the constant's value
    input_shape: tuple[int, ...] | None
    equation: str  # "∂loss/∂w = ∂loss/∂z · ∂z/∂w"
    formula: str  # "∂loss/∂w = x.t() @ ∂loss/∂z", in the program's names
    local_text: str | None  # ∂z/∂w of an elementwise op ("x"), None for the others
    local: np.ndarray | None = None  # ∂z/∂w evaluated (elementwise ops), z-shaped
    computed: np.ndarray | None = None  # the formula on the tick's numbers, x-shaped
    reduce_dims: tuple[int, ...] = ()  # dims summed to undo broadcasting
    passed: ArrayLike | None = None  # what the engine passed on
    matches: bool | None = None  # True only when computed, finite and equal to ``passed``
    status: str = ""  # why there is no ✓ ("not finite", "differs", "not computed: ...")
    # The other factors the formula multiplies the upstream gradient by, with their numbers.
    operands: list[tuple[str, ArrayLike | None]] = field(default_factory=list)


@dataclass(slots=True)
class ChainStep:
    node: int
    grad_fn: str
    op: str
    output_name: str
    root_name: str
    forward_text: str  # "z = x @ w", in the program's names
    upstream: ArrayLike | None  # ∂loss/∂output
    out_shape: tuple[int, ...] | None
    executed: int
    elementwise: bool
    inputs: list[InputStep] = field(default_factory=list)
    source: tuple[str, int, str] | None = None
    legend: str = ""  # values of the attributes the formulas use ("alpha = 2, dim = 1")


def _dense(a: Any) -> np.ndarray | None:
    return a if isinstance(a, np.ndarray) else None


def _short(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else repr(v)


def root_name(state: State) -> str:
    """The program's name for the root of the latest backward pass (``loss``)."""
    fed = {t for fs in state.functions.values() if fs.grads_out for t in fs.inputs}
    roots = [t for t in state.tensors.values() if t.dloss is not None and t.id not in fed]
    if roots:
        best = max(roots, key=lambda t: t.created_seq)
        if _PROGRAM_NAME.fullmatch(best.name):
            return best.name
    return "loss"


def chain_step(state: State, fs: FunctionState) -> ChainStep:
    """The chain-rule view of ``fs`` at its last execution up to the state's tick."""
    entry = T.lookup(fs.grad_fn)
    names = entry[1] if entry else tuple(f"input{i}" for i in range(len(fs.inputs)))
    out_t = state.tensors.get(fs.outputs[0]) if fs.outputs else None
    upstream = fs.grads_in[0] if fs.grads_in else None
    out_name = out_t.name if out_t else "out"
    out_shape = (
        tuple(out_t.shape) if out_t else (tuple(upstream.shape) if upstream is not None else None)
    )
    root = root_name(state)
    display = _display_names(state, fs, names)
    mapping = {**display, "result": out_name, "grad": f"∂{root}/∂{out_name}"}
    fwd = T.FORWARD_TEXT.get(fs.op, f"{fs.op}(self)")
    step = ChainStep(
        fs.id,
        fs.grad_fn,
        fs.op,
        out_name,
        root,
        f"{out_name} = {T.rename(T.simplify(fwd, fs.attrs), display)}",
        upstream,
        out_shape,
        fs.executed,
        fs.op in T.ELEMENTWISE,
        source=fs.source,
    )
    values = _values(state, fs)
    for i, tid in enumerate(fs.inputs):
        passed = fs.grads_out[i] if fs.grads_out and i < len(fs.grads_out) else None
        if tid is None and passed is None:
            continue
        nm = names[i] if i < len(names) else names[-1] if names else f"input{i}"
        step.inputs.append(_input_step(state, fs, step, entry, i, nm, mapping, values, passed))
    step.legend = _legend(step, fs.attrs)
    return step


def _display_names(state: State, fs: FunctionState, names: tuple[str, ...]) -> dict[str, str]:
    """Each op-table input name as the program calls it (``self`` → ``x``, a constant → 2)."""
    consts = list(fs.attrs.get("constants", ()) or ())
    out: dict[str, str] = {}
    for i, tid in enumerate(fs.inputs):
        nm = names[i] if i < len(names) else None
        if nm is None or nm in out:
            continue
        t = state.tensors.get(tid) if tid is not None else None
        if t is not None:
            out[nm] = t.name
        elif consts:
            out[nm] = _short(consts.pop(0))
    return out


def _values(state: State, fs: FunctionState) -> dict[str, Any]:
    """The formula symbols at the tick (dense arrays only; summaries cannot be computed on)."""
    ins = []
    for tid in fs.inputs:
        t = state.tensors.get(tid) if tid is not None else None
        ins.append(_dense(t.value) if t is not None else None)
    outs = []
    for tid in fs.outputs:
        t = state.tensors.get(tid)
        outs.append(_dense(t.value) if t is not None else None)
    names = names_for(fs.grad_fn, ins, [o for o in outs if o is not None], fs.attrs)
    shapes = []
    for tid in fs.inputs:
        t = state.tensors.get(tid) if tid is not None else None
        shapes.append(tuple(t.shape) if t is not None else ())
    names["shapes"] = tuple(shapes)
    return names


def _input_step(
    state: State,
    fs: FunctionState,
    step: ChainStep,
    entry: Any,
    i: int,
    nm: str,
    mapping: dict[str, str],
    values: dict[str, Any],
    passed: ArrayLike | None,
) -> InputStep:
    tid = fs.inputs[i]
    t = state.tensors.get(tid) if tid is not None else None
    who = t.name if t is not None else mapping.get(nm, "constant")
    y, root = step.output_name, step.root_name
    raw = entry[2].get(nm, "") if entry else ""
    formula = T.simplify(raw, fs.attrs)
    local = T.local_text(formula) if step.elementwise else None
    s = InputStep(
        i,
        nm,
        tid,
        who,
        tuple(t.shape) if t is not None else None,
        f"∂{root}/∂{who} = ∂{root}/∂{y} · ∂{y}/∂{who}",
        f"∂{root}/∂{who} = " + (T.pretty(T.rename(formula, mapping)) if formula else "—"),
        T.pretty(T.rename(local, mapping)) if local is not None else None,
        passed=passed,
    )
    if formula and not step.elementwise:
        used = names_used(formula)
        for j, other in enumerate(fs.inputs):
            onm = entry[1][j] if entry and j < len(entry[1]) else None
            ot = state.tensors.get(other) if other is not None else None
            if onm in used and onm != nm and ot is not None:
                s.operands.append((ot.name, ot.value))
    _compute(s, step, formula, {**values, "i": i}, fs)
    return s


def _compute(
    s: InputStep, step: ChainStep, formula: str, values: dict[str, Any], fs: FunctionState
) -> None:
    """Evaluate ``formula`` on the tick's numbers and say whether it agrees with ``passed``."""
    up = _dense(step.upstream)
    if s.passed is None:
        s.status = "no gradient: the input does not require grad"
        return
    p = _dense(s.passed)
    if not formula or up is None or p is None:
        s.status = "not computed: " + (
            "no formula" if not formula else "the numbers are summarised"
        )
        return
    target = s.input_shape if s.input_shape is not None else p.shape
    grads = [
        np.asarray(g, dtype=np.float64) if isinstance(g, np.ndarray) else None
        for g in fs.grads_in or ()
    ]
    shapes = [np.shape(g) if g is not None else step.out_shape or () for g in grads]
    grads = [g if g is not None else np.zeros(sh) for g, sh in zip(grads, shapes, strict=True)]
    names = {**values, "grad": up.astype(np.float64), "grads": tuple(grads)}
    try:
        full = evaluate(formula, names)
        s.computed = sum_to_shape(full, target)
        if step.elementwise and s.local_text is not None:
            s.local = evaluate(formula, {**names, "grad": np.ones(np.shape(up))})
        s.reduce_dims = _reduced(np.shape(full), tuple(target))
    except (FormulaError, ValueError) as e:
        s.status = f"not computed: {e}"
        return
    if not (np.isfinite(s.computed).all() and np.isfinite(p).all()):
        s.status = "not finite: NaN or Inf in the gradient"
        return
    s.matches = s.computed.shape == p.shape and bool(
        np.allclose(s.computed, p, rtol=1e-5, atol=1e-7)
    )
    s.status = "" if s.matches else "differs from what the engine passed on"


def _reduced(big: tuple[int, ...], small: tuple[int, ...]) -> tuple[int, ...]:
    """Dims of ``big`` that broadcasting added or stretched relative to ``small``."""
    lead = len(big) - len(small)
    if lead < 0:
        return ()
    dims = list(range(lead))
    dims += [lead + i for i, s in enumerate(small) if s == 1 and big[lead + i] != 1]
    return tuple(dims)


def _legend(step: ChainStep, attrs: dict[str, Any]) -> str:
    text = " ".join([step.forward_text] + [s.formula for s in step.inputs])
    parts = []
    for k in ("alpha", "beta", "exponent", "min", "max", "dim", "negative_slope", "correction"):
        v = attrs.get(k)
        if v is not None and re.search(rf"\b{k}\b", text) and not isinstance(v, (list, dict)):
            parts.append(f"{k} = {_short(v)}")
    return ", ".join(parts)
