"""``grid_sample``: read the input at the grid's normalised positions (the spatial transformer's
sampler), bilinear (trilinear for 5-D inputs), nearest or bicubic (4-D), with zeros, border or reflection
padding, as PyTorch's Python checks and ATen's ``grid_sampler`` do it. One node per form
(GridSampler2DBackward0, GridSampler3DBackward0); the arithmetic is ``visgrad._grid_sampling``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from visgrad import _grid_sampling as kernel
from visgrad.autograd.grad_mode import MODES
from visgrad.ops.affine_grid import ALIGN_WARNING
from visgrad.ops.base import Op, apply
from visgrad.ops.gate import user_stacklevel
from visgrad.ops.gate_tables import _C_NAMES
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["grid_sample"]

_MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
_PADDINGS = {"zeros": 0, "border": 1, "reflection": 2}
_ARGS = "interpolation_mode, padding_mode, align_corners"


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


class GridSampler2DBackward0(Op):
    op_name = "grid_sampler_2d"
    input_names = ("input", "grid")
    formulas = {
        "input": f"grid_sampler_input_grad(grad, input, grid, {_ARGS})",
        "grid": f"grid_sampler_grid_grad(grad, input, grid, {_ARGS})",
    }

    def forward(
        self,
        x: Tensor,
        grid: Tensor,
        interpolation_mode: int,
        padding_mode: int,
        align_corners: bool,
    ) -> np.ndarray:
        self.save(
            input=x,
            grid=grid,
            interpolation_mode=interpolation_mode,
            padding_mode=padding_mode,
            align_corners=align_corners,
        )
        return kernel.sample(x._data, grid._data, interpolation_mode, padding_mode, align_corners)

    def backward(self, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, grid = self.saved("input"), self.saved("grid")
        args = {k: self.saved(k) for k in ("interpolation_mode", "padding_mode", "align_corners")}
        if MODES.enabled:  # create_graph: the gradients are a node of their own
            gx, gg = apply(_BACKWARD[type(self)], g, x, grid, **args)
        else:
            gx, gg = (
                _const(a)
                for a in kernel.sample_backward(g._data, x._data, grid._data, *args.values())
            )
        nx, ng = self.needs_input_grad
        return (gx if nx else None), (gg if ng else None)


class GridSampler3DBackward0(GridSampler2DBackward0):
    op_name = "grid_sampler_3d"


class GridSampler2DBackwardBackward0(Op):
    """The gradients of ``grid_sample`` under ``create_graph``: a node, so the graph shows them;
    their own derivatives are not written yet."""

    op_name = "grid_sampler_2d_backward"
    input_names = ("grad_output", "input", "grid")
    formulas = {n: "not implemented" for n in input_names}

    def forward(
        self, g: Tensor, x: Tensor, grid: Tensor, **args: Any
    ) -> tuple[np.ndarray, np.ndarray]:
        return kernel.sample_backward(g._data, x._data, grid._data, *args.values())

    def backward(self, *grads: Tensor | None) -> tuple[Tensor | None, ...]:
        raise RuntimeError(
            f"the derivative of {self.op_name} is not implemented in visgrad yet (it is the "
            "second derivative of grid_sample)"
        )


class GridSampler3DBackwardBackward0(GridSampler2DBackwardBackward0):
    op_name = "grid_sampler_3d_backward"


_BACKWARD = {
    GridSampler2DBackward0: GridSampler2DBackwardBackward0,
    GridSampler3DBackward0: GridSampler3DBackwardBackward0,
}


def _sizes(t: Tensor) -> list[int]:
    return list(t._data.shape)


def _check(x: Tensor, grid: Tensor, mode: int) -> None:
    """ATen's checks, in its order: the common ones, the 2-D or 3-D form's, then the kernel's."""
    xs, gs = _sizes(x), _sizes(grid)
    if xs[0] != gs[0]:
        raise RuntimeError(
            "grid_sampler(): expected grid and input to have same batch size, but got input "
            f"with sizes {xs} and grid with sizes {gs}"
        )
    if gs[-1] != len(xs) - 2:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size {len(xs) - 2} in last dimension, but "
            f"got grid with sizes {gs}"
        )
    for i in range(2, len(xs)):
        if xs[i] <= 0:
            raise RuntimeError(
                "grid_sampler(): expected input to have non-empty spatial dimensions, but input "
                f"has sizes {xs} with dimension {i} being empty"
            )
    want = 4 if len(xs) == 4 else 5
    if len(xs) != want or len(gs) != want:
        raise RuntimeError(
            f"grid_sampler(): expected {want}D input and grid with same number of dimensions, "
            f"but got input with sizes {xs} and grid with sizes {gs}"
        )
    if want == 5 and mode == 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    xd, gd = x._data.dtype, grid._data.dtype
    if xd.kind != "f":
        kernel_name = "grid_sampler_2d_cpu_kernel_impl" if want == 4 else "grid_sampler3d_cpu"
        raise NotImplementedError(f"\"{kernel_name}\" not implemented for '{_C_NAMES[xd.name]}'")
    if gd != xd:
        raise RuntimeError(
            f"expected scalar type {_C_NAMES[xd.name]} but found {_C_NAMES[gd.name]}"
        )


@declare(
    "grid_sample",
    nodes=(
        GridSampler2DBackward0,
        GridSampler3DBackward0,
        GridSampler2DBackwardBackward0,
        GridSampler3DBackwardBackward0,
    ),
    torch=False,
    method=False,
    functional=True,
)
def grid_sample(
    input: Any,  # noqa: A002
    grid: Any,
    mode: Any = "bilinear",
    padding_mode: Any = "zeros",
    align_corners: Any = None,
) -> Tensor:
    """``input`` read at each point of ``grid`` (normalised coordinates in [-1, 1])."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    if align_corners is None:
        warnings.warn(ALIGN_WARNING, UserWarning, stacklevel=user_stacklevel())
        align_corners = False
    for name, t in (("input", input), ("grid", grid)):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"grid_sampler(): argument '{name}' (position {1 if name == 'input' else 2}) "
                f"must be Tensor, not {type(t).__name__}"
            )
    m = _MODES[mode]
    _check(input, grid, m)
    cls = GridSampler2DBackward0 if input._data.ndim == 4 else GridSampler3DBackward0
    return apply(
        cls,
        input,
        grid,
        interpolation_mode=m,
        padding_mode=_PADDINGS[padding_mode],
        align_corners=bool(align_corners),
    )
