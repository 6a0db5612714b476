"""Gradient-check rows of the math names added for real programs (``fmax``, ``copysign``, ...), as
``(fn, shapes[, elements])``; ``test_gradcheck_ops`` makes them rows of its ``OPS`` table (which
the formula test also evaluates from the events)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import hypothesis.strategies as st

import visgrad as torch

POS = st.floats(0.3, 3.0)
# Extremes have kinks at ties: distinct, well-spread values.
DISTINCT = st.sampled_from([i / 3 + 0.05 for i in range(-12, 12)])


def _second(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The gradient of ``fn(x).sum()`` with ``create_graph``: checks the backward's own graph."""
    return lambda a: torch.autograd.grad(fn(a).sum(), a, create_graph=True)[0]


MORE_MATH_ROWS: dict[str, tuple[Any, ...]] = {
    # ``b + 0.05`` keeps the operands off each other: a tie is fmax's kink.
    "fmax": (lambda a, b: torch.fmax(a, b + 0.05), ((2, 3), (3,))),
    "fmin": (lambda a, b: a.fmin(b + 0.05), ((2, 3), (2, 1))),
    "copysign": (torch.copysign, ((2, 3), (3,))),
    "copysign_number": (lambda a: a.copysign(-1.5), ((2, 3),)),
    "copysign_inplace": (lambda a, b: (a * 1).copysign_(b), ((2, 3), (2, 3))),
    "nextafter": (torch.nextafter, ((2, 3), (3,))),
    "float_power": (lambda a: torch.float_power(a, 3), ((2, 3),)),
    "float_power_tensor": (torch.float_power, ((2, 3), (3,)), POS),
    "float_power_base": (lambda a: torch.float_power(1.5, a), ((3,),)),
    "addcmul": (lambda a, b, c: torch.addcmul(a, b, c, value=0.5), ((2, 3), (3,), (2, 1))),
    "addcdiv": (lambda a, b, c: torch.addcdiv(a, b, c, value=2), ((2, 3), (3,), (2, 1)), POS),
    "dist": (torch.dist, ((2, 3), (3,))),
    "dist_p1": (lambda a, b: torch.dist(a, b + 0.05, 1), ((2, 3), (2, 3))),
    "dist_p3": (lambda a, b: a.dist(b, 3), ((2, 3), (2, 3))),
    "dist_inf": (lambda a, b: torch.dist(a, b * 0.37, float("inf")), ((4,), (4,)), DISTINCT),
    "aminmax": (lambda a: sum(torch.aminmax(a)), ((2, 3),), DISTINCT),
    "aminmax_dim": (lambda a: torch.aminmax(a, dim=1, keepdim=True)[1], ((2, 3),), DISTINCT),
    "aminmax_both": (
        lambda a: (lambda r: r.min * 2 + r.max)(a.aminmax(dim=0)),
        ((3, 2),),
        DISTINCT,
    ),
    "take": (lambda a: torch.take(a, torch.tensor([[0, 1], [-1, 0]])), ((2, 3),)),
    "take_second": (_second(lambda a: a.take(torch.tensor([2, 2])) ** 2), ((3,),)),
    "msort": (torch.msort, ((3, 2),), DISTINCT),
    "inner": (torch.inner, ((2, 3), (4, 3))),
    "inner_scalar": (lambda a, b: torch.inner(a.sum(), b), ((2,), (3,))),
    "diagflat": (lambda a: torch.diagflat(a, -1), ((2, 2),)),
    "chain_matmul": (torch.chain_matmul, ((2, 3), (3, 4), (4, 2))),
    "chain_matmul_one": (torch.chain_matmul, ((2, 3),)),
    "remainder_number": (lambda a: a % 2.5, ((2, 3),)),
    "put": (lambda a, b: torch.put(a, torch.tensor([0, 4, -1]), b), ((2, 3), (3,))),
    "put_accumulate": (
        lambda a, b: a.put(torch.tensor([1, 1]), b, accumulate=True),
        ((2, 3), (2,)),
    ),
    "put_second": (_second(lambda a: torch.put(a, torch.tensor([1]), a[:1] ** 2)), ((3,),)),
    "mvlgamma": (lambda a: torch.mvlgamma(a + 2, 3), ((2, 3),), POS),
    "renorm": (lambda a: torch.renorm(a, 2, 0, 1.0), ((3, 2),)),
    "renorm_p3": (lambda a: a.renorm(3, 1, 0.8), ((2, 3),)),
    "renorm_p1": (lambda a: torch.renorm(a, 1, -1, 1.5), ((2, 2, 3),)),
    "remainder_inplace": (lambda a, b: (a * 1).remainder_(b.abs() + 3.3), ((2, 3), (2, 3))),
}

# Rows whose values must be distinct (``test_gradcheck_ops`` draws them unique).
MORE_UNIQUE = frozenset(name for name, row in MORE_MATH_ROWS.items() if DISTINCT in row[2:])
