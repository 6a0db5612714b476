"""Writes in the fold: in-place ops and ``t.data = other``.

Part of ``trace/fold.py`` (the one interpreter of events), split off to keep modules small; the
functions take the ``Folder`` they update. See ``fold.py`` for the decisions the views rely on
(a recorded in-place op makes a new version node; a write reaches every alias of the memory).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from visgrad import events as ev_
from visgrad.trace import fold_grads
from visgrad.trace.state import TensorState, evolve, tkey

if TYPE_CHECKING:  # fold.py imports this module to build its handler table
    from visgrad.trace.fold import Folder


def inplace_update(f: Folder, ev: ev_.InplaceUpdate) -> None:
    """An in-place write: a new version node if it was recorded, else new values in place."""
    node = ev.node if ev.recorded else None
    if node is not None and f.index is not None:
        f.index.recorded_op(ev.seq)
    tid = f.resolve(ev.tensor)
    keys: list[str] = []
    grads = fold_grads.write_grads(f, ev, keys)
    ts = f.tensors.get(tid) if tid is not None else None
    if ts is not None and node is not None:
        _new_version(f, ev, node, ts)
    elif ts is not None:
        changes: dict[str, Any] = {"value": ev.value, "version": ev.version}
        if ev.op == "set_data":  # ``t.data = other``: other's shape, and from now its memory
            changes["shape"] = tuple(getattr(ev.value, "shape", ts.shape))
            changes["base"] = f.resolve(ev.base)
        f.put_t(evolve(ts, **changes))
        if f.index is not None:
            f.index.changed(ts.id, "value")
        keys.insert(0, tkey(ts.id))
    for aid, value in zip(ev.aliases, ev.alias_values, strict=False):
        f._alias_written(aid, value, keys)
    if node is not None and ts is not None:
        return
    trained = ts is not None and (ts.role == "parameter" or (ts.is_leaf and ts.requires_grad))
    f.phase = f._phase("optimizer" if trained or grads else "forward")
    f.current = tuple(dict.fromkeys(keys))


def _new_version(f: Folder, ev: ev_.InplaceUpdate, node: int, ts: TensorState) -> None:
    """A recorded in-place op (node ``node``): the tensor's next version is a node of its own."""
    new_id = -ev.seq
    # ``inputs`` may leave out the tensor itself; next_nodes always start with it.
    others = tuple(f.resolve(t) for t in ev.inputs)
    inputs = others if ev.inputs and ev.inputs[0] == ev.tensor else (ts.id, *others)
    f.alias[f.data_of.get(ev.tensor, ev.tensor)] = new_id
    fk = f.add_function(node, ev, inputs, (new_id,), ev.grad_fn or ev.op)
    base = f.names.get(ev.tensor, ts.name)
    nts = evolve(
        ts,
        id=new_id,
        name=f"{base} v{ev.version}",
        requires_grad=True,
        is_leaf=False,
        role="output",
        producer=node,
        value=ev.value,
        grad=None,
        grad_contributions=0,
        version=ev.version,
        created_seq=ev.seq,
        source=ev.source,
        dloss=None,
    )
    f.put_t(nts)
    k = tkey(new_id)
    f._node(k)
    f._edge(fk, k)
    f.phase = f._phase("forward")
    f.current = (fk, k)
