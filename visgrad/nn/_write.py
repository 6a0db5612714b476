"""Writing new values into a tensor in place, outside autograd, as an ``InplaceUpdate`` event.

Initialisers, ``load_state_dict`` and ``zero_grad`` change tensors the way ``torch.no_grad()``
code does: the data changes, the version counter moves on, and the debugger is told.
"""

from __future__ import annotations

from typing import Any

from visgrad import events
from visgrad.ops.inplace import publish_update, write_  # noqa: F401 - nn's writers use it


def zero_grads(params: Any, set_to_none: bool = True) -> None:
    """``.grad = None`` (the default) or fill the existing ``.grad`` with zeros, per parameter."""
    for p in params:
        g = p._grad
        if g is None:
            continue
        if set_to_none:
            p.grad = None  # the setter publishes GradReset(how="none")
            continue
        # PyTorch detaches a grad that has history before zeroing it in place.
        g._fn = None
        g._rg = False
        g._data.fill(0)
        g._version.value += 1
        if events.SINKS:
            # An InplaceUpdate of the grad, and GradReset(how="zero") for its leaf.
            publish_update(g, "zero_")
