"""The backward half of the fold: backward passes, gradients and every change to a ``.grad``.

Part of ``trace/fold.py`` (the one interpreter of events), split off to keep modules small; the
functions take the ``Folder`` they update. See ``fold.py`` for the decisions the views rely on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from visgrad import events as ev_
from visgrad.trace.state import evolve, fkey, tkey

if TYPE_CHECKING:  # fold.py imports this module to build its handler table
    from visgrad.trace.fold import Folder


def backward_begin(f: Folder, ev: ev_.BackwardBegin) -> None:
    f.backward_index += 1
    f.in_backward = True
    f.phase = "backward"
    f.current = tuple(tkey(r) for r in map(f.resolve, ev.roots) if r is not None)
    if f.index is not None:
        f.index.ledger.begin_backward()


def backward_end(f: Folder, ev: ev_.BackwardEnd) -> None:
    f.in_backward = False
    f.after_backward = True
    f.phase = "backward"
    if f.index is not None:
        f.index.backward_ended(ev.seq)


def backward_node(f: Folder, ev: ev_.BackwardNode) -> None:
    f.phase = "backward"
    if f.index is not None:
        parent = ev.sources[0][0] if ev.sources else None
        f.index.ledger.node_ran(ev.node, ev.name, parent, tuple(ev.next_nodes), ev.grads_out)
        f.index.backward_node_ran(ev.node)
    if ev.tensor is not None:  # AccumulateGrad: its input is d(root)/d(leaf)
        f.acc_of.setdefault(ev.node, ev.tensor)
        leaf = tkey(ev.tensor)
        _set_dloss(f, ev.tensor, ev.grads_in[0] if ev.grads_in else None)
        f.current = (leaf,)
        f.grad_edges = _into_leaf(ev.sources, leaf)
        return
    fs = f.functions.get(ev.node)
    if fs is None:
        return
    f.put_f(evolve(fs, executed=fs.executed + 1, grads_in=ev.grads_in, grads_out=ev.grads_out))
    # What arrived for each forward output is d(root)/d(output): no retain_grad() needed.
    for i, out in enumerate(fs.outputs):
        _set_dloss(f, out, ev.grads_in[i] if i < len(ev.grads_in) else None)
    fk = fkey(ev.node)
    f.current = (fk,)
    out_edges: list[tuple[str, str]] = []
    for i, g in enumerate(ev.grads_out):
        inp = fs.inputs[i] if i < len(fs.inputs) else None
        if g is not None and inp is not None:
            e = (fk, tkey(inp))
            if e not in out_edges:
                out_edges.append(e)
    f.grad_edges = tuple(out_edges)


def _set_dloss(f: Folder, tid: int, g: Any) -> None:
    ts = f.tensors.get(tid)
    if ts is not None and g is not None:
        f.put_t(evolve(ts, dloss=g))


def grad_accumulated(f: Folder, ev: ev_.GradAccumulated) -> None:
    f.phase = f._phase("backward")
    ts = f.tensors.get(ev.tensor)
    if ts is None:
        return
    if ev.grad_tensor is not None:
        f.grad_owner.setdefault(ev.grad_tensor, ev.tensor)
        f.grad_tensor_of[ev.tensor] = ev.grad_tensor
    index = f.index
    if index is not None:
        running = None if ev.created else ts.grad
        index.ledger.accumulated(
            ev.tensor,
            index.tick,
            ev.seq,
            ev.node,
            tuple(ev.sources),
            ev.contribution,
            ev.grad,
            running,
        )
        index.grad_filled(ev.tensor, ev.created)
        index.changed(ev.tensor, "grad")
    n = max(1, len(ev.sources))
    count = n if ev.created else ts.grad_contributions + n
    f.put_t(evolve(ts, grad=ev.grad, grad_contributions=count))
    k = tkey(ev.tensor)
    keys = [k]
    # The .grad tensor's own node (``w.grad`` read by an op, or a create_graph gradient), and
    # the live tensors over its memory, were added to in place.
    held = f.tensors.get(ev.grad_tensor) if ev.grad_tensor is not None else None
    if held is not None and held.id != ts.id:
        f.put_t(evolve(held, value=ev.grad))
    for aid, value in zip(ev.aliases, ev.alias_values, strict=False):
        f._alias_written(aid, value, keys)
    f.current = tuple(dict.fromkeys(keys))
    f.grad_edges = _into_leaf(ev.sources, k)


def grad_reset(f: Folder, ev: ev_.GradReset) -> None:
    f.phase = f._phase("optimizer")
    ts = f.tensors.get(ev.tensor)
    if ts is None:
        return
    if ev.how == "none":
        f.grad_tensor_of.pop(ev.tensor, None)
    elif ev.how == "set" and ev.grad_tensor is not None:
        f.grad_owner.setdefault(ev.grad_tensor, ev.tensor)
        f.grad_tensor_of[ev.tensor] = ev.grad_tensor
    # ``g.zero_()`` on a ``.grad`` is told twice (the in-place write, then this reset): the
    # write already stands for it.
    if f.index is not None and f.last_grad_write != (ev.seq - 1, ev.tensor, ev.how):
        _grad_changed(f, ev.tensor, ev.seq, ev.how, ev.grad)
    f.put_t(evolve(ts, grad=ev.grad, grad_contributions=0))
    f.current = (tkey(ev.tensor),)


def write_grads(f: Folder, ev: ev_.InplaceUpdate, keys: list[str]) -> bool:
    """An in-place write that changed some leaf's ``.grad`` (through it or an alias of it).

    Updates each such leaf's grad; returns whether there was one.
    """
    kind = "zero" if ev.op.startswith("zero") else "set"
    written = [(ev.tensor, ev.value), *zip(ev.aliases, ev.alias_values, strict=False)]
    done: set[int] = set()
    for i, (tid, value) in enumerate(written):
        r = f.resolve(tid)
        leaf = f.grad_leaf(r) if r is not None else None
        if leaf is None and i == 0:
            leaf = ev.grad_of  # traces without grad_tensor ids name the leaf instead
        ts = f.tensors.get(leaf) if leaf is not None else None
        if leaf is None or ts is None or leaf in done:
            continue
        done.add(leaf)
        if f.index is not None:
            _grad_changed(f, leaf, ev.seq, kind, value)
        f.last_grad_write = (ev.seq, leaf, kind)
        f.put_t(evolve(ts, grad=value, grad_contributions=0))
        keys.append(tkey(leaf))
    return bool(done)


def _grad_changed(f: Folder, leaf: int, seq: int, kind: str, grad: Any) -> None:
    index = f.index
    if index is None:  # only the head keeps indexes
        return
    index.ledger.reset(leaf, index.tick, seq, kind, grad)
    index.grad_cleared(leaf)
    index.changed(leaf, "grad")


def _into_leaf(sources: tuple[tuple[int, int], ...], leaf: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for src, _ in sources:
        e = (fkey(src), leaf)
        if e not in out:
            out.append(e)
    return tuple(out)
