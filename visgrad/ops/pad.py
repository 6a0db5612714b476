"""``torch.nn.functional.pad``: constant, reflect, replicate and circular padding.

``pad`` lists (left, right) pairs from the last dim backwards, as PyTorch does. Constant padding
is one node (``ConstantPadNdBackward0``; negative pads crop); reflect and replicate are one node
per rank (``ReflectionPad2DBackward0``, ``ReplicationPad1DBackward0``, ...) whose backward folds
the gradient of every copied border back onto its source element. Circular padding copies slices into
a new tensor, as PyTorch does, so its graph is PyTorch's chain of ``CopySlices``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad.arg_parser import int_list
from visgrad.ops.base import Op, apply
from visgrad.ops.index import slice_dim
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["pad"]


def _pairs(pad: tuple[int, ...], ndim: int) -> list[tuple[int, int]]:
    """Per-dim (before, after) widths for all ``ndim`` dims (``pad`` starts at the last dim)."""
    widths = [(0, 0)] * ndim
    for i in range(len(pad) // 2):
        widths[ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return widths


class ConstantPadNdBackward0(Op):
    op_name = "constant_pad_nd"
    formulas = {"self": "unpad(grad, pad)"}

    def forward(self, a: Tensor, pad: tuple[int, ...], value: Any = 0) -> np.ndarray:
        self.save(pad=pad)
        x = a._data
        widths = _pairs(pad, x.ndim)
        # Negative widths crop: slice first, then pad what is left with the value.
        crop = tuple(
            slice(-lo if lo < 0 else 0, x.shape[d] + hi if hi < 0 else None)
            for d, (lo, hi) in enumerate(widths)
        )
        x = x[crop]
        grow = [(max(lo, 0), max(hi, 0)) for lo, hi in widths]
        if not any(lo or hi for lo, hi in grow):
            return x.copy()
        fill = value if x.dtype.kind == "f" else int(value)
        return np.pad(x, grow, mode="constant", constant_values=fill)

    def backward(self, g: Tensor) -> Tensor:
        return apply(ConstantPadNdBackward0, g, pad=tuple(-p for p in self.saved("pad")))


def _source_index(length: int, lo: int, hi: int, mode: str) -> np.ndarray:
    """For each padded position along one dim, the input position it copies."""
    return np.pad(
        np.arange(length),
        (lo, hi),
        mode={"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode],
    )


class _BorderPad(Op):
    """Reflection / replication padding of the last ``k`` dims; backward sums borders back."""

    mode = "reflect"
    differentiable = ()  # the base is never recorded; ``_border_class`` makes the nodes

    def forward(self, a: Tensor, padding: tuple[int, ...]) -> np.ndarray:
        self.save(self=a, padding=padding)
        x = a._data
        np_mode = "reflect" if self.mode == "reflect" else "edge"
        return np.pad(x, _pairs(padding, x.ndim), mode=np_mode)

    def backward(self, g: Tensor) -> Tensor:
        shape = self.saved("self")._data.shape
        return apply(_BorderFold, g, shape=shape, padding=self.saved("padding"), mode=self.mode)


class _BorderFold(Op):
    """The gradient of a border pad: every padded element's gradient added to its source."""

    op_name = "pad_backward"
    input_names = ("grad_output",)
    formulas = {"grad_output": "border_pad(grad, padding, mode)"}

    def forward(
        self, g: Tensor, shape: tuple[int, ...], padding: tuple[int, ...], mode: str
    ) -> Any:
        self.save(padding=padding, mode=mode)
        out = g._data
        for d, (lo, hi) in enumerate(_pairs(padding, out.ndim)):
            if not (lo or hi):
                continue
            src = _source_index(shape[d], lo, hi, mode)
            moved = np.moveaxis(out, d, 0)
            acc = np.zeros((shape[d],) + moved.shape[1:], dtype=out.dtype)
            np.add.at(acc, src, moved)
            out = np.moveaxis(acc, 0, d)
        return np.ascontiguousarray(out)

    def backward(self, gg: Tensor) -> Tensor:
        cls = _BORDER[(self.saved("mode"), len(self.saved("padding")) // 2)]
        return apply(cls, gg, padding=self.saved("padding"))


def _border_class(mode: str, k: int) -> type[Op]:
    name = f"{'Reflection' if mode == 'reflect' else 'Replication'}Pad{k}DBackward0"
    op = f"{'reflection' if mode == 'reflect' else 'replication'}_pad{k}d"
    formulas = {"self": f"border_pad_backward(grad, self.shape, padding, {mode!r})"}
    attrs = {
        "op_name": op,
        "mode": mode,
        "formulas": formulas,
        "differentiable": (0,),
        "__module__": __name__,
    }
    return type(name, (_BorderPad,), attrs)


_BORDER = {(m, k): _border_class(m, k) for m in ("reflect", "replicate") for k in (1, 2, 3)}
ReflectionPad1DBackward0 = _BORDER[("reflect", 1)]
ReflectionPad2DBackward0 = _BORDER[("reflect", 2)]
ReflectionPad3DBackward0 = _BORDER[("reflect", 3)]
ReplicationPad1DBackward0 = _BORDER[("replicate", 1)]
ReplicationPad2DBackward0 = _BORDER[("replicate", 2)]
ReplicationPad3DBackward0 = _BORDER[("replicate", 3)]


def _check_border(x: np.ndarray, pad: tuple[int, ...], mode: str) -> int:
    k = len(pad) // 2
    if k > 3 or x.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {x.ndim}D input tensor."
        )
    # Every dim but an explicit batch dim must be non-empty, in both modes.
    if 0 in (x.shape[1:] if x.ndim == k + 2 else x.shape):
        raise RuntimeError(
            f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and "
            f"other non-zero dimensions for input, but got: {list(x.shape)}"
        )
    for i in range(k):
        d = x.ndim - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        size = x.shape[d]
        if mode == "reflect" and (lo >= size or hi >= size):
            raise RuntimeError(
                f"Argument #{4 + 2 * i}: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({lo}, {hi}) at dimension {d} of input "
                f"{list(x.shape)}"
            )
    return k


def _circular(a: Tensor, pad: tuple[int, ...]) -> Tensor:
    """PyTorch's circular padding, copy for copy: the input into the middle of a new tensor,
    then each border from the opposite side of that tensor (so the graph shows PyTorch's
    ``CopySlices`` chain)."""
    x = a._data
    k = len(pad) // 2
    if k > 3 or x.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {x.ndim}D input tensor."
        )
    widths = _pairs(pad, x.ndim)
    dims = list(range(x.ndim - k, x.ndim))
    for d in dims:
        lo, hi = widths[d]
        if lo > x.shape[d] or hi > x.shape[d]:
            raise RuntimeError("Padding value causes wrapping around more than once.")
    shape = [n + lo + hi for n, (lo, hi) in zip(x.shape, widths, strict=True)]
    out = Tensor._make(np.zeros(shape, dtype=x.dtype), False, None, 0)
    middle, src = [slice(None)] * x.ndim, a
    for d in dims:
        lo, _ = widths[d]
        middle[d] = slice(lo, lo + x.shape[d])
        src = slice_dim(src, d, 0, x.shape[d])
    out[tuple(middle)] = src
    for d in dims:
        lo, hi = widths[d]
        n = shape[d]
        if lo:
            out[_along(x.ndim, d, 0, lo)] = out[_along(x.ndim, d, n - hi - lo, n - hi)]
        if hi:
            out[_along(x.ndim, d, n - hi, n)] = out[_along(x.ndim, d, lo, lo + hi)]
    return out


def _along(ndim: int, d: int, start: int, stop: int) -> tuple[slice, ...]:
    idx = [slice(None)] * ndim
    idx[d] = slice(start, stop)
    return tuple(idx)


@declare(
    "pad",
    nodes=(ConstantPadNdBackward0, *_BORDER.values(), _BorderFold),
    torch=False,
    method=False,
    functional=True,
)
def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:  # noqa: A002
    """Pad ``input`` by ``pad`` = (left, right, top, bottom, ...) from the last dim backwards."""
    pad = int_list("pad", "pad", pad, 2)  # type: ignore[assignment]
    x = input._data
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > x.ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {x.ndim}"
        )
    if mode == "constant":
        for d, (lo, hi) in enumerate(_pairs(pad, x.ndim)):
            n = x.shape[d]
            # PyTorch crops negative widths with narrow() first, which has its own check (and
            # once that passes, the padded size cannot be negative).
            if n + min(lo, 0) < 0 or n + min(lo, 0) + min(hi, 0) < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
        return apply(ConstantPadNdBackward0, input, pad=pad, value=0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if mode == "circular":
        return _circular(input, pad)
    k = _check_border(x, pad, mode)
    return apply(_BORDER[(mode, k)], input, padding=pad)
