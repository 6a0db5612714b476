"""Gradient-check rows of the layers' ops (weight norm and its norms, ``vdot``), as ``(fn,
shapes)``; ``test_gradcheck_ops`` makes them rows of its ``OPS`` table (which the formula test
also evaluates from the events)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import visgrad as torch

LAYER_ROWS: dict[str, tuple[Callable[..., Any], tuple[tuple[int, ...], ...]]] = {
    "weight_norm_dim0": (lambda v, g: torch._weight_norm(v, g, 0), ((3, 2, 2), (3, 1, 1))),
    "weight_norm_last": (lambda v, g: torch._weight_norm(v, g, 1), ((3, 2), (1, 2))),
    "weight_norm_middle": (lambda v, g: torch._weight_norm(v, g, 1), ((2, 3, 2), (1, 3, 1))),
    "weight_norm_whole": (lambda v, g: torch._weight_norm(v, g, -1), ((2, 3), ())),
    "weight_norm_twice": (
        lambda v, g: torch.autograd.grad(
            (torch._weight_norm(v, g, 0) ** 2).sum(), (v, g), create_graph=True
        ),
        ((3, 2), (3, 1)),
    ),
    "norm_except_dim": (lambda v: torch.norm_except_dim(v, 2, 1), ((2, 3, 2),)),
    "norm_except_dim_p3": (lambda v: torch.norm_except_dim(v, 3, 0), ((2, 3),)),
    "vdot": (torch.vdot, ((4,), (4,))),
}
