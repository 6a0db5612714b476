"""The ``torch.`` forms of the margin and Poisson losses: ATen's functions, not the functional ones.

``torch.hinge_embedding_loss(input, target, margin=1.0, reduction=0)`` and its kin take the
reduction as PyTorch's enum (1 mean, 2 sum, any other int none; none by default, as PyTorch's
parser reads the enum's default), know no ``size_average``/``reduce``, and skip the checks that
``torch.nn.functional`` makes in Python (``margin_ranking_loss``'s equal dims, the triplet's
positive margin). ``torch.poisson_nll_loss`` takes every argument. The kernels are shared with
the functional forms (``ops/margin_losses.py``).
"""

from __future__ import annotations

from typing import Any

from visgrad.arg_parser import is_int, type_name
from visgrad.ops.loss import _reduce_t
from visgrad.ops.losses import AddBackward1
from visgrad.ops.margin_losses import (
    SubBackward1,
    cosine_embedding,
    hinge_embedding,
    margin_ranking,
    poisson_nll,
    triplet_margin,
)
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = [
    "aten_cosine_embedding_loss",
    "aten_hinge_embedding_loss",
    "aten_margin_ranking_loss",
    "aten_poisson_nll_loss",
    "aten_triplet_margin_loss",
]


def _code(op: str, reduction: Any) -> int:
    """PyTorch's ``int reduction`` argument: an int (a bool is not one); 1 and 2 reduce."""
    if not is_int(reduction):
        raise TypeError(f"{op}(): argument 'reduction' must be int, not {type_name(reduction)}")
    return int(reduction)


@declare("margin_ranking_loss", nodes=AddBackward1, method=False)
def aten_margin_ranking_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: Any = 0
) -> Tensor:
    """``max(0, -target · (input1 − input2) + margin)``, the tensors broadcast together."""
    code = _code("margin_ranking_loss", reduction)
    return _reduce_t(margin_ranking(input1, input2, target, margin), code)


@declare("hinge_embedding_loss", method=False)
def aten_hinge_embedding_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    margin: float = 1.0,
    reduction: Any = 0,
) -> Tensor:
    """``input`` where the target is 1, ``max(0, margin − input)`` where it is −1."""
    code = _code("hinge_embedding_loss", reduction)
    return _reduce_t(hinge_embedding(input, target, margin), code)


@declare("cosine_embedding_loss", nodes=SubBackward1, method=False)
def aten_cosine_embedding_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: Any = 0
) -> Tensor:
    """``1 − cos(input1, input2)`` where the target is 1, ``max(0, cos − margin)`` where −1."""
    code = _code("cosine_embedding_loss", reduction)
    return _reduce_t(cosine_embedding(input1, input2, target, margin), code)


@declare("poisson_nll_loss", nodes=AddBackward1, method=False)
def aten_poisson_nll_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    log_input: bool,
    full: bool,
    eps: float,
    reduction: Any,
) -> Tensor:
    """Poisson negative log-likelihood of ``target`` given the (log-)rate ``input``."""
    code = _code("poisson_nll_loss", reduction)
    return _reduce_t(poisson_nll(input, target, log_input, full, eps), code)


@declare("triplet_margin_loss", nodes=AddBackward1, method=False)
def aten_triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-06,
    swap: bool = False,
    reduction: Any = 0,
) -> Tensor:
    """``max(0, margin + d(anchor, positive) − d(anchor, negative))``, any margin."""
    code = _code("triplet_margin_loss", reduction)
    return _reduce_t(triplet_margin(anchor, positive, negative, margin, p, eps, swap), code)
