"""The ``ForwardOp`` event of an op, built only while a sink listens: ids, shapes, dtypes,
snapshots of the outputs, attributes, aliases, saved names and the NaN/Inf anomaly check."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import _aliasing as aliasing
from visgrad import call_site, events
from visgrad.autograd.node import Node, SavedValue
from visgrad.tensor import Tensor


def publish_forward(
    cls: Any,
    node: Node | None,
    inputs: tuple[Tensor, ...],
    results: tuple[Tensor, ...],
    attrs: dict[str, Any],
) -> None:
    # List comprehensions and a cached dtype name: this runs for every op while a sink listens.
    datas = [r._data for r in results]
    names = _dtype_names
    dtypes = []
    for d in datas:
        dt = d.dtype
        name = names.get(dt)
        if name is None:
            if len(names) > 256:
                names.clear()
            name = names[dt] = dt.name
        dtypes.append(name)
    module, module_classes = call_site.module_scope()
    events.publish(
        events.ForwardOp(
            seq=events.next_seq(),
            op=cls.op_name,
            node=node.id if node is not None else None,
            grad_fn=node.name() if node is not None else None,
            inputs=tuple([t._id or None for t in inputs]),
            outputs=tuple([r._id for r in results]),
            shapes=tuple([tuple(d.shape) for d in datas]),
            dtypes=tuple(dtypes),
            requires_grad=node is not None,
            next_nodes=tuple([f.id if f is not None else None for f in node._next_fns])
            if node is not None
            else (),
            attrs=event_attrs(attrs, inputs),
            values=tuple([events.snapshot(d) for d in datas]),
            source=call_site.user_source(3),
            **_aliases(datas, inputs, results),
            saved=saved_tensor_names(node),
            module=module,
            module_classes=module_classes,
        )
    )
    for r in results:
        check_finite_forward(node, r)


def saved_tensor_names(node: Node | None) -> tuple[str, ...]:
    """Names of the tensors ``node`` saved for backward (what ``SavedReleased`` frees later)."""
    # CopySlices keeps what it saved in the op it wraps.
    if node is None:
        return ()
    saved = (node if node.inner is None else node.inner)._saved
    if not saved:
        return ()
    return tuple([k for k, v in saved.items() if isinstance(v, (SavedValue, Tensor))])


def _aliases(datas: list[np.ndarray], inputs: tuple[Tensor, ...], results: tuple) -> dict:
    """``ForwardOp.bases``: which outputs are views of which input (registered as aliases)."""
    bases: list[int | None] = []
    found = False
    for d, r in zip(datas, results, strict=True):
        base = None
        if d.base is not None:  # a fresh array (most op results) cannot be a view
            for t in inputs:
                if t._id and np.may_share_memory(d, t._data):
                    base = t
                    break
        if base is not None:
            aliasing.register(base, r)
            found = True
        bases.append(base._id if base is not None else None)
    return {"bases": tuple(bases)} if found else {}


# NumPy's dtype.name is computed on every read; events ask for it on every op.
_dtype_names: dict[Any, str] = {}


_ATTR_ARRAY_LIMIT = 4096


def event_attrs(attrs: dict[str, Any], inputs: tuple[Tensor, ...]) -> dict[str, Any]:
    """Op attributes as JSON-friendly values, plus constants the op was given.

    Array attributes (a ``where`` condition, a ``gather`` index, a mask) travel as nested lists up
    to ``_ATTR_ARRAY_LIMIT`` elements, so the debugger can evaluate the op's formula; larger ones
    are left out.
    """
    out: dict[str, Any] = {}
    for k, v in attrs.items():
        if isinstance(v, Tensor):
            v = v._data
        if isinstance(v, np.ndarray):
            if v.size > _ATTR_ARRAY_LIMIT:
                continue
            v = v.tolist()
        elif isinstance(v, (tuple, list)):
            v = [x.tolist() if isinstance(x, (np.ndarray, np.generic)) else x for x in v]
            if not all(isinstance(x, (int, float, bool, str, type(None), list)) for x in v):
                v = repr(v)
        elif isinstance(v, (np.generic,)):
            v = v.item()
        elif not isinstance(v, (int, float, bool, str, type(None))):
            v = repr(v)
        out[k] = v
    consts = [t._data.item() for t in inputs if t._id == 0 and t._data.ndim == 0]
    if consts:
        out["constants"] = consts
    return out


def check_finite_forward(node: Node | None, t: Tensor) -> None:
    """Publish an Anomaly when a forward value holds NaN or Inf (only with a sink attached)."""
    a = t._data
    if a.dtype.kind != "f" or a.size == 0:
        return
    # isfinite().all() rather than a sum under np.errstate: no overflow to silence, and entering
    # errstate (a context variable) costs more than the check on the arrays ops make.
    if np.isfinite(a).all():
        return
    nan = int(np.isnan(a).sum())
    inf = int(np.isinf(a).sum())
    if nan or inf:
        events.publish(
            events.Anomaly(
                seq=events.next_seq(),
                where="forward",
                node=node.id if node is not None else None,
                name=node.name() if node is not None else "",
                tensor=t._id,
                nan=nan,
                inf=inf,
                message=f"{'NaN' if nan else 'Inf'} in the output of "
                f"{node.name() if node is not None else 'an op'}",
            )
        )
