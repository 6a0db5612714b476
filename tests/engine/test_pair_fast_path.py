"""The recorded fast path of ``a * b``, ``a + b`` and ``a - b`` (``record_pair``) builds the node
``apply`` builds: same output, node class, edges, input meta, saved values and attributes, and
the same gradients, including after an in-place change bumped a saved operand's version."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

import visgrad as torch
from visgrad.ops import base

CASES: dict[str, Callable[[Any, Any], Any]] = {
    "mul": lambda a, b: a * b,
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul number": lambda a, b: a * 1.5,
    "add int": lambda a, b: a + 2,
    "sub number": lambda a, b: a - 0.25,
    "mul broadcast": lambda a, b: a * b[:1],
    "add one grad": lambda a, b: a + b.detach(),
    "number times": lambda a, b: 2.5 * a,
    "number plus": lambda a, b: 3 + a,
    "number minus": lambda a, b: 1.0 - a,
}


@contextmanager
def generic_path() -> Iterator[None]:
    """Force ``apply``: the fast paths step aside while something observes each op."""
    base.OBSERVED.append(object())
    try:
        yield
    finally:
        base.OBSERVED.pop()


def _leaves(dtype: Any) -> tuple[Any, Any]:
    a = torch.tensor([1.5, -2.0, 3.0], dtype=dtype, requires_grad=True)
    b = torch.tensor([0.5, 4.0, -1.0], dtype=dtype, requires_grad=True)
    return a, b


def _graph(r: Any) -> tuple[Any, ...]:
    fn = r.grad_fn
    edges = tuple((type(n).__name__ if n else None, nr) for n, nr in fn.next_functions)
    saved = {k: (v.tolist() if isinstance(v, torch.Tensor) else v) for k, v in fn._saved.items()}
    return (type(fn).__name__, edges, fn.input_meta, saved, dict(fn.attrs), r.dtype, r.shape)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("case", sorted(CASES))
def test_fast_path_records_what_apply_records(case: str, dtype: Any) -> None:
    op = CASES[case]
    a, b = _leaves(dtype)
    fast = op(a, b)
    with generic_path():
        slow = op(a, b)
    assert _graph(fast) == _graph(slow)
    assert np.array_equal(fast.detach().numpy(), slow.detach().numpy())
    fast.sum().backward()
    ga, gb = a.grad.clone(), None if b.grad is None else b.grad.clone()
    a.grad = b.grad = None
    slow.sum().backward()
    assert torch.equal(a.grad, ga)
    assert (b.grad is None) == (gb is None) and (gb is None or torch.equal(b.grad, gb))


def test_saved_operand_changed_in_place_is_caught_on_both_paths() -> None:
    a, b = _leaves(torch.float64)
    x, y = a * 1.0, b * 1.0
    x.add_(1.0)  # version 1 when saved: backward must accept it
    fast = x * y
    with generic_path():
        slow = x * y
    assert fast.grad_fn._versions == slow.grad_fn._versions == {"self": 1}
    fast.sum().backward(retain_graph=True)
    assert a.grad.tolist() == [0.5, 4.0, -1.0]
    y.mul_(2.0)
    for r in (fast, slow):
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            r.sum().backward()


def _ids_after_node(op: Callable[[Any, Any], Any]) -> list[int]:
    a, b = _leaves(torch.float32)  # fresh leaves: their AccumulateGrad nodes are made here
    fn = op(a, b).grad_fn
    return [n.id - fn.id for n, _ in fn.next_functions]


def test_fast_path_ids_follow_apply_order() -> None:
    """The node's id, then each new AccumulateGrad's, as apply numbers them (events show them)."""
    fast = _ids_after_node(CASES["mul"])
    with generic_path():
        slow = _ids_after_node(CASES["mul"])
    assert fast == slow == [1, 2]


def test_bool_alpha_refused_without_grad_too() -> None:
    a = torch.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="^Boolean alpha only supported for Boolean results.$"):
        torch.add(a, a, alpha=True)
    with pytest.raises(RuntimeError, match="^Boolean alpha only supported for Boolean results.$"):
        torch.sub(a, a, alpha=True)


def test_broadcast_error_on_the_recorded_path() -> None:
    a = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match"):
        a * torch.ones(2, requires_grad=True)
