"""``torch.distributions``: the distributions programs sample actions and noise from
(Categorical for policy gradients, Normal for VAEs and Gaussian policies, Bernoulli), with
PyTorch's random streams, log-probabilities, entropies, reprs and validation errors.
"""

from __future__ import annotations

from visgrad.distributions import constraints
from visgrad.distributions.bernoulli import Bernoulli
from visgrad.distributions.categorical import Categorical
from visgrad.distributions.distribution import Distribution
from visgrad.distributions.normal import Normal

__all__ = ["Bernoulli", "Categorical", "Distribution", "Normal", "constraints"]
