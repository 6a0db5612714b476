"""``torch.optim``: optimizers that update parameters in place from their ``.grad``."""

from visgrad.optim import lr_scheduler
from visgrad.optim.adam import Adam, AdamW
from visgrad.optim.adaptive import Adadelta, Adagrad, RMSprop
from visgrad.optim.lbfgs import LBFGS
from visgrad.optim.optimizer import Optimizer
from visgrad.optim.sgd import SGD

__all__ = [
    "LBFGS",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Optimizer",
    "RMSprop",
    "lr_scheduler",
]
