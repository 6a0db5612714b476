"""``torch.autograd.Variable``: the pre-0.4 wrapper, now a tensor under another name.

Old tutorials write ``Variable(x, requires_grad=True)``; as in PyTorch this gives a new leaf that
shares ``x``'s data, and ``isinstance(t, Variable)`` holds for every tensor.
"""

from __future__ import annotations

import warnings
from typing import Any

from visgrad.factories import empty
from visgrad.ops.gate import user_stacklevel
from visgrad.tensor import Tensor


class VariableMeta(type):
    def __instancecheck__(cls, other: Any) -> bool:
        return isinstance(other, Tensor)


class Variable(metaclass=VariableMeta):
    """``Variable(data, requires_grad=False)``: a leaf sharing ``data``'s elements."""

    def __new__(  # type: ignore[misc]
        cls, data: Any = None, requires_grad: bool = False, volatile: bool = False
    ) -> Tensor:
        if volatile:
            warnings.warn(
                "volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                stacklevel=user_stacklevel(),
            )
        if data is None:
            return empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return data.detach().requires_grad_(bool(requires_grad))
