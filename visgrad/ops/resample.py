"""``F.interpolate``: nearest, nearest-exact, (bi/tri)linear and area resampling of N, C, ... input.

One node per mode and rank, named as PyTorch's (``UpsampleNearest2DBackward0``,
``UpsampleBilinear2DBackward0``, ...). Each spatial dim is resampled by an (out, in) matrix from
``visgrad._resample`` (nearest copies by index), so forward is one contraction per dim and the
gradient the contraction with the transposed matrices; that backward is itself a recorded op
whose gradient is the forward again, so second derivatives work. ``area`` is PyTorch's adaptive
average pooling.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from visgrad import _resample as R
from visgrad.arg_parser import is_int
from visgrad.ops.adaptive import adaptive_avg_pool1d, adaptive_avg_pool2d
from visgrad.ops.base import Op, apply
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["interpolate"]


def _run(x: np.ndarray, in_size: Any, out_size: Any, mode: str, ac: Any, scales: Any) -> Any:
    if mode in ("nearest", "nearest-exact"):
        lead = x.ndim - len(out_size)
        for i, (n, m, s) in enumerate(zip(in_size, out_size, scales, strict=True)):
            x = np.take(x, R.nearest_index(n, m, s, mode == "nearest-exact"), axis=lead + i)
        return np.ascontiguousarray(x)
    return R.resample(x, R.matrices(in_size, out_size, mode, ac, scales, x.dtype))


class _Upsample(Op):
    """Resample the spatial dims of ``self`` to ``output_size``."""

    mode = "nearest"
    differentiable = ()  # the base is never recorded; ``_upsample_class`` makes the nodes

    def forward(
        self, a: Tensor, output_size: tuple[int, ...], align_corners: Any, scales: Any
    ) -> np.ndarray:
        x = a._data
        in_size = x.shape[2:]
        self.save(input_size=x.shape, output_size=output_size, align_corners=align_corners,
                  scales=scales, mode=self.mode)  # fmt: skip
        return _run(x, in_size, output_size, self.mode, align_corners, scales)

    def backward(self, g: Tensor) -> Tensor:
        return apply(
            _UpsampleFold, g, input_size=self.saved("input_size"),
            output_size=self.saved("output_size"), align_corners=self.saved("align_corners"),
            scales=self.saved("scales"), mode=self.mode,
        )  # fmt: skip


class _UpsampleFold(Op):
    """The gradient of a resample: the transposed matrices, summing each output's share back."""

    op_name = "upsample_backward"
    input_names = ("grad_output",)
    formulas = {
        "grad_output": "resample(grad, input_size, output_size, mode, align_corners, scales)"
    }

    def forward(
        self, g: Tensor, input_size: Any, output_size: Any, align_corners: Any, scales: Any,
        mode: str,
    ) -> np.ndarray:  # fmt: skip
        self.save(input_size=input_size, output_size=output_size, align_corners=align_corners,
                  scales=scales, mode=mode)  # fmt: skip
        mats = R.matrices(input_size[2:], output_size, mode, align_corners, scales, g._data.dtype)
        return R.resample(g._data, [m.T for m in mats])

    def backward(self, gg: Tensor) -> Tensor:
        cls = _UPSAMPLE[(self.saved("mode"), len(self.saved("output_size")))]
        return apply(cls, gg, output_size=self.saved("output_size"),
                     align_corners=self.saved("align_corners"), scales=self.saved("scales"))  # fmt: skip


_NAMES = {
    ("nearest", 1): "Nearest1D", ("nearest", 2): "Nearest2D", ("nearest", 3): "Nearest3D",
    ("nearest-exact", 1): "NearestExact1D", ("nearest-exact", 2): "NearestExact2D",
    ("nearest-exact", 3): "NearestExact3D", ("linear", 1): "Linear1D",
    ("bilinear", 2): "Bilinear2D", ("trilinear", 3): "Trilinear3D",
}  # fmt: skip


def _upsample_class(mode: str, k: int) -> type[Op]:
    name = _NAMES[(mode, k)]
    op = ("_" if mode == "nearest-exact" else "") + "upsample_" + name.lower()
    attrs = {
        "op_name": op.replace("nearestexact", "nearest_exact"),
        "mode": mode,
        "formulas": {
            "self": f"resample_backward(grad, self.shape, output_size, {mode!r}, align_corners, "
            "scales)"
        },
        "differentiable": (0,),
        "__module__": __name__,
    }
    return type(f"Upsample{name}Backward0", (_Upsample,), attrs)


_UPSAMPLE = {key: _upsample_class(*key) for key in _NAMES}
UpsampleNearest1DBackward0 = _UPSAMPLE[("nearest", 1)]
UpsampleNearest2DBackward0 = _UPSAMPLE[("nearest", 2)]
UpsampleNearest3DBackward0 = _UPSAMPLE[("nearest", 3)]
UpsampleNearestExact1DBackward0 = _UPSAMPLE[("nearest-exact", 1)]
UpsampleNearestExact2DBackward0 = _UPSAMPLE[("nearest-exact", 2)]
UpsampleNearestExact3DBackward0 = _UPSAMPLE[("nearest-exact", 3)]
UpsampleLinear1DBackward0 = _UPSAMPLE[("linear", 1)]
UpsampleBilinear2DBackward0 = _UPSAMPLE[("bilinear", 2)]
UpsampleTrilinear3DBackward0 = _UPSAMPLE[("trilinear", 3)]

_NEEDS = {"linear": 3, "bilinear": 4, "trilinear": 5}
_ALL = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"


def _sizes(x: Tensor, size: Any, scale_factor: Any) -> tuple[Any, Any]:
    """(output sizes or None, scale factors or None), checked as PyTorch checks them."""
    dim = x.dim() - 2
    spatial = list(x.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output "
                    "size in (o1, o2, ...,oK) format."
                )
            return [int(s) for s in size], None
        return [size] * dim, None  # read as ints by the kernel, after the dims are checked
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if isinstance(scale_factor, (list, tuple)):
        if len(scale_factor) != dim:
            raise ValueError(
                "Input and scale_factor must have the same number of spatial dimensions, but "
                f"got input with spatial dimensions of {spatial} and scale_factor of shape "
                f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                "and scale_factor in (s1, s2, ...,sK) format."
            )
        return None, [float(s) for s in scale_factor]
    return None, [scale_factor] * dim


def _dispatch(x: Tensor, out: list[Any], scales: Any, mode: str, ac: Any) -> Tensor:
    k = x.dim() - 2
    out = [int(v) if is_int(v) else v for v in out]
    if scales is not None:
        scales = [float(s) for s in scales]
    if mode == "area":
        return (adaptive_avg_pool1d if k == 1 else adaptive_avg_pool2d)(x, out)
    if out and min(out) <= 0:
        got = ", ".join(f"{a}: {b}" for a, b in zip("DHW"[3 - k :], x.shape[2:], strict=True))
        want = ", ".join(f"{a}: {b}" for a, b in zip("DHW"[3 - k :], out, strict=True))
        raise RuntimeError(
            f"Input and output sizes should be greater than 0, but got input ({got}) "
            f"output ({want})"
        )
    return apply(_UPSAMPLE[(mode, k)], x, output_size=tuple(out), align_corners=ac,
                 scales=tuple(scales) if scales is not None else (None,) * k)  # fmt: skip


@declare(
    "interpolate",
    nodes=(*_UPSAMPLE.values(), _UpsampleFold),
    torch=False,
    method=False,
    functional=True,
)
def interpolate(
    input: Tensor,  # noqa: A002 - PyTorch's name
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial dims of (N, C, ...) ``input`` to ``size`` or by ``scale_factor``."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    out, scales = _sizes(input, size, scale_factor)
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and out is None:
        recompute_scale_factor = True
    if out is None:
        # Both spell the size as the floor of in * scale; PyTorch then passes the scales on.
        out = [math.floor(float(n) * s) for n, s in zip(input.shape[2:], scales, strict=True)]
        if recompute_scale_factor:
            scales = None
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported by visgrad")
    k = input.dim() - 2
    if mode in _NEEDS and input.dim() != _NEEDS[mode] and input.dim() in (3, 4, 5):
        raise NotImplementedError(
            f"Got {input.dim()}D input, but {mode} mode needs {_NEEDS[mode]}D input"
        )
    if input.dim() not in (3, 4, 5) or (mode, k) not in _NAMES and mode != "area":
        if mode == "bicubic" and input.dim() == 4:
            raise NotImplementedError("interpolate: mode 'bicubic' is not supported by visgrad")
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
            f"the modes: {_ALL} (got {mode})"
        )
    if mode == "area" and k == 3:
        raise NotImplementedError("interpolate: 3-D area mode is not supported by visgrad")
    return _dispatch(input, out, scales, mode, align_corners)
