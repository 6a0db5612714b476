"""The op machinery every entry of the op table uses.

An op is a ``Node`` subclass with ``forward`` (arrays in the Tensors it is given, returns a NumPy
array) and ``backward`` (gradients in, gradients out, written with visgrad ops so that
``create_graph=True`` records the backward pass too). ``apply`` runs it: it decides whether to
record, wires ``next_functions``, remembers input shapes so broadcasting is undone in one place
(the engine), and publishes the ``ForwardOp`` event.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from visgrad import dtypes, events
from visgrad.autograd import errors
from visgrad.autograd.grad_mode import MODES
from visgrad.autograd.node import (
    Node,
    _node_ids,
    _nrs_cache,
    accumulator,
    intern_nrs,
    store_saved,
)
from visgrad.ops.forward_events import publish_forward
from visgrad.ops.gate import wrap_int
from visgrad.ops.sum_kernel import reduce_sum
from visgrad.tensor import Tensor, as_array

_int64 = np.dtype(np.int64)
# Non-empty while something times each op's forward (the profiler): the shortcuts that skip an
# op's node when nothing records (``mul``'s, ``sum``'s, ...) then take the full path, so every op
# is seen, as with a sink attached.
OBSERVED: list[object] = []
_meta_cache: dict[tuple[tuple[int, ...], Any], tuple[tuple[int, ...], Any]] = {}


class Op(Node):
    """A recorded op. Subclasses set ``op_name``, ``name_``, ``formulas``, forward, backward."""

    op_name = "op"
    # Name under which the (first) output is saved for backward, e.g. "result" for exp.
    saves_output: str | None = None
    # Indices of forward outputs that are differentiable (the rest, e.g. indices, are not).
    differentiable: tuple[int, ...] = (0,)
    # An unrecorded run (no grad) keeps nothing: ``save`` sees None. On the class, so apply does not
    # give every unrecorded op's node an instance dict just to say so.
    _saved: dict[str, Any] | None = None
    # The ufunc an unrecorded in-place run may write with directly (``add_``: np.add), when the
    # op is that ufunc alone on operands of one dtype.
    inplace_ufunc: Any = None
    _holds_tensors = False
    # How ``record_pair`` (a binary ufunc op's recorded fast path) saves for backward: "inputs"
    # keeps both operands as ``self`` and ``other`` (mul), "alpha" keeps ``alpha=1`` as saved value
    # and attribute (add, sub). None: the op has no such path.
    pair_saves: str | None = None
    # ``number op tensor`` is recorded as ``tensor op number`` (mul, add).
    commutative = False

    def forward(self, *inputs: Tensor, **attrs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def save(self, /, **values: Any) -> None:
        # Unrecorded runs have ``_saved = None``: nothing to keep.
        saved = self._saved
        if saved is not None:
            store_saved(self, saved, values)


# 0-d constants for Python numbers, by type, value, dtype of the tensor, negative zero and default
# dtype: a loop such as ``y = y * 1.0001 + 0.0001`` wraps the same numbers every step. The arrays
# are read-only, so sharing one between ops cannot leak a write.
_constants: dict[tuple[Any, ...], Tensor] = {}


def wrap(x: Any, like: Tensor | None = None) -> Tensor:
    """A Tensor for ``x``; Python numbers become 0-d constants of the dtype PyTorch would use."""
    if isinstance(x, Tensor):
        return x
    tx = type(x)
    if like is not None and (tx is float or tx is int):
        key = (
            tx,
            x,
            like._data.dtype,
            x == 0 and math.copysign(1.0, x) < 0,
            dtypes.default_float,  # an int tensor and a float: the default dtype
        )
        t = _constants.get(key)
        if t is None:
            t = _wrap_number(x, like)
            t._data.setflags(write=False)
            if len(_constants) > 1024:
                _constants.clear()
            _constants[key] = t
        return t
    return _wrap_number(x, like)


def _wrap_number(x: Any, like: Tensor | None) -> Tensor:
    if like is not None and isinstance(x, (int, float, bool, np.number)):
        kind = like._data.dtype.kind
        if isinstance(x, (bool, np.bool_)):
            dt = like._data.dtype
        elif isinstance(x, (float, np.floating)):
            dt = like._data.dtype if kind == "f" else dtypes.default_float.np
        else:
            dt = like._data.dtype if kind in "fiu" else _int64
            x = wrap_int(x, dt) if dt.kind in "iu" else x
        t = Tensor._make(np.asarray(x, dtype=dt), False, None, 0)
    else:
        t = Tensor._make(as_array(x, None), False, None, 0)
    t._id = 0  # a constant, not a tensor of the program's
    return t


def promote(a: np.ndarray, b: np.ndarray) -> Any:
    """PyTorch's result dtype for two operands (0-d operands do not widen n-d ones)."""
    da, db = a.dtype, b.dtype
    if da is db or da == db:
        return da
    ka, kb = da.kind, db.kind
    cat_a = 2 if ka == "f" else (1 if ka in "iu" else 0)
    cat_b = 2 if kb == "f" else (1 if kb in "iu" else 0)
    if cat_a != cat_b:
        return da if cat_a > cat_b else db
    if a.ndim == 0 and b.ndim > 0:
        return db
    if b.ndim == 0 and a.ndim > 0:
        return da
    return np.promote_types(da, db)


def apply(cls: type[Op], *inputs: Tensor, **attrs: Any) -> Any:
    """Run op ``cls`` on ``inputs``; record it if grad mode is on and any input requires grad."""
    rec = False
    if MODES.enabled and cls.differentiable:
        for t in inputs:
            if t._rg:
                rec = True
                break
    node = cls.__new__(cls)
    if rec:
        # Node.__init__ inlined: this runs for every recorded op.
        node.id = next(_node_ids)
        node._saved = {}
    out = node.forward(*inputs, **attrs) if attrs else node.forward(*inputs)
    if not rec:
        # Unrecorded (every op inside a backward formula): nothing to wire.
        if type(out) is not tuple:
            r = Tensor._make(out if type(out) is np.ndarray else np.asarray(out), False, None, 0)
            if events.SINKS and not MODES.in_backward:
                publish_forward(cls, None, inputs, (r,), attrs)
            return r
        results = tuple([Tensor._make(np.asarray(o), False, None, 0) for o in out])
        if events.SINKS and not MODES.in_backward:
            publish_forward(cls, None, inputs, results, attrs)
        return results
    _wire(node, inputs)
    if attrs:
        node.attrs = attrs
    if MODES.anomaly:
        import traceback

        node.forward_trace = "".join(traceback.format_stack()[:-2])
    diff = cls.differentiable
    if type(out) is not tuple and diff == (0,):
        r = Tensor._make(out if type(out) is np.ndarray else np.asarray(out), True, node, 0)
        if cls.saves_output is not None:
            store_saved(node, node._saved, {cls.saves_output: r})
        if events.SINKS and not MODES.in_backward:
            publish_forward(cls, node, inputs, (r,), attrs)
        return r
    outs = out if type(out) is tuple else (out,)
    results = tuple(
        [
            Tensor._make(np.asarray(o), i in diff, node if i in diff else None, i)
            for i, o in enumerate(outs)
        ]
    )
    if cls.saves_output is not None:
        node.save(**{cls.saves_output: results[0]})
    if events.SINKS and not MODES.in_backward:
        publish_forward(cls, node, inputs, results, attrs)
    return results if type(out) is tuple else results[0]


def record_pair(cls: type[Op], a: Tensor, b: Tensor, out: Any) -> Tensor:
    """What ``apply(cls, a, b)`` records for a binary ufunc op whose forward gave ``out``, for
    two operands of one dtype, in grad mode, with no sink, profiler or anomaly mode: the same node
    (ids, edges, input meta, saved values, attributes) and output, without the generic path's
    checks and calls (a recorded ``a * b`` is most of a small program's time)."""
    node = cls.__new__(cls)
    node.id = next(_node_ids)
    if cls.pair_saves == "inputs":
        va, vb = a._vc, b._vc
        if (va is not None and va.value) or (vb is not None and vb.value):
            node._saved = {}
            store_saved(node, node._saved, {"self": a, "other": b})
        else:
            node._saved = {"self": a, "other": b}
            node._holds_tensors = True
    else:
        node._saved = {"alpha": 1}
        node.attrs = {"alpha": 1}
    _wire(node, (a, b))
    return Tensor._make(out if type(out) is np.ndarray else np.asarray(out), True, node, 0)


def _wire(node: Op, inputs: tuple[Tensor, ...]) -> None:
    """A recorded node's edges (``next_functions``) and input meta.

    The edges are the nodes zipped with one shared tuple of output numbers, and the input
    meta one shared (shape, dtype) tuple per distinct meta: a graph keeps fewer objects for the GC.
    """
    if len(inputs) == 2:
        # Unrolled for the binary ops (most recorded ops): no comprehension frames, and a leaf's
        # live AccumulateGrad read from its weak reference here.
        a, b = inputs
        fa = fb = None
        na = nb = 0
        if a._rg:
            fa = a._fn
            if fa is None:
                ref = a._acc
                fa = ref() if ref is not None else None
                if fa is None:
                    fa = accumulator(a)
            else:
                na = a._output_nr
        if b._rg:
            fb = b._fn
            if fb is None:
                ref = b._acc
                fb = ref() if ref is not None else None
                if fb is None:
                    fb = accumulator(b)
            else:
                nb = b._output_nr
        node._next_fns = (fa, fb)
        nrs = (na, nb)
        shared = _nrs_cache.get(nrs)
        node._next_nrs = shared if shared is not None else intern_nrs(nrs)
        da, db = a._data, b._data
        cache = _meta_cache
        ka = (da.shape, da.dtype)
        ma = cache.get(ka)
        if ma is None:
            if len(cache) > 4096:
                cache.clear()
            ma = cache.setdefault(ka, ka)
        if db.shape == da.shape and db.dtype is da.dtype:
            node.input_meta = (ma, ma)
            return
        kb = (db.shape, db.dtype)
        mb = cache.get(kb)
        if mb is None:
            mb = cache.setdefault(kb, kb)
        node.input_meta = (ma, mb)
        return
    if len(inputs) == 1:
        _wire_one(node, inputs[0])
        return
    # Comprehensions, not one loop with appends: this runs for every recorded op.
    node._next_fns = tuple(
        [(t._fn if t._fn is not None else accumulator(t)) if t._rg else None for t in inputs]
    )
    nrs = tuple([t._output_nr if t._rg and t._fn is not None else 0 for t in inputs])
    shared = _nrs_cache.get(nrs)
    node._next_nrs = shared if shared is not None else intern_nrs(nrs)
    cache = _meta_cache
    meta = [cache.get((t._data.shape, t._data.dtype)) for t in inputs]
    if None in meta:
        if len(cache) > 4096:
            cache.clear()
        meta = [
            cache.setdefault((d.shape, d.dtype), (d.shape, d.dtype))
            for d in [t._data for t in inputs]
        ]
    node.input_meta = tuple(meta)


def _wire_one(node: Op, a: Tensor) -> None:
    """``_wire`` for a unary op (exp, sum, the views, ...), unrolled as the binary case is."""
    fa = None
    na = 0
    if a._rg:
        fa = a._fn
        if fa is None:
            fa = accumulator(a)
        else:
            na = a._output_nr
    node._next_fns = (fa,)
    shared = _nrs_cache.get((na,))
    node._next_nrs = shared if shared is not None else intern_nrs((na,))
    da = a._data
    ka = (da.shape, da.dtype)
    ma = _meta_cache.get(ka)
    if ma is None:
        if len(_meta_cache) > 4096:
            _meta_cache.clear()
        ma = _meta_cache.setdefault(ka, ka)
    node.input_meta = (ma,)


def sum_to(g: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Reduce a broadcast gradient back to ``shape`` (written once, for every op)."""
    gshape = g._data.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    if lead < 0:  # a copy dropped the source's leading 1-dims (``z[0] = ones(1, 4)``)
        g = sum_to(g, shape[-lead:])
        return (
            g.reshape(shape)
            if MODES.enabled
            else Tensor._make(g._data.reshape(shape), False, None, 0)
        )
    dims = list(range(lead))
    for i, s in enumerate(shape):
        if s == 1 and gshape[lead + i] != 1:
            dims.append(lead + i)
    if not MODES.enabled:
        # No create_graph: reduce with NumPy directly (the op's bookkeeping would be thrown away).
        # summed in ATen's order, as PyTorch's sum_to_size sums
        a = g._data
        if dims:
            a = (
                reduce_sum(a, tuple(dims), True)
                if a.dtype.kind == "f" and a.itemsize >= 4
                else np.sum(a, axis=tuple(dims), keepdims=True)
            )
        return Tensor._make(a.reshape(shape), False, None, 0)
    r = g.sum(tuple(dims), keepdim=True) if dims else g  # differentiable: create_graph
    if lead:
        r = r.reshape(shape)
    elif r._data.shape != shape:
        r = r.reshape(shape)
    return r


def broadcast_shapes(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        raise RuntimeError(errors.broadcast(a, b)) from None
