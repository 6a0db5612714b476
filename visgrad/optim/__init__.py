"""``torch.optim``: optimizers that update parameters in place from their ``.grad``."""

from visgrad.optim import lr_scheduler
from visgrad.optim.adam import Adam, AdamW
from visgrad.optim.adam_variants import Adamax, NAdam, RAdam
from visgrad.optim.adaptive import Adadelta, Adagrad, RMSprop
from visgrad.optim.lbfgs import LBFGS
from visgrad.optim.optimizer import Optimizer
from visgrad.optim.rprop_asgd import ASGD, Rprop
from visgrad.optim.sgd import SGD

__all__ = [
    "ASGD",
    "LBFGS",
    "NAdam",
    "RAdam",
    "Rprop",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "Adamax",
    "AdamW",
    "Optimizer",
    "RMSprop",
    "lr_scheduler",
]
