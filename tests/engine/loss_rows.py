"""Gradient-check rows of the margin, embedding and likelihood losses, as ``(fn, shapes)``;
``test_gradcheck_ops`` makes them rows of its ``OPS`` table (which the formula test also
evaluates from the events). Targets are constants; margins sit off the 0.1 grid the values are
drawn on, so no clamp is evaluated at its kink."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import visgrad as torch
import visgrad.nn.functional as NF

F64 = torch.float64


# The targets are made on each call: the formula test reads their values from the recorded events.
def signs() -> Any:
    return torch.tensor([[1.0, -1.0, 1.0], [-1.0, 1.0, -1.0]], dtype=F64)


def labels() -> Any:
    return torch.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]], dtype=F64)


def counts() -> Any:
    return torch.tensor([[0.0, 1.0, 3.0], [2.0, 5.0, 0.5]], dtype=F64)


def classes() -> Any:
    return torch.tensor([0, 2])


def class_lists() -> Any:
    return torch.tensor([[2, 0, -1], [1, -1, 0]])


def _second(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The gradient of ``fn(x).sum()`` with ``create_graph``: checks the backward's own graph."""
    return lambda a: torch.autograd.grad(fn(a).sum(), a, create_graph=True)[0]


def _cosine_distance(u: Any, w: Any) -> Any:
    return 1.0 - NF.cosine_similarity(u, w)


LOSS_ROWS: dict[str, tuple[Any, ...]] = {
    "margin_ranking_loss": (
        lambda a, b: NF.margin_ranking_loss(a, b, signs()[0], margin=0.35),
        ((3,), (3,)),
    ),
    "hinge_embedding_loss": (lambda a: NF.hinge_embedding_loss(a, signs(), 0.55), ((2, 3),)),
    "soft_margin_loss": (lambda a: NF.soft_margin_loss(a, signs()), ((2, 3),)),
    "soft_margin_loss_twice": (
        _second(lambda a: NF.soft_margin_loss(a, signs(), reduction="none")),
        ((2, 3),),
    ),
    "cosine_embedding_loss": (
        lambda a, b: NF.cosine_embedding_loss(a, b, signs()[:, 0], margin=-0.25, reduction="none"),
        ((2, 3), (2, 3)),
    ),
    "poisson_nll_loss": (lambda a: NF.poisson_nll_loss(a, counts()), ((2, 3),)),
    "poisson_nll_loss_rate_full": (
        lambda a: NF.poisson_nll_loss(a.abs(), counts(), log_input=False, full=True),
        ((2, 3),),
    ),
    "gaussian_nll_loss": (
        lambda a, b, v: NF.gaussian_nll_loss(a, b, v.abs() + 0.2, full=True),
        ((2, 3), (2, 3), (2, 3)),
    ),
    "gaussian_nll_loss_short_var": (
        lambda a, b, v: NF.gaussian_nll_loss(a, b, v.abs() + 0.2, reduction="sum"),
        ((2, 3), (2, 3), (2,)),
    ),
    "triplet_margin_loss": (
        lambda a, p, n: NF.triplet_margin_loss(a, p + 0.05, n + 0.53, margin=2.05, swap=True),
        ((2, 3), (2, 3), (2, 3)),
    ),
    "triplet_margin_loss_p1": (
        lambda a, p, n: NF.triplet_margin_loss(a, p + 0.05, n + 0.03, p=1, reduction="sum"),
        ((2, 3), (2, 3), (2, 3)),
    ),
    "triplet_margin_with_distance_loss": (
        lambda a, p, n: NF.triplet_margin_with_distance_loss(
            a, p + 0.05, n + 0.53, distance_function=_cosine_distance, margin=1.05, reduction="none"
        ),
        ((2, 3), (2, 3), (2, 3)),
    ),
    # The torch. forms (ATen's: the reduction as an int, broadcasting where the functional
    # forms check dims, any triplet margin).
    "torch.margin_ranking_loss": (
        lambda a, b: torch.margin_ranking_loss(a, b, signs(), 0.35, 1),
        ((3,), (2, 3)),
    ),
    "torch.hinge_embedding_loss": (
        lambda a: torch.hinge_embedding_loss(a, signs(), 0.55),
        ((2, 3),),
    ),
    "torch.cosine_embedding_loss": (
        lambda a, b: torch.cosine_embedding_loss(a, b, signs()[:, 0], -0.25, 2),
        ((2, 3), (2, 3)),
    ),
    "torch.poisson_nll_loss": (
        lambda a: torch.poisson_nll_loss(a.abs(), counts(), False, True, 1e-8, 1),
        ((2, 3),),
    ),
    "torch.triplet_margin_loss": (
        lambda a, p, n: torch.triplet_margin_loss(a, p + 0.05, n + 0.53, -0.45, 2, 1e-6, True),
        ((2, 3), (2, 3), (2, 3)),
    ),
    "multilabel_soft_margin_loss": (
        lambda a: NF.multilabel_soft_margin_loss(
            a, labels(), weight=torch.tensor([0.5, 1.0, 2.0], dtype=F64)
        ),
        ((2, 3),),
    ),
    "multi_margin_loss": (lambda a: NF.multi_margin_loss(a, classes(), margin=0.35), ((2, 3),)),
    "multi_margin_loss_p2_weight": (
        lambda a: NF.multi_margin_loss(
            a, classes(), p=2, margin=0.45, weight=torch.tensor([0.5, 1.0, 2.0], dtype=F64),
            reduction="none",
        ),
        ((2, 3),),
    ),
    "multi_margin_loss_p2_twice": (
        _second(lambda a: NF.multi_margin_loss(a, classes(), p=2, margin=0.45, reduction="sum")),
        ((2, 3),),
    ),
    "multi_margin_loss_vector": (
        lambda a: NF.multi_margin_loss(a, torch.tensor(1), margin=0.35), ((4,),)
    ),
    # Scaled off the grid: 1 − x[y] + x[k] never lands on the hinge's kink.
    "multilabel_margin_loss": (
        lambda a: NF.multilabel_margin_loss(a * 1.03, class_lists()), ((2, 3),)
    ),
    "multilabel_margin_loss_none": (
        lambda a: NF.multilabel_margin_loss(a * 1.03, class_lists(), reduction="none"), ((2, 3),)
    ),
}  # fmt: skip
