"""The backward engine: runs nodes in dependency order with an explicit heap (no recursion).

Order matches PyTorch's CPU engine: among ready nodes, the one created last runs first, and
``AccumulateGrad`` nodes run as soon as they are ready. Every node execution, gradient
accumulation, hook and freed saved value is published as an event when a sink is attached.
"""

from __future__ import annotations

import gc
import heapq
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from visgrad import events
from visgrad.autograd import errors
from visgrad.autograd.backward_events import (
    carried_in,
    carry,
    check_finite_backward,
    publish_begin,
    publish_node,
    runs_user_code,
)
from visgrad.autograd.grad_mode import MODES
from visgrad.autograd.grad_store import accumulate, run_tensor_hooks, store_grad, sum_grads
from visgrad.autograd.node import Node
from visgrad.autograd.node_call import _call_node, call_node
from visgrad.autograd.schedule import (
    dependencies,
    first_heap,
    nodes_reaching,
    program_gave_seeds,
    reaches_other,
    root_edges,
    seed_buffers,
    seed_grads,
    wanted_nodes,
)
from visgrad.tensor import Tensor

# call_node is the engine's API for nodes run outside a pass (copy slices, node.py); _call_node is
# looked up here on every node so the profiler can wrap it.
__all__ = ["backward", "call_node", "grad", "run"]


def backward(
    tensors: Sequence[Tensor],
    grad_tensors: Sequence[Any] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """``torch.autograd.backward``: accumulate gradients of ``tensors`` into leaves' ``.grad``."""
    if isinstance(tensors, Tensor):
        tensors = (tensors,)
    if isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,)
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        warnings.warn(errors.CREATE_GRAPH_WARNING, UserWarning, stacklevel=3)
    tensors = tuple(tensors)
    edges = root_edges(tensors)
    seeds = seed_grads(tensors, grad_tensors)
    only = None
    if inputs is not None:
        if isinstance(inputs, Tensor):
            inputs = (inputs,)
        inputs = tuple(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        only = inputs
    run(
        tensors,
        edges,
        seeds,
        retain_graph,
        create_graph,
        accumulate_only=only,
        api="backward",
        program_seeds=program_gave_seeds(grad_tensors),
    )


def run(
    roots: Sequence[Tensor],
    edges: list[tuple[Node, int]],
    seeds: list[Tensor],
    retain_graph: bool,
    create_graph: bool,
    *,
    accumulate_only: Sequence[Tensor] | None = None,
    capture: Sequence[Tensor] | None = None,
    api: str = "backward",
    program_seeds: bool = True,
) -> list[Tensor | None]:
    """Execute the graph behind ``edges``.

    ``program_seeds``: some of ``seeds`` are the program's own tensors (not the engine's ones).

    With ``capture`` (``autograd.grad``) the gradients reaching those tensors are returned and no
    ``.grad`` is touched; with ``accumulate_only`` only those tensors' ``.grad`` are updated.
    Only nodes on a path to a wanted tensor are run in either case, as in PyTorch.
    """
    # The cyclic GC is paused while the graph runs: a backward pass allocates thousands of
    # short-lived, acyclic objects (gradients, buffers), and each collection they trigger would
    # walk the whole graph being consumed, and once it has grown past a quarter of the heap, every
    # object of the program (a full collection: 40% of a 3,000-node backward). Garbage cycles made
    # meanwhile (by hooks) are collected by the first collection after it.
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _run(
            roots,
            edges,
            seeds,
            retain_graph,
            create_graph,
            accumulate_only=accumulate_only,
            capture=capture,
            api=api,
            program_seeds=program_seeds,
        )
    finally:
        if paused:
            gc.enable()


# A run without a sink: no sources and no carried snapshots for any node.
_NO_SINK: tuple[tuple[()], None] = ((), None)


class _Pass:
    """What one engine run keeps for every node: what it wants, and how it was asked to run."""

    __slots__ = (
        "capture",
        "captured",
        "create_graph",
        "needed",
        "program_held",
        "retain_graph",
        "targets",
        "wanted",
    )

    def __init__(
        self, only: Any, capture: Any, retain: bool, create: bool, seen: Any, held: bool
    ) -> None:
        wanted = capture if capture is not None else only
        self.wanted, self.capture = wanted, capture
        self.targets = wanted_nodes(wanted, capture is not None)
        self.captured: list[Tensor | None] = [None] * (len(wanted) if wanted is not None else 0)
        self.retain_graph, self.create_graph = retain, create
        self.needed = nodes_reaching(seen, self.targets) if self.targets else None
        # Whether the program may hold a gradient of this pass: it gave a seed, or its code ran
        # (hooks, retain_grad, a custom backward, a non-leaf input's .grad). A sink could then
        # write into one between a node's event and the accumulation (see store_grad). Without
        # a sink at the start, one attached later finds no record of what ran: assume it does.
        self.program_held = held or not events.SINKS


def _run(
    roots: Sequence[Tensor],
    edges: list[tuple[Node, int]],
    seeds: list[Tensor],
    retain_graph: bool,
    create_graph: bool,
    *,
    accumulate_only: Sequence[Tensor] | None,
    capture: Sequence[Tensor] | None,
    api: str,
    program_seeds: bool,
) -> list[Tensor | None]:
    sinks = events.SINKS
    deps, seen = dependencies(edges)
    p = _Pass(accumulate_only, capture, retain_graph, create_graph, seen, program_seeds)
    buffers = seed_buffers(edges, seeds)
    sources: dict[Node, list[tuple[int, int]]] = {}
    if sinks:
        publish_begin(roots, edges, seeds, retain_graph, create_graph, accumulate_only, api)
    heappush, heappop = heapq.heappush, heapq.heappop
    heap = first_heap(edges, deps)
    tick = len(heap)
    owned: set[int] = set()  # ids of gradient sums the engine made and alone holds (sum_grads)
    # With a sink: the snapshot each node's event took of a gradient it sent on (see carried_in).
    carried: dict[int, tuple[Any, ...]] | None = {} if sinks else None
    take, state, ok, prev_mode = buffers.pop, MODES, False, MODES.enabled
    # Gradient sums and formulas are the engine's work, not the program's forward ops.
    state.in_backward += 1
    try:
        # A node that alone became ready while the heap was empty runs next without going
        # through the heap (long chains); pushing it at once would give the same order.
        ready: Node | None = None
        while ready is not None or heap:
            node, ready = (ready, None) if ready is not None else (heappop(heap)[2], None)
            grads = take(node, None) or [None] * node.num_outputs
            if owned:  # these sums are the node's now (map binds no loop variable)
                owned.difference_update(map(id, grads))
            srcs, pre = (
                (sources.pop(node, ()), carried_in(carried, grads, node)) if sinks else _NO_SINK
            )
            # ``g``, ``outs`` and ``snap`` may still name a gradient of this node from the previous
            # node's loop; the count of references store_grad checks must not include them.
            g = outs = snap = None
            outs, sent = _execute(p, node, grads, srcs, pre, prev_mode)
            # (``sent`` pairs each output with its snapshot; ``outs`` stands in when there is none.)
            for nx, nr, g, snap in zip(
                node._next_fns, node._next_nrs, outs, sent or outs, strict=False
            ):
                if nx is None:
                    continue
                if g is not None:
                    buf = buffers.get(nx)
                    if buf is None:
                        buf = buffers[nx] = [None] * nx.num_outputs
                    old = buf[nr]
                    buf[nr] = g if old is None else sum_grads(old, g, owned)
                    if sinks:
                        _traced(sources, carried, node, nx, nr, old, g, snap, sent is not None)
                left = deps[nx] - 1
                deps[nx] = left
                if left == 0:
                    if ready is None:
                        ready = nx
                    else:
                        # Push the held node first: ties (AccumulateGrad) keep their order.
                        heappush(heap, (-ready._sequence_nr, tick, ready))
                        heappush(heap, (-nx._sequence_nr, tick + 1, nx))
                        tick += 2
                        ready = None
            if ready is not None and heap:
                heappush(heap, (-ready._sequence_nr, tick, ready))
                tick += 1
                ready = None
        ok = True
    finally:
        state.in_backward -= 1
        state.enabled = prev_mode
        if sinks:
            _end(roots, ok)
    return p.captured


def _end(roots: Sequence[Tensor], ok: bool) -> None:
    events.publish(
        events.BackwardEnd(seq=events.next_seq(), roots=tuple(t._id for t in roots), ok=ok)
    )


def _traced(
    sources: dict[Node, list[tuple[int, int]]],
    carried: Any,
    node: Node,
    nx: Node,
    nr: int,
    old: Any,
    g: Any,
    snap: Any,
    sent: bool,
) -> None:
    """With a sink: who sent ``nx`` a gradient, and the snapshot that travels with it."""
    sources.setdefault(nx, []).append((node.id, nr))
    if sent:
        carry(carried, old, g, snap)


def _execute(
    p: _Pass, node: Node, grads: list[Any], srcs: Any, pre: Any, prev_mode: bool
) -> tuple[tuple[Any, ...], tuple[Any, ...] | None]:
    """Run one ready node; returns the gradients it sends on and, with a sink, their snapshots."""
    needed = p.needed
    if needed is not None and node not in needed:
        return (None,) * len(node._next_fns), None
    if events.SINKS and not p.program_held and runs_user_code(node):
        p.program_held = True
    if node._tensor_hooks or node._retain:
        grads = run_tensor_hooks(node, grads)
    targets = p.targets
    is_target = bool(targets) and node in targets
    if is_target:
        p.program_held = p.program_held or p.capture is None
        _deliver(targets[node], grads, node, p, srcs)
    sent = None
    if node._is_accumulator:
        outs: tuple[Any, ...] = ()
        _leaf(node, grads, srcs, pre, p)
    elif p.capture is not None and is_target and not reaches_other(node, needed):
        outs = (None,) * len(node._next_fns)
    elif grads[0] is None if len(grads) == 1 else all(g is None for g in grads):
        outs = (None,) * len(node._next_fns)
    else:
        MODES.enabled = p.create_graph
        try:
            # MODES.in_backward is already raised for the whole loop.
            outs = _call_node(node, grads)
        finally:
            MODES.enabled = prev_mode
        if events.SINKS:
            sent = publish_node(node, srcs, grads, outs, None, pre)[1]
            # After the node's event, so a debugger pausing on the anomaly already holds the
            # gradients that carry it.
            check_finite_backward(node, outs)
    if not p.retain_graph and node._saved and node._holds_tensors:
        _release(node)  # (an empty, unrecorded or tensorless _saved has nothing to free)
    return outs, sent


def _deliver(
    hits: list[tuple[int, int]], grads: list[Any], node: Node, p: _Pass, srcs: Any
) -> None:
    """A wanted tensor's gradient: captured for ``autograd.grad``, or stored in its ``.grad``
    (``backward(inputs=...)`` on a non-leaf; a leaf's accumulator stores its own)."""
    for nr, idx in hits:
        if p.capture is not None:
            p.captured[idx] = grads[nr]
        elif grads[nr] is not None and not node._is_accumulator:
            store_grad(p.wanted[idx], grads[nr], p.create_graph, None, srcs)


def _leaf(node: Any, grads: list[Any], srcs: Any, pre: Any, p: _Pass) -> None:
    """An AccumulateGrad node: its event, then (unless ``autograd.grad`` runs) the ``.grad``."""
    seen_in = None
    if events.SINKS:
        seen_in = publish_node(node, srcs, grads, (), node.variable._id, pre)[0][0]
    if p.capture is None:
        # Only the input buffer list holds the gradient here (see grad_store._STEAL_REFS).
        accumulate(node, grads[0], p.create_graph, srcs, seen_in, not p.program_held)


def _release(node: Node) -> None:
    freed = node.release()
    if freed and events.SINKS:
        events.publish(events.SavedReleased(seq=events.next_seq(), node=node.id, names=freed))


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """``torch.autograd.grad``: gradients of ``outputs`` w.r.t. ``inputs``, as a tuple."""
    outputs = (outputs,) if isinstance(outputs, Tensor) else tuple(outputs)
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    if isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,)
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    for t in inputs:
        if not t._rg:
            raise RuntimeError(errors.INPUT_NO_GRAD)
    edges = root_edges(outputs)
    seeds = seed_grads(outputs, grad_outputs)
    res = run(
        outputs,
        edges,
        seeds,
        retain_graph,
        create_graph,
        capture=inputs,
        api="grad",
        program_seeds=program_gave_seeds(grad_outputs),
    )
    out: list[Tensor | None] = []
    for i, (t, g) in enumerate(zip(inputs, res, strict=False)):
        if g is None:
            if materialize_grads:
                g = Tensor._make(np.zeros_like(t._data), False, None, 0)
            elif not allow_unused:
                raise RuntimeError(errors.UNUSED_INPUT.format(i))
        out.append(g)
    return tuple(out)
