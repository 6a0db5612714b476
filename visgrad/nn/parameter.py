"""``nn.Parameter``: a leaf tensor that a Module registers as one of its weights."""

from __future__ import annotations

import numpy as np

from visgrad import events
from visgrad.tensor import Tensor


class Parameter(Tensor):
    """A leaf Tensor that requires grad by default and prints as ``Parameter containing:``."""

    __slots__ = ()

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        if data is None:
            arr = np.empty((0,), dtype=np.float32)
            counter = None
        elif isinstance(data, Tensor):
            # Like PyTorch, the parameter shares the tensor's storage (a detached alias).
            arr, counter = data._data, data._version
        else:
            raise TypeError(
                f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}"
            )
        self._init(arr, False, None, 0)
        if counter is not None:
            self._version = counter
        self._is_param = True
        if requires_grad:
            self.requires_grad_(True, _creating=True)
        if events.SINKS:
            self._announce("parameter")

    def __deepcopy__(self, memo: dict) -> Parameter:
        p = Parameter.__new__(Parameter)
        p._init(self._data.copy(), self._rg, None, 0)
        p._is_param = True
        if self._grad is not None:
            p._grad = Tensor._make(self._grad._data.copy(), False, None, 0)
            p._grad._grad_of = p
        memo[id(self)] = p
        return p
