"""``gradcheck`` / ``gradgradcheck``: analytical gradients against central finite differences.

Jacobian blocks are laid out as PyTorch prints them: one row per input element, one column per
output element (shape ``(input.numel(), output.numel())``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from visgrad.autograd.engine import grad
from visgrad.autograd.grad_mode import enable_grad
from visgrad.tensor import Tensor


class GradcheckError(RuntimeError):
    """The analytical and numerical Jacobians differ."""


def _outputs(func: Callable[..., Any], inputs: tuple[Any, ...]) -> tuple[Tensor, ...]:
    out = func(*inputs)
    outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
    return tuple(o for o in outs if isinstance(o, Tensor) and o._data.dtype.kind == "f")


def _numerical(
    func: Callable[..., Any], inputs: tuple[Any, ...], k: int, eps: float
) -> list[np.ndarray]:
    """d(output i)/d(input k) by central differences, one array per output."""
    x = inputs[k]._data
    cols: list[list[np.ndarray]] = []
    for j in range(x.size):
        orig = x.flat[j]
        # Grad mode stays on: gradgradcheck's function itself calls autograd.grad.
        with enable_grad():
            x.flat[j] = orig + eps
            plus = [o._data.astype(x.dtype).ravel().copy() for o in _outputs(func, inputs)]
            x.flat[j] = orig - eps
            minus = [o._data.astype(x.dtype).ravel().copy() for o in _outputs(func, inputs)]
        x.flat[j] = orig
        cols.append([(p - m) / (2 * eps) for p, m in zip(plus, minus, strict=True)])
    n_out = len(cols[0]) if cols else len(_outputs(func, inputs))
    return [np.array([c[i] for c in cols], dtype=x.dtype).reshape(x.size, -1) for i in range(n_out)]


def _analytical(
    func: Callable[..., Any], inputs: tuple[Any, ...], diff: list[int]
) -> list[list[np.ndarray]]:
    """``[output][input position in diff]`` Jacobian blocks from backward passes."""
    with enable_grad():
        outs = _outputs(func, inputs)
        blocks = [
            [np.zeros((inputs[k]._data.size, o._data.size), inputs[k]._data.dtype) for k in diff]
            for o in outs
        ]
        xs = tuple(inputs[k] for k in diff)
        for i, o in enumerate(outs):
            if not o._rg:
                continue
            for j in range(o._data.size):
                onehot = np.zeros(o._data.size, dtype=o._data.dtype)
                onehot[j] = 1
                e = Tensor._make(onehot.reshape(o._data.shape), False, None, 0)
                gs = grad(o, xs, e, retain_graph=True, allow_unused=True)
                for p, g in enumerate(gs):
                    if g is not None:
                        blocks[i][p][:, j] = g._data.ravel()
    return blocks


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: bool | None = None,
) -> bool:
    """True when backward agrees with finite differences; else raise (or return False)."""
    ins = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    diff = [k for k, t in enumerate(ins) if isinstance(t, Tensor) and t._rg]
    if not diff:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of them "
            "have requires_grad=True."
        )
    for k in diff:
        if ins[k]._data.dtype != np.float64:
            warnings.warn(
                f"Input #{k} requires gradient and is not a double precision floating point or "
                "complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ",
                UserWarning,
                stacklevel=2,
            )
    analytical = _analytical(func, ins, diff)
    for p, k in enumerate(diff):
        numerical = _numerical(func, ins, k, eps)
        for i, num in enumerate(numerical):
            ana = analytical[i][p]
            if np.allclose(ana, num, rtol=rtol, atol=atol):
                continue
            if not raise_exception:
                return False
            raise GradcheckError(
                f"Jacobian mismatch for output {i} with respect to input {k},\n"
                f"numerical:{Tensor._make(num, False, None, 0)!r}\n"
                f"analytical:{Tensor._make(ana, False, None, 0)!r}\n"
            )
    return True


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    """``gradcheck`` of the gradient itself (second derivatives), via ``create_graph=True``."""
    ins = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    if grad_outputs is None:
        # Fixed random vectors: the check must not depend on a lucky choice of all-ones.
        rng = np.random.default_rng(0)
        with enable_grad():
            outs = _outputs(func, ins)
        gos = tuple(
            Tensor._make(rng.standard_normal(o._data.shape).astype(o._data.dtype), True, None, 0)
            for o in outs
        )
    else:
        gos = tuple(grad_outputs) if isinstance(grad_outputs, (tuple, list)) else (grad_outputs,)
    n = len(ins)

    def first_grads(*args: Any) -> tuple[Tensor, ...]:
        xs = args[:n]
        outs = _outputs(func, xs)
        diff_x = tuple(x for x in xs if isinstance(x, Tensor) and x._rg)
        pairs = [(o, g) for o, g in zip(outs, args[n:], strict=True) if o._rg]
        gs = grad(
            [o for o, _ in pairs],
            diff_x,
            [g for _, g in pairs],
            create_graph=True,
            allow_unused=True,
        )
        return tuple(g for g in gs if g is not None)

    return gradcheck(
        first_grads, ins + gos, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception
    )
