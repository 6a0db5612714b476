"""What the debugger shows at one tick: the contract between the trace model and every view.

``TraceModel.state_at(tick)`` returns a ``State``: plain data, no Qt, no engine objects. A tick is
an index into the event log: ``state_at(k)`` is the world right after event ``k`` was applied
(``state_at(-1)`` or an empty log is the world before anything happened).

Graph keys (``visgrad.trace.keys``): tensor nodes are ``"t<id>"``, function nodes ``"f<id>"``
(the grad_fn's node id), so views and networkx graphs use the same keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, TypeVar

import numpy as np

from visgrad.trace.keys import fkey as fkey  # re-exported: the state's readers find them here
from visgrad.trace.keys import tkey as tkey
from visgrad.trace.summary import ArraySummary

ArrayLike = np.ndarray | ArraySummary


@dataclass(slots=True)
class TensorState:
    """A tensor as of the tick."""

    id: int
    name: str  # the program's name (``w``, ``fc1.weight``) or a short stable id (``t12``)
    shape: tuple[int, ...]
    dtype: str
    requires_grad: bool
    is_leaf: bool
    role: (
        str  # "parameter" | "leaf" (requires grad) | "input" (constant) | "intermediate" | "output"
    )
    producer: int | None  # function node id that made it (None for leaves)
    value: ArrayLike | None
    grad: ArrayLike | None  # .grad as of this tick (leaves, and non-leaves that retain grad)
    grad_contributions: int  # contributions accumulated into .grad since its last reset
    version: int
    created_seq: int
    source: tuple[str, int, str] | None = None
    # d(root)/d(tensor) of the latest backward pass that reached it: what its consumers sent,
    # summed (its grad_fn's incoming gradient; a leaf's AccumulateGrad input). Every tensor has
    # it, with or without ``retain_grad()``.
    dloss: ArrayLike | None = None
    base: int | None = None  # the tensor whose memory it shares (a view, ``detach()``)
    # The nn.Module call it was made under (a leaf's; an op's output takes its producer's):
    # dotted path and class names along it, as the events carry them.
    module: str = ""
    module_classes: tuple[str, ...] = ()


@dataclass(slots=True)
class FunctionState:
    """A forward op / backward node as of the tick."""

    id: int
    grad_fn: str  # "MmBackward0"; for ops recorded without grad, the op name
    op: str  # forward op name ("mm")
    inputs: tuple[int | None, ...]  # tensor ids (None for constants)
    outputs: tuple[int, ...]
    next_nodes: tuple[int | None, ...]
    attrs: dict[str, Any]
    executed: int  # how many times backward ran this node up to the tick
    grads_in: tuple[ArrayLike | None, ...] | None  # at its last execution up to the tick
    grads_out: tuple[ArrayLike | None, ...] | None
    saved_released: bool
    created_seq: int
    source: tuple[str, int, str] | None = None
    saved: tuple[str, ...] = ()  # the tensors its backward saved (freed once saved_released)
    module: str = ""  # the nn.Module call the op ran under (see ``events.ForwardOp``)
    module_classes: tuple[str, ...] = ()
    # The call the program failed in (``ProgramError.op``): drawn in red, it made nothing.
    failed: bool = False


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One change to a leaf's ``.grad``: a contribution, a zeroing, a reset to None or a set."""

    seq: int
    kind: str  # "add" | "zero" | "none" | "set"
    backward_index: int  # which backward() call (1-based; 0 for resets outside backward)
    node: int | None  # backward node that sent the contribution (None for resets)
    node_name: str
    path: tuple[int, ...]  # backward node ids from the root to ``node``
    contribution: ArrayLike | None
    grad_after: ArrayLike | None


@dataclass(slots=True)
class State:
    """The world at one tick."""

    tick: int
    seq: int  # the event's seq (0 before any event)
    event: Any  # the event at this tick, or None
    phase: str  # "forward" | "backward" | "optimizer" | "idle"
    backward_index: int  # backward() calls begun up to the tick
    tensors: dict[int, TensorState] = field(default_factory=dict)
    functions: dict[int, FunctionState] = field(default_factory=dict)
    # Data-flow edges (src key, dst key): tensor -> function -> tensor.
    edges: list[tuple[str, str]] = field(default_factory=list)
    # Keys to highlight for the current event (the op that ran, the node being executed, the leaf
    # whose grad changed).
    current: tuple[str, ...] = ()
    # (src key, dst key) edges carrying a gradient in the current backward step.
    grad_edges: tuple[tuple[str, str], ...] = ()
    output: str = ""  # the program's printed text up to the tick
    error: Any = None  # ProgramError event if the run failed by this tick
    # The training-loop iteration the tick is in (1-based; 0 before any event) and the seq of
    # the op that began it (0 for the first): see ``TraceModel`` for where iterations begin.
    iteration: int = 0
    scope_start_seq: int = 0
    # Seq of the BackwardEnd before the iteration: unrecorded ops after it feeding the iteration
    # (``x.unsqueeze`` of the next matmul) belong to it too.
    scope_lead_seq: int = 0
    # Events the trace forgot to stay within its memory budget: ticks before this one are gone
    # (``trace/horizon.py``); a state asked for before it is the world the trace kept from then.
    forgotten: int = 0

    def scope_keys(self) -> set[str]:
        """Keys of the current iteration's graph: its nodes and every tensor its ops read."""
        start, lead = self.scope_start_seq, self.scope_lead_seq
        keys = {tkey(t.id) for t in self.tensors.values() if t.created_seq >= start}
        leading: list[FunctionState] = []
        for f in self.functions.values():
            if f.created_seq >= start:
                keys.add(fkey(f.id))
                keys.update(tkey(t) for t in f.inputs if t is not None)
            elif f.id < 0 and f.created_seq > lead:
                leading.append(f)
        # Newest first, so a chain of them (unsqueeze -> expand) joins in one pass.
        for f in sorted(leading, key=lambda f: f.created_seq, reverse=True):
            if any(tkey(t) in keys for t in f.outputs):
                keys.add(fkey(f.id))
                keys.update(tkey(t) for t in f.inputs if t is not None)
        return keys


def _evolver(cls: type) -> Any:
    names = tuple(f.name for f in fields(cls))
    get = attrgetter(*names)
    pos = {n: i for i, n in enumerate(names)}

    def evolve(obj: Any, **changes: Any) -> Any:
        vals = list(get(obj))
        for k, v in changes.items():
            vals[pos[k]] = v
        return cls(*vals)

    return evolve


_EVOLVE = {TensorState: _evolver(TensorState), FunctionState: _evolver(FunctionState)}


# A tensor's or a function's state, in code that treats both alike (keyframe chunks).
StateT = TypeVar("StateT", TensorState, FunctionState)


def evolve(obj: Any, **changes: Any) -> Any:
    """``dataclasses.replace`` for tensor and function states, about twice as fast: the fold
    makes a new state for every change, and time travel re-folds up to a keyframe's worth."""
    return _EVOLVE[type(obj)](obj, **changes)
