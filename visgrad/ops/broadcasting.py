"""``broadcast_tensors`` and ``broadcast_shapes``: the shape NumPy-style broadcasting gives, and
every tensor expanded to it (an ``ExpandBackward0`` view each; a tensor already of that shape is
returned as it is, as in PyTorch).
"""

from __future__ import annotations

from typing import Any

from visgrad.autograd import errors
from visgrad.ops.gate import check_tensors
from visgrad.ops.registry import declare
from visgrad.tensor import Size, Tensor


def _pair(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    n = max(len(a), len(b))
    a2, b2 = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for x, y in zip(a2, b2, strict=True):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(errors.broadcast(a, b))
        out.append(y if x == 1 else x)
    return tuple(out)


def broadcast_shapes(*shapes: Any) -> Size:
    """The shape that tensors of ``shapes`` broadcast to (no tensor is made)."""
    dims = [(int(s),) if isinstance(s, int) else tuple(int(d) for d in s) for s in shapes]
    out = [1] * max((len(d) for d in dims), default=0)  # PyTorch sizes the result first
    for i, shape in enumerate(dims):
        for k in range(1, len(shape) + 1):
            d = shape[-k]
            if out[-k] == 1:
                out[-k] = d
            elif d not in (1, out[-k]):
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {d} at -{k}! Mismatching "
                    f"argument at index {i} had {shape}; but expected shape should be "
                    f"broadcastable to {out}"
                )
    return Size(out)


@declare("broadcast_tensors", method=False)
def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """Every tensor expanded to the shape they broadcast to together."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    tensors = tuple(check_tensors(tensors, 0))
    shape: tuple[int, ...] = ()
    for i, t in enumerate(tensors):
        shape = tuple(t.shape) if i == 0 else _pair(shape, tuple(t.shape))
    return tuple(t if tuple(t.shape) == shape else t.expand(shape) for t in tensors)
