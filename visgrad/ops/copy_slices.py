"""Nodes for in-place writes: ``CopySlices`` (a write through a view), views rebuilt after it, and
the fill/zero/copy nodes that in-place ops record.

An in-place op on a view ``v`` of ``base`` is recorded on ``base``: its grad_fn becomes
``CopySlices``, which wraps the op's own node (run on the written region) and routes the region's
gradient back into the base. ``v`` is re-derived from the new base (``AsStridedBackward0``).
Regions are kept as flat C-order indices into the base, so any NumPy view or index works.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.autograd import errors
from visgrad.autograd.node import Node
from visgrad.autograd.node_call import call_node
from visgrad.ops.base import Op, apply
from visgrad.tensor import Tensor


def region_of(view: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Flat C-order indices into ``base`` of each element of ``view`` (which aliases ``base``)."""
    baddr = _addresses(base).ravel()
    order = np.argsort(baddr, kind="stable")
    pos = np.searchsorted(baddr[order], _addresses(view))
    return order[np.minimum(pos, order.size - 1)]


def _addresses(a: np.ndarray) -> np.ndarray:
    addr = np.full(a.shape, a.__array_interface__["data"][0], dtype=np.int64)
    for k, (n, s) in enumerate(zip(a.shape, a.strides, strict=True)):
        shape = [1] * a.ndim
        shape[k] = n
        addr = addr + (np.arange(n, dtype=np.int64) * s).reshape(shape)
    return addr


class AsStridedBackward0(Op):
    """Gather ``region`` (flat indices) out of a base: how a view is re-derived after a write."""

    op_name = "as_strided"
    formulas = {"self": "scatter grad into zeros(self.shape) at the view's elements"}

    def forward(self, a: Tensor, region: np.ndarray) -> np.ndarray:
        self.save(self_sym_sizes=a._data.shape, region=region)
        return np.ravel(a._data)[region]

    def backward(self, g: Tensor) -> Tensor:
        return scatter(g, self.saved("region"), self.saved("self_sym_sizes"))


class AsStridedScatterBackward0(Op):
    """Scatter-add a region's gradient into zeros of the base's shape."""

    op_name = "as_strided_scatter"
    formulas = {"self": "grad at the view's elements"}

    def forward(self, g: Tensor, region: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        self.save(region=region)
        out = np.zeros(int(np.prod(shape)), dtype=g._data.dtype)
        np.add.at(out, region, g._data)
        return out.reshape(shape)

    def backward(self, g: Tensor) -> Tensor:
        return gather(g, self.saved("region"))


def gather(t: Tensor, region: np.ndarray) -> Tensor:
    return apply(AsStridedBackward0, t, region=region)


def scatter(g: Tensor, region: np.ndarray, shape: tuple[int, ...]) -> Tensor:
    return apply(AsStridedScatterBackward0, g, region=region, shape=tuple(shape))


class CopySlices(Node):
    """grad_fn of a base written through a view (``b[0] = 7``, ``b[:2].mul_(2)``)."""

    name_ = "torch::autograd::CopySlices"
    op_name = "copy_slices"
    input_names = ("self",)
    formulas = {"self": "grad outside the region; op's self-gradient inside it"}

    def __init__(self, region: np.ndarray, shape: tuple[int, ...], inner: Node) -> None:
        super().__init__()
        self.region = region
        self.shape = shape
        self.inner = inner
        self.input_names = ("self",) + tuple(inner.input_names[1:])

    def backward(self, g: Tensor) -> tuple[Tensor | None, ...]:
        inner_grads = call_node(self.inner, [gather(g, self.region)])
        base_grad = None
        if self.next_functions[0][0] is not None:
            keep = np.ones(self.shape, dtype=g._data.dtype)
            keep.reshape(-1)[self.region] = 0
            base_grad = g * Tensor._make(keep, False, None, 0)
            if inner_grads[0] is not None:
                base_grad = base_grad + scatter(inner_grads[0], self.region, self.shape)
        return (base_grad,) + tuple(inner_grads[1:])

    def release(self) -> tuple[str, ...]:
        return self.inner.release()

    def saved_names(self) -> tuple[str, ...]:
        return self.inner.saved_names()


class ZeroBackward0(Op):
    op_name = "zero_"
    formulas = {"self": "zeros_like(grad)"}

    def forward(self, a: Tensor) -> np.ndarray:
        return np.zeros_like(a._data)

    def backward(self, g: Tensor) -> Tensor:
        return Tensor._make(np.zeros_like(g._data), False, None, 0)


class FillBackward2(Op):
    """``fill_(number)``."""

    op_name = "fill_"
    formulas = {"self": "zeros_like(grad)"}

    def forward(self, a: Tensor, value: Any) -> np.ndarray:
        return np.full_like(a._data, value)

    def backward(self, g: Tensor) -> Tensor:
        return Tensor._make(np.zeros_like(g._data), False, None, 0)


class FillBackward3(Op):
    """``fill_(0-d tensor)``."""

    op_name = "fill_"
    input_names = ("self", "value")
    formulas = {"self": "zeros_like(grad)", "value": "grad.sum()"}

    def forward(self, a: Tensor, value: Tensor) -> np.ndarray:
        if value._data.ndim:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value._data.ndim} dimensions."
            )
        return np.full_like(a._data, value._data.item())

    def backward(self, g: Tensor) -> tuple[Tensor, Tensor]:
        return Tensor._make(np.zeros_like(g._data), False, None, 0), g.sum()


def drop_leading_ones(value: np.ndarray, ndim: int) -> np.ndarray:
    """``value`` without the leading size-1 dims it has beyond ``ndim`` (PyTorch's copy does)."""
    lead = 0
    while value.ndim - lead > ndim and value.shape[lead] == 1:
        lead += 1
    return value.reshape(value.shape[lead:]) if lead else value


class CopyBackwards(Op):
    """``copy_(src)`` and the write inside ``x[idx] = src``: src broadcast to self's shape."""

    name_ = "torch::autograd::CopyBackwards"
    op_name = "copy_"
    input_names = ("self", "src")
    formulas = {"self": "zeros_like(grad)", "src": "grad"}

    def forward(self, a: Tensor, src: Tensor, setitem: bool = False) -> np.ndarray:
        x = drop_leading_ones(src._data, a._data.ndim) if setitem else src._data
        try:
            both = np.broadcast_shapes(a._data.shape, x.shape)
        except ValueError:
            raise RuntimeError(errors.broadcast(a._data.shape, x.shape)) from None
        if both != a._data.shape:
            raise RuntimeError(
                f"output with shape {list(a._data.shape)} doesn't match the broadcast shape "
                f"{list(both)}"
            )
        return np.broadcast_to(x, both).astype(a._data.dtype)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor]:
        zeros = Tensor._make(np.zeros_like(g._data), False, None, 0)
        return (zeros if self.needs_input_grad[0] else None), g
