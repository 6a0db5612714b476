"""``torch.nn.functional``: the ops layers are made of, as plain functions."""

from visgrad.ops.loss import binary_cross_entropy_with_logits
from visgrad.ops.nn_ops import (
    binary_cross_entropy,
    cross_entropy,
    dropout,
    leaky_relu,
    linear,
    log_softmax,
    mse_loss,
    nll_loss,
    relu,
    sigmoid,
    softmax,
    tanh,
)

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "dropout",
    "leaky_relu",
    "linear",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]
