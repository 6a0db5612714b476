"""Folding events into the world of a tick: the one place that says what each event changes.

A ``Folder`` holds the tensors and functions as they stand and applies one event at a time. Its
``TensorState`` / ``FunctionState`` objects are never changed once placed in a dict: a change makes
a new object, so keyframes and returned states can share them safely.

Decisions the views rely on:

- Ops that ran without recording (``node`` is None, e.g. ``unsqueeze`` of a constant input) are
  function nodes too, keyed by the synthetic id ``-seq`` of their ``ForwardOp``, so a chain like
  ``x -> unsqueeze -> mm`` stays connected.
- A recorded in-place op (``y.add_(1)`` with grad) gives the tensor a new version node with the
  synthetic id ``-seq`` of the ``InplaceUpdate``: ``y -> AddBackward0 -> y'``. Later ops that use
  ``y`` connect to ``y'``; the graph stays acyclic and edges are only ever appended.
- ``AccumulateGrad`` is not a node: it maps to the leaf tensor it feeds.
- Gradient edges are (sender, receiver) pairs in the direction the gradient travels, each the
  reverse of a data-flow edge: (``f<node>``, ``t<input>``), and (``f<src>``, ``t<leaf>``) when a
  leaf's ``.grad`` receives a contribution.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from visgrad import events as ev_
from visgrad.trace.state import FunctionState, TensorState, fkey, tkey

_END_STATES = frozenset({"finished", "stopped"})


class Folder:
    """The world as it stands after the events applied so far."""

    def __init__(self, acc_of: dict[int, int]) -> None:
        self.tensors: dict[int, TensorState] = {}
        self.functions: dict[int, FunctionState] = {}
        self.alias: dict[int, int] = {}  # tensor id -> id of its newest version node
        self.names: dict[int, str] = {}
        self.phase = "idle"
        self.backward_index = 0
        self.in_backward = False
        # Set by a finished backward until the next recorded op: unrecorded ops in between
        # (``w.grad * lr`` under no_grad) are the optimizer's step, not the next forward.
        self.after_backward = False
        self.error: Any = None
        self.current: tuple[str, ...] = ()
        self.grad_edges: tuple[tuple[str, str], ...] = ()
        self.acc_of = acc_of  # AccumulateGrad node id -> leaf id (shared, append-only)
        # Head-only bookkeeping (None when re-folding from a keyframe).
        self.new_edges: list[tuple[str, str]] | None = None
        self.new_nodes: list[str] | None = None
        self.dirty_t: set[int] | None = None  # ids changed since the last keyframe
        self.dirty_f: set[int] | None = None

    # -- helpers -----------------------------------------------------------------------------------
    def _put_t(self, ts: TensorState) -> None:
        self.tensors[ts.id] = ts
        if self.dirty_t is not None:
            self.dirty_t.add(ts.id)

    def _put_f(self, fs: FunctionState) -> None:
        self.functions[fs.id] = fs
        if self.dirty_f is not None:
            self.dirty_f.add(fs.id)

    def _edge(self, src: str, dst: str) -> None:
        if self.new_edges is not None:
            self.new_edges.append((src, dst))

    def _node(self, key: str) -> None:
        if self.new_nodes is not None:
            self.new_nodes.append(key)

    def resolve(self, tid: int | None) -> int | None:
        """The node id now standing for tensor ``tid`` (its newest version)."""
        if tid is None:
            return None
        return self.alias.get(tid, tid)

    def _placeholder(self, tid: int, seq: int, rg: bool) -> TensorState:
        """A tensor made before recording began: known only by its id."""
        ts = TensorState(
            id=tid,
            name=self.names.get(tid, tkey(tid)),
            shape=(),
            dtype="",
            requires_grad=rg,
            is_leaf=True,
            role="leaf" if rg else "input",
            producer=None,
            value=None,
            grad=None,
            grad_contributions=0,
            version=0,
            created_seq=seq,
        )
        self._put_t(ts)
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
        handler = _HANDLERS.get(type(ev))
        if handler is not None:
            handler(self, ev)

    def _tensor_created(self, ev: ev_.TensorCreated) -> None:
        param = ev.op == "parameter"
        role = "parameter" if param else ("leaf" if ev.requires_grad else "input")
        ts = TensorState(
            id=ev.tensor,
            name=self.names.get(ev.tensor, tkey(ev.tensor)),
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
        )
        self._put_t(ts)
        self._node(tkey(ev.tensor))
        self.phase = self._phase("forward")
        self.current = (tkey(ev.tensor),)

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
            self._put_t(replace(ts, **changes))

    def _add_function(
        self,
        fid: int,
        ev: Any,
        inputs: tuple[int | None, ...],
        outputs: tuple[int, ...],
        grad_fn: str,
    ) -> None:
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
        )
        self._put_f(fs)
        fk = fkey(fid)
        self._node(fk)
        if self.new_edges is not None:
            seen: set[int] = set()
            for tid in inputs:
                if tid is not None and tid not in seen:
                    seen.add(tid)
                    self._edge(tkey(tid), fk)

    def _forward(self, ev: ev_.ForwardOp) -> None:
        fid = ev.node if ev.node is not None else -ev.seq
        inputs = tuple(self.resolve(t) for t in ev.inputs)
        self._add_function(fid, ev, inputs, tuple(ev.outputs), ev.grad_fn or ev.op)
        fk = fkey(fid)
        keys = [fk]
        rg = ev.requires_grad
        for i, tid in enumerate(ev.outputs):
            val = ev.values[i] if i < len(ev.values) else None
            ts = TensorState(
                id=tid,
                name=self.names.get(tid, tkey(tid)),
                shape=tuple(ev.shapes[i]) if i < len(ev.shapes) else (),
                dtype=ev.dtypes[i] if i < len(ev.dtypes) else "",
                requires_grad=rg,
                is_leaf=not rg,
                role="output",
                producer=fid,
                value=val,
                grad=None,
                grad_contributions=0,
                version=0,
                created_seq=ev.seq,
                source=ev.source,
            )
            self._put_t(ts)
            k = tkey(tid)
            self._node(k)
            self._edge(fk, k)
            keys.append(k)
        if ev.node is not None:
            self.after_backward = False
        self.phase = self._phase("optimizer" if self.after_backward else "forward")
        self.current = tuple(keys)

    def _inplace(self, ev: ev_.InplaceUpdate) -> None:
        if ev.grad_of is not None:
            leaf = self.tensors.get(ev.grad_of)
            if leaf is not None:
                self._put_t(replace(leaf, grad=ev.value, grad_contributions=0))
                self.current = (tkey(leaf.id),)
            self.phase = self._phase("optimizer")
            return
        tid = self.resolve(ev.tensor)
        ts = self.tensors.get(tid) if tid is not None else None
        if ts is None:
            self.phase = self._phase("forward")
            return
        if ev.recorded and ev.node is not None:
            new_id = -ev.seq
            # ``inputs`` may leave out the tensor itself; next_nodes always start with it.
            others = tuple(self.resolve(t) for t in ev.inputs)
            inputs = others if ev.inputs and ev.inputs[0] == ev.tensor else (tid, *others)
            self.alias[ev.tensor] = new_id
            self._add_function(ev.node, ev, inputs, (new_id,), ev.grad_fn or ev.op)
            base = self.names.get(ev.tensor, ts.name)
            nts = replace(
                ts,
                id=new_id,
                name=f"{base} v{ev.version}",
                requires_grad=True,
                is_leaf=False,
                role="output",
                producer=ev.node,
                value=ev.value,
                grad=None,
                grad_contributions=0,
                version=ev.version,
                created_seq=ev.seq,
                source=ev.source,
            )
            self._put_t(nts)
            k = tkey(new_id)
            self._node(k)
            self._edge(fkey(ev.node), k)
            self.phase = self._phase("forward")
            self.current = (fkey(ev.node), k)
            return
        self._put_t(replace(ts, value=ev.value, version=ev.version))
        trained = ts.role == "parameter" or (ts.is_leaf and ts.requires_grad)
        self.phase = self._phase("optimizer" if trained else "forward")
        self.current = (tkey(tid),)

    def _backward_begin(self, ev: ev_.BackwardBegin) -> None:
        self.backward_index += 1
        self.in_backward = True
        self.phase = "backward"
        self.current = tuple(tkey(self.resolve(t)) for t in ev.roots)

    def _backward_node(self, ev: ev_.BackwardNode) -> None:
        self.phase = "backward"
        if ev.tensor is not None:
            self.acc_of.setdefault(ev.node, ev.tensor)
            leaf = tkey(ev.tensor)
            self.current = (leaf,)
            self.grad_edges = _into_leaf(ev.sources, leaf)
            return
        fs = self.functions.get(ev.node)
        if fs is None:
            return
        self._put_f(
            replace(fs, executed=fs.executed + 1, grads_in=ev.grads_in, grads_out=ev.grads_out)
        )
        fk = fkey(ev.node)
        self.current = (fk,)
        out: list[tuple[str, str]] = []
        for i, g in enumerate(ev.grads_out):
            if g is not None and i < len(fs.inputs) and fs.inputs[i] is not None:
                e = (fk, tkey(fs.inputs[i]))
                if e not in out:
                    out.append(e)
        self.grad_edges = tuple(out)

    def _grad_accumulated(self, ev: ev_.GradAccumulated) -> None:
        self.phase = self._phase("backward")
        ts = self.tensors.get(ev.tensor)
        if ts is None:
            return
        n = max(1, len(ev.sources))
        count = n if ev.created else ts.grad_contributions + n
        self._put_t(replace(ts, grad=ev.grad, grad_contributions=count))
        k = tkey(ev.tensor)
        self.current = (k,)
        self.grad_edges = _into_leaf(ev.sources, k)

    def _grad_reset(self, ev: ev_.GradReset) -> None:
        self.phase = self._phase("optimizer")
        ts = self.tensors.get(ev.tensor)
        if ts is None:
            return
        self._put_t(replace(ts, grad=ev.grad, grad_contributions=0))
        self.current = (tkey(ev.tensor),)

    def _saved_released(self, ev: ev_.SavedReleased) -> None:
        fs = self.functions.get(ev.node)
        if fs is not None:
            self._put_f(replace(fs, saved_released=True))
            self.current = (fkey(ev.node),)

    def _hook(self, ev: ev_.HookFired) -> None:
        if ev.tensor in self.tensors:
            self.current = (tkey(ev.tensor),)

    def _backward_end(self, ev: ev_.BackwardEnd) -> None:
        self.in_backward = False
        self.after_backward = True
        self.phase = "backward"

    def _anomaly(self, ev: ev_.Anomaly) -> None:
        keys = []
        if ev.node is not None and ev.node in self.functions:
            keys.append(fkey(ev.node))
        if ev.tensor is not None and ev.tensor in self.tensors:
            keys.append(tkey(ev.tensor))
        self.current = tuple(keys)

    def _named(self, ev: ev_.TensorNamed) -> None:
        self.names[ev.tensor] = ev.name
        ts = self.tensors.get(ev.tensor)
        if ts is not None:
            self._put_t(replace(ts, name=ev.name))
            self.current = (tkey(ev.tensor),)

    def _error(self, ev: ev_.ProgramError) -> None:
        self.error = ev
        self.in_backward = False
        self.phase = "idle"

    def _run(self, ev: ev_.RunState) -> None:
        if ev.state in _END_STATES:
            self.in_backward = False
            self.phase = "idle"


def _into_leaf(sources: tuple[tuple[int, int], ...], leaf: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for src, _ in sources:
        e = (fkey(src), leaf)
        if e not in out:
            out.append(e)
    return tuple(out)


_HANDLERS = {
    ev_.TensorCreated: Folder._tensor_created,
    ev_.ForwardOp: Folder._forward,
    ev_.InplaceUpdate: Folder._inplace,
    ev_.BackwardBegin: Folder._backward_begin,
    ev_.BackwardNode: Folder._backward_node,
    ev_.GradAccumulated: Folder._grad_accumulated,
    ev_.GradReset: Folder._grad_reset,
    ev_.SavedReleased: Folder._saved_released,
    ev_.HookFired: Folder._hook,
    ev_.BackwardEnd: Folder._backward_end,
    ev_.Anomaly: Folder._anomaly,
    ev_.TensorNamed: Folder._named,
    ev_.ProgramError: Folder._error,
    ev_.RunState: Folder._run,
}
