"""Random functions real programs call: ``gumbel_softmax`` and ``poisson``.

``gumbel_softmax`` is PyTorch's Python composite, step for step, so it draws from the stream as
PyTorch does (``empty_like(logits).exponential_()``, then ``-log``) and records the same graph;
``hard=True`` is the straight-through estimator ``y_hard - y_soft.detach() + y_soft``.
``poisson`` samples each rate in fill order as ATen's ``sample_poisson`` does: Knuth's product of
uniforms below a rate of 10, Hörmann's transformed rejection from 10 on, from double uniforms.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from visgrad import factories
from visgrad.ops.base import Op, apply
from visgrad.ops.gate import user_stacklevel
from visgrad.ops.gate_tables import _C_NAMES
from visgrad.ops.registry import declare
from visgrad.random import get_generator
from visgrad.random.generator import Generator
from visgrad.random.normal import unit53
from visgrad.tensor import Tensor

__all__ = ["gumbel_softmax", "poisson"]


@declare("gumbel_softmax", torch=False, method=False, functional=True)
def gumbel_softmax(
    logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1
) -> Tensor:
    """A sample of the Gumbel-softmax distribution over ``dim`` (one-hot with ``hard``, its
    gradient the soft sample's)."""
    if eps != 1e-10:
        warnings.warn(
            "`eps` parameter is deprecated and has no effect.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    gumbels = -factories.empty_like(logits).exponential_().log()
    gumbels = (logits + gumbels) / tau
    y_soft = gumbels.softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = factories.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


class _Uniforms:
    """Double uniforms in [0, 1), one 64-bit word each, drawn as the sampler asks for them."""

    def __init__(self, gen: Generator) -> None:
        self.gen = gen

    def __call__(self) -> float:
        return float(unit53(self.gen.random64(1))[0])


def _sample(lam: float, uniform: _Uniforms) -> int:
    if lam >= 10:  # transformed rejection (Hörmann 1993)
        slam, loglam = math.sqrt(lam), math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = uniform() - 0.5
            v = uniform()
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + lam + 0.43)
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            left = math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)
            if left <= -lam + k * loglam - math.lgamma(k + 1.0):
                return k
    if lam == 0:
        return 0
    enlam, x, prod = math.exp(-lam), 0, 1.0
    while True:
        prod *= uniform()
        if prod > enlam:
            x += 1
        else:
            return x


class PoissonBackward0(Op):
    op_name = "poisson"
    formulas = {"self": "zeros_like(self)"}

    def forward(self, rates: Tensor, generator: Generator | None) -> np.ndarray:
        x = rates._data
        self.save(self=rates)
        uniform = _Uniforms(get_generator(generator))
        lams = np.ascontiguousarray(x).reshape(-1).astype(np.float64)
        out = np.empty(lams.size, dtype=np.float64)
        for i, lam in enumerate(lams.tolist()):
            if not lam >= 0:
                raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
            out[i] = _sample(lam, uniform)
        return out.astype(x.dtype).reshape(x.shape)

    def backward(self, g: Tensor) -> Tensor:
        return factories.zeros_like(self.saved("self"))


@declare("poisson", nodes=PoissonBackward0, method=False)
def poisson(input: Tensor, generator: Any = None) -> Tensor:  # noqa: A002
    """A Poisson draw at each rate of ``input`` (a float tensor), as floats."""
    if generator is not None and not isinstance(generator, Generator):
        raise TypeError(
            "poisson(): argument 'generator' (position 2) must be torch.Generator, not "
            f"{type(generator).__name__}"
        )
    d = input._data.dtype
    if d.kind != "f":
        raise NotImplementedError(f"\"poisson_cpu\" not implemented for '{_C_NAMES[d.name]}'")
    return apply(PoissonBackward0, input, generator=generator)
