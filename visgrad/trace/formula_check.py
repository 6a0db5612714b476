"""Evaluate a backward node's formulas from what its events carry, and compare with what it sent.

This is the debugger's view of one chain-rule step, reduced to numbers: the values of the node's
inputs and outputs (from ``ForwardOp``), its attributes, the gradient that arrived
(``BackwardNode.grads_in``) and the gradients it passed on (``grads_out``). Qt-free and
engine-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from visgrad.trace.formula_eval import FormulaError, evaluate
from visgrad.trace.formula_functions import sum_to_shape
from visgrad.trace.formula_table import FORMULAS


@dataclass(frozen=True, slots=True)
class InputCheck:
    """One input's formula, evaluated, next to what the engine passed on."""

    name: str
    formula: str
    value: np.ndarray | None  # the formula's result summed to the input's shape (None: error)
    passed: np.ndarray | None
    error: str = ""

    @property
    def agrees(self) -> bool:
        """Computed, finite where the engine's is finite, and equal to it (1e-6 relative)."""
        if self.value is None or self.passed is None or self.value.shape != self.passed.shape:
            return False
        return bool(np.allclose(self.value, self.passed, rtol=1e-6, atol=1e-9, equal_nan=True))


def names_for(
    grad_fn: str,
    inputs: list[Any],
    outputs: list[Any],
    attrs: dict[str, Any],
) -> dict[str, Any]:
    """The formula symbols of one node: inputs by the table's names, ``result``, attributes."""
    entry = FORMULAS.get(grad_fn)
    input_names = entry[1] if entry else ()
    names: dict[str, Any] = {}
    consts = list(attrs.get("constants", ()) or ())
    for k, v in attrs.items():
        if k != "constants":
            names[k] = _attr(v)
    for i, v in enumerate(inputs):
        nm = input_names[i] if i < len(input_names) else f"input{i}"
        if v is None and consts:
            v = consts.pop(0)
        if v is not None:
            names[nm] = np.asarray(v, dtype=np.float64)
    if outputs:
        names["result"] = np.asarray(outputs[0], dtype=np.float64)
    if len(outputs) > 1:
        names["indices"] = np.asarray(outputs[1])
    return names


def _attr(v: Any) -> Any:
    """An event attribute as a formula symbol: dims stay tuples, arrays become arrays."""
    if isinstance(v, list):
        if all(isinstance(x, int) and not isinstance(x, bool) for x in v):
            return tuple(v)
        return np.asarray(v)
    return v


def check(
    grad_fn: str,
    names: dict[str, Any],
    grads_in: list[Any],
    passed: list[Any],
    input_shapes: list[tuple[int, ...] | None],
    output_shapes: list[tuple[int, ...]] | None = None,
) -> list[InputCheck]:
    """Each input's formula evaluated with the gradients that arrived (``grad`` the first one,
    ``grads`` all of them, zeros for outputs that got none), beside what the engine sent it.
    """
    entry = FORMULAS.get(grad_fn)
    if entry is None:
        return []
    _op, input_names, formulas, no_grad = entry
    shapes_out = output_shapes or [np.shape(g) for g in grads_in]
    grads = tuple(
        np.zeros(s) if g is None else np.asarray(g, dtype=np.float64)
        for g, s in zip(grads_in, shapes_out, strict=False)
    )
    names = {**names, "grads": grads, "grad": grads[0] if grads else 0.0}
    names["shapes"] = tuple(tuple(s) if s is not None else () for s in input_shapes)
    out = []
    for i, shape in enumerate(input_shapes):
        nm = input_names[i] if i < len(input_names) else input_names[-1]
        if nm in no_grad or nm not in formulas or i >= len(passed) or passed[i] is None:
            continue
        p = np.asarray(passed[i], dtype=np.float64)
        try:
            v = evaluate(formulas[nm], {**names, "i": i})
            v = sum_to_shape(v, shape if shape is not None else p.shape)
            out.append(InputCheck(nm, formulas[nm], v, p))
        except (FormulaError, ValueError) as e:
            out.append(InputCheck(nm, formulas[nm], None, p, str(e)))
    return out
