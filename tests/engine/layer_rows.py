"""Gradient-check rows of the layers' ops (weight norm and its norms, ``vdot``, embedding bags,
CTC and more), as ``(fn,
shapes)``; ``test_gradcheck_ops`` makes them rows of its ``OPS`` table (which the formula test
also evaluates from the events)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import visgrad as torch
import visgrad.nn.functional as NF


def _bag(w: Any, p: Any = None, **kw: Any) -> Any:
    idx = torch.tensor([1, 2, 4, 5, 4, 3, 2, 0, 4])
    return NF.embedding_bag(idx, w, torch.tensor([0, 2, 2, 5]), per_sample_weights=p, **kw)


def _bag_twice(w: Any, p: Any) -> Any:
    y = _bag(w, p, mode="sum", padding_idx=3)
    return torch.autograd.grad((y**2).sum(), (w, p), create_graph=True)


# Positions of a 4 x 4 plane, one per 2 x 2 window, as a max pool would give them.
_UNPOOL = torch.tensor([[[[0, 3], [9, 14]], [[5, 2], [12, 15]]]])


def _seeded(fn: Callable[[], Any]) -> Any:
    """``fn()`` after seeding the global stream: every call draws the same slopes."""
    torch.manual_seed(0)
    return fn()


# Rows whose values must be distinct (a tie is a kink of the max).
LAYER_UNIQUE = {
    "embedding_bag_max",
    "max_unpool2d",
    "max_unpool2d_twice",
    "lp_pool2d",
    "max_unpool3d",
}

LAYER_ROWS: dict[str, tuple[Callable[..., Any], tuple[tuple[int, ...], ...]]] = {
    "weight_norm_dim0": (lambda v, g: torch._weight_norm(v, g, 0), ((3, 2, 2), (3, 1, 1))),
    "weight_norm_last": (lambda v, g: torch._weight_norm(v, g, 1), ((3, 2), (1, 2))),
    "weight_norm_middle": (lambda v, g: torch._weight_norm(v, g, 1), ((2, 3, 2), (1, 3, 1))),
    "weight_norm_whole": (lambda v, g: torch._weight_norm(v, g, -1), ((2, 3), ())),
    "weight_norm_twice": (
        lambda v, g: torch.autograd.grad(
            (torch._weight_norm(v, g, 0) ** 2).sum(), (v, g), create_graph=True
        ),
        ((3, 2), (3, 1)),
    ),
    "norm_except_dim": (lambda v: torch.norm_except_dim(v, 2, 1), ((2, 3, 2),)),
    "norm_except_dim_p3": (lambda v: torch.norm_except_dim(v, 3, 0), ((2, 3),)),
    "vdot": (torch.vdot, ((4,), (4,))),
    "embedding_bag_sum": (
        lambda w, p: _bag(w, p, mode="sum", padding_idx=2),
        ((6, 2), (9,)),
    ),
    # scale_grad_by_freq is left out: by design its gradient is not the derivative.
    "embedding_bag_mean": (lambda w: _bag(w, padding_idx=5), ((6, 3),)),
    "embedding_bag_max": (lambda w: _bag(w, mode="max", padding_idx=1), ((6, 2),)),
    "embedding_bag_twice": (_bag_twice, ((6, 2), (9,))),
    "ctc_loss": (
        lambda x: NF.ctc_loss(
            x.log_softmax(2), torch.tensor([[1, 2, 2], [3, 1, 1]]), [5, 4], [3, 2], reduction="sum"
        ),
        ((5, 2, 4),),
    ),
    "ctc_loss_mean_concatenated": (
        lambda x: NF.ctc_loss(x.log_softmax(2), torch.tensor([2, 1, 2]), [4, 3], [2, 1]),
        ((4, 2, 3),),
    ),
    "channel_shuffle": (lambda x: NF.channel_shuffle(x, 2), ((2, 4, 3),)),
    "channel_shuffle_twice": (
        lambda x: torch.autograd.grad((NF.channel_shuffle(x, 3) ** 3).sum(), x, create_graph=True),
        ((1, 6, 2),),
    ),
    "local_response_norm": (lambda x: NF.local_response_norm(x, 3, alpha=0.5), ((2, 4, 3),)),
    "lp_pool2d": (lambda x: NF.lp_pool2d(x, 2, 2, stride=1), ((1, 2, 3, 3),)),
    "max_unpool2d": (lambda x: NF.max_unpool2d(x, _UNPOOL, 2), ((1, 2, 2, 2),)),
    "max_unpool2d_twice": (
        lambda x: torch.autograd.grad(
            (NF.max_unpool2d(x, _UNPOOL, 2) ** 3).sum(), x, create_graph=True
        ),
        ((1, 2, 2, 2),),
    ),
    "max_unpool3d": (
        lambda x: NF.max_unpool3d(x, torch.tensor([[[[[0, 3]], [[13, 6]]]]]), (1, 2, 2)),
        ((1, 1, 2, 1, 2),),
    ),
    "rrelu_eval": (lambda x: NF.rrelu(x - 0.6, 0.1, 0.4), ((2, 3),)),
    "rrelu_train": (lambda x: _seeded(lambda: NF.rrelu(x - 0.6, 0.1, 0.4, True)), ((2, 3),)),
    "rrelu_inplace": (lambda x: _seeded(lambda: NF.rrelu_(x - 0.6, 0.1, 0.4, True)), ((2, 3),)),
}
