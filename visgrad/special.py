"""``torch.special``: the special functions under PyTorch's names for them.

Each is the ``torch`` namespace's own function (``special.psi`` is ``torch.digamma``,
``special.expit`` is ``torch.sigmoid``, ``special.gammaln`` is ``torch.lgamma``), so values,
``grad_fn`` names and errors are the same whichever name a program calls.
"""

from __future__ import annotations

from typing import Any

import visgrad as _torch
from visgrad.ops.base import apply as _apply
from visgrad.ops.extra import RoundBackward1 as _RoundBackward1

digamma = psi = _torch.digamma
polygamma = _torch.polygamma
gammaln = _torch.lgamma
erf = _torch.erf
erfc = _torch.erfc
expit = _torch.sigmoid
logit = _torch.logit
sinc = _torch.sinc
i0 = _torch.i0
xlogy = _torch.xlogy
expm1 = _torch.expm1
exp2 = _torch.exp2
log1p = _torch.log1p
softmax = _torch.softmax
log_softmax = _torch.log_softmax
logsumexp = _torch.logsumexp
multigammaln = _torch.mvlgamma


def round(input: Any, *, decimals: int = 0) -> Any:  # noqa: A001, A002 - PyTorch's names
    """``torch.special.round``: always the ``decimals`` form (RoundBackward1), as in PyTorch."""
    return _apply(_RoundBackward1, input, decimals=int(decimals))


__all__ = [
    "digamma",
    "erf",
    "erfc",
    "exp2",
    "expit",
    "expm1",
    "gammaln",
    "i0",
    "log1p",
    "log_softmax",
    "logit",
    "logsumexp",
    "multigammaln",
    "polygamma",
    "psi",
    "round",
    "sinc",
    "softmax",
    "xlogy",
]
