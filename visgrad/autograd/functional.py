"""``torch.autograd.functional``: jacobian, hessian, vjp, jvp, vhp and hvp of a Python function.

Everything is built on ``autograd.grad``: a Jacobian is one vector-Jacobian product per output
element (one-hot ``grad_outputs``), and ``jvp`` uses the double-vjp trick (the vjp is linear in its
vector, so differentiating it w.r.t. that vector gives J·v).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from visgrad.autograd import errors
from visgrad.autograd.engine import grad
from visgrad.autograd.grad_mode import enable_grad
from visgrad.tensor import Tensor

_V_NONE_OUT = (
    "The vector v can only be None if the user-provided function returns a single Tensor with a "
    "single element."
)
_V_NONE_IN = (
    "The vector v can only be None if the input to the user-provided function is a single Tensor "
    "with a single element."
)


def _as_tuple(x: Any) -> tuple[bool, tuple[Any, ...]]:
    if isinstance(x, (tuple, list)):
        return True, tuple(x)
    return False, (x,)


def _prepare(inputs: tuple[Tensor, ...], create_graph: bool) -> tuple[Tensor, ...]:
    """Inputs that require grad; with ``create_graph`` ones already in a graph stay connected."""
    out = []
    for x in inputs:
        if create_graph and x._rg:
            out.append(x.view_as(x))
        else:
            t = Tensor._make(x._data, True, None, 0)
            t._version = x._version
            out.append(t)
    return tuple(out)


def _zeros(like: Tensor) -> Tensor:
    return Tensor._make(np.zeros_like(like._data), False, None, 0)


def _detach(x: Tensor, create_graph: bool) -> Tensor:
    return x if create_graph else Tensor._make(x._data, False, None, 0)


def _check_v(vs: tuple[Tensor, ...], refs: tuple[Tensor, ...]) -> None:
    for v, r in zip(vs, refs, strict=True):
        if v._data.shape != r._data.shape:
            raise RuntimeError(
                f"v has invalid size: should be {errors.size(r._data.shape)} but got "
                f"{errors.size(v._data.shape)}."
            )


def _grads(
    outs: tuple[Tensor, ...],
    xs: tuple[Tensor, ...],
    vs: tuple[Tensor, ...],
    create_graph: bool,
) -> tuple[Tensor, ...]:
    """Σ vᵢ·∂outᵢ/∂x for each x; zeros where an output or input takes no part."""
    pairs = [(o, v) for o, v in zip(outs, vs, strict=True) if o._rg]
    if not pairs:
        return tuple(_zeros(x) for x in xs)
    res = grad(
        [o for o, _ in pairs],
        xs,
        [v for _, v in pairs],
        retain_graph=True,
        create_graph=create_graph,
        allow_unused=True,
    )
    return tuple(_zeros(x) if g is None else g for x, g in zip(xs, res, strict=True))


def _stack(
    rows: list[Tensor], out_shape: tuple[int, ...], in_shape: tuple[int, ...], create_graph: bool
) -> Tensor:
    """Rows (one per output element, each of ``in_shape``) as a tensor of out_shape + in_shape."""
    shape = tuple(out_shape) + tuple(in_shape)
    if not create_graph or not any(r._rg for r in rows):
        data = np.stack([r._data for r in rows]) if rows else np.zeros((0,) + tuple(in_shape))
        return Tensor._make(data.reshape(shape), False, None, 0)
    # Differentiable assembly: place each row with a one-hot mask and add them up.
    total = None
    ones = (1,) * len(out_shape)
    for j, r in enumerate(rows):
        mask = np.zeros(int(np.prod(out_shape, dtype=np.int64)), dtype=r._data.dtype)
        mask[j] = 1
        m = Tensor._make(mask.reshape(tuple(out_shape) + (1,) * len(in_shape)), False, None, 0)
        term = r.reshape(ones + tuple(in_shape)) * m
        total = term if total is None else total + term
    return total


def jacobian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """The Jacobian of ``func`` at ``inputs``; each block has shape ``out.shape + in.shape``."""
    tuple_in, ins = _as_tuple(inputs)
    with enable_grad():
        xs = _prepare(ins, create_graph)
        tuple_out, outs = _as_tuple(func(*xs))
        blocks: list[list[Tensor]] = []
        for i, out in enumerate(outs):
            if strict and not out._rg:
                raise RuntimeError(
                    f"Output {i} of the user-provided function does not require gradients. The "
                    "outputs must be computed in a differentiable manner from the input when "
                    "running in strict mode."
                )
            rows: list[list[Tensor]] = [[] for _ in xs]
            for j in range(out._data.size):
                onehot = np.zeros(out._data.size, dtype=out._data.dtype)
                onehot[j] = 1
                e = Tensor._make(onehot.reshape(out._data.shape), False, None, 0)
                res = (None,) * len(xs)
                if out._rg:
                    res = grad(
                        out, xs, e, retain_graph=True, create_graph=create_graph, allow_unused=True
                    )
                for k, (x, g) in enumerate(zip(xs, res, strict=True)):
                    if g is None:
                        if strict:
                            raise RuntimeError(
                                f"Output {i} of the user-provided function is independent of "
                                f"input {k}. This is not allowed in strict mode."
                            )
                        g = _zeros(x)
                    rows[k].append(g)
            blocks.append(
                [
                    _stack(r, out._data.shape, x._data.shape, create_graph)
                    for r, x in zip(rows, xs, strict=True)
                ]
            )
    if tuple_out:
        return tuple(tuple(b) if tuple_in else b[0] for b in blocks)
    return tuple(blocks[0]) if tuple_in else blocks[0][0]


def hessian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The Hessian of a scalar function: the Jacobian of its gradient."""
    tuple_in, _ = _as_tuple(inputs)

    def gradient(*xs: Tensor) -> Any:
        return jacobian(func, xs if tuple_in else xs[0], create_graph=True, strict=strict)

    return jacobian(gradient, inputs, create_graph=create_graph, strict=strict)


def vjp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(inputs), vᵀ·J)``."""
    tuple_in, ins = _as_tuple(inputs)
    with enable_grad():
        xs = _prepare(ins, create_graph)
        tuple_out, outs = _as_tuple(func(*xs))
        if v is None:
            if len(outs) != 1 or outs[0]._data.size != 1:
                raise RuntimeError(_V_NONE_OUT)
            vs = (Tensor._make(np.ones_like(outs[0]._data), False, None, 0),)
        else:
            vs = _as_tuple(v)[1]
            _check_v(vs, outs)
        gs = _grads(outs, xs, vs, create_graph)
    res_out = tuple(_detach(o, create_graph) for o in outs)
    return (res_out if tuple_out else res_out[0]), (gs if tuple_in else gs[0])


def jvp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(inputs), J·v)``, by differentiating a vjp w.r.t. its (dummy) vector."""
    tuple_in, ins = _as_tuple(inputs)
    if v is None:
        if len(ins) != 1 or ins[0]._data.size != 1:
            raise RuntimeError(_V_NONE_IN)
        vs = (Tensor._make(np.ones_like(ins[0]._data), False, None, 0),)
    else:
        vs = _as_tuple(v)[1]
        _check_v(vs, ins)
    with enable_grad():
        xs = _prepare(ins, create_graph)
        tuple_out, outs = _as_tuple(func(*xs))
        us = tuple(Tensor._make(np.zeros_like(o._data), True, None, 0) for o in outs)
        gs = _grads(outs, xs, us, True)
        jv = _grads(gs, us, vs, create_graph)
    res_out = tuple(_detach(o, create_graph) for o in outs)
    return (res_out if tuple_out else res_out[0]), (jv if tuple_out else jv[0])


def vhp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(inputs), vᵀ·H)`` for a scalar function."""
    return _hessian_product(func, inputs, v, create_graph)


def hvp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(inputs), H·v)``; equal to ``vhp`` because a Hessian is symmetric."""
    return _hessian_product(func, inputs, v, create_graph)


def _hessian_product(
    func: Callable[..., Any], inputs: Any, v: Any, create_graph: bool
) -> tuple[Any, Any]:
    tuple_in, ins = _as_tuple(inputs)
    if v is None:
        if len(ins) != 1 or ins[0]._data.size != 1:
            raise RuntimeError(_V_NONE_IN)
        vs = (Tensor._make(np.ones_like(ins[0]._data), False, None, 0),)
    else:
        vs = _as_tuple(v)[1]
        _check_v(vs, ins)
    with enable_grad():
        xs = _prepare(ins, create_graph)
        out = func(*xs)
        if not isinstance(out, Tensor) or out._data.size != 1:
            raise RuntimeError(
                "The function given to hvp should return a single Tensor containing a single "
                "element."
            )
        one = Tensor._make(np.ones_like(out._data), False, None, 0)
        gs = _grads((out,), xs, (one,), True)
        res = _grads(gs, xs, vs, create_graph)
    return _detach(out, create_graph), (res if tuple_in else res[0])
