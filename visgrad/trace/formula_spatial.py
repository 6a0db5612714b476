"""Formula functions of the spatial transformer's ops: ``affine_grid``'s and ``grid_sample``'s
gradients, from the arithmetic the ops themselves use (``visgrad._grid_sampling``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from visgrad import _grid_sampling as kernel


def affine_grid_generator_backward(grad: Any, size: Any, align_corners: Any) -> np.ndarray:
    return kernel.affine_grid_backward(grad, size, align_corners)


def _grads(grad: Any, input: Any, grid: Any, mode: Any, padding: Any, align: Any) -> Any:  # noqa: A002
    x = np.asarray(input)
    return kernel.sample_backward(
        np.asarray(grad, x.dtype),
        x,
        np.asarray(grid, x.dtype),
        int(mode),
        int(padding),
        bool(align),
    )


def grid_sampler_input_grad(*args: Any) -> np.ndarray:
    return _grads(*args)[0]


def grid_sampler_grid_grad(*args: Any) -> np.ndarray:
    return _grads(*args)[1]


SPATIAL_FUNCTIONS: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (affine_grid_generator_backward, grid_sampler_input_grad, grid_sampler_grid_grad)
}
