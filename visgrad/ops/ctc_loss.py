"""``F.ctc_loss`` / ``torch.ctc_loss``: the connectionist temporal classification loss.

The loss of each sample is minus the log of the probability, summed over every alignment of its
target to its ``input_length`` frames (blanks between and around the labels, repeats merged), by
the forward (alpha) recursion in log space; ``CtcLossBackward0`` sends what PyTorch's kernel
sends, ``exp(lp) − exp(log(αβ) + nll − lp)`` per frame and class (the derivative through the
``log_softmax`` the inputs are meant to come from) and zero past each input length. As in
PyTorch, that backward cannot be differentiated again (``create_graph`` records a node that
raises), ``zero_infinity`` zeroes infinite losses (``WhereBackward0``) and their gradients, and
``'mean'`` divides each loss by its target length before averaging.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import events
from visgrad.autograd.grad_mode import MODES
from visgrad.ops import elementwise as E
from visgrad.ops.base import Op, apply
from visgrad.ops.gate_tables import c_name
from visgrad.ops.loss import reduction_code
from visgrad.ops.no_derivative import _NoDerivative
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["ctc_loss"]

_WHERE = "(while checking arguments for ctc_loss_allocate_outputs)"


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


def _lse(*terms: np.ndarray) -> np.ndarray:
    """``log(Σ exp(term))`` as PyTorch's kernel takes it: shifted by the largest (0 if -inf)."""
    m = np.maximum.reduce(terms)
    m = np.where(m == -np.inf, 0.0, m)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(sum(np.exp(t - m) for t in terms)) + m


def _extended(target: np.ndarray, blank: int) -> tuple[np.ndarray, np.ndarray]:
    """The target with blanks around and between its labels, and where a skip of two is allowed
    (onto a label that differs from the one two back)."""
    ext = np.full(2 * target.size + 1, blank, dtype=np.int64)
    ext[1::2] = target
    skip = np.zeros(ext.size, dtype=bool)
    skip[2:] = ext[2:] != ext[:-2]
    return ext, skip


def _alpha(lp: np.ndarray, ext: np.ndarray, skip: np.ndarray, frames: int) -> np.ndarray:
    """log α[t, s]: the log probability of the alignments of ext[:s+1] to frames[:t+1]."""
    a = np.full((max(frames, 1), ext.size), -np.inf)
    if frames == 0:
        return a
    a[0, 0] = lp[0, ext[0]]
    if ext.size > 1:
        a[0, 1] = lp[0, ext[1]]
    none = np.full(1, -np.inf)
    for t in range(1, frames):
        prev = a[t - 1]
        one = np.concatenate([none, prev[:-1]])
        two = np.where(skip, np.concatenate([none, none, prev[:-2]])[: ext.size], -np.inf)
        a[t] = _lse(prev, one, two) + lp[t, ext]
    return a


def _beta(lp: np.ndarray, ext: np.ndarray, skip: np.ndarray, frames: int) -> np.ndarray:
    """log β[t, s]: the log probability of the alignments of ext[s:] to frames[t:]."""
    b = np.full((max(frames, 1), ext.size), -np.inf)
    if frames == 0:
        return b
    b[frames - 1, -1] = lp[frames - 1, ext[-1]]
    if ext.size > 1:
        b[frames - 1, -2] = lp[frames - 1, ext[-2]]
    none = np.full(1, -np.inf)
    ahead = np.concatenate([skip[2:], [False, False]])  # s + 2 differs from s
    for t in range(frames - 2, -1, -1):
        nxt = b[t + 1]
        one = np.concatenate([nxt[1:], none])
        two = np.where(ahead, np.concatenate([nxt[2:], none, none])[: ext.size], -np.inf)
        b[t] = _lse(nxt, one, two) + lp[t, ext]
    return b


def _nll(a: np.ndarray, frames: int, length: int) -> float:
    if length == 0:
        return -float(a[frames - 1, 0]) if frames else -0.0
    if frames == 0:
        return np.inf
    return -float(_lse(a[frames - 1, 2 * length : 2 * length + 1],
                       a[frames - 1, 2 * length - 1 : 2 * length])[0])  # fmt: skip


class CtcLossBackward0(Op):
    op_name = "_ctc_loss"
    input_names = ("log_probs",)
    formulas = {
        "log_probs": (
            "ctc_loss_backward(grad, log_probs, targets, input_lengths, target_lengths, result, "
            "blank, zero_infinity)"
        )
    }

    def forward(
        self,
        lp: Tensor,
        targets: Tensor,
        input_lengths: tuple[int, ...],
        target_lengths: tuple[int, ...],
        blank: int,
        zero_infinity: bool,
    ) -> np.ndarray:
        self.save(log_probs=lp, targets=targets, input_lengths=input_lengths,
                  target_lengths=target_lengths, blank=blank, zero_infinity=zero_infinity)  # fmt: skip
        x = lp._data.astype(np.float64)
        self._paths = []
        nll = np.empty(x.shape[1])
        samples = _per_sample(targets._data, target_lengths)
        for b, (frames, target) in enumerate(zip(input_lengths, samples, strict=True)):
            ext, skip = _extended(target, blank)
            a = _alpha(x[:, b], ext, skip, frames)
            nll[b] = _nll(a, frames, target.size)
            self._paths.append((ext, skip, a))
        self._nll_values = nll
        return nll.astype(lp._data.dtype)

    def _grad(self, g: np.ndarray, nll: np.ndarray) -> np.ndarray:
        x = self.saved("log_probs")._data
        lp = x.astype(np.float64)
        out = np.zeros_like(lp)
        for b, frames in enumerate(self.saved("input_lengths")):
            if self.saved("zero_infinity") and nll[b] == np.inf:
                continue
            ext, skip, a = self._paths[b]
            if frames == 0:
                continue
            beta = _beta(lp[:, b], ext, skip, frames)
            ab = a[:frames] + beta
            lcab = np.full((frames, lp.shape[2]), -np.inf)
            for c in np.unique(ext):
                cols = ab[:, ext == c]
                lcab[:, c] = _lse(*cols.T) if cols.shape[1] > 1 else cols[:, 0]
            sample = lp[:frames, b]
            with np.errstate(over="ignore", invalid="ignore"):
                out[:frames, b] = (np.exp(sample) - np.exp(lcab + nll[b] - sample)) * g[b]
        return out.astype(x.dtype)

    def backward(self, g: Tensor) -> Tensor:
        nll = self._nll_values
        grad = self._grad(g._data.astype(np.float64), nll)
        if MODES.enabled:  # create_graph: PyTorch records a node that cannot be differentiated
            return apply(CtcLossBackwardNotImplemented, g, self.saved("log_probs"), grad=grad)
        return _const(grad)


class CtcLossBackwardNotImplemented(_NoDerivative):
    """``_ctc_loss_backward``: PyTorch has no derivative for it."""

    op_name = aten = "_ctc_loss_backward"
    name_ = "torch::autograd::NotImplemented"
    input_names = ("grad", "log_probs")

    def forward(self, g: Tensor, lp: Tensor, grad: np.ndarray) -> np.ndarray:
        return grad


CtcLossBackwardNotImplemented.__name__ = "NotImplemented"


def _per_sample(targets: np.ndarray, lengths: tuple[int, ...]) -> list[np.ndarray]:
    if targets.ndim == 1:
        ends = np.cumsum(lengths)
        return [targets[e - n : e] for e, n in zip(ends, lengths, strict=True)]
    return [targets[b, :n] for b, n in enumerate(lengths)]


def _lengths(v: Any, what: str) -> tuple[int, ...]:
    if isinstance(v, Tensor):
        if v._data.dtype.kind not in "iu":
            raise RuntimeError(f"{what} must be integral")
        return tuple(int(n) for n in v._data.reshape(-1))
    return tuple(int(n) for n in v)


def _check(lp: np.ndarray, tg: np.ndarray, il: tuple[int, ...], tl: tuple[int, ...],
           blank: int) -> None:  # fmt: skip
    if lp.ndim != 3:
        raise RuntimeError(
            f"Expected 3-dimensional tensor, but got {lp.ndim}-dimensional tensor for argument "
            f"#1 'log_probs' {_WHERE}"
        )
    if not 1 <= tg.ndim <= 2:
        raise RuntimeError(
            f"Expected 1 to 2 dimensions, but got {tg.ndim}-dimensional tensor for argument #2 "
            f"'targets' {_WHERE}"
        )
    frames, batch, labels = lp.shape
    if not 0 <= blank < labels:
        raise RuntimeError("blank must be in label range")
    if len(il) != batch:
        raise RuntimeError("input_lengths must be of size batch_size")
    if len(tl) != batch:
        raise RuntimeError("target_lengths must be of size batch_size")
    for n in tl:
        if n < 0:
            raise RuntimeError(
                f"Expected target_lengths to have value at least 0, but got value {n} {_WHERE}"
            )
    want = sum(tl) if tg.ndim == 1 else batch
    if tg.shape[0] != want:
        raise RuntimeError(
            f"Expected tensor to have size {want} at dimension 0, but got size {tg.shape[0]} for "
            f"argument #2 'targets' {_WHERE}"
        )
    longest = max(tl, default=0)
    if tg.ndim == 2 and tg.shape[1] < longest:
        raise RuntimeError(
            f"Expected tensor to have size at least {longest} at dimension 1, but got size "
            f"{tg.shape[1]} for argument #2 'targets' {_WHERE}"
        )
    for n in il:
        if n < 0:
            raise RuntimeError(
                f"Expected input_lengths to have value at least 0, but got value {n} {_WHERE}"
            )
        if n > frames:
            raise RuntimeError(
                f"Expected input_lengths to have value at most {frames}, but got value {n} {_WHERE}"
            )
    used = np.concatenate([t.reshape(-1) for t in _per_sample(tg, tl)] or [np.zeros(0)])
    if used.size and (used.min() < 0 or used.max() >= labels):
        bad = used[(used < 0) | (used >= labels)][0]
        raise RuntimeError(f"ctc_loss: target {bad} is not a class of the {labels} labels")


@declare("ctc_loss", nodes=(CtcLossBackward0, CtcLossBackwardNotImplemented), method=False,
         functional=True)  # fmt: skip
def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """The CTC loss of log-probabilities ``(T, N, C)`` (or ``(T, C)``) against the targets."""
    code = reduction_code(reduction) if isinstance(reduction, str) else int(reduction)
    if isinstance(input_lengths, Tensor) != isinstance(target_lengths, Tensor):
        raise TypeError(
            "ctc_loss() received an invalid combination of arguments - got (Tensor, Tensor, "
            f"{_kind(input_lengths)}, {_kind(target_lengths)}, int, int, bool), but expected one of:"
        )
    for lengths in (input_lengths, target_lengths):
        if not isinstance(lengths, Tensor) and not (
            isinstance(lengths, (list, tuple)) and all(_is_int(n) for n in lengths)
        ):
            raise TypeError(
                "ctc_loss() received an invalid combination of arguments - got (Tensor, Tensor, "
                f"{_kind(input_lengths)}, {_kind(target_lengths)}, int, int, bool), but expected "
                "one of:"
            )
    il = _lengths(input_lengths, "input_lengths")
    tl = _lengths(target_lengths, "target_lengths")
    if log_probs._data.dtype.kind != "f":
        raise NotImplementedError(
            f"\"ctc_loss_cpu\" not implemented for '{c_name(log_probs._data.dtype)}'"
        )
    batched = log_probs.dim() == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    tg = targets._data.astype(np.int64)
    _check(lp._data, tg, il, tl, int(blank))
    res = apply(CtcLossBackward0, lp, targets=_const(tg), input_lengths=il, target_lengths=tl,
                blank=int(blank), zero_infinity=bool(zero_infinity))  # fmt: skip
    if zero_infinity:
        zero = _const(np.zeros((), dtype=res._data.dtype))
        res = E.where(_const(res._data == np.inf), zero, res)
    if code == 1:
        lengths = _const(np.maximum(np.asarray(tl, dtype=res._data.dtype), 1))
        if events.SINKS:
            lengths._announce("tensor")  # PyTorch makes this tensor of the target lengths too
        return (res / lengths).mean()
    if code == 2:
        return res.sum()
    return res if batched else res.squeeze(0)


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _kind(v: Any) -> str:
    return "Tensor" if isinstance(v, Tensor) else type(v).__name__
