"""Gradient-check rows of the math names added for real programs (``fmax``, ``copysign``, ...), as
``(fn, shapes[, elements])``; ``test_gradcheck_ops`` makes them rows of its ``OPS`` table (which
the formula test also evaluates from the events)."""

from __future__ import annotations

from typing import Any

import hypothesis.strategies as st

import visgrad as torch

POS = st.floats(0.3, 3.0)

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
}
