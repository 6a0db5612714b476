"""The dtype errors of the matrix ops whose two operands must share a dtype (PyTorch's matrix
kernels promote nothing), in each kernel's words; the argument gate raises them."""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.ops.gate_tables import _C_NAMES, _CPP_NAMES


def dtype_mismatch(form: str, a: Any, b: Any) -> None:
    """The error of a matrix op whose two tensors' dtypes differ (``SAME_DTYPE``'s form), once
    its own shape errors have had their turn."""
    x, y = a._data, b._data
    if form in ("mm", "mm2d") and not _multipliable(x, y, form == "mm2d"):
        return  # the op's own shape error comes first, as in ATen
    if (form == "dot" and (x.ndim, y.ndim) != (1, 1)) or (
        form == "mv" and (x.ndim, y.ndim) != (2, 1)
    ):
        return
    c = [_C_NAMES.get(d.dtype.name, d.dtype.name) for d in (x, y)]
    if form == "dot":
        raise RuntimeError(
            f"dot : expected both vectors to have same dtype, but found {c[0]} and {c[1]}"
        )
    if form == "mv" or (x.ndim == 2 and y.ndim == 1):
        raise RuntimeError(
            f"addmv input tensors must have the same dtype, but got {c[1]}, {c[0]}, and {c[1]}"
        )
    cpp = [_CPP_NAMES.get(d.dtype.name, d.dtype.name) for d in (x, y)]
    raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {cpp[0]} != {cpp[1]}")


def _multipliable(x: np.ndarray, y: np.ndarray, matrices: bool) -> bool:
    if matrices and (x.ndim != 2 or y.ndim != 2):
        return False
    if not (x.ndim and y.ndim):
        return False
    return x.shape[-1] == (y.shape[-2] if y.ndim > 1 else y.shape[0])
