"""Tuples of a vector's elements and its powers: ``combinations``, ``vander`` and
``linalg.vander``, each PyTorch's composite op for op (so the graphs have its nodes).

``combinations`` is ``meshgrid`` of ``r`` copies, masked to the index tuples in increasing
order (non-decreasing, ``with_replacement``), stacked; ``vander`` fills a new matrix in place
(ones, then the vector, then a running product) and flips it unless ``increasing``;
``linalg.vander`` is the running product of the expanded vector after a column of ones.
"""

from __future__ import annotations

import numpy as np

from visgrad import dtypes, factories
from visgrad.ops.arrange import meshgrid
from visgrad.ops.join import cat, stack
from visgrad.ops.linalg_common import const
from visgrad.ops.linalg_common import type_name as scalar_name
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["combinations", "linalg_vander", "vander"]


def _ordered_mask(n: int, r: int, with_replacement: bool) -> np.ndarray:
    """``mask[i_0, ..., i_{r-1}]``: the indices increase (or never decrease) left to right."""
    factories.check_size((n,) * r, 1)
    grids = np.meshgrid(*([np.arange(n)] * r), indexing="ij")
    mask = np.ones((n,) * r, dtype=bool)
    for left, right in zip(grids, grids[1:], strict=False):
        mask &= (left <= right) if with_replacement else (left < right)
    return mask


@declare("combinations", method=False)
def combinations(
    input: Tensor,  # noqa: A002 - PyTorch's name
    r: int = 2,
    with_replacement: bool = False,
) -> Tensor:
    """The length-``r`` combinations of ``input``'s elements, one per row, in order."""
    x = input._data
    if x.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(x.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return factories.empty(0, dtype=input.dtype)
    mask = const(_ordered_mask(x.shape[0], r, with_replacement))
    grids = meshgrid(*([input] * r), indexing="ij")
    return stack([g.masked_select(mask) for g in grids], 1)


@declare("vander", method=False)
def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:  # noqa: N803
    """The Vandermonde matrix of ``x``: columns ``x ** (N - 1)``, ..., ``x``, 1 (reversed when
    ``increasing``); integer inputs give int64."""
    a = x._data
    if a.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = a.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dt = a.dtype if a.dtype.kind in "fc" else np.dtype(np.int64)  # PyTorch's promotion
    factories.check_size((a.shape[0], n), dt.itemsize)
    out = factories.empty(a.shape[0], n, dtype=dtypes.from_numpy(dt))
    if n > 0:
        out.select(1, 0).fill_(1)
        if n > 1:
            out.narrow(1, 1, n - 1).copy_(x.unsqueeze(1))
            powers = out.narrow(1, 1, n - 1)
            powers.copy_(powers.cumprod(1))
    return out if increasing else out.flip(1)


@declare("linalg_vander", torch=False, method=False, linalg=True)
def linalg_vander(x: Tensor, *, N: int | None = None) -> Tensor:  # noqa: N803
    """The Vandermonde matrix of the last dim of ``x``, in increasing powers ``1, x, ...,
    x ** (N - 1)``."""
    a = x._data
    if a.dtype == np.bool_:
        raise RuntimeError(
            "linalg.vander supports floating point, complex, and integer tensors, but got "
            f"{scalar_name(a.dtype)}"
        )
    n = (a.shape[-1] if a.ndim else 0) if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    shape = a.shape + (n - 1,)
    powers = x.unsqueeze(-1).expand(shape).cumprod(-1)
    ones = factories.ones(a.shape + (1,), dtype=powers.dtype)
    return cat([ones, powers], -1)
