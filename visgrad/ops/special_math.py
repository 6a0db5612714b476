"""Special functions: lgamma, digamma, polygamma, logit and i0 (erf, erfc, erfinv and sinc are
in ``special_fns``; the ``torch.special`` names for all of them are in ``visgrad/special.py``).

The values come from SciPy's special functions in float64, rounded once to the tensor's dtype;
PyTorch's CPU kernels (Sleef, Cephes) agree with them to within an ulp or two, which the
``special_math`` fixture checks. Polygamma of order 2 and up is ATen's own formula, its zeta sum
step for step, so its infinities and NaNs (and its C-int order) are PyTorch's too. The gradients are visgrad ops, so ``create_graph`` works:
lgamma's derivative is digamma, digamma's is ``polygamma(1, x)``, polygamma's the next order.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad._scipy import special as sp
from visgrad.arg_parser import type_name
from visgrad.ops import elementwise as E
from visgrad.ops.base import Op, apply
from visgrad.ops.inplace import inplace as run_inplace
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor


def _float_of(x: np.ndarray) -> np.dtype:
    """The result dtype of float math on ``x``: its own if floating, else the default float."""
    return x.dtype if x.dtype.kind == "f" else dtypes.default_float.np


def _in64(fn: Any, x: np.ndarray, *more: Any) -> np.ndarray:
    """``fn`` in float64 on ``x``, rounded once to the float dtype PyTorch gives the result."""
    with np.errstate(all="ignore"):
        r = fn(*more, x.astype(np.float64, copy=False))
    return np.asarray(r).astype(_float_of(x), copy=False)


def _const(x: np.ndarray) -> Tensor:
    return Tensor._make(x, False, None, 0)


def _digamma(x: np.ndarray) -> np.ndarray:
    """ATen's digamma: ±0 gives ∓inf (the sign of the pole's side), negative integers nan."""
    r = sp.digamma(x)
    r = np.where(x == 0, np.copysign(np.inf, -x), r)
    return np.where((x < 0) & (x == np.floor(x)), np.nan, r)


def _trigamma(x: np.ndarray) -> np.ndarray:
    """``polygamma(1, x)`` as ATen computes it: reflection below 1/2 (so a pole at a negative
    integer is the huge finite number ``sin(πx)`` rounding leaves, not inf), six steps of the
    recurrence, then the asymptotic series."""
    low = x < 0.5
    result = np.where(low, -(math.pi**2) / np.sin(math.pi * x) ** 2, 0.0)
    x = np.where(low, 1 - x, x)
    for _ in range(6):
        result = result + 1 / (x * x)
        x = x + 1
    ixx = 1 / (x * x)
    result = result + (1 + 1 / (2 * x) + ixx * (1 / 6 - ixx * (1 / 30 - ixx / 42))) / x
    return np.where(low, -result, result)


_MACHEP = 1.11022302462515654042e-16
_A = (  # (2k)! / B_2k, the Euler-Maclaurin terms' divisors, as Cephes tabulates them
    12.0,
    -720.0,
    30240.0,
    -1209600.0,
    47900160.0,
    -1.8924375803183791606e9,
    7.47242496e10,
    -2.950130727918164224e12,
    1.1646782814350067249e14,
    -4.5979787224074726105e15,
    1.8152105401943546773e17,
    -7.1661652561756670113e18,
)


def _zeta(x: float, q: np.ndarray) -> np.ndarray:
    """ATen's Hurwitz zeta (Cephes' Euler-Maclaurin sum, in double), elementwise over ``q``: nine
    terms at least and on to ``q + n > 9`` (a NaN where ``q`` is infinite), then up to twelve
    Bernoulli terms."""
    q = np.asarray(q, dtype=np.float64)
    if x == 1:
        return np.full(q.shape, np.inf)
    if x < 1:
        return np.full(q.shape, np.nan)
    with np.errstate(all="ignore"):
        pole = (q <= 0) & (q == np.floor(q))
        bad = (q <= 0) & ~pole & (x != math.floor(x))
        out = np.where(pole, np.inf, np.nan)
        active = ~(pole | bad)
        s = np.power(q, -x)
        a = q.copy()
        b = np.zeros(q.shape)
        i = 0
        while True:
            step = active & ((i < 9) | (a <= 9.0))
            if not step.any():
                break
            i += 1
            a = np.where(step, a + 1, a)
            b = np.where(step, np.power(a, -x), b)
            s = np.where(step, s + b, s)
            conv = step & (-_MACHEP * s < b) & (b < _MACHEP * s)
            out = np.where(conv, s, out)
            active &= ~conv
        w = a
        s = s + b * w / (x - 1) - 0.5 * b
        out = np.where(active, s, out)
        aa, k = 1.0, 0.0
        for c in _A:
            if not active.any():
                break
            aa *= x + k
            b = b / w
            t = aa * b / c
            s = s + t
            out = np.where(active, s, out)
            active &= ~(np.abs(t / s) < _MACHEP)
            k += 1
            aa *= x + k
            b = b / w
            k += 1
    return out


def _polygamma_from_zeta(n: int, x: np.ndarray) -> np.ndarray:
    """``polygamma(n, x)`` for n >= 2 as ATen's kernel has it: ``(-1)^(n+1) n! zeta(n+1, x)``
    with n taken as a C int (so 2**62 is 0: ``-zeta(1, x)``, -inf), the factor in x's dtype."""
    m = (n + 2**31) % 2**32 - 2**31
    dt = _float_of(x)
    with np.errstate(all="ignore"):
        factor = (1.0 if math.fmod(m, 2) else -1.0) * np.exp(sp.gammaln(m + 1.0))
        z = _zeta(float(m + 1), x.astype(np.float64, copy=False)).astype(dt)
        return np.asarray(dt.type(factor) * z, dtype=dt)


def _polygamma(n: int, x: np.ndarray) -> np.ndarray:
    if n >= 2:
        return _polygamma_from_zeta(n, x)
    return _in64(_digamma if n == 0 else _trigamma, x)


def _lgamma(x: np.ndarray) -> np.ndarray:
    return np.where(x == -np.inf, np.inf, sp.gammaln(x))  # C's lgamma(-inf) is +inf


# -- the gamma family, the log-odds, Bessel's i0 ------------------------------------------------
class LgammaBackward0(Op):
    op_name = "lgamma"
    formulas = {"self": "grad * digamma(self)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        return _in64(_lgamma, a._data)

    def backward(self, g: Tensor) -> Tensor:
        return g * digamma(self.saved("self"))


class DigammaBackward0(Op):
    op_name = "digamma"
    formulas = {"self": "grad * polygamma(1, self)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        return _in64(_digamma, a._data)

    def backward(self, g: Tensor) -> Tensor:
        return g * polygamma(1, self.saved("self"))


class PolygammaBackward0(Op):
    op_name = "polygamma"
    formulas = {"self": "grad * polygamma(n + 1, self)"}

    def forward(self, a: Tensor, n: int) -> np.ndarray:
        self.save(self=a, n=n)
        return _polygamma(n, a._data)

    def backward(self, g: Tensor) -> Tensor:
        return g * polygamma(self.saved("n") + 1, self.saved("self"))


class PolygammaBackward1(PolygammaBackward0):
    """``x.polygamma_(n)``: PyTorch names the in-place form's node apart."""


class LogitBackward0(Op):
    op_name = "logit"
    # Outside [eps, 1 - eps] the gradient is 0; without eps, outside [0, 1] it is NaN (as in
    # PyTorch's kernel): given(eps, nan) * 0 is 0 with an eps and NaN without.
    formulas = {
        "self": "where((self < given(eps, 0)) + (self > 1 - given(eps, 0)), given(eps, nan) * 0,"
        " grad / (self * (1 - self)))"
    }

    def forward(self, a: Tensor, eps: float | None) -> np.ndarray:
        self.save(self=a, eps=eps)
        x = a._data.astype(np.float64, copy=False)
        if eps is not None:  # PyTorch's clamp: below eps is eps, else above 1 - eps is 1 - eps
            lo, hi = float(eps), 1 - float(eps)
            x = np.where(x < lo, lo, np.where(x > hi, hi, x))
        with np.errstate(all="ignore"):
            return np.log(x / (1 - x)).astype(_float_of(a._data), copy=False)

    def backward(self, g: Tensor) -> Tensor:
        x, eps = self.saved("self"), self.saved("eps")
        r = g / (x * (1 - x))
        lo = 0.0 if eps is None else eps
        out = (x._data < lo) | (x._data > 1 - lo)
        return E.where(_const(out), math.nan if eps is None else 0.0, r)


class I0Backward0(Op):
    op_name = "i0"
    formulas = {"self": "grad * i1(self)"}

    def forward(self, a: Tensor) -> np.ndarray:
        self.save(self=a)
        return _in64(sp.i0, a._data)

    def backward(self, g: Tensor) -> Tensor:
        x = self.saved("self")
        return g * _const(_in64(sp.i1, x._data))


# -- the public functions ------------------------------------------------------------------------
@declare("lgamma", nodes=LgammaBackward0, inplace=True)
def lgamma(a: Tensor) -> Tensor:
    """``log |Γ(x)|``."""
    return apply(LgammaBackward0, a)


@declare("digamma", nodes=DigammaBackward0, inplace=True)
def digamma(a: Tensor) -> Tensor:
    """``d/dx log Γ(x)``."""
    return apply(DigammaBackward0, a)


def _order(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not {type_name(n)}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return int(n)


@declare("polygamma", nodes=PolygammaBackward0, method=False)
def polygamma(n: int, input: Tensor) -> Tensor:  # noqa: A002
    """The ``n``-th derivative of digamma (``polygamma(0, x)`` is ``digamma(x)``)."""
    return apply(PolygammaBackward0, input, n=_order(n))


def polygamma_(input: Tensor, n: int) -> Tensor:  # noqa: A002
    """``x.polygamma_(n)``: the ``n``-th polygamma written into ``x``."""
    return run_inplace(input, PolygammaBackward1, (), {"n": _order(n)}, "polygamma_")


@declare("polygamma", nodes=PolygammaBackward1, torch=False, inplace=polygamma_)
def polygamma_method(input: Tensor, n: int) -> Tensor:  # noqa: A002
    """``x.polygamma(n)``: the argument order of the Tensor method."""
    return polygamma(n, input)


def logit_(input: Tensor, eps: float | None = None) -> Tensor:  # noqa: A002
    """``p.logit_(eps)``: the log-odds written into ``p``."""
    return run_inplace(input, LogitBackward0, (), {"eps": _eps(eps)}, "logit_")


def _eps(eps: Any) -> float | None:
    return None if eps is None or eps < 0 else float(eps)


@declare("logit", nodes=LogitBackward0, inplace=logit_, torch_inplace=True)
def logit(input: Tensor, eps: float | None = None) -> Tensor:  # noqa: A002
    """The log-odds ``log(p / (1 - p))``; with ``eps``, ``p`` is first clamped to [eps, 1-eps]."""
    return apply(LogitBackward0, input, eps=_eps(eps))


@declare("i0", nodes=I0Backward0, inplace=True, torch_inplace=True)
def i0(a: Tensor) -> Tensor:
    """The modified Bessel function of the first kind, order zero."""
    return apply(I0Backward0, a)
