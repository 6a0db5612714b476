"""The fold of a program's failure: the error, and the call that raised as a node of the graph.

Part of ``trace/fold.py`` (the one interpreter of events), split off to keep modules small; the
function takes the ``Folder`` it updates. The failed call is a function node keyed ``-seq`` (as
an unrecorded op is), marked ``failed``, fed by the tensors it was given and making nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from visgrad import events as ev_
from visgrad.trace.state import FunctionState, evolve, fkey, tkey

if TYPE_CHECKING:  # fold.py imports this module to build its handler table
    from visgrad.trace.fold import Folder


def program_error(f: Folder, ev: ev_.ProgramError) -> None:
    f.error = ev
    f.in_backward = False
    f.phase = "idle"
    if ev.op:
        _failed_call(f, ev)


def _failed_call(f: Folder, ev: ev_.ProgramError) -> None:
    inputs = tuple(f.resolve(t) for t in ev.inputs)
    for tid, shape, dtype in zip(inputs, ev.input_shapes, ev.input_dtypes, strict=False):
        if tid is not None and tid not in f.tensors:  # made before recording began
            ts = f._placeholder(tid, ev.seq, False)
            f.put_t(evolve(ts, shape=tuple(shape), dtype=dtype))
    shapes = ", ".join("[" + ", ".join(map(str, s)) + "]" for s in ev.input_shapes)
    fid = -ev.seq
    fs = FunctionState(
        id=fid,
        grad_fn=f"{ev.op}({shapes})",  # the label: what was called, with what shapes
        op=ev.op,
        inputs=inputs,
        outputs=(),
        next_nodes=(),
        attrs={},
        executed=0,
        grads_in=None,
        grads_out=None,
        saved_released=False,
        created_seq=ev.seq,
        source=ev.source,
        failed=True,
    )
    f.put_f(fs)
    fk = fkey(fid)
    f._node(fk)
    seen: set[int] = set()
    for tid in inputs:
        if tid is not None and tid not in seen:
            seen.add(tid)
            f._edge(tkey(tid), fk)
    f.current = (fk,)
