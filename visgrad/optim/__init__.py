"""``torch.optim``: optimizers that update parameters in place from their ``.grad``."""

from visgrad.optim.adam import Adam
from visgrad.optim.optimizer import Optimizer
from visgrad.optim.sgd import SGD

__all__ = ["SGD", "Adam", "Optimizer"]
