"""Gradients reaching tensors: ``.grad`` accumulation (stolen or copied), tensor hooks,
``retain_grad`` stores and the engine's own input-buffer sums.

Accumulation follows PyTorch's AccumulateGrad: the first ``.grad`` is the incoming gradient itself
when no one else can reach it (see ``steal_refs``), later ones add into the same ``.grad`` object.
"""

from __future__ import annotations

import sys
from sys import getrefcount
from typing import Any
from weakref import getweakrefcount

import numpy as np

from visgrad import _aliasing as aliasing
from visgrad import events
from visgrad.autograd.node import AccumulateGrad, Node
from visgrad.tensor import Tensor


def sum_grads(old: Tensor, g: Tensor, owned: set[int]) -> Tensor:
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


def run_tensor_hooks(node: Node, grads: list[Any]) -> list[Any]:
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
            store_grad(t, g, False, None, ())
    return grads


def _hook_name(hook: Any) -> str:
    return getattr(hook, "__name__", type(hook).__name__)


def accumulate(
    node: AccumulateGrad,
    g: Tensor | None,
    create_graph: bool,
    srcs: Any,
    seen: Any = None,
    exact: bool = False,
) -> None:
    """``seen``: the snapshot of ``g`` the node's BackwardNode event just took, if any; ``exact``:
    the program cannot reach ``g`` (see store_grad)."""
    var = node.variable
    if g is None:
        return
    if not var._hooks:
        # Only the engine's input buffer holds ``g`` here (see store_grad's reference count).
        store_grad(var, g, create_graph, node, srcs, _STEAL_REFS, seen, exact)
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
    store_grad(var, g, create_graph, node, srcs)


def steal_refs(implementation: str, version: tuple[int, int]) -> int:
    """References to an incoming gradient that only the engine holds, or 0: never steal.

    On CPython 3.11 to 3.13 they are the node's input buffer list, accumulate's and
    store_grad's arguments and getrefcount's own argument. Elsewhere the count means something
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


def _dense(v: np.ndarray) -> bool:
    """Whether ``v``'s elements fill its memory without gaps or overlaps, in any dim order."""
    flags = v.flags
    if flags.c_contiguous or flags.f_contiguous:
        return True
    expected = v.itemsize
    for stride, n in sorted([(s, n) for n, s in zip(v.shape, v.strides, strict=True) if n != 1]):
        if stride != expected:
            return False
        expected *= n
    return True


def _obeys_layout(a: np.ndarray, v: np.ndarray) -> bool:
    """PyTorch's layout contract for a leaf's ``.grad``: the strides of ``v`` where ``v`` is
    dense (dims of size 1 aside), else C order."""
    if not _dense(v):
        return bool(a.flags.c_contiguous)
    for n, s, sv in zip(a.shape, a.strides, v.strides, strict=True):
        if (s != sv) if n != 1 else s == 0:
            return False
    return True


def _layout_copy(a: np.ndarray, v: np.ndarray) -> np.ndarray:
    """A copy of ``a`` in ``v``'s dtype, laid out as the layout contract asks."""
    if _dense(v):
        out = np.empty_like(v)  # order "K": ``v``'s own strides
        np.copyto(out, a, casting="unsafe")
        return out
    return np.array(a, dtype=v.dtype, order="C", copy=True)


def store_grad(
    var: Tensor,
    g: Tensor,
    create_graph: bool,
    node: Node | None,
    srcs: Any,
    steal: int = 0,
    seen: Any = None,
    exact: bool = False,
) -> None:
    """``var.grad += g`` the PyTorch way: the same ``.grad`` object is updated in place.

    ``seen``: a snapshot of ``g`` its node's event took just before. It still holds ``g``'s values
    when ``g`` is stolen (no one else can reach it), or when ``exact``: the engine found that the
    program can reach no gradient of this pass (no seeds of its own, none of its code ran), so a
    sink cannot have written into it since; otherwise the event snapshots ``g`` again."""
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
                and _obeys_layout(a, var._data)
                and _private_memory(g, a)
            ):
                # A gradient no one else can reach becomes ``.grad`` without a copy, as PyTorch's
                # AccumulateGrad steals it: same values, one allocation and copy fewer per leaf.
                new = Tensor._make(a, False, None, 0)
                stolen = True
            else:
                # A fresh tensor: the grad must not alias a buffer the program can still change.
                new = Tensor._make(_layout_copy(a, var._data), False, None, 0)
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
        exact = seen is not None and (stolen or exact)
        contribution = seen if exact else events.snapshot(g._data)
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
