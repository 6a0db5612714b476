"""The nodes of max and average pooling (``pool_functions`` has the public functions).

Each pool is one node over strided windows of the padded input; the loops run over kernel
offsets, never over pixels. Their backward nodes are ops too, so gradients of gradients record.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from visgrad.autograd.grad_mode import MODES
from visgrad.ops.base import OBSERVED, Op, apply
from visgrad.tensor import Tensor

Ints = tuple[int, ...]
_AXES = ("T", "H", "W")


def out_length(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """PyTorch's pooling output size (a ceil-mode window must start inside the padded input)."""
    span = n + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _windows(kernel: Ints, stride: Ints, dilation: Ints, positions: Ints) -> Any:
    """(offset index, offset, slices into the padded input) for every kernel offset."""
    for i, off in enumerate(itertools.product(*[range(k) for k in kernel])):
        yield (
            i,
            off,
            tuple(
                slice(o * d, o * d + s * (p - 1) + 1, s)
                for o, s, d, p in zip(off, stride, dilation, positions, strict=True)
            ),
        )


def _padded(x: np.ndarray, k: int, lo: Ints, reach: Ints, fill: Any) -> np.ndarray:
    """``x`` padded on its last ``k`` dims by ``lo`` before and up to ``reach`` in all."""
    widths = [(0, 0)] * (x.ndim - k)
    for n, p, r in zip(x.shape[x.ndim - k :], lo, reach, strict=True):
        widths.append((p, max(r - n - p, 0)))
    if not any(a or b for a, b in widths):
        return x
    return np.pad(x, widths, constant_values=fill)


def _reach(positions: Ints, kernel: Ints, stride: Ints, dilation: Ints) -> Ints:
    return tuple(
        (p - 1) * s + d * (k - 1) + 1
        for p, k, s, d in zip(positions, kernel, stride, dilation, strict=True)
    )


def _lowest(dt: np.dtype) -> Any:
    return -np.inf if dt.kind == "f" else (np.iinfo(dt).min if dt.kind in "iu" else False)


class _MaxPool(Op):
    differentiable = ()  # the base is never recorded; ``_node`` makes the nodes

    def forward(
        self,
        a: Tensor,
        kernel_size: Ints,
        stride: Ints,
        padding: Ints,
        dilation: Ints,
        ceil_mode: bool,
    ) -> tuple[np.ndarray, np.ndarray]:
        x = a._data
        k = len(kernel_size)
        spatial = x.shape[x.ndim - k :]
        positions = tuple(
            out_length(n, kk, s, p, d, ceil_mode)
            for n, kk, s, p, d in zip(spatial, kernel_size, stride, padding, dilation, strict=True)
        )
        xp = _padded(
            x, k, padding, _reach(positions, kernel_size, stride, dilation), _lowest(x.dtype)
        )
        lead = (slice(None),) * (x.ndim - k)
        blocks = [
            xp[lead + win] for _, _, win in _windows(kernel_size, stride, dilation, positions)
        ]
        if x.dtype.kind == "f" and np.isnan(x).any():
            best, which = _first_max_nan_last(blocks)
        else:
            best, which = _first_max(blocks)
        idx = _flat_index(which, kernel_size, stride, padding, dilation, spatial, positions)
        self.save(
            self=a,
            kernel_size=kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            ceil_mode=ceil_mode,
            result1=Tensor._make(idx, False, None, 0),
        )
        return best, idx

    def backward(self, g: Tensor, _: Any = None) -> Tensor:
        shape = self.saved("self")._data.shape
        index = self.saved("result1")._data
        kernel = self.saved("kernel_size")
        if not MODES.enabled and not OBSERVED:
            # Nothing records (no create_graph) and windows that do not overlap: each input
            # element gets at most one window's gradient, so a scatter needs no sum.
            extents = zip(kernel, self.saved("stride"), self.saved("dilation"), strict=True)
            if all(s >= (k - 1) * d + 1 for k, s, d in extents):
                r = _scatter_disjoint(g._data, index, shape, len(kernel))
                if r is not None:
                    return Tensor._make(r, False, None, 0)
        return apply(_MaxPoolScatter, g, index=index, shape=shape, k=len(kernel))


def _first_max(blocks: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The maximum of the blocks and the first block holding it (PyTorch's strict ``>``), with
    whole-array maximum / compare passes: ``np.argmax`` over a stacked copy is several times
    slower."""
    best = blocks[0].copy() if len(blocks) == 1 else np.maximum(blocks[0], blocks[1])
    for block in blocks[2:]:
        np.maximum(best, block, out=best)
    kind = np.int8 if len(blocks) < 128 else np.int64
    which = np.zeros(best.shape, dtype=kind)
    found = blocks[0] == best
    for i, block in enumerate(blocks[1:], 1):
        first = block == best
        first &= ~found
        found |= first
        which += np.multiply(first, kind(i), dtype=kind)
    return best, which


def _first_max_nan_last(blocks: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's loop, for inputs with NaN: a greater value or any NaN takes over."""
    best, which = blocks[0].copy(), np.zeros(blocks[0].shape, dtype=np.int64)
    for i, block in enumerate(blocks[1:], 1):
        take = (block > best) | np.isnan(block)
        best[take] = block[take]
        which[take] = i
    return best, which


def _flat_index(
    which: np.ndarray,
    kernel: Ints,
    stride: Ints,
    padding: Ints,
    dilation: Ints,
    spatial: Ints,
    positions: Ints,
) -> np.ndarray:
    """The winning offset of every window as a flat index into its (unpadded) input plane:
    the window's first element's index plus the winning offset's, from two small tables."""
    k = len(kernel)
    base = np.zeros((1,) * k, dtype=np.int64)
    offset = np.zeros((1,) * k, dtype=np.int64)
    for j in range(k):
        shape = [1] * k
        shape[j] = positions[j]
        start = np.arange(positions[j], dtype=np.int64) * stride[j] - padding[j]
        base = base * spatial[j] + start.reshape(shape)
        kshape = [1] * k
        kshape[j] = kernel[j]
        offset = offset * spatial[j] + (np.arange(kernel[j]) * dilation[j]).reshape(kshape)
    return base + np.take(offset.reshape(-1), which)


def _planes(index: np.ndarray, shape: Ints, k: int) -> tuple[int, int]:
    """(number of planes, elements per input plane) for a pool over the last ``k`` dims."""
    plane = int(np.prod(shape[len(shape) - k :], dtype=np.int64))
    per = int(np.prod(index.shape[index.ndim - k :], dtype=np.int64))
    return (index.size // per if per else 0), plane


def _global_index(index: np.ndarray, n: int, plane: int) -> np.ndarray:
    """Each window's maximum as an index into all the planes, flattened."""
    if not n:  # no planes (an empty batch): no windows
        return np.zeros(0, dtype=np.int64)
    return (np.arange(n, dtype=np.int64)[:, None] * plane + index.reshape(n, -1)).ravel()


def _scatter_disjoint(g: np.ndarray, index: np.ndarray, shape: Ints, k: int) -> Any:
    """``_MaxPoolScatter``'s result when no two windows share an input element: each window's
    gradient added to a zero at its maximum's index, in the gradient's dtype. (bincount sums in
    float64, but a sum of one number is that number: the same values, signed zeros included.)
    None for an index outside its plane (a window of padding only), which bincount refuses."""
    n, plane = _planes(index, shape, k)
    if index.size and (index.min() < 0 or index.max() >= plane):
        return None
    out = np.zeros(n * plane, dtype=g.dtype)
    out[_global_index(index, n, plane)] += g.ravel()
    return out.reshape(shape)


class _MaxPoolScatter(Op):
    """The gradient of a max pool: each window's gradient added at its maximum's index."""

    op_name = "max_pool_backward"
    input_names = ("grad_output",)
    formulas = {"grad_output": "max_pool_gather(grad, index, shape[-k:])"}

    def forward(self, g: Tensor, index: np.ndarray, shape: Ints, k: int) -> np.ndarray:
        self.save(index=index, shape=shape, k=k)
        n, plane = _planes(index, shape, k)
        # One bincount over global positions: windows that share a maximum add up.
        where = _global_index(index, n, plane)
        out = np.bincount(where, weights=g._data.ravel(), minlength=n * plane)
        return out.astype(g._data.dtype, copy=False).reshape(shape)

    def backward(self, gg: Tensor) -> Tensor:
        return apply(_MaxPoolGather, gg, index=self.saved("index"), k=self.saved("k"))


class _MaxPoolGather(Op):
    """Each window's value at its maximum's index (the gradient of ``_MaxPoolScatter``)."""

    op_name = "max_pool_gather"
    formulas = {"self": "max_pool_backward(grad, index, shape, shape[-k:])"}

    def forward(self, a: Tensor, index: np.ndarray, k: int) -> np.ndarray:
        shape = a._data.shape
        self.save(index=index, shape=shape, k=k)
        n, plane = _planes(index, shape, k)
        rows = a._data.reshape(n, plane)
        return np.take_along_axis(rows, index.reshape(n, -1), axis=1).reshape(index.shape)

    def backward(self, g: Tensor) -> Tensor:
        index, shape, k = self.saved("index"), self.saved("shape"), self.saved("k")
        return apply(_MaxPoolScatter, g, index=index, shape=shape, k=k)


def _divisors(
    spatial: Ints,
    positions: Ints,
    kernel: Ints,
    stride: Ints,
    padding: Ints,
    count_include_pad: bool,
) -> np.ndarray:
    """Each window's divisor: its size within the padded input, or its count of real elements."""
    div = np.ones((), dtype=np.int64)
    for n, q, k, s, p in zip(spatial, positions, kernel, stride, padding, strict=True):
        start = np.arange(q) * s - p
        end = np.minimum(start + k, n + p)
        size = end - start if count_include_pad else np.minimum(end, n) - np.maximum(start, 0)
        div = np.multiply.outer(div, size)
    return div


def _avg_geometry(shape: Ints, kernel: Ints, stride: Ints, padding: Ints, ceil_mode: bool) -> Any:
    k = len(kernel)
    spatial = shape[len(shape) - k :]
    positions = tuple(
        out_length(n, kk, s, p, 1, ceil_mode)
        for n, kk, s, p in zip(spatial, kernel, stride, padding, strict=True)
    )
    return spatial, positions, _reach(positions, kernel, stride, (1,) * k)


def avg_pool_np(x: np.ndarray, attrs: dict[str, Any]) -> np.ndarray:
    kernel, stride, padding = attrs["kernel_size"], attrs["stride"], attrs["padding"]
    k = len(kernel)
    spatial, positions, reach = _avg_geometry(x.shape, kernel, stride, padding, attrs["ceil_mode"])
    xp = _padded(x, k, padding, reach, 0)
    lead = (slice(None),) * (x.ndim - k)
    total = None
    for _, _, win in _windows(kernel, stride, (1,) * k, positions):
        block = xp[lead + win]
        total = block.copy() if total is None else total + block
    div = attrs["divisor_override"] or _divisors(
        spatial, positions, kernel, stride, padding, attrs["count_include_pad"]
    )
    if x.dtype.kind != "f":
        return np.trunc(total / div).astype(x.dtype)
    return (total / div).astype(x.dtype, copy=False)


def avg_spread_np(g: np.ndarray, shape: Ints, attrs: dict[str, Any]) -> np.ndarray:
    """The adjoint of ``avg_pool_np``: each window's gradient / divisor added over the window."""
    kernel, stride, padding = attrs["kernel_size"], attrs["stride"], attrs["padding"]
    k = len(kernel)
    spatial, positions, reach = _avg_geometry(shape, kernel, stride, padding, attrs["ceil_mode"])
    div = attrs["divisor_override"] or _divisors(
        spatial, positions, kernel, stride, padding, attrs["count_include_pad"]
    )
    share = g / div
    full = tuple(max(r, n + p) for r, n, p in zip(reach, spatial, padding, strict=True))
    out = np.zeros(tuple(shape[: len(shape) - k]) + full, dtype=g.dtype)
    lead = (slice(None),) * (len(shape) - k)
    for _, _, win in _windows(kernel, stride, (1,) * k, positions):
        out[lead + win] += share
    crop = tuple(slice(p, p + n) for p, n in zip(padding, spatial, strict=True))
    return np.ascontiguousarray(out[lead + crop])


_AVG_KEYS = (
    "kernel_size",
    "stride",
    "padding",
    "ceil_mode",
    "count_include_pad",
    "divisor_override",
)


class _AvgPool(Op):
    differentiable = ()  # the base is never recorded; ``_node`` makes the nodes

    def forward(self, a: Tensor, **attrs: Any) -> np.ndarray:
        self.save(self=a, **attrs)
        return avg_pool_np(a._data, attrs)

    def backward(self, g: Tensor) -> Tensor:
        attrs = {key: self.saved(key) for key in _AVG_KEYS}
        return apply(_AvgPoolSpread, g, shape=self.saved("self")._data.shape, **attrs)


class _AvgPoolSpread(Op):
    """The gradient of an average pool (linear in the gradient; its own gradient is the pool)."""

    op_name = "avg_pool_backward"
    input_names = ("grad_output",)
    formulas = {
        "grad_output": "avg_pool(grad, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)"
    }

    def forward(self, g: Tensor, shape: Ints, **attrs: Any) -> np.ndarray:
        self.save(**attrs)
        return avg_spread_np(g._data, shape, attrs)

    def backward(self, gg: Tensor) -> Tensor:
        attrs = {key: self.saved(key) for key in _AVG_KEYS}
        cls = _AVG_NODES[len(attrs["kernel_size"])]
        return apply(cls, gg, **attrs)


_FORMULAS = {
    _MaxPool: {"self": "max_pool_backward(grad, indices, self.shape, kernel_size)"},
    _AvgPool: {
        "self": "avg_pool_backward(grad, self.shape, kernel_size, stride, padding, ceil_mode, "
        "count_include_pad, divisor_override)"
    },
}


def _node(base: type[Op], name: str, op: str) -> type[Op]:
    # Formulas on the concrete nodes only: the bases are never recorded.
    attrs = {
        "op_name": op,
        "formulas": _FORMULAS[base],
        "differentiable": (0,),
        "__module__": __name__,
    }
    return type(name, (base,), attrs)


MaxPool2DWithIndicesBackward0 = _node(
    _MaxPool, "MaxPool2DWithIndicesBackward0", "max_pool2d_with_indices"
)
MaxPool3DWithIndicesBackward0 = _node(
    _MaxPool, "MaxPool3DWithIndicesBackward0", "max_pool3d_with_indices"
)
AvgPool2DBackward0 = _node(_AvgPool, "AvgPool2DBackward0", "avg_pool2d")
AvgPool3DBackward0 = _node(_AvgPool, "AvgPool3DBackward0", "avg_pool3d")
_MAX_NODES = {2: MaxPool2DWithIndicesBackward0, 3: MaxPool3DWithIndicesBackward0}
_AVG_NODES = {2: AvgPool2DBackward0, 3: AvgPool3DBackward0}
