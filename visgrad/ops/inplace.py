"""In-place ops (``add_``, ``mul_``, ``zero_``, ``x += 1``, ``x[i] = v``, ...) with PyTorch's rules.

A leaf that requires grad may not be changed in place while grad mode is on (optimizers update
parameters under ``no_grad``). On a non-leaf the op is recorded: the out-of-place op runs on a
frozen copy of the old value (so what its node saves stays valid), the result is written into the
tensor's own buffer, and the tensor is rebased onto the new node. Every in-place op bumps the
version counter shared with views and ``detach()``, which invalidates nodes that saved the old value.
"""

from __future__ import annotations

import traceback
from typing import Any

import numpy as np

from visgrad import _aliasing as aliasing
from visgrad import call_site, dtypes, events
from visgrad._aliasing import alias_snapshots
from visgrad.autograd import errors
from visgrad.autograd.grad_mode import MODES
from visgrad.autograd.node import Node, accumulator
from visgrad.ops.base import OBSERVED, Op, wrap
from visgrad.ops.copy_slices import (
    AsStridedBackward0,
    CopyBackwards,
    CopySlices,
    FillBackward2,
    FillBackward3,
    ZeroBackward0,
    region_of,
)
from visgrad.ops.forward_events import saved_tensor_names
from visgrad.ops.registry import declare
from visgrad.ops.shape import live_views
from visgrad.tensor import Tensor

_OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)
# Rank of dtype kinds for PyTorch's "can't be cast to the desired output type" rule.
_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


class _Placeholder(Node):
    """Stands in for the written region's own edge inside ``CopySlices`` (never run)."""


_REGION_EDGE = (_Placeholder(), 0)


def _edge(t: Tensor) -> tuple[Node | None, int]:
    if not t._rg:
        return (None, 0)
    return (t._fn, t._output_nr) if t._fn is not None else (accumulator(t), 0)


def _record(cls: type[Op], inputs: tuple[Tensor, ...], attrs: dict[str, Any]) -> tuple[Op, Any]:
    """Build and run ``cls``'s node on ``inputs`` (like ``apply``, but publishing nothing)."""
    node = cls.__new__(cls)
    Node.__init__(node)
    out = np.asarray(node.forward(*inputs, **attrs))
    node.next_functions = tuple(_edge(t) for t in inputs)
    node.input_meta = tuple((t._data.shape, t._data.dtype) for t in inputs)
    if attrs:
        node.attrs = attrs
    if MODES.anomaly:
        node.forward_trace = "".join(traceback.format_stack()[:-3])
    return node, out


def _check_leaf(t: Tensor) -> None:
    if t._fn is None and t._rg:
        raise RuntimeError(errors.INPLACE_LEAF)
    base = t._base
    if base is not None and base._fn is None and base._rg:
        raise RuntimeError(errors.INPLACE_VIEW_OF_LEAF)


def _frozen(data: np.ndarray, rg: bool, fn: Any, nr: int) -> Tensor:
    """A private copy of the old value; its own version counter is never bumped."""
    return Tensor._make(np.array(data, copy=True), rg, fn, nr)


def _write(dst: np.ndarray, out: np.ndarray, idx: Any = None) -> None:
    """Store ``out`` into ``dst`` (or ``dst[idx]``) with PyTorch's shape and dtype checks."""
    target = dst if idx is None else dst[idx]
    if out.shape != target.shape:
        if idx is not None:
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(out.shape)} cannot be broadcast to "
                f"indexing result of shape {list(target.shape)}"
            )
        raise RuntimeError(
            f"output with shape {list(dst.shape)} doesn't match the broadcast shape "
            f"{list(out.shape)}"
        )
    if _KIND_RANK.get(out.dtype.kind, 2) > _KIND_RANK.get(dst.dtype.kind, 2):
        raise RuntimeError(
            f"result type {_scalar_name(out.dtype)} can't be cast to the desired output type "
            f"{_scalar_name(dst.dtype)}"
        )
    if not dst.flags.writeable:
        raise RuntimeError(_OVERLAP)
    if idx is None:
        np.copyto(dst, out, casting="unsafe")
    else:
        dst[idx] = out


def _scalar_name(dt: np.dtype) -> str:
    return dtypes.from_numpy(dt).tensor_type.removesuffix("Tensor")


def inplace(
    t: Tensor, cls: type[Op], others: tuple[Tensor, ...], attrs: dict[str, Any], op: str
) -> Tensor:
    """Run op ``cls`` on ``(t, *others)`` and store the result in ``t``."""
    rec = False
    if MODES.enabled:
        _check_leaf(t)
        rec = t._rg or any(o._rg for o in others) or (t._base is not None and t._base._rg)
    if not rec:
        x = t._data
        uf = cls.inplace_ufunc
        if (
            uf is not None
            and not OBSERVED
            and len(others) == 1
            and attrs.get("alpha", 1) == 1
            and x.dtype.kind in "fi"
            and x.flags.writeable
        ):
            y = others[0]._data
            if y.dtype is x.dtype and (y.shape == x.shape or y.ndim == 0):
                # ``p -= lr * g``: the ufunc writes into the tensor's buffer, without building the
                # out-of-place result and copying it over (same values: one dtype, no broadcast).
                uf(x, y, out=x)
                t._version.value += 1
                if events.SINKS:
                    publish_update(t, op, None, others)
                return t
        node = cls.__new__(cls)
        _write(x, np.asarray(node.forward(t, *others, **attrs)))
        t._version.value += 1
        if events.SINKS:
            publish_update(t, op, None, others)
        return t
    if t._base is not None:
        return _inplace_view(t, cls, others, attrs, op)
    alias = _frozen(t._data, t._rg, t._fn, t._output_nr)
    node, out = _record(cls, (alias, *others), attrs)
    _write(t._data, out)
    t._version.value += 1
    t._fn, t._output_nr, t._rg = node, 0, True
    if cls.saves_output is not None:
        node.save(**{cls.saves_output: t})
    _rederive_views(t, node, None)
    if events.SINKS:
        publish_update(t, op, node, others)
    return t


def _rederive_views(base: Tensor, node: Node, written: Tensor | None) -> None:
    """The base changed: its other views now read it through the new node (PyTorch re-derives
    a view whose base's version moved on, as ``AsStridedBackward0``)."""
    for v in live_views(base):
        if v is not written:
            _rederive(v, base, node)


def _inplace_view(
    t: Tensor, cls: type[Op], others: tuple[Tensor, ...], attrs: dict[str, Any], op: str
) -> Tensor:
    """Record a write through view ``t``: its base gets ``CopySlices``, ``t`` is re-derived."""
    base = t._base
    alias = _frozen(t._data, True, None, 0)
    inner, out = _record(cls, (alias, *others), attrs)
    inner.next_functions = (_REGION_EDGE if base._rg else (None, 0),) + inner.next_functions[1:]
    _write(t._data, out)
    if cls.saves_output is not None:
        inner.save(**{cls.saves_output: t})
    node = _rebase(base, region_of(t._data, base._data), inner)
    t._version.value += 1
    _rederive(t, base, node)
    _rederive_views(base, node, t)
    if events.SINKS:
        publish_update(t, op, node, others)
    return t


def _rebase(base: Tensor, region: np.ndarray, inner: Op) -> CopySlices:
    node = CopySlices(region, base._data.shape, inner)
    node.next_functions = (_edge(base),) + inner.next_functions[1:]
    node.input_meta = ((base._data.shape, base._data.dtype),) + inner.input_meta[1:]
    node.forward_trace = inner.forward_trace
    base._fn, base._output_nr, base._rg = node, 0, True
    return node


def _rederive(t: Tensor, base: Tensor, node: CopySlices) -> None:
    """Point view ``t`` at the new base node (``AsStridedBackward0``, as PyTorch shows)."""
    view = AsStridedBackward0.__new__(AsStridedBackward0)
    Node.__init__(view)
    view.save(self_sym_sizes=base._data.shape, region=region_of(t._data, base._data))
    view.next_functions = ((node, 0),)
    view.input_meta = ((base._data.shape, base._data.dtype),)
    t._fn, t._output_nr, t._rg = view, 0, True


def write_(t: Tensor, values: Any, op: str) -> Tensor:
    """Copy ``values`` into ``t`` (cast to its dtype), bump its version, publish the update.

    Initialisers, ``load_state_dict``, ``zero_grad`` and the random fills write this way."""
    np.copyto(t._data, values, casting="unsafe")
    t._version.value += 1
    if events.SINKS:
        publish_update(t, op)
    return t


def publish_update(
    t: Tensor, op: str, node: Node | None = None, others: tuple[Tensor, ...] = ()
) -> None:
    """Publish ``InplaceUpdate`` (and ``GradReset`` when a leaf's ``.grad`` is zeroed)."""
    leaf = t._grad_of
    value = events.snapshot(t._data)
    aliases = aliasing.live_aliases(t)
    module, module_classes = call_site.module_scope()
    events.publish(
        events.InplaceUpdate(
            seq=events.next_seq(),
            tensor=t._id,
            op=op,
            version=t._version.value,
            node=node.id if node is not None else None,
            grad_fn=node.name() if node is not None else None,
            inputs=tuple(o._id or None for o in others),
            next_nodes=tuple(f.id if f is not None else None for f, _ in node.next_functions)
            if node is not None
            else (),
            grad_of=leaf._id if leaf is not None else None,
            recorded=node is not None,
            value=value,
            source=call_site.user_source(),
            saved=saved_tensor_names(node),
            aliases=tuple([x._id for x in aliases]),
            alias_values=alias_snapshots(aliases, t, value),
            module=module,
            module_classes=module_classes,
        )
    )
    if leaf is not None and op == "zero_":
        events.publish(
            events.GradReset(
                seq=events.next_seq(),
                tensor=leaf._id,
                how="zero",
                grad=events.snapshot(t._data),
                source=call_site.user_source(),
                grad_tensor=t._id,
            )
        )


# -- in-place ops of their own (the others are declared next to their op) ---------------------------
@declare("zero_", nodes=ZeroBackward0)
def zero_(t: Tensor) -> Tensor:
    return inplace(t, ZeroBackward0, (), {}, "zero_")


@declare("fill_", nodes=(FillBackward2, FillBackward3))
def fill_(t: Tensor, value: Any) -> Tensor:
    if isinstance(value, Tensor):
        return inplace(t, FillBackward3, (value,), {}, "fill_")
    return inplace(t, FillBackward2, (), {"value": value}, "fill_")


@declare("copy_", nodes=CopyBackwards, torch=False)
def copy_(t: Tensor, other: Any, non_blocking: bool = False) -> Tensor:
    """``src`` copied into ``t`` (PyTorch's parser names it ``other``)."""
    return inplace(t, CopyBackwards, (wrap(other, t),), {}, "copy_")


def unary(cls: type[Op], op: str) -> Any:
    """The in-place method ``op`` (``"exp_"``) of a unary op without attributes."""

    def method(t: Tensor) -> Tensor:
        return inplace(t, cls, (), {}, op)

    method.__name__ = method.__qualname__ = op  # Python's argument errors name the qualname
    return method
