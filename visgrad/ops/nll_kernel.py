"""The sums of ``nll_loss``'s reduction, added in the order ATen's CPU kernel adds them.

``nll_loss_out_frame`` keeps eight partial sums: sample ``b``'s term goes into the first, and
whenever the low hexadecimal digits of ``b`` are zero it passes each level up to the next (sample
0 goes straight to the top; samples 1-16 pass up together at 16, and so on); ignored samples add
nothing and pass nothing up. At the end the eight are added in order. The weights' total is summed
the same way; without weights it is the count of samples not ignored.
"""

from __future__ import annotations

import numpy as np

from visgrad.ops.sum_cascade import _groups, _seq

_LEVELS = 8
_STEP = 16  # 1 << level_power; level_power is 4 below 2**40 samples


def _all_kept(terms: np.ndarray) -> np.ndarray:
    """The cascade when no sample is ignored, vectorised: a base-16 cascade over samples 1..n-1,
    with sample 0 on the top level."""
    levels = []
    cur = terms[1:]
    for _ in range(_LEVELS - 1):
        if not len(cur):  # the levels above hold 0, and adding 0 changes no sum but -0's sign
            levels.append(terms[0])
            break
        cur, rest = _groups(cur, _STEP)
        levels.append(rest)
    else:
        levels.append(_seq(np.concatenate((terms[:1], cur))))
    total = levels[0]
    for level in levels[1:]:  # NumPy scalars or 0-d arrays: each addition rounds as the kernel's
        total = total + level
    return total + terms.dtype.type(0)


def _with_ignored(terms: np.ndarray, kept: np.ndarray) -> np.ndarray:
    zero = terms.dtype.type(0)
    acc = [zero] * _LEVELS
    for b in np.flatnonzero(kept).tolist():
        acc[0] = acc[0] + terms[b]
        for j in range(_LEVELS - 1):
            if b & ((_STEP - 1) << (4 * j)):
                break
            acc[j + 1] = acc[j + 1] + acc[j]
            acc[j] = zero
    total = zero
    for a in acc:
        total = total + a
    return np.asarray(total)


def cascade_total(terms: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """The kernel's sum of the per-sample ``terms`` (1-D, in batch order) over ``kept`` ones."""
    if terms.size == 0:
        return np.asarray(terms.dtype.type(0))
    if kept.all():
        return np.asarray(_all_kept(terms))
    return _with_ignored(terms, kept)


# x[n, t[n]] (x[t] for one sample) by plain indexing where that is the same pick as
# take_along_axis, and the scatter by plain assignment where it is the same as put_along_axis:
# those are Python-level NumPy functions that cost more than the rest of a small batch's loss.
def _plain(x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray] | np.ndarray | None:
    if x.ndim == 2:
        return np.arange(len(t)), t
    return t if x.ndim == 1 and t.ndim == 0 else None


def take_targets(x: np.ndarray, t: np.ndarray, axis: int) -> np.ndarray:
    """``x``'s element at each sample's target class along ``axis`` (targets ``t``)."""
    pick = _plain(x, t)
    if pick is not None:
        return x[pick]
    return np.squeeze(np.take_along_axis(x, np.expand_dims(t, axis), axis), axis)


def put_targets(out: np.ndarray, t: np.ndarray, values: np.ndarray, axis: int) -> None:
    """Write ``values`` at each sample's target class of ``out`` along ``axis``."""
    pick = _plain(out, t)
    if pick is not None:
        out[pick] = values
    else:
        np.put_along_axis(out, np.expand_dims(t, axis), np.expand_dims(values, axis), axis)
