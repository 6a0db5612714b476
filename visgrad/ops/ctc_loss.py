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


def _extended(targets: list[np.ndarray], blank: int) -> tuple[np.ndarray, ...]:
    """Every sample's target with blanks around and between its labels, padded with blanks to
    the longest (``valid`` marks the real positions), and where a skip of two is allowed (onto a
    label that differs from the one two back)."""
    size = 2 * max((t.size for t in targets), default=0) + 1
    ext = np.full((len(targets), size), blank, dtype=np.int64)
    valid = np.zeros(ext.shape, dtype=bool)
    for b, t in enumerate(targets):
        ext[b, 1 : 2 * t.size : 2] = t
        valid[b, : 2 * t.size + 1] = True
    skip = np.zeros(ext.shape, dtype=bool)
    skip[:, 2:] = (ext[:, 2:] != ext[:, :-2]) & valid[:, 2:]
    return ext, skip, valid


def _shifted(a: np.ndarray, by: int) -> np.ndarray:
    """``a`` moved ``by`` positions along its last axis (right if positive), -inf let in."""
    out = np.full(a.shape, -np.inf)
    if by > 0:
        out[..., by:] = a[..., :-by]
    else:
        out[..., :by] = a[..., -by:]
    return out


def _alpha(lpe: np.ndarray, skip: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """log α[t, b, s]: the log probability of the alignments of ext[b, :s+1] to frames[:t+1]
    (every sample run to the longest input; each reads its own last frame)."""
    frames, batch, size = lpe.shape
    a = np.full((max(frames, 1), batch, size), -np.inf)
    if frames == 0:
        return a
    a[0, :, 0] = lpe[0, :, 0]
    if size > 1:
        a[0, :, 1] = np.where(valid[:, 1], lpe[0, :, 1], -np.inf)
    for t in range(1, frames):
        prev = a[t - 1]
        two = np.where(skip, _shifted(prev, 2), -np.inf)
        a[t] = np.where(valid, _lse(prev, _shifted(prev, 1), two) + lpe[t], -np.inf)
    return a


def _beta(lpe: np.ndarray, skip: np.ndarray, valid: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """log β[t, b, s]: the log probability of the alignments of ext[b, s:] to frames[t:] of
    sample b's ``ends[b]`` frames (-inf at and past its end)."""
    frames, batch, size = lpe.shape
    last = valid.sum(1) - 1  # the final blank's position, per sample
    rows = np.arange(batch)
    b = np.full((max(frames, 1), batch, size), -np.inf)
    ahead = _shifted(skip.astype(float), -2) > 0  # s + 2 differs from s
    for t in range(frames - 1, -1, -1):
        nxt = b[t + 1] if t + 1 < frames else np.full((batch, size), -np.inf)
        two = np.where(ahead, _shifted(nxt, -2), -np.inf)
        rec = np.where(valid, _lse(nxt, _shifted(nxt, -1), two) + lpe[t], -np.inf)
        start = np.full((batch, size), -np.inf)
        start[rows, last] = lpe[t, rows, last]
        second = last > 0
        start[rows[second], last[second] - 1] = lpe[t, rows[second], last[second] - 1]
        b[t] = np.where((ends - 1 == t)[:, None], start, np.where((t < ends - 1)[:, None], rec,
                                                                   -np.inf))  # fmt: skip
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
        samples = _per_sample(targets._data, target_lengths)
        ext, skip, valid = _extended(samples, blank)
        lpe = x[:, np.arange(x.shape[1])[:, None], ext]  # (T, N, S): each position's label
        a = _alpha(lpe, skip, valid)
        nll = np.array([_nll(a[:, b], f, n) for b, (f, n) in
                        enumerate(zip(input_lengths, target_lengths, strict=True))])  # fmt: skip
        self._paths = (ext, skip, valid, lpe, a)
        self._nll_values = nll
        return nll.astype(lp._data.dtype)

    def _grad(self, g: np.ndarray, nll: np.ndarray) -> np.ndarray:
        x = self.saved("log_probs")._data
        lp = x.astype(np.float64)
        ext, skip, valid, lpe, a = self._paths
        ends = np.asarray(self.saved("input_lengths"), dtype=np.int64)
        ab = a[: lp.shape[0]] + _beta(lpe, skip, valid, ends)
        # log Σ αβ over the positions of each class, per frame and sample: shifted by the
        # frame's largest αβ, summed into the classes with one bincount.
        frames, batch, labels = lp.shape
        ab = np.where(valid, ab, -np.inf)
        m = ab.max(axis=2, keepdims=True)
        m = np.where(m == -np.inf, 0.0, m)
        where = (np.arange(frames * batch).reshape(frames, batch, 1) * labels + ext[None]).ravel()
        sums = np.bincount(where, np.exp(ab - m).ravel(), frames * batch * labels)
        with np.errstate(divide="ignore"):
            lcab = np.log(sums.reshape(lp.shape)) + m
        with np.errstate(over="ignore", invalid="ignore"):
            out = (np.exp(lp) - np.exp(lcab + nll[None, :, None] - lp)) * g[None, :, None]
        out[np.arange(lp.shape[0])[:, None] >= ends[None, :]] = 0  # past each input's end
        if self.saved("zero_infinity"):
            out[:, nll == np.inf] = 0
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
