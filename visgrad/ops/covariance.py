"""``cov`` and ``corrcoef``: covariance of the rows of a matrix (each row a variable, each column
an observation), written with the ops PyTorch's composite uses so the graph has its nodes
(``SumBackward1``, ``DivBackward0``, ``MmBackward0``, ``SqueezeBackward0``...), with frequency and
importance weights."""

from __future__ import annotations

import warnings

from visgrad import factories
from visgrad.ops.attention import MulBackward1
from visgrad.ops.base import apply
from visgrad.ops.gate_tables import _C_NAMES
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["corrcoef", "cov"]


def _check_weights(kind: str, w: Tensor, observations: int) -> None:
    x = w._data
    if x.ndim > 1:
        raise RuntimeError(
            f"cov(): expected {kind} to have one or fewer dimensions but got {kind} with "
            f"{x.ndim} dimensions"
        )
    want_float = kind == "aweights"
    if (x.dtype.kind == "f") != want_float:
        name = _C_NAMES.get(x.dtype.name, x.dtype.name)
        what = "floating point" if want_float else "integral"
        raise RuntimeError(
            f"cov(): expected {kind} to have {what} dtype but got {kind} with {name} dtype"
        )
    if x.size != observations:
        raise RuntimeError(
            f"cov(): expected {kind} to have the same numel as there are observations in the "
            f"input but got {x.size} != {observations}"
        )
    if x.size and x.min() < 0:
        raise RuntimeError(f"cov(): {kind} cannot be negative")


@declare("cov")
def cov(
    input: Tensor,  # noqa: A002 - PyTorch's names
    *,
    correction: int = 1,
    fweights: Tensor | None = None,
    aweights: Tensor | None = None,
) -> Tensor:
    """The covariance matrix of ``input``'s rows (a 1-D input is one variable)."""
    nd = input._data.ndim
    if input._data.dtype.kind == "b":
        raise RuntimeError("cov(): bool dtype is not supported for input")
    if nd > 2:
        raise RuntimeError(
            "cov(): expected input to have two or fewer dimensions but got an input with "
            f"{nd} dimensions"
        )
    obs = input.reshape(1, -1) if nd < 2 else input
    n = obs.shape[1]
    w = None
    if fweights is not None:
        _check_weights("fweights", fweights, n)
        w = fweights
    if aweights is not None:
        _check_weights("aweights", aweights, n)
        w = aweights if w is None else w * aweights
    w_sum = factories.tensor(n) if w is None else w.sum()
    avg = (obs if w is None else obs * w).sum(1) / w_sum
    if w is not None and correction != 0 and aweights is not None:
        norm = w_sum - apply(MulBackward1, (w * aweights).sum(), other=correction) / w_sum
    else:
        norm = w_sum - correction
    if bool(norm._data <= 0):
        warnings.warn(
            "cov(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "number of observations.",
            UserWarning,
            stacklevel=2,
        )
        norm = norm * 0
    obs = obs - avg.unsqueeze(1)
    c = obs.mm((obs if w is None else obs * w).t())
    return (c / norm).squeeze()


@declare("corrcoef")
def corrcoef(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """Pearson's correlation coefficients of ``input``'s rows, clipped to [-1, 1]."""
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(
            "corrcoef(): expected input to have two or fewer dimensions but got an input with "
            f"{nd} dimensions"
        )
    c = cov(input)
    if c._data.ndim == 0:
        return c / c
    stddev = c.diagonal().sqrt()
    c = c / stddev.view(-1, 1)
    c = c / stddev.view(1, -1)
    return c.clip(-1, 1)
