"""``affine_grid``: the sampling grid of a batch of affine maps (the spatial transformer's).

PyTorch's Python checks, then ATen's ``affine_grid_generator``: a base grid of normalised
coordinates ``(x, y[, z], 1)`` (``linspace(-1, 1)``, shrunk by ``(n - 1) / n`` unless
``align_corners``) times ``theta`` transposed, one node (AffineGridGeneratorBackward0) whose
backward is ``base^T @ grad``, written with visgrad ops.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from visgrad._grid_sampling import base_grid
from visgrad.ops.base import Op, apply
from visgrad.ops.gate import user_stacklevel
from visgrad.ops.registry import declare
from visgrad.tensor import Size, Tensor

__all__ = ["affine_grid"]

ALIGN_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details."
)


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


class AffineGridGeneratorBackward0(Op):
    op_name = "affine_grid_generator"
    input_names = ("theta",)
    formulas = {"theta": "affine_grid_generator_backward(grad, size, align_corners)"}

    def forward(self, theta: Tensor, size: tuple[int, ...], align_corners: bool) -> np.ndarray:
        t = theta._data
        n, spatial = size[0], tuple(size[2:])
        if t.shape[0] != n:
            raise RuntimeError(
                "Expected size for first two dimensions of batch2 tensor to be: "
                f"[{n}, {t.shape[2]}] but got: [{t.shape[0]}, {t.shape[2]}]."
            )
        base = base_grid(spatial, align_corners, t.dtype).reshape(1, -1, len(spatial) + 1)
        self.save(size=size, align_corners=align_corners, base=base)
        out = np.matmul(np.broadcast_to(base, (n, *base.shape[1:])), t.transpose(0, 2, 1))
        return np.ascontiguousarray(out).reshape(n, *spatial, len(spatial))

    def backward(self, g: Tensor) -> Tensor:
        base = self.saved("base")
        n, d = g._data.shape[0], g._data.shape[-1]
        b = _const(np.ascontiguousarray(np.broadcast_to(base, (n, *base.shape[1:]))))
        return b.transpose(1, 2).bmm(g.reshape(n, -1, d)).transpose(1, 2)


@declare(
    "affine_grid", nodes=AffineGridGeneratorBackward0, torch=False, method=False, functional=True
)
def affine_grid(theta: Any, size: Any, align_corners: Any = None) -> Tensor:
    """The ``(N, H, W, 2)`` (or ``(N, D, H, W, 3)``) grid of ``theta``'s affine maps applied to
    the normalised coordinates of an output of ``size``."""
    if align_corners is None:
        warnings.warn(ALIGN_WARNING, UserWarning, stacklevel=user_stacklevel())
        align_corners = False
    if theta._data.dtype.kind != "f":
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    shape = tuple(theta._data.shape)
    shown = size if isinstance(size, (tuple, Size)) else size
    if len(size) == 4:
        if len(shape) != 3 or shape[-2] != 2 or shape[-1] != 3:
            raise ValueError(
                f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {shown}. "
                f"Got {theta.shape}."
            )
        spatial = size[-2:]
    elif len(size) == 5:
        if len(shape) != 3 or shape[-2] != 3 or shape[-1] != 4:
            raise ValueError(
                f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {shown}. "
                f"Got {theta.shape}."
            )
        spatial = size[-3:]
    else:
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {shown}."
        )
    if align_corners and min(spatial) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
            "align_corners=True. This is not an intended use case of affine_grid. See the "
            "documentation of affine_grid for details.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {shown}")
    sizes = tuple(int(s) for s in size)
    return apply(AffineGridGeneratorBackward0, theta, size=sizes, align_corners=bool(align_corners))
