"""One node's backward as the engine runs it: pre-hooks, formula, un-broadcasting and dtype of
what it returns, post-hooks and the anomaly checks."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from visgrad.autograd.grad_mode import MODES
from visgrad.autograd.node import Node
from visgrad.tensor import Tensor


def call_node(node: Node, grads: list[Any]) -> tuple[Any, ...]:
    """Run one node's backward: pre-hooks, formula, broadcast reduction, dtype, hooks, anomaly."""
    # Ops inside a backward formula are not the program's forward ops: no ForwardOp events.
    MODES.in_backward += 1
    try:
        return _call_node(node, grads)
    finally:
        MODES.in_backward -= 1


def _call_node(node: Node, grads: list[Any]) -> tuple[Any, ...]:
    if node._pre_hooks:
        for hook in tuple(node._pre_hooks.values()):
            r = hook(tuple(grads))
            if r is not None:
                grads = list(r)
    if node.num_outputs == 1 or not node.materialize_grads:
        gin = grads
    else:
        gin = [
            g if g is not None else Tensor._make(np.zeros(shape, dt), False, None, 0)
            for g, (shape, dt) in zip(grads, node.output_meta(), strict=False)
        ]
    try:
        outs = node.backward(*gin)
    except Exception:
        if MODES.anomaly and node.forward_trace:
            warnings.warn(
                f"Error detected in {node.name()}. Traceback of forward call that caused the "
                f"error:\n{node.forward_trace}",
                UserWarning,
                stacklevel=2,
            )
        raise
    if type(outs) is not tuple:
        outs = (outs,)
    meta = node.input_meta
    if meta:
        fns = node._next_fns
        if len(outs) != len(meta):
            outs = _fixed(outs, meta, fns)
        elif len(outs) == 2:  # unrolled for the binary ops, as the loop below checks
            g0, g1 = outs
            (s0, d0), (s1, d1) = meta
            if (
                g0 is not None
                and (fns[0] is None or g0._data.dtype is not d0 or g0._data.shape != s0)
            ) or (
                g1 is not None
                and (fns[1] is None or g1._data.dtype is not d1 or g1._data.shape != s1)
            ):
                outs = _fixed(outs, meta, fns)
        else:
            # Most formulas return each gradient at its input's shape and dtype: nothing to fix.
            for g, (shape, dt), fn in zip(outs, meta, fns, strict=False):
                if g is not None and (
                    fn is None or g._data.dtype is not dt or g._data.shape != shape
                ):
                    outs = _fixed(outs, meta, fns)
                    break
    if node._hooks:
        for hook in tuple(node._hooks.values()):
            # As in PyTorch, a post-hook may return replacements for the gradients it was given.
            r = hook(outs, tuple(grads))
            if r is not None:
                outs = tuple(r)
    if MODES.anomaly and MODES.anomaly_check_nan:
        for i, g in enumerate(outs):
            if g is not None and np.isnan(g._data).any():
                raise RuntimeError(
                    f"Function '{node.name()}' returned nan values in its {i}th output."
                )
    return outs


def _fixed(outs: tuple[Any, ...], meta: Any, fns: Any) -> tuple[Any, ...]:
    """The gradients reduced to their inputs' shapes and cast to their dtypes (None where the input
    needs none)."""
    fixed = []
    for g, (shape, dt), fn in zip(outs, meta, fns, strict=False):
        if g is None or fn is None:
            fixed.append(None)
            continue
        if g._data.shape != shape:
            from visgrad.ops.base import sum_to

            g = sum_to(g, shape)
        gdt = g._data.dtype
        if gdt is not dt and gdt != dt:
            g = g.to(dt) if MODES.enabled else Tensor._make(g._data.astype(dt), False, None, 0)
        fixed.append(g)
    return tuple(fixed)
