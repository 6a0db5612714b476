"""``torch.linalg.cond``: the condition number, PyTorch's composite op for op.

``p`` of 2 / -2 (the default 2) is the ratio of the largest and smallest singular values (any
shape); 1, -1, inf, -inf and ``'fro'`` multiply the norm of the matrix by the norm of its inverse
(square matrices; a singular one's inverse is filled with inf and ``0 * inf`` becomes inf, as in
NumPy); ``'nuc'`` multiplies the sums of the singular values and of their reciprocals. An empty
input gives zeros.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from visgrad.arg_parser import invalid_combination, is_number
from visgrad.ops.linalg_common import const
from visgrad.ops.linalg_inverse import inv_ex
from visgrad.ops.linalg_norms import matrix_norm
from visgrad.ops.linalg_svd import svdvals
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["cond"]


def _number_text(v: float) -> str:
    """A double as C++'s ``<<`` prints it (``3``, ``2.5``, ``inf``)."""
    return f"{v:g}"


def _square(x: np.ndarray, fname: str) -> None:
    """ATen's squareCheckInputs: batches of square matrices (the dtype is the ops' to check)."""
    if x.ndim < 2:
        raise RuntimeError(f"{fname}: The input tensor A must have at least 2 dimensions.")
    if x.shape[-1] != x.shape[-2]:
        raise RuntimeError(
            f"{fname}: A must be batches of square matrices, but they are {x.shape[-2]} by "
            f"{x.shape[-1]} matrices"
        )


def _empty(x: np.ndarray) -> Tensor:
    zeros = np.zeros(x.shape[:-2], dtype=x.dtype if x.dtype.kind == "f" else np.float32)
    return Tensor._make(zeros, False, None, 0)


def _by_inverse(A: Tensor, p: Any) -> Tensor:  # noqa: N803
    inverse, info = inv_ex(A)
    inverse.masked_fill_(const(info._data[..., None, None] > 0), math.inf)
    with np.errstate(invalid="ignore"):  # 0 * inf: a singular matrix's, fixed just below
        result = matrix_norm(A, p) * matrix_norm(inverse, p)
    return result.nan_to_num_(math.inf, math.inf, -math.inf)


@declare("linalg_cond", torch=False, method=False, linalg=True)
def cond(input: Tensor, p: Any = None) -> Tensor:  # noqa: A002 - PyTorch's names
    """The condition number of each matrix in the ``p`` norm (2 by default)."""
    A = input  # noqa: N806 - the matrix, as the formulas name it
    x = A._data
    if isinstance(p, str):
        _square(x, f"linalg.cond(ord={p})")
        if p not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
        if x.size == 0:
            return _empty(x)
        if p == "nuc":
            s = svdvals(A)
            return s.sum(-1) * s.reciprocal().sum(-1)
        return _by_inverse(A, p)
    if x.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    if p is not None and not is_number(p):
        raise invalid_combination("linalg_cond", (A, p), {})
    order = 2.0 if p is None else float(p.item() if isinstance(p, Tensor) else p)
    if abs(order) not in (1.0, 2.0, math.inf):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {_number_text(order)}")
    if x.size == 0:
        return _empty(x)
    if abs(order) == 2.0:
        s = svdvals(A)
        top, bottom = s.narrow(-1, 0, 1), s.narrow(-1, -1, 1)
        return (bottom / top if order < 0 else top / bottom).squeeze(-1)
    integral = isinstance(p, (int, np.integer)) and not isinstance(p, bool)
    label = str(int(order)) if integral else f"{order:f}"
    _square(x, f"linalg.cond(ord={label})")
    return _by_inverse(A, p)
