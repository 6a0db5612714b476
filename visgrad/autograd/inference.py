"""Which tensors are inference tensors (``Tensor.is_inference()``), without a flag per tensor.

PyTorch marks every tensor made inside ``inference_mode()`` (views of normal tensors excepted).
Stamping a flag in every op result would cost the hot path a store; instead, since tensor ids
rise monotonically, each stretch of inference mode is remembered as the span of ids made in it,
and a tensor is an inference tensor when its id (or its view base's) falls in one. A
``detach()`` of an inference tensor is one too, and is remembered by itself.

Limitation: ids are shared by all threads, so a tensor another thread makes while this one is in
inference mode counts as an inference tensor.
"""

from __future__ import annotations

import bisect
import itertools
import math
import threading
from typing import Any

# Every tensor's id; kept here so the spans can read the counter without importing Tensor.
TENSOR_IDS = itertools.count(1)

_starts: list[int] = []  # first id past which a span begins, rising
_ends: list[float] = []  # the id that closed it; inf while it is open
_detached: set[int] = set()  # ids of tensors detached from inference tensors


class _Inference(threading.local):
    def __init__(self) -> None:
        self.enabled = False
        self.span = -1  # index of this thread's open span


STATE = _Inference()


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()`` (and not inside a nested ``inference_mode(False)``)."""
    return STATE.enabled


def set_enabled(enabled: bool) -> None:
    """Enter or leave inference mode in this thread, opening or closing its span of ids."""
    if enabled == STATE.enabled:
        return
    STATE.enabled = enabled
    if enabled:
        _starts.append(next(TENSOR_IDS))
        _ends.append(math.inf)
        STATE.span = len(_starts) - 1
        return
    end, i = next(TENSOR_IDS), STATE.span
    if i == len(_starts) - 1 and end == _starts[i] + 1:  # no tensor made: forget the span
        del _starts[i], _ends[i]
    else:
        _ends[i] = end


def has_spans() -> bool:
    """Whether any tensor can be an inference tensor (false until inference mode is used)."""
    return bool(_starts or _detached)


def note_detach(source: Any, t: Any) -> None:
    """``t = source.detach()``: a detach of an inference tensor is one too."""
    if (_starts or _detached) and is_inference(source):
        _detached.add(t._id)


def is_inference(t: Any) -> bool:
    """PyTorch's ``Tensor.is_inference()``."""
    while t._base is not None:
        t = t._base
    if t._id in _detached:
        return True
    i = bisect.bisect_left(_starts, t._id) - 1
    return i >= 0 and t._id < _ends[i]
