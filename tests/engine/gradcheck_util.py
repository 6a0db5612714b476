"""Float64 central-difference gradient checks for the op table tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import visgrad as torch
from visgrad import Tensor
from visgrad.autograd.node import Node
from visgrad.ops.base import Op
from visgrad.ops.copy_slices import CopySlices


def _first(out: Any) -> Tensor:
    return out[0] if isinstance(out, (tuple, list)) else out


def numerical_jacobian(
    fn: Callable[..., Any], inputs: Sequence[Tensor], i: int, eps: float = 1e-6
) -> np.ndarray:
    """d out / d inputs[i] by central differences, shape (out.numel(), inputs[i].numel())."""
    x = inputs[i]._data
    flat = x.reshape(-1)  # a view: perturbing it perturbs the input in place
    cols = []
    # Not under no_grad: ``fn`` may itself call autograd.grad (checks of second derivatives).
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + eps
        plus = np.array(_first(fn(*inputs))._data, dtype=np.float64).reshape(-1)
        flat[k] = old - eps
        minus = np.array(_first(fn(*inputs))._data, dtype=np.float64).reshape(-1)
        flat[k] = old
        cols.append((plus - minus) / (2 * eps))
    out_size = _first(fn(*inputs))._data.size
    return np.stack(cols, axis=1) if cols else np.zeros((out_size, 0))


def check_grad(
    fn: Callable[..., Any],
    *inputs: Tensor,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> None:
    """Assert that backward's vector-Jacobian products match finite differences.

    Two random cotangents ``v`` are tried; for each, ``autograd.grad(out, inputs, v)`` must equal
    ``v @ J`` where ``J`` is the numerical Jacobian of every input that requires grad.
    """
    wanted = [i for i, t in enumerate(inputs) if t.requires_grad]
    assert wanted, "check_grad needs at least one input with requires_grad=True"
    for t in inputs:
        if t.requires_grad:
            assert t.dtype == torch.float64, "gradient checks run in float64"
    jac = {i: numerical_jacobian(fn, inputs, i) for i in wanted}
    rng = np.random.default_rng(seed)
    for _ in range(2):
        out = _first(fn(*inputs))
        v = rng.standard_normal(out._data.shape)
        grads = torch.autograd.grad(
            out, [inputs[i] for i in wanted], torch.tensor(v), allow_unused=True
        )
        for i, g in zip(wanted, grads, strict=True):
            expected = v.reshape(-1) @ jac[i]
            got = np.zeros(inputs[i]._data.size) if g is None else g._data.reshape(-1)
            assert g is None or g.shape == inputs[i].shape, (g.shape, inputs[i].shape)
            np.testing.assert_allclose(
                got, expected, atol=atol, rtol=rtol, err_msg=f"gradient of input {i}"
            )


def node_classes() -> list[type]:
    """Every subclass of Node, at any depth."""
    out, todo = [], [Node]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            out.append(sub)
    return out


def differentiable_nodes() -> list[type]:
    """Every node class an op can record (bool-valued ops and the base classes excluded)."""
    return sorted(
        {
            c
            for c in node_classes()
            if (issubclass(c, Op) and c.differentiable and c.formulas) or c is CopySlices
        },
        key=lambda c: c.__name__,
    )


def recorded_nodes(fn: Callable[..., Any], *inputs: Tensor) -> set[type]:
    """Node classes in the graph ``fn`` records, and in the graph of its gradient."""
    out = fn(*inputs)
    outs = [o for o in (out if isinstance(out, (tuple, list)) else [out]) if o.requires_grad]
    seen = _walk(outs)
    total = sum((o.sum() for o in outs), torch.tensor(0.0, dtype=torch.float64))
    grads = torch.autograd.grad(total, list(inputs), create_graph=True, allow_unused=True)
    return seen | _walk([g for g in grads if g is not None and g.requires_grad])


def _walk(outs: list[Tensor]) -> set[type]:
    seen: set[type] = set()
    todo = [o.grad_fn for o in outs]
    done: set[int] = set()
    while todo:
        n = todo.pop()
        if n is None or id(n) in done:
            continue
        done.add(id(n))
        seen.add(type(n))
        todo.extend(f for f, _ in n.next_functions)
    return seen
