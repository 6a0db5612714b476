"""``torch.linalg.matrix_exp`` (``torch.matrix_exp``, ``Tensor.matrix_exp``).

The value is SciPy's scaling-and-squaring Padé ``expm`` in float64, rounded to the input's dtype
(PyTorch's own series agrees to rounding). The gradient is PyTorch's: the upper right block of the
exponential of ``[[A^T, G], [0, A^T]]``, which is itself a ``matrix_exp`` (so it differentiates
again).
"""

from __future__ import annotations

import numpy as np

from visgrad._scipy import linalg as sla
from visgrad.ops.base import Op, apply
from visgrad.ops.join import cat
from visgrad.ops.linalg_common import check_matrix, const
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["matrix_exp"]


def expm(x: np.ndarray) -> np.ndarray:
    """``exp`` of each square matrix of ``x``, in float64."""
    if x.size == 0:
        return np.zeros(x.shape)
    return np.asarray(sla.expm(np.asarray(x, dtype=np.float64)))


class LinalgMatrixExpBackward0(Op):
    op_name = "linalg_matrix_exp"
    formulas = {"self": "matrix_exp_backward(self, grad)"}

    def forward(self, a: Tensor) -> np.ndarray:
        x = a._data
        check_matrix(x, "linalg.matrix_exp")
        self.save(self=a)
        return expm(x).astype(x.dtype, copy=False)

    def backward(self, g: Tensor) -> Tensor:
        at = self.saved("self").mT
        n = at._data.shape[-1]
        zeros = const(np.zeros_like(at._data))
        block = cat([cat([at, g], -1), cat([zeros, at], -1)], -2)
        return apply(LinalgMatrixExpBackward0, block)[..., :n, n:]


@declare("matrix_exp", nodes=LinalgMatrixExpBackward0, linalg=True)
def matrix_exp(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """The exponential ``sum_k A^k / k!`` of each square matrix."""
    return apply(LinalgMatrixExpBackward0, input)
