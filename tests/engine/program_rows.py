"""Gradient-check rows of the APIs added for real programs (``rms_norm`` and on), as ``(fn,
shapes)``; ``test_gradcheck_ops`` makes them rows of its ``OPS`` table (which the formula test
also evaluates from the events)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import visgrad as torch
import visgrad.nn.functional as NF

_COORDS = torch.tensor([0.0, 0.4, 1.5, 1.9], dtype=torch.float64)


def _cols() -> Any:
    """Weights that tell a transposed gradient from the untransposed one (made in the row, so
    the formula test's events see them)."""
    return torch.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=torch.float64)


_SAMPLE = ((1, 2, 3, 4), (1, 2, 3, 2))
_ALONG = torch.tensor([[2, 0], [1, 1], [0, -1]])


def _seeded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` after seeding the global stream: every evaluation draws the same noise."""

    def call(*args: Any) -> Any:
        torch.manual_seed(0)
        return fn(*args)

    return call


def _split(x: Any, how: Any, dim: int = 0) -> Any:
    """Each piece weighted differently, so a piece's gradient going to another's place shows."""
    return sum((p * (i + 1)).sum() for i, p in enumerate(torch.tensor_split(x, how, dim)))


PROGRAM_ROWS: dict[str, tuple[Callable[..., Any], tuple[tuple[int, ...], ...]]] = {
    "rms_norm": (lambda x, w: NF.rms_norm(x, (3,), w), ((2, 3), (3,))),
    "rms_norm_two_dims": (lambda x: NF.rms_norm(x, (2, 3), eps=0.1), ((2, 2, 3),)),
    "take_along_dim": (lambda x: torch.take_along_dim(x, _ALONG, 1), ((3, 3),)),
    "take_along_dim_flat": (lambda x: torch.take_along_dim(x, _ALONG + 1), ((2, 3),)),
    "take_along_dim_broadcast": (lambda x: x.take_along_dim(_ALONG[:1], 0), ((3, 2),)),
    "tensor_split_sections": (lambda x: _split(x, 3), ((5, 2),)),
    "tensor_split_indices": (lambda x: _split(x, [1, -1], 1), ((2, 4),)),
    "gumbel_softmax": (_seeded(lambda x: NF.gumbel_softmax(x, tau=0.7)), ((2, 4),)),
    "poisson": (_seeded(lambda x: torch.poisson(x * 5 + 20) * x), ((2, 3),)),
    "gradient": (lambda x: torch.gradient(x), ((3, 4),)),
    "gradient_edge2": (lambda x: torch.gradient(x, spacing=0.5, dim=1, edge_order=2), ((2, 4),)),
    "gradient_coordinates": (
        lambda x: torch.gradient(x, spacing=[_COORDS], dim=0, edge_order=2),
        ((4, 2),),
    ),
    "t_": (lambda x: (x * 1).t_() * _cols(), ((2, 2),)),
    "squeeze_": (lambda x: (x * 1).squeeze_() * _cols(), ((2, 1, 2),)),
    "squeeze_dim": (lambda x: (x * 1).squeeze_(1).exp(), ((2, 1, 2),)),
    "squeeze_dims": (lambda x: (x * 1).squeeze_((0, 2)).exp(), ((1, 3, 1),)),
    "affine_grid": (lambda t: NF.affine_grid(t, (2, 1, 3, 4), align_corners=False), ((2, 2, 3),)),
    "affine_grid_3d": (
        lambda t: NF.affine_grid(t, (1, 1, 2, 2, 3), align_corners=True),
        ((1, 3, 4),),
    ),
    "grid_sample": (lambda x, g: NF.grid_sample(x, g * 0.45, align_corners=False), _SAMPLE),
    "grid_sample_border": (
        lambda x, g: NF.grid_sample(x, g * 0.6, padding_mode="border", align_corners=True),
        _SAMPLE,
    ),
    "grid_sample_reflection": (
        lambda x, g: NF.grid_sample(x, g * 0.7, padding_mode="reflection", align_corners=False),
        _SAMPLE,
    ),
    "grid_sample_nearest": (
        lambda x, g: NF.grid_sample(x, g * 0.45, mode="nearest", align_corners=False),
        _SAMPLE,
    ),
    "grid_sample_bicubic": (
        lambda x, g: NF.grid_sample(x, g * 0.5, mode="bicubic", align_corners=False),
        _SAMPLE,
    ),
    "grid_sample_bicubic_reflection": (
        lambda x, g: NF.grid_sample(
            x, g * 0.8, mode="bicubic", padding_mode="reflection", align_corners=True
        ),
        _SAMPLE,
    ),
    "grid_sample_3d": (
        lambda x, g: NF.grid_sample(x, g * 0.4, align_corners=False),
        ((1, 2, 2, 3, 2), (1, 2, 1, 2, 3)),
    ),
    "householder_product": (lambda a, t: torch.linalg.householder_product(a, t), ((4, 3), (3,))),
    "householder_product_batched": (lambda a, t: torch.orgqr(a, t * 0.5), ((2, 3, 2), (2, 2))),
}
