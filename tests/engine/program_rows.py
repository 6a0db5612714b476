"""Gradient-check rows of the APIs added for real programs (``rms_norm`` and on), as ``(fn,
shapes)``; ``test_gradcheck_ops`` makes them rows of its ``OPS`` table (which the formula test
also evaluates from the events)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import visgrad.nn.functional as NF

PROGRAM_ROWS: dict[str, tuple[Callable[..., Any], tuple[tuple[int, ...], ...]]] = {
    "rms_norm": (lambda x, w: NF.rms_norm(x, (3,), w), ((2, 3), (3,))),
    "rms_norm_two_dims": (lambda x: NF.rms_norm(x, (2, 3), eps=0.1), ((2, 2, 3),)),
}
