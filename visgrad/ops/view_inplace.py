"""In-place view ops: ``t_``, ``transpose_``, ``swapdims_``/``swapaxes_``, ``squeeze_``,
``unsqueeze_``.

They change the tensor's own shape and strides, not its values: the tensor's array becomes a
view of the same buffer with the new geometry (so the views it shares a buffer with keep theirs),
its version counter is bumped, and where it requires grad it is rebased onto the op's in-place
node (``TBackward1``, ``TransposeBackward1``, ``SqueezeBackward3/4/5``, ``UnsqueezeBackward1``),
as in PyTorch. A leaf that requires grad, or a view of one, refuses them in grad mode.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import events
from visgrad.autograd.grad_mode import MODES
from visgrad.ops.base import Op
from visgrad.ops.inplace import _check_leaf, _record, _rederive_views, publish_update
from visgrad.ops.registry import declare
from visgrad.ops.shape import SqueezeBackward4
from visgrad.tensor import Tensor, _dim

__all__ = ["squeeze_", "swapaxes_", "t_", "transpose_", "unsqueeze_"]


class TBackward1(Op):
    op_name = "t_"
    formulas = {"self": "grad.t()"}

    def forward(self, a: Tensor) -> np.ndarray:
        return a._data.T

    def backward(self, g: Tensor) -> Tensor:
        return g.t()


class TransposeBackward1(Op):
    op_name = "transpose_"
    formulas = {"self": "grad.transpose(dim0, dim1)"}

    def forward(self, a: Tensor, dim0: int, dim1: int) -> np.ndarray:
        self.save(dim0=dim0, dim1=dim1)
        return np.swapaxes(a._data, dim0, dim1)

    def backward(self, g: Tensor) -> Tensor:
        return g.transpose(self.saved("dim0"), self.saved("dim1"))


class UnsqueezeBackward1(Op):
    op_name = "unsqueeze_"
    formulas = {"self": "grad.squeeze(dim)"}

    def forward(self, a: Tensor, dim: int) -> np.ndarray:
        self.save(dim=dim)
        return np.expand_dims(a._data, dim)

    def backward(self, g: Tensor) -> Tensor:
        return g.squeeze(self.saved("dim"))


class SqueezeBackward3(Op):
    """``squeeze_()``: every size-1 dim."""

    op_name = "squeeze_"
    formulas = {"self": "grad.reshape(self.shape)"}

    def forward(self, a: Tensor, dims: tuple[int, ...] | None = None) -> np.ndarray:
        x = a._data
        self.save(self_sym_sizes=x.shape)
        if dims is not None:
            self.save(dim=dims)
        drop = tuple(i for i, s in enumerate(x.shape) if s == 1 and (dims is None or i in dims))
        return np.squeeze(x, axis=drop)

    def backward(self, g: Tensor) -> Tensor:
        return g.reshape(self.saved("self_sym_sizes"))


class SqueezeBackward5(SqueezeBackward3):
    """``squeeze_(dims)``: those of ``dims`` of size 1."""


def _change(t: Tensor, cls: type[Op], attrs: dict[str, Any], op: str) -> Tensor:
    """Give ``t`` the geometry ``cls`` makes of it, recorded where ``t`` requires grad."""
    rec = MODES.enabled and t._rg
    if MODES.enabled:
        _check_leaf(t)
    node: Op | None = None
    if rec:
        node, out = _record(cls, (t,), attrs)
        t._fn, t._output_nr = node, 0
    else:
        out = cls.__new__(cls).forward(t, **attrs)
    t._data = out
    t._version.value += 1
    if node is not None and t._base is None:
        _rederive_views(t, node, None)
    if events.SINKS:
        publish_update(t, op, node, ())
    return t


@declare("t_", nodes=TBackward1, torch=False)
def t_(t: Tensor) -> Tensor:
    """Transpose a matrix in place (a vector or a number stays as it is)."""
    if t._data.ndim > 2:
        raise RuntimeError(
            f"t_() expects a tensor with <= 2 dimensions, but self is {t._data.ndim}D"
        )
    return _change(t, TBackward1, {}, "t_")


@declare("transpose_", nodes=TransposeBackward1, torch=False)
def transpose_(t: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap dims ``dim0`` and ``dim1`` in place."""
    nd = t._data.ndim
    return _change(
        t, TransposeBackward1, {"dim0": _dim(dim0, nd), "dim1": _dim(dim1, nd)}, "transpose_"
    )


@declare("swapaxes_", "swapdims_", nodes=TransposeBackward1, torch=False)
def swapaxes_(t: Tensor, axis0: int, axis1: int) -> Tensor:
    """``transpose_`` under NumPy's name."""
    return transpose_(t, axis0, axis1)


@declare("unsqueeze_", nodes=UnsqueezeBackward1, torch=False)
def unsqueeze_(t: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dim at ``dim`` in place."""
    return _change(t, UnsqueezeBackward1, {"dim": _dim(dim, t._data.ndim + 1)}, "unsqueeze_")


@declare("squeeze_", nodes=(SqueezeBackward3, SqueezeBackward4, SqueezeBackward5), torch=False)
def squeeze_(t: Tensor, dim: Any = None) -> Tensor:
    """Drop size-1 dims in place: every one, or those of ``dim`` (an int or ints)."""
    nd = t._data.ndim
    if dim is None:
        return _change(t, SqueezeBackward3, {}, "squeeze_")
    if isinstance(dim, (tuple, list)):
        dims = tuple(_dim(int(d), nd) for d in dim)
        return _change(t, SqueezeBackward5, {"dims": dims}, "squeeze_")
    return _change(t, SqueezeBackward4, {"dim": _dim(int(dim), nd)}, "squeeze_")
