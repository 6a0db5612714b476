"""addmm's argument checks, in ATen's order and words (``AddmmBackward0`` runs them for
``addmm`` and for the biased ``linear``)."""

from __future__ import annotations

import numpy as np

from visgrad.ops.gate_tables import _C_NAMES
from visgrad.ops.shape import expanded_shape


def check_addmm(b: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
    """addmm's checks of self ``b``, mat1 ``x`` and mat2 ``y`` in ATen's order: the matrices'
    dims, the dtypes (self with mat2, then mat1 with mat2), the shapes, then self expanded to the
    product's shape."""
    if x.ndim != 2 or y.ndim != 2:
        raise RuntimeError(
            f"mat1 must be a matrix, got {x.ndim}-D tensor"
            if x.ndim != 2
            else f"mat2 must be a matrix, got {y.ndim}-D tensor"
        )
    for name, t in (("self", b), ("mat1", x)):
        if t.dtype != y.dtype:
            c = [_C_NAMES.get(d.dtype.name, d.dtype.name) for d in (t, y)]
            raise RuntimeError(
                f"{name} and mat2 must have the same dtype, but got {c[0]} and {c[1]}"
            )
    if x.shape[1] != y.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({x.shape[0]}x{x.shape[1]} and "
            f"{y.shape[0]}x{y.shape[1]})"
        )
    expanded_shape(b, (x.shape[0], y.shape[1]))
