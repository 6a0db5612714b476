"""Helpers shared by the distributions: broadcasting parameters, logits ↔ probabilities."""

from __future__ import annotations

from numbers import Number
from typing import Any

import visgrad as torch
import visgrad.nn.functional as F  # noqa: N812 - PyTorch's alias

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs", "probs_to_logits"]


def broadcast_all(*values: Any) -> tuple[Any, ...]:
    """The values as tensors of one broadcast shape; numbers take the first tensor's dtype."""
    if not all(isinstance(v, (torch.Tensor, Number)) for v in values):
        raise ValueError(
            "Input arguments must all be instances of Number, "
            "torch.Tensor or objects implementing __torch_function__."
        )
    like = next((v for v in values if isinstance(v, torch.Tensor)), None)
    dtype = like.dtype if like is not None else torch.get_default_dtype()
    tensors = [v if isinstance(v, torch.Tensor) else torch.tensor(v, dtype=dtype) for v in values]
    return tuple(torch.broadcast_tensors(*tensors))


def logits_to_probs(logits: Any, is_binary: bool = False) -> Any:
    return torch.sigmoid(logits) if is_binary else F.softmax(logits, dim=-1)


def clamp_probs(probs: Any) -> Any:
    """Probabilities clamped into the open interval (eps, 1 - eps) of their dtype."""
    eps = torch.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Any, is_binary: bool = False) -> Any:
    p = clamp_probs(probs)
    return torch.log(p) - torch.log1p(-p) if is_binary else torch.log(p)


class lazy_property:  # noqa: N801 - used as a decorator, like property
    """A parameter computed from the other one when first read, then kept on the instance.

    It is computed with grad enabled, so that reading it first inside ``sample()`` (which runs
    under no_grad) still gives a parameter that gradients flow through, as in PyTorch.
    """

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        with torch.enable_grad():
            value = self.wrapped(instance)
        instance.__dict__[self.name] = value
        return value
