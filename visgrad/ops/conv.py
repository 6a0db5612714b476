"""The convolution node, ``ConvolutionBackward0``, which every public form records.

The public functions (``conv1d/2d/3d``, ``conv_transpose1d/2d/3d``) and their argument checks
are in ``conv_functions``.
The arithmetic is in ``conv_kernels`` (im2col + one matmul). Backward without ``create_graph``
runs those kernels directly; with ``create_graph`` it is written with the convolution op itself
(the input gradient is a transposed convolution, the weight gradient a convolution of the input
with the output gradient), so gradients of gradients are recorded. PyTorch records that second
order as one ``ConvolutionBackwardBackward0`` node; ours shows the convolutions and the reshapes
and permutes around them.
"""

from __future__ import annotations

import numpy as np

from visgrad.autograd.grad_mode import MODES
from visgrad.ops import conv_kernels as K
from visgrad.ops.base import Op, apply
from visgrad.ops.index import slice_dim
from visgrad.tensor import Tensor

__all__ = ["ConvolutionBackward0", "convolution"]

Ints = tuple[int, ...]


def _no_bias() -> Tensor:
    t = Tensor._make(np.empty(0, dtype=np.float32), False, None, 0)
    t._id = 0
    return t


class ConvolutionBackward0(Op):
    op_name = "convolution"
    input_names = ("input", "weight", "bias")
    formulas = {
        "input": "conv_input_grad(grad, input, weight, stride, padding, dilation, transposed, groups)",
        "weight": "conv_weight_grad(grad, input, weight, stride, padding, dilation, transposed, groups)",
        "bias": "sum_except(grad, 1)",
    }

    def forward(
        self,
        x: Tensor,
        w: Tensor,
        b: Tensor,
        stride: Ints,
        padding: Ints,
        dilation: Ints,
        transposed: bool,
        output_padding: Ints,
        groups: int,
    ) -> np.ndarray:
        self.save(
            input=x,
            weight=w,
            stride=stride,
            padding=padding,
            dilation=dilation,
            transposed=transposed,
            output_padding=output_padding,
            groups=groups,
            bias_sym_sizes_opt=b._data.shape if b._data.size else None,
        )
        xd, wd = x._data, w._data
        if transposed:
            shape = (xd.shape[0], wd.shape[1] * groups) + _transposed_size(
                xd.shape[2:], wd.shape[2:], stride, padding, dilation, output_padding
            )
            out = K.conv_input_grad(xd, wd, shape, stride, padding, dilation, groups)
        else:
            out, cols = K.conv(xd, wd, stride, padding, dilation, groups)
            if self._saved is not None and cols.nbytes <= _COLUMN_CACHE_BYTES:
                # The weight gradient needs these columns again: kept until backward runs.
                self._cols = cols
        if b._data.size:
            out = out + b._data.reshape((1, -1) + (1,) * (out.ndim - 2))
        return out

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        nx, nw, nb = self.needs_input_grad
        x, w = self.saved("input"), self.saved("weight")
        args = (
            self.saved("stride"),
            self.saved("padding"),
            self.saved("dilation"),
            self.saved("groups"),
        )
        transposed = self.saved("transposed")
        gb = None
        if nb:
            gb = g.sum((0,) + tuple(range(2, g._data.ndim)))
        cols = self.__dict__.pop("_cols", None)
        if MODES.enabled:
            gx, gw = _grads_recorded(g, x, w, transposed, nx, nw, *args)
        else:
            gx, gw = _grads_numpy(g._data, x._data, w._data, transposed, nx, nw, *args, cols)
        return gx, gw, gb


# The forward's im2col columns are kept for the weight gradient up to this size (beyond it,
# backward builds them again rather than hold the memory).
_COLUMN_CACHE_BYTES = 64 * 2**20


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


def _transposed_size(
    length: Ints, kernel: Ints, stride: Ints, padding: Ints, dilation: Ints, output_padding: Ints
) -> Ints:
    return tuple(
        (n - 1) * s - 2 * p + d * (k - 1) + op + 1
        for n, k, s, p, d, op in zip(
            length, kernel, stride, padding, dilation, output_padding, strict=True
        )
    )


def _grads_numpy(
    g: np.ndarray,
    x: np.ndarray,
    w: np.ndarray,
    transposed: bool,
    nx: bool,
    nw: bool,
    stride: Ints,
    padding: Ints,
    dilation: Ints,
    groups: int,
    cols: np.ndarray | None = None,
) -> tuple[Tensor | None, Tensor | None]:
    gx = gw = None
    if not transposed:
        if nx:
            gx = _const(K.conv_input_grad(g, w, x.shape, stride, padding, dilation, groups))
        if nw:
            if cols is None:
                cols = K.columns(x, w.shape[2:], stride, padding, dilation, groups)[0]
            gw = _const(K.conv_weight_grad(g, cols, w.shape, groups))
        return gx, gw
    # y = conv_transpose(x, w): the input gradient is the convolution of the output gradient.
    reach = tuple(
        (n - 1) * s + d * (k - 1) + 1
        for n, s, d, k in zip(x.shape[2:], stride, dilation, w.shape[2:], strict=True)
    )
    gp = K.pad_spatial(g, padding)[(slice(None), slice(None)) + tuple(slice(0, r) for r in reach)]
    zero = (0,) * len(stride)
    if nx:
        gx = _const(K.conv(gp, w, stride, zero, dilation, groups)[0])
    if nw:
        cols = K.columns(gp, w.shape[2:], stride, zero, dilation, groups)[0]
        gw = _const(K.conv_weight_grad(x, cols, w.shape, groups))
    return gx, gw


def _narrow_to(t: Tensor, lengths: Ints) -> Tensor:
    """Crop the spatial dims of ``t`` to ``lengths`` (a no-op where they already match)."""
    for i, n in enumerate(lengths):
        if t._data.shape[2 + i] != n:
            t = slice_dim(t, 2 + i, 0, n)
    return t


def _weight_grad_recorded(
    inp: Tensor,
    gout: Tensor,
    wshape: Ints,
    stride: Ints,
    padding: Ints,
    dilation: Ints,
    groups: int,
) -> Tensor:
    """dL/dw as a convolution of the input (channels as batch) with the output gradient
    (batch as channels), stride and dilation swapped: recorded, so it can be differentiated."""
    n, cin = inp._data.shape[:2]
    o = gout._data.shape[1]
    c = cin // groups
    sp = tuple(range(3, 3 + len(stride)))
    xs = inp._data.shape[2:]
    ps = gout._data.shape[2:]
    xt = inp.reshape(n, groups, c, *xs).permute(2, 1, 0, *sp).reshape(c, groups * n, *xs)
    gt = gout.reshape(n, groups, o // groups, *ps).permute(1, 2, 0, *sp).reshape(o, n, *ps)
    r = convolution(xt, gt, None, dilation, padding, stride, False, (0,) * len(stride), groups)
    return _narrow_to(r, wshape[2:]).transpose(0, 1)


def _grads_recorded(
    g: Tensor,
    x: Tensor,
    w: Tensor,
    transposed: bool,
    nx: bool,
    nw: bool,
    stride: Ints,
    padding: Ints,
    dilation: Ints,
    groups: int,
) -> tuple[Tensor | None, Tensor | None]:
    gx = gw = None
    xs, ks = x._data.shape[2:], w._data.shape[2:]
    if not transposed:
        if nx:
            extra = tuple(
                (n + 2 * p - d * (k - 1) - 1) % s
                for n, p, d, k, s in zip(xs, padding, dilation, ks, stride, strict=True)
            )
            gx = convolution(g, w, None, stride, padding, dilation, True, extra, groups)
        if nw:
            gw = _weight_grad_recorded(x, g, w._data.shape, stride, padding, dilation, groups)
        return gx, gw
    if nx:
        zero = (0,) * len(stride)
        gx = _narrow_to(convolution(g, w, None, stride, padding, dilation, False, zero, groups), xs)
    if nw:
        gw = _weight_grad_recorded(g, x, w._data.shape, stride, padding, dilation, groups)
    return gx, gw


def convolution(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None,
    stride: Ints,
    padding: Ints,
    dilation: Ints,
    transposed: bool,
    output_padding: Ints,
    groups: int,
) -> Tensor:
    """The one convolution node every public form records (arguments already checked)."""
    b = bias if bias is not None else _no_bias()
    return apply(
        ConvolutionBackward0,
        input,
        weight,
        b,
        stride=tuple(stride),
        padding=tuple(padding),
        dilation=tuple(dilation),
        transposed=bool(transposed),
        output_padding=tuple(output_padding),
        groups=int(groups),
    )
