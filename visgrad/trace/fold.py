"""Folding events into the world of a tick: the one place that says what each event changes.

A ``Folder`` holds the tensors and functions as they stand and applies one event at a time; this
module, ``fold_grads`` (the backward half), ``fold_inplace`` (in-place writes) and ``fold_failure``
are the only readers of event fields in the debugger. Its ``TensorState`` / ``FunctionState``
objects are never changed once placed in a dict: a change makes a new object, so keyframes and
returned states can share them safely. At the head of the log the folder also reports to a
``TraceIndex`` (ledger, iterations, NaN origins, changes, marks), which views query instead of
reading the log.

Decisions the views rely on:

- Ops that ran without recording (``node`` is None, e.g. ``unsqueeze`` of a constant input) are
  function nodes too, keyed by the synthetic id ``-seq`` of their ``ForwardOp``, so a chain like
  ``x -> unsqueeze -> mm`` stays connected.
- A recorded in-place op (``y.add_(1)`` with grad) gives the tensor a new version node with the
  synthetic id ``-seq`` of the ``InplaceUpdate``: ``y -> AddBackward0 -> y'``. Later ops that use
  ``y`` connect to ``y'``; the graph stays acyclic and edges are only ever appended.
- Aliases: ``w.data`` is ``w`` itself (no node of its own; a write through it is a write to
  ``w``). ``detach()`` and views are tensors of their own over their base's memory; a write's
  event lists every live tensor over that memory with its new value, and each one is updated.
  A write to the tensor held as some leaf's ``.grad`` (``w.grad.data.zero_()``) changes that
  ``.grad``. A tensor that died keeps the last values it had.
- ``AccumulateGrad`` is not a node: it maps to the leaf tensor it feeds.
- An event the fold fails to apply is skipped and listed in ``TraceModel.fold_errors``.
- Gradient edges are (sender, receiver) pairs in the direction the gradient travels, each the
  reverse of a data-flow edge: (``f<node>``, ``t<input>``), and (``f<src>``, ``t<leaf>``) when a
  leaf's ``.grad`` receives a contribution.
"""

from __future__ import annotations

from typing import Any

from visgrad import events as ev_
from visgrad.trace import fold_failure, fold_grads, fold_inplace
from visgrad.trace.index import TraceIndex
from visgrad.trace.nan_origin import explain
from visgrad.trace.state import FunctionState, TensorState, evolve, fkey, tkey

_END_STATES = frozenset({"finished", "stopped"})
KEYS_KEPT = 4096  # tensors whose graph key a folder keeps at hand (``Folder.key``)
# Events without a place of their own in the program: they belong to the line before them.
_PLACELESS = (ev_.TensorNamed, ev_.Output, ev_.RunState)


class Folder:
    """The world as it stands after the events applied so far."""

    def __init__(self, shared: dict[str, dict[int, int]]) -> None:
        self.tensors: dict[int, TensorState] = {}
        self.functions: dict[int, FunctionState] = {}
        self.alias: dict[int, int] = {}  # tensor id -> id of its newest version node
        self.names: dict[int, str] = {}
        self.grad_tensor_of: dict[int, int] = {}  # leaf id -> id of the tensor held as .grad
        self.phase = "idle"
        self.backward_index = 0
        self.in_backward = False
        # Set by a finished backward until the next recorded op: unrecorded ops in between
        # (``w.grad * lr`` under no_grad) are the optimizer's step, not the next forward.
        self.after_backward = False
        self.error: Any = None
        self.current: tuple[str, ...] = ()
        self.grad_edges: tuple[tuple[str, str], ...] = ()
        # Facts that never change once learned, shared by every folder of one model:
        self.acc_of = shared["acc_of"]  # AccumulateGrad node id -> leaf id
        self.data_of = shared["data_of"]  # ``.data`` alias id -> the tensor it stands for
        self.grad_owner = shared["grad_owner"]  # tensor id -> leaf whose .grad it was
        # Head-only bookkeeping (None when re-folding from a keyframe).
        self.index: TraceIndex | None = None
        self.new_edges: list[tuple[str, str]] | None = None
        self.new_nodes: list[str] | None = None
        # Ids changed since the last keyframe -> the tick (``tick``) each last changed at.
        self.dirty_t: dict[int, int] | None = None
        self.dirty_f: dict[int, int] | None = None
        self.tick = 0  # the tick of the event being applied (the head's, for ``dirty_*``)
        self.last_grad_write: tuple[int, int, str] | None = None  # (seq, leaf, kind)
        self._keys: dict[int, str] = {}  # recent tensors' graph keys (``key``)

    # -- helpers -----------------------------------------------------------------------------------
    def key(self, tid: int) -> str:
        """Tensor ``tid``'s graph key, one string for its node, name and every edge leaving it
        (a parameter feeds an op every step): about 50 bytes an edge kept once. Recent tensors'
        keys only, so the table stays small."""
        keys = self._keys
        k = keys.get(tid)
        if k is None:
            if len(keys) >= KEYS_KEPT:
                keys.clear()
            k = keys[tid] = tkey(tid)
        return k

    def put_t(self, ts: TensorState) -> None:
        self.tensors[ts.id] = ts
        if self.dirty_t is not None:
            self.dirty_t[ts.id] = self.tick

    def put_f(self, fs: FunctionState) -> None:
        self.functions[fs.id] = fs
        if self.dirty_f is not None:
            self.dirty_f[fs.id] = self.tick

    def _edge(self, src: str, dst: str) -> None:
        if self.new_edges is not None:
            self.new_edges.append((src, dst))

    def _node(self, key: str) -> None:
        if self.new_nodes is not None:
            self.new_nodes.append(key)

    def resolve(self, tid: int | None) -> int | None:
        """The node id now standing for tensor ``tid`` (its newest version; ``w`` for ``w.data``)."""
        if tid is None:
            return None
        tid = self.data_of.get(tid, tid)
        return self.alias.get(tid, tid)

    def grad_leaf(self, tid: int) -> int | None:
        """The leaf whose ``.grad`` tensor ``tid`` is right now (None when it is no one's)."""
        leaf = self.grad_owner.get(tid)
        if leaf is not None and self.grad_tensor_of.get(leaf) == tid:
            return leaf
        return None

    def _placeholder(self, tid: int, seq: int, rg: bool) -> TensorState:
        """A tensor known only by its id: made before recording began, or a leaf's ``.grad``."""
        leaf = self.grad_leaf(tid)
        held = self.tensors.get(leaf) if leaf is not None else None
        value = held.grad if held is not None else None
        ts = TensorState(
            id=tid,
            name=self.names.get(tid, f"{held.name}.grad" if held is not None else tkey(tid)),
            shape=tuple(value.shape) if value is not None else (),
            dtype=str(value.dtype) if value is not None else "",
            requires_grad=rg,
            is_leaf=True,
            role="leaf" if rg else "input",
            producer=None,
            value=value,
            grad=None,
            grad_contributions=0,
            version=0,
            created_seq=seq,
        )
        self.put_t(ts)
        self._node(tkey(tid))
        return ts

    def _phase(self, default: str) -> str:
        return "backward" if self.in_backward else default

    # -- folding -----------------------------------------------------------------------------------
    def apply(self, ev: ev_.Event) -> None:
        """Apply one event."""
        self.current = ()
        self.grad_edges = ()
        if self.phase == "backward" and not self.in_backward:
            # The tick of BackwardEnd still shows "backward"; whatever follows it (a print, a
            # name) is idle until an op sets the phase again.
            self.phase = "idle"
        kind = type(ev)
        if self.index is not None:
            has_source = bool(getattr(ev, "source", None))
            self.index.event(ev.seq, kind, has_source, isinstance(ev, _PLACELESS))
        handler = _HANDLERS.get(kind)
        if handler is None:
            return
        try:
            handler(self, ev)
        except Exception as e:  # noqa: BLE001 - a fold bug costs one event's effect, not the run
            if self.index is not None:
                self.index.fold_errors.append((self.index.tick, f"{kind.__name__}: {e!r}"))

    def _tensor_created(self, ev: ev_.TensorCreated) -> None:
        if ev.op == "data" and ev.base is not None:
            # ``w.data``: the same tensor as ``w`` for the debugger (``x.data.data`` too).
            self.data_of[ev.tensor] = self.data_of.get(ev.base, ev.base)
            return
        param = ev.op == "parameter"
        role = "parameter" if param else ("leaf" if ev.requires_grad else "input")
        k = self.key(ev.tensor)
        ts = TensorState(
            id=ev.tensor,
            name=self.names.get(ev.tensor, k),
            shape=tuple(ev.shape),
            dtype=ev.dtype,
            requires_grad=ev.requires_grad,
            is_leaf=True,
            role=role,
            producer=None,
            value=ev.value,
            grad=None,
            grad_contributions=0,
            version=0,
            created_seq=ev.seq,
            source=ev.source,
            base=self.resolve(ev.base),
            module=ev.module,
            module_classes=tuple(ev.module_classes),
        )
        self.put_t(ts)
        self._node(k)
        self.phase = self._phase("forward")
        self.current = (k,)

    def _consume(self, tid: int, next_node: int | None, seq: int) -> None:
        """``tid`` became an op's input: it is no longer an output; a leaf may now require grad."""
        ts = self.tensors.get(tid)
        if ts is None:
            ts = self._placeholder(tid, seq, next_node is not None)
        changes: dict[str, Any] = {}
        if ts.role == "output":
            changes["role"] = "intermediate"
        if next_node is not None and ts.is_leaf and ts.producer is None:
            self.acc_of.setdefault(next_node, tid)
            if not ts.requires_grad:  # requires_grad_() after creation publishes no event
                changes["requires_grad"] = True
                if ts.role == "input":
                    changes["role"] = "leaf"
        if changes:
            self.put_t(evolve(ts, **changes))

    def add_function(
        self,
        fid: int,
        ev: Any,
        inputs: tuple[int | None, ...],
        outputs: tuple[int, ...],
        grad_fn: str,
    ) -> str:
        """Place the function node ``fid`` and its input edges; returns its graph key."""
        nexts = tuple(ev.next_nodes)
        for i, tid in enumerate(inputs):
            if tid is not None:
                self._consume(tid, nexts[i] if i < len(nexts) else None, ev.seq)
        fs = FunctionState(
            id=fid,
            grad_fn=grad_fn,
            op=ev.op,
            inputs=inputs,
            outputs=outputs,
            next_nodes=nexts,
            attrs=getattr(ev, "attrs", {}),
            executed=0,
            grads_in=None,
            grads_out=None,
            saved_released=False,
            created_seq=ev.seq,
            source=ev.source,
            saved=tuple(ev.saved),
            module=ev.module,
            module_classes=tuple(ev.module_classes),
        )
        self.put_f(fs)
        fk = fkey(fid)
        self._node(fk)
        if self.new_edges is not None:
            seen: set[int] = set()
            for tid in inputs:
                if tid is not None and tid not in seen:
                    seen.add(tid)
                    self._edge(self.key(tid), fk)
        return fk

    def _forward(self, ev: ev_.ForwardOp) -> None:
        if ev.node is not None and self.index is not None:
            self.index.recorded_op(ev.seq)
        fid = ev.node if ev.node is not None else -ev.seq
        inputs = tuple(self.resolve(t) for t in ev.inputs)
        if inputs == ev.inputs:  # no alias: the event's own tuple, not a copy per event
            inputs = ev.inputs
        fk = self.add_function(fid, ev, inputs, tuple(ev.outputs), ev.grad_fn or ev.op)
        keys = [fk]
        rg = ev.requires_grad
        for i, tid in enumerate(ev.outputs):
            base = ev.bases[i] if i < len(ev.bases) else None
            k = self.key(tid)  # one string for the name, the node, the edges and the highlight
            ts = TensorState(
                id=tid,
                name=self.names.get(tid, k),
                shape=tuple(ev.shapes[i]) if i < len(ev.shapes) else (),
                dtype=ev.dtypes[i] if i < len(ev.dtypes) else "",
                requires_grad=rg,
                is_leaf=not rg,
                role="output",
                producer=fid,
                value=ev.values[i] if i < len(ev.values) else None,
                grad=None,
                grad_contributions=0,
                version=0,
                created_seq=ev.seq,
                source=ev.source,
                base=self.resolve(base),
            )
            self.put_t(ts)
            self._node(k)
            self._edge(fk, k)
            keys.append(k)
        if ev.node is not None:
            self.after_backward = False
        self.phase = self._phase("optimizer" if self.after_backward else "forward")
        self.current = tuple(keys)

    def _alias_written(self, tid: int, value: Any, keys: list[str]) -> None:
        """A live tensor over the written memory now holds ``value``."""
        r = self.resolve(tid)
        ts = self.tensors.get(r) if r is not None else None
        if ts is None or value is None:
            return
        self.put_t(evolve(ts, value=value))
        if self.index is not None:
            self.index.changed(ts.id, "value")
        keys.append(tkey(ts.id))

    def _saved_released(self, ev: ev_.SavedReleased) -> None:
        fs = self.functions.get(ev.node)
        if fs is not None:
            self.put_f(evolve(fs, saved_released=True, saved=fs.saved or tuple(ev.names)))
            self.current = (fkey(ev.node),)

    def _hook(self, ev: ev_.HookFired) -> None:
        if ev.tensor in self.tensors:
            self.current = (tkey(ev.tensor),)

    def _anomaly(self, ev: ev_.Anomaly) -> None:
        keys = []
        if ev.node is not None and ev.node in self.functions:
            keys.append(fkey(ev.node))
        if ev.tensor is not None and ev.tensor in self.tensors:
            keys.append(tkey(ev.tensor))
        self.current = tuple(keys)
        index = self.index
        if index is None:
            return
        fn = self.functions.get(ev.node) if ev.node is not None else None
        origin = explain(index.tick, ev.where, ev.node, ev.name, ev.tensor, ev.nan, ev.inf, fn)
        made = self.tensors.get(ev.tensor) if ev.tensor is not None else None
        made_seq = made.created_seq if made is not None else (fn.created_seq if fn else -1)
        index.anomaly(origin, index.seq_tick.get(made_seq, -1))

    def _named(self, ev: ev_.TensorNamed) -> None:
        if ev.tensor in self.data_of:  # a name for ``w.data`` is not a name for ``w``
            return
        self.names[ev.tensor] = ev.name
        ts = self.tensors.get(ev.tensor)
        if ts is not None:
            self.put_t(evolve(ts, name=ev.name))
            self.current = (tkey(ev.tensor),)

    def _run(self, ev: ev_.RunState) -> None:
        if ev.state in _END_STATES:
            self.in_backward = False
            self.phase = "idle"


_HANDLERS: dict[type[ev_.Event], Any] = {  # each takes (folder, event of its type)
    ev_.TensorCreated: Folder._tensor_created,
    ev_.ForwardOp: Folder._forward,
    ev_.InplaceUpdate: fold_inplace.inplace_update,
    ev_.BackwardBegin: fold_grads.backward_begin,
    ev_.BackwardNode: fold_grads.backward_node,
    ev_.GradAccumulated: fold_grads.grad_accumulated,
    ev_.GradReset: fold_grads.grad_reset,
    ev_.SavedReleased: Folder._saved_released,
    ev_.HookFired: Folder._hook,
    ev_.BackwardEnd: fold_grads.backward_end,
    ev_.Anomaly: Folder._anomaly,
    ev_.TensorNamed: Folder._named,
    ev_.ProgramError: fold_failure.program_error,
    ev_.RunState: Folder._run,
}
