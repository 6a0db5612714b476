"""Every node's formula, evaluated from its events, equals what its backward sent.

Each gradcheck table row runs with a sink attached; for every backward node the formula table's
formulas are evaluated on the values its ForwardOp recorded (with the gradient that arrived) and
compared with the gradients the engine passed on — the same numbers the debugger shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import visgrad as torch
from tests.engine import test_gradcheck_ops as G
from tests.engine.gradcheck_util import differentiable_nodes
from visgrad import events
from visgrad.trace.formula_check import check, names_for
from visgrad.trace.formula_table import FORMULAS

# Nodes whose formula the events cannot evaluate yet, and why.
_IN_BACKWARD = "recorded inside a backward pass (create_graph), which publishes no ForwardOp"
_REGION = "the written region of the base is not carried in events"
UNCHECKED: dict[str, str] = {
    "IndexBackward0": "the advanced-index key is not carried in events",
    "IndexPutBackward0": "the advanced-index key is not carried in events",
    "ScatterReduceBackward0": "PyTorch's scatter_reduce_backward has no formula-language function",
    "AsStridedBackward0": _REGION,
    "torch::autograd::CopySlices": _REGION,
    "AsStridedScatterBackward0": _IN_BACKWARD,
    "DiagonalBackwardBackward0": _IN_BACKWARD,
    "UnfoldBackwardBackward0": _IN_BACKWARD,
    "IndexPutImplBackward0": _IN_BACKWARD,
    "SelectBackwardBackward0": _IN_BACKWARD,
    "SliceBackwardBackward0": _IN_BACKWARD,
    "GeluBackwardBackward0": _IN_BACKWARD,
    "GridSampler2DBackwardBackward0": _IN_BACKWARD,
    "GridSampler3DBackwardBackward0": _IN_BACKWARD,
    "_DiagonalScatter": _IN_BACKWARD,
    "_AdaptiveAvgSpread": _IN_BACKWARD,
    "_AvgPoolSpread": _IN_BACKWARD,
    "_BorderFold": _IN_BACKWARD,
    "_UpsampleFold": _IN_BACKWARD,
    "_EmbeddingDenseBackward": _IN_BACKWARD,
    "_MaxPoolGather": _IN_BACKWARD,
    "_MaxPoolScatter": _IN_BACKWARD,
    **{
        name: "an in-place update's event carries no attributes"
        for name in (
            "CeluBackward1",
            "EluBackward1",
            "LeakyReluBackward1",
            "RreluWithNoiseBackward1",
            "ThresholdBackward1",
            "PolygammaBackward1",
        )
    },
}


def _programs() -> list[tuple[str, Callable[..., Any], list[tuple[int, ...]]]]:
    out = []
    out += [(f"unary {k}", fn, [(2, 3)]) for k, (fn, _) in G.UNARY.items()]
    out += [(f"binary {k}", fn, [(2, 3), (3,)]) for k, (fn, _, _) in G.BINARY.items()]
    out += [(f"reduce {k}", fn, [(2, 3)]) for k, (fn, _, _) in G.REDUCE_ALL.items()]
    for k, (fn, _) in G.REDUCE_DIM.items():
        for keep in (False, True):
            out.append((f"dim {k}", lambda a, fn=fn, keep=keep: fn(a, 1, keep), [(2, 3)]))
    out += [(f"shape {k}", fn, [(2, 3)]) for k, fn in G.SHAPE.items()]
    out += [(f"index {k}", fn, [(3, 4)]) for k, fn in G.INDEX_2D.items()]
    out += [(f"op {k}", row.fn, list(row.shapes)) for k, row in G.OPS.items()]
    return out


def _run(fn: Callable[..., Any], shapes: list[tuple[int, ...]], rng: Any) -> list[Any]:
    with events.Recorder() as rec:
        xs = [torch.tensor(rng.uniform(0.3, 0.9, s), requires_grad=True) for s in shapes]
        out = fn(*xs)
        outs = [o for o in (out if isinstance(out, (tuple, list)) else [out]) if o.requires_grad]
        seeds = [torch.tensor(rng.standard_normal(o.shape)) for o in outs]
        torch.autograd.backward(outs, seeds)
    return rec.events


@dataclass
class _Inplace:
    """What an InplaceUpdate says of its node, shaped like the ForwardOp fields used here."""

    grad_fn: str
    values: tuple[Any, ...]
    attrs: dict[str, Any]
    shapes: tuple[tuple[int, ...], ...]


def _checks(evs: list[Any]) -> list[tuple[str, Any]]:
    values: dict[int, Any] = {}
    forward: dict[int, Any] = {}
    out = []
    for e in evs:
        if isinstance(e, events.TensorCreated) and e.value is not None:
            values[e.tensor] = e.value
        elif isinstance(e, events.ForwardOp):
            ins = [values.get(t) if t is not None else None for t in e.inputs]
            for t, v in zip(e.outputs, e.values, strict=False):
                values[t] = v
            if e.node is not None:
                forward[e.node] = (e, ins)
        elif isinstance(e, events.InplaceUpdate) and e.value is not None:
            if e.node is not None:
                # The node's inputs: the tensor's value before the write, then the others.
                ins = [values.get(e.tensor)] + [values.get(t) for t in e.inputs]
                shapes = (np.shape(e.value),)
                forward[e.node] = (_Inplace(e.grad_fn, (e.value,), {}, shapes), ins)
            values[e.tensor] = e.value
        elif isinstance(e, events.BackwardNode) and e.node in forward:
            fe, ins = forward[e.node]
            names = names_for(fe.grad_fn, ins, list(fe.values), fe.attrs)
            shapes = [np.shape(v) if v is not None else None for v in ins]
            outs = [tuple(s) for s in fe.shapes]
            for c in check(fe.grad_fn, names, list(e.grads_in), list(e.grads_out), shapes, outs):
                out.append((fe.grad_fn, c))
    return out


def test_every_formula_evaluates_to_what_its_backward_sent() -> None:
    rng = np.random.default_rng(0)
    checked: set[str] = set()
    wrong: dict[str, str] = {}
    for label, fn, shapes in _programs():
        for grad_fn, c in _checks(_run(fn, shapes, rng)):
            if c.agrees:
                checked.add(grad_fn)
            elif grad_fn not in UNCHECKED:
                wrong.setdefault(f"{grad_fn}.{c.name}", f"{label}: {c.formula} {c.error}")
    assert wrong == {}, "\n".join(f"{k}: {v}" for k, v in sorted(wrong.items()))
    names = {c.name_ or c.__name__ for c in differentiable_nodes()}
    unchecked = sorted(n for n in names if n not in checked and n not in UNCHECKED)
    assert unchecked == [], f"no table row checked the formulas of {unchecked}"
    assert sorted(n for n in UNCHECKED if n in checked) == [], "checked now: drop from UNCHECKED"


def test_the_formula_table_covers_every_differentiable_node() -> None:
    missing = [
        c.__name__ for c in differentiable_nodes() if (c.name_ or c.__name__) not in FORMULAS
    ]
    assert missing == []
