"""``visgrad.autograd``: the backward engine, grad modes and custom functions."""

from visgrad.autograd.engine import backward, grad
from visgrad.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from visgrad.autograd.node import Node

__all__ = [
    "Node",
    "backward",
    "enable_grad",
    "grad",
    "inference_mode",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]
