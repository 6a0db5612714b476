"""The backward engine: runs nodes in dependency order with an explicit heap (no recursion).

Order matches PyTorch's CPU engine: among ready nodes, the one created last runs first, and
``AccumulateGrad`` nodes run as soon as they are ready. Every node execution, gradient
accumulation, hook and freed saved value is published as an event when a sink is attached.
"""

from __future__ import annotations

import gc
import heapq
import sys
import warnings
from collections.abc import Sequence
from sys import getrefcount
from typing import Any
from weakref import getweakrefcount

import numpy as np

from visgrad import _aliasing as aliasing
from visgrad import events
from visgrad.autograd import errors
from visgrad.autograd.backward_events import (
    carried_in,
    carry,
    check_finite_backward,
    publish_begin,
    publish_node,
)
from visgrad.autograd.grad_mode import STATE
from visgrad.autograd.node import AccumulateGrad, Node, accumulator
from visgrad.tensor import Tensor


def _seed_grads(roots: Sequence[Tensor], grads: Sequence[Any] | None) -> list[Tensor]:
    out = []
    for i, t in enumerate(roots):
        g = None if grads is None or i >= len(grads) else grads[i]
        if g is None:
            if t._data.size != 1:
                raise RuntimeError(errors.SCALAR_ONLY)
            # np.ones, not ones_like (twice as slow): a one-element seed has no layout to keep.
            # A 0-d root (a loss) takes np.array, the same array without np.ones' Python steps.
            d = t._data
            one = np.array(1, d.dtype) if d.ndim == 0 else np.ones(d.shape, d.dtype)
            g = Tensor._make(one, False, None, 0)
        elif not isinstance(g, Tensor):
            if isinstance(g, (int, float)):
                raise TypeError(f"'{type(g).__name__}' object is not iterable")
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        elif g._data.shape != t._data.shape:
            raise RuntimeError(errors.shape_mismatch(g._data.shape, t._data.shape, i))
        out.append(g)
    return out


def _root_edges(roots: Sequence[Tensor]) -> list[tuple[Node, int]]:
    edges = []
    for i, t in enumerate(roots):
        if not t._rg:
            raise RuntimeError(errors.NO_GRAD_FN.format(i))
        edges.append((t._fn, t._output_nr) if t._fn is not None else (accumulator(t), 0))
    return edges


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
    edges = _root_edges(tensors)
    seeds = _seed_grads(tensors, grad_tensors)
    only = None
    if inputs is not None:
        if isinstance(inputs, Tensor):
            inputs = (inputs,)
        inputs = tuple(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        only = inputs
    run(tensors, edges, seeds, retain_graph, create_graph, accumulate_only=only, api="backward")


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
) -> list[Tensor | None]:
    """Execute the graph behind ``edges``.

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
        )
    finally:
        if paused:
            gc.enable()


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
) -> list[Tensor | None]:
    sinks = events.SINKS
    # Targets: node -> [(output_nr, index)] whose incoming gradient we capture.
    targets: dict[Node, list[tuple[int, int]]] = {}
    wanted = capture if capture is not None else accumulate_only
    if wanted is not None:
        for i, t in enumerate(wanted):
            node = t._fn if t._fn is not None else (accumulator(t) if t._rg else None)
            if node is None:
                if capture is not None:
                    raise RuntimeError(errors.INPUT_NO_GRAD)
                continue
            targets.setdefault(node, []).append((t._output_nr, i))

    deps, seen = _dependencies(edges)
    needed: set[Node] | None = None
    if targets:
        needed = _nodes_reaching(seen, targets)

    captured: list[Tensor | None] = [None] * (len(wanted) if wanted is not None else 0)
    buffers: dict[Node, list[Any]] = {}
    sources: dict[Node, list[tuple[int, int]]] = {}
    for (n, nr), g in zip(edges, seeds, strict=False):
        buf = buffers.setdefault(n, [None] * n.num_outputs)
        buf[nr] = g if buf[nr] is None else buf[nr] + g

    if sinks:
        publish_begin(roots, edges, seeds, retain_graph, create_graph, accumulate_only, api)

    heappush, heappop = heapq.heappush, heapq.heappop
    heap: list[tuple[int, int, Node]] = []
    tick = 0
    if len(edges) == 1:
        n = edges[0][0]
        if deps.get(n, 0) == 0:
            heap.append((-n._sequence_nr, 0, n))
            tick = 1
    else:
        for n in {n for n, _ in edges}:
            if deps.get(n, 0) == 0:
                heappush(heap, (-n._sequence_nr, tick, n))
                tick += 1

    # ids of gradient sums the engine made and alone holds (see _sum_grads).
    owned: set[int] = set()
    # With a sink: the snapshot each node's event took of a gradient it sent on (see carried_in).
    carried: dict[int, tuple[Any, ...]] | None = {} if sinks else None
    pre: list[Any] | None = None
    state = STATE
    prev_mode = state.enabled
    take = buffers.pop
    ok = False
    # Gradient sums and formulas are the engine's work, not the program's forward ops.
    state.in_backward += 1
    try:
        # A node that alone became ready while the heap was empty runs next without going
        # through the heap (long chains); pushing it at once would give the same order.
        ready: Node | None = None
        while True:
            if ready is not None:
                node, ready = ready, None
            elif heap:
                node = heappop(heap)[2]
            else:
                break
            grads = take(node, None) or [None] * node.num_outputs
            sent = None
            if owned:
                # These sums now belong to the node (and its hooks): never written again. (A
                # comprehension: a loop variable would stay bound, see _STEAL_REFS.)
                owned.difference_update([id(x) for x in grads])
            srcs = sources.pop(node, ()) if sinks else ()
            if carried is not None:
                pre = carried_in(carried, grads, node)
            if needed is not None and node not in needed:
                outs: tuple[Any, ...] = (None,) * len(node._next_fns)
            else:
                if node._tensor_hooks or node._retain:
                    grads = _run_tensor_hooks(node, grads)
                is_target = False
                if targets and node in targets:
                    is_target = True
                    for nr, idx in targets[node]:
                        g = grads[nr]
                        if capture is not None:
                            captured[idx] = g
                        elif g is not None and not node._is_accumulator:
                            _store_grad(wanted[idx], g, create_graph, None, srcs)
                if node._is_accumulator:
                    outs = ()
                    seen_in = None
                    if sinks:
                        seen_in = publish_node(node, srcs, grads, outs, node.variable._id, pre)[0][
                            0
                        ]
                    if capture is None:
                        # ``g`` may still name this gradient from the previous node's loop; the
                        # count of references _store_grad checks must not include it.
                        g = None
                        _accumulate(node, grads[0], create_graph, srcs, seen_in)
                elif capture is not None and is_target and not _reaches_other(node, needed):
                    outs = (None,) * len(node._next_fns)
                elif grads[0] is None if len(grads) == 1 else all(g is None for g in grads):
                    outs = (None,) * len(node._next_fns)
                else:
                    state.enabled = create_graph
                    try:
                        # STATE.in_backward is already raised for the whole loop.
                        outs = _call_node(node, grads)
                    finally:
                        state.enabled = prev_mode
                    if sinks:
                        sent = publish_node(node, srcs, grads, outs, None, pre)[1]
                        # After the node's event, so a debugger pausing on the anomaly already
                        # holds the gradients that carry it.
                        check_finite_backward(node, outs)
                if not retain_graph and node._saved:
                    # (An empty or unrecorded _saved has nothing to free: skip the call.)
                    freed = node.release()
                    if freed and sinks:
                        events.publish(
                            events.SavedReleased(seq=events.next_seq(), node=node.id, names=freed)
                        )
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
                    buf[nr] = g if old is None else _sum_grads(old, g, owned)
                    if sinks:
                        sources.setdefault(nx, []).append((node.id, nr))
                        if sent is not None:
                            carry(carried, old, g, snap)
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
            events.publish(
                events.BackwardEnd(seq=events.next_seq(), roots=tuple(t._id for t in roots), ok=ok)
            )
    return captured


def _dependencies(edges: list[tuple[Node, int]]) -> tuple[dict[Node, int], set[Node]]:
    """How many edges reach each node from the roots, and every node reachable from them."""
    deps: dict[Node, int] = {}
    seen = {n for n, _ in edges}
    stack = list(seen)
    pop, push, add, get = stack.pop, stack.append, seen.add, deps.get
    while stack:
        for nx in pop()._next_fns:
            if nx is None:
                continue
            deps[nx] = get(nx, 0) + 1
            if nx not in seen:
                add(nx)
                push(nx)
    return deps, seen


def _sum_grads(old: Tensor, g: Tensor, owned: set[int]) -> Tensor:
    """``old + g`` for an input buffer, in place when ``old`` is a sum only this engine holds.

    The first sum is a new tensor (the incoming grads may be shared: AddBackward0 returns the same
    tensor twice); later ones add into it, as PyTorch's InputBuffer does. Same values, same order.
    """
    a, b = old._data, g._data
    if not g._rg and a.shape == b.shape and a.dtype == b.dtype:
        if id(old) in owned:
            np.add(a, b, out=a)
            return old
        if not old._rg:
            # What ``old + g`` computes for two same-shape, same-dtype constants, without
            # dispatching an op.
            r = np.add(a, b)
            new = Tensor._make(r if type(r) is np.ndarray else np.asarray(r), False, None, 0)
            owned.add(id(new))
            return new
    new = old + g
    if not new._rg:
        owned.add(id(new))
    return new


def _nodes_reaching(order: Any, targets: dict[Node, Any]) -> set[Node]:
    """Nodes from which some target is reachable (reverse topological sweep, no recursion)."""
    # ``order`` is every node reachable from the roots, in no particular order, so walk a reverse
    # adjacency from the targets instead of relying on the order.
    parents: dict[Node, list[Node]] = {}
    for n in order:
        for nx in n._next_fns:
            if nx is not None:
                parents.setdefault(nx, []).append(n)
    needed = set(targets)
    stack = list(targets)
    while stack:
        n = stack.pop()
        for p in parents.get(n, ()):
            if p not in needed:
                needed.add(p)
                stack.append(p)
    return needed


def _reaches_other(node: Node, needed: set[Node] | None) -> bool:
    """Whether a captured node must still run because other wanted nodes lie below it."""
    if needed is None:
        return True
    return any(nx is not None and nx in needed for nx in node._next_fns)


def call_node(node: Node, grads: list[Any]) -> tuple[Any, ...]:
    """Run one node's backward: pre-hooks, formula, broadcast reduction, dtype, hooks, anomaly."""
    # Ops inside a backward formula are not the program's forward ops: no ForwardOp events.
    STATE.in_backward += 1
    try:
        return _call_node(node, grads)
    finally:
        STATE.in_backward -= 1


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
        if STATE.anomaly and node.forward_trace:
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
        fixed = []
        for g, (shape, dt), fn in zip(outs, meta, node._next_fns, strict=False):
            if g is None or fn is None:
                fixed.append(None)
                continue
            if g._data.shape != shape:
                from visgrad.ops.base import sum_to

                g = sum_to(g, shape)
            gdt = g._data.dtype
            if gdt is not dt and gdt != dt:
                g = g.to(dt) if STATE.enabled else Tensor._make(g._data.astype(dt), False, None, 0)
            fixed.append(g)
        outs = tuple(fixed)
    if node._hooks:
        for hook in tuple(node._hooks.values()):
            # As in PyTorch, a post-hook may return replacements for the gradients it was given.
            r = hook(outs, tuple(grads))
            if r is not None:
                outs = tuple(r)
    if STATE.anomaly and STATE.anomaly_check_nan:
        for i, g in enumerate(outs):
            if g is not None and np.isnan(g._data).any():
                raise RuntimeError(
                    f"Function '{node.name()}' returned nan values in its {i}th output."
                )
    return outs


def _run_tensor_hooks(node: Node, grads: list[Any]) -> list[Any]:
    """Hooks registered on the node's output tensors, then ``retain_grad`` stores."""
    th = node._tensor_hooks
    if th:
        for nr, hooks in th.items():
            for hook in tuple(hooks.values()):
                g = grads[nr]
                if g is None:
                    continue
                r = hook(g)
                if events.SINKS:
                    events.publish(
                        events.HookFired(
                            seq=events.next_seq(),
                            tensor=0,
                            hook=_hook_name(hook),
                            grad=events.snapshot(g._data),
                            replaced=r is not None,
                        )
                    )
                if r is not None:
                    if r.shape != g.shape:
                        raise RuntimeError(
                            f"hook '{_hook_name(hook)}' has changed the size of value"
                        )
                    grads = list(grads)
                    grads[nr] = r
    if node._retain:
        for nr, ref in node._retain.items():
            t = ref()
            g = grads[nr]
            if t is None or g is None:
                continue
            _store_grad(t, g, False, None, ())
    return grads


def _hook_name(hook: Any) -> str:
    return getattr(hook, "__name__", type(hook).__name__)


def _accumulate(
    node: AccumulateGrad, g: Tensor | None, create_graph: bool, srcs: Any, seen: Any = None
) -> None:
    """``seen``: the snapshot of ``g`` the node's BackwardNode event just took, if any."""
    var = node.variable
    if g is None:
        return
    if not var._hooks:
        # Only the engine's input buffer holds ``g`` here (see _store_grad's reference count).
        _store_grad(var, g, create_graph, node, srcs, _STEAL_REFS, seen)
    else:
        _accumulate_hooked(var, node, g, create_graph, srcs)
    if var._post_hooks:
        for hook in tuple(var._post_hooks.values()):
            hook(var)


def _accumulate_hooked(
    var: Tensor, node: AccumulateGrad, g: Tensor, create_graph: bool, srcs: Any
) -> None:
    if var._hooks:
        for hook in tuple(var._hooks.values()):
            r = hook(g)
            if events.SINKS:
                events.publish(
                    events.HookFired(
                        seq=events.next_seq(),
                        tensor=var._id,
                        hook=_hook_name(hook),
                        grad=events.snapshot(g._data),
                        replaced=r is not None,
                    )
                )
            if r is not None:
                if r.shape != g.shape:
                    raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the size of value")
                g = r
    _store_grad(var, g, create_graph, node, srcs)


def steal_refs(implementation: str, version: tuple[int, int]) -> int:
    """References to an incoming gradient that only the engine holds, or 0: never steal.

    On CPython 3.11 to 3.13 they are the node's input buffer list, _accumulate's and
    _store_grad's arguments and getrefcount's own argument. Elsewhere the count means something
    else (PyPy has no reference counts; CPython 3.14 borrows references on the stack, so a
    gradient could look unshared while the program holds it), so the first ``.grad`` is a copy.
    """
    if implementation == "cpython" and (3, 11) <= version <= (3, 13):
        return 4
    return 0


_STEAL_REFS = steal_refs(sys.implementation.name, (sys.version_info[0], sys.version_info[1]))


def _private_memory(g: Tensor, a: np.ndarray) -> bool:
    """Whether ``a`` (``g._data``) is writable, laid out as a copy of it would be, and its memory
    is reachable only through ``g``: ``a`` owns it, or owns nothing but a base array that only
    ``a`` and ``g``'s own base tensor (held by ``g`` alone) refer to."""
    flags = a.flags
    if not flags.writeable or not (flags.c_contiguous or flags.f_contiguous):
        return False
    if getweakrefcount(g):
        return False
    base = a.base
    if base is None:
        return True
    if type(base) is not np.ndarray or base.base is not None:
        return False
    t0 = g._base
    if t0 is None:
        # ``a.base``, ``base`` and getrefcount's argument.
        return getrefcount(base) == 3
    # ``g._base``, ``t0`` and the argument; then ``a.base``, ``t0._data``, ``base``, argument.
    return (
        t0._data is base
        and getrefcount(t0) == 3
        and not getweakrefcount(t0)
        and getrefcount(base) == 4
    )


def _store_grad(
    var: Tensor,
    g: Tensor,
    create_graph: bool,
    node: Node | None,
    srcs: Any,
    steal: int = 0,
    seen: Any = None,
) -> None:
    """``var.grad += g`` the PyTorch way: the same ``.grad`` object is updated in place."""
    old = var._grad
    created = old is None
    stolen = False
    if created:
        if create_graph:
            new = g
        else:
            a = g._data
            if (
                steal
                and a.dtype is var._data.dtype
                and getrefcount(g) == steal
                # The Tensor's slot, ``a`` and getrefcount's argument: no other tensor or view
                # (a view keeps its base alive through ``.base``) can see this memory.
                and getrefcount(a) == 3
                and _private_memory(g, a)
            ):
                # A gradient no one else can reach becomes ``.grad`` without a copy, as PyTorch's
                # AccumulateGrad steals it: same values, one allocation and copy fewer per leaf.
                new = Tensor._make(a, False, None, 0)
                stolen = True
            else:
                # A fresh tensor: the grad must not alias a buffer the program can still change.
                new = Tensor._make(np.array(a, dtype=var._data.dtype, copy=True), False, None, 0)
        new._grad_of = var
        var._grad = new
    elif create_graph or old._rg:
        new = old + g
        new._grad_of = var
        var._grad = new
    else:
        np.add(old._data, g._data, out=old._data, casting="unsafe")
        old._version.value += 1
        new = old
    if events.SINKS:
        # A stolen gradient was reachable by no one since the node's event snapshotted it, so
        # that snapshot still holds its values.
        contribution = seen if stolen and seen is not None else events.snapshot(g._data)
        # A new ``.grad`` is ``g``, ``g``'s own array, or a same-dtype copy of it: the same values
        # (and layout), so one read-only snapshot serves both fields.
        same = created and new._data.dtype == g._data.dtype
        grad = contribution if same else events.snapshot(new._data)
        # Added in place: tensors over the same memory (``v = w.grad.view(-1)``) changed too.
        aliases = () if created else aliasing.live_aliases(new)
        events.publish(
            events.GradAccumulated(
                seq=events.next_seq(),
                tensor=var._id,
                node=node.id if node is not None else None,
                sources=tuple(srcs),
                contribution=contribution,
                grad=grad,
                created=created,
                grad_tensor=new._id,
                aliases=tuple([x._id for x in aliases]),
                alias_values=aliasing.alias_snapshots(aliases, new, grad) if aliases else (),
            )
        )


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
    edges = _root_edges(outputs)
    seeds = _seed_grads(outputs, grad_outputs)
    res = run(outputs, edges, seeds, retain_graph, create_graph, capture=inputs, api="grad")
    out: list[Tensor | None] = []
    for i, (t, g) in enumerate(zip(inputs, res, strict=False)):
        if g is None:
            if materialize_grads:
                g = Tensor._make(np.zeros_like(t._data), False, None, 0)
            elif not allow_unused:
                raise RuntimeError(errors.UNUSED_INPUT.format(i))
        out.append(g)
    return tuple(out)
