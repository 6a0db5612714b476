"""``kl_div``: PyTorch's two forms, which differ in their arguments and defaults.

``torch.kl_div(input, target, reduction=0, *, log_target=False)`` takes the reduction as
PyTorch's enum (0 none, 1 mean, 2 sum; any other int reduces nothing) and reduces nothing by
default. ``torch.nn.functional.kl_div`` takes it by name (``'batchmean'`` too), honours the
deprecated ``size_average``/``reduce``, and calls the first. Both are composites, as in PyTorch.
"""

from __future__ import annotations

import warnings
from typing import Any

from visgrad.ops.base import wrap
from visgrad.ops.gate import is_int, user_stacklevel
from visgrad.ops.loss import legacy_reduction, reduction_code
from visgrad.ops.losses import xlogy
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["kl_div", "kl_div_functional"]


@declare("kl_div", method=False)
def kl_div(
    input: Tensor,  # noqa: A002
    target: Tensor,
    reduction: Any = 0,
    *,
    log_target: bool = False,
) -> Tensor:
    """KL divergence of log-probabilities ``input`` from ``target`` (log-probabilities too with
    ``log_target``), reduced by PyTorch's enum: 1 is the mean, 2 the sum, others none."""
    if not is_int(reduction):
        name = "Tensor" if isinstance(reduction, Tensor) else type(reduction).__name__
        raise TypeError(f"kl_div(): argument 'reduction' must be int, not {name}")
    target = wrap(target, input)
    if input._data.dtype.kind in "biu" or target._data.dtype.kind in "biu":
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = xlogy(target, target) - target * input
    code = int(reduction)
    return loss.mean() if code == 1 else loss.sum() if code == 2 else loss


@declare("kl_div", torch=False, method=False, functional=True)
def kl_div_functional(
    input: Tensor,  # noqa: A002
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """``torch.kl_div`` with the reduction by name: ``'batchmean'`` divides the sum by the batch
    size (the mathematical KL); ``'mean'`` (the default) divides by every element, with
    PyTorch's warning that it will change."""
    if size_average is not None or reduce is not None:
        code = reduction_code(legacy_reduction(size_average, reduce, reduction))
    else:
        if reduction == "mean":
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the support "
                "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
                "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
                "major release.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        code = 2 if reduction == "batchmean" else reduction_code(reduction)
    reduced = kl_div(input, target, code, log_target=log_target)
    if reduction == "batchmean" and input._data.ndim != 0:
        return reduced / input._data.shape[0]
    return reduced
