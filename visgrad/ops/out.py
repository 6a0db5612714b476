"""``out=`` on the ``torch`` namespace's functions.

``torch.add(x, y, out=result)`` computes as ``torch.add(x, y)`` and writes the result into
``result``, PyTorch's way: an ``out`` of another shape is resized (with PyTorch's warning unless it
was empty), a result that cannot be cast to ``out``'s dtype is an error, and so is any argument
that requires grad while grad mode is on (autograd does not follow ``out=``). The write is a
``copy_`` into ``out``, so the debugger sees it like any other in-place write.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from visgrad.autograd.grad_mode import MODES, no_grad
from visgrad.ops.gate import user_stacklevel
from visgrad.ops.inplace import _KIND_RANK, _scalar_name, copy_
from visgrad.ops.results import result_type
from visgrad.tensor import Tensor

# Functions of PyTorch's namespace that have no ``out=`` although they make a tensor: views and
# shape functions, predicates, layers and the ``*_like`` samplers, as PyTorch's parser says.
# (``tests/engine/test_out_argument.py`` checks this list against PyTorch's own signatures.)
NO_OUT = frozenset(
    {
        "_weight_norm", "adaptive_avg_pool1d", "adaptive_max_pool1d", "allclose", "argwhere", "avg_pool1d",
        "batch_norm", "bilinear", "bincount", "block_diag", "broadcast_tensors", "broadcast_to",
        "cartesian_prod", "celu", "channel_shuffle", "chunk", "clone", "diag_embed", "diagflat", "dist", "take", "rot90",
        "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
        "cosine_similarity", "ctc_loss", "det", "logdet", "pinverse", "qr", "slogdet",
        "cosine_embedding_loss", "hinge_embedding_loss", "margin_ranking_loss",
        "triplet_margin_loss", "cov", "corrcoef",
        "cdist", "pdist", "combinations", "unique_consecutive", "trapezoid", "trapz",
        "cumulative_trapezoid", "vander", "matrix_exp", "_pack_padded_sequence", "atleast_1d",
        "atleast_2d", "atleast_3d", "ravel", "fliplr", "flipud", "is_signed", "adjoint",
        "count_nonzero", "detach", "diagonal", "einsum", "embedding", "equal", "flatten", "flip",
        "group_norm", "index_add", "index_copy", "index_fill", "is_tensor", "isclose", "isfinite",
        "isinf", "isnan", "isreal", "kl_div", "layer_norm", "rms_norm", "masked_fill", "masked_scatter", "max_pool1d",
        "max_pool2d", "max_pool3d", "meshgrid", "moveaxis", "movedim", "narrow", "native_channel_shuffle", "norm_except_dim", "numel",
        "pairwise_distance", "permute", "poisson", "gradient", "orgqr", "pixel_shuffle", "pixel_unshuffle", "positive", "prelu", "rand_like", "randint_like", "randn_like",
        "relu", "repeat_interleave", "rrelu", "reshape", "roll", "rsub", "select", "selu",
        "split", "squeeze", "std_mean", "tensor_split", "swapaxes", "swapdims", "t", "tile", "transpose", "unbind",
        "unflatten", "unravel_index", "put", "unique", "unsafe_chunk", "unsafe_split", "unsqueeze", "var_mean",
    }
)  # fmt: skip


@functools.cache
def _out_type(name: str, fields: tuple[str, ...]) -> type:
    return result_type(f"{name}_out", fields)


def with_out(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """The ``torch.<name>`` function: ``fn`` with PyTorch's ``out=`` keyword."""
    sig = inspect.signature(fn)
    if name in NO_OUT or name.endswith("_") or "out" in sig.parameters:
        return fn

    @functools.wraps(fn)
    def call(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is None:
            return fn(*args, **kwargs)
        if MODES.enabled and (
            _needs_grad(args) or _needs_grad(kwargs.values()) or _needs_grad(_outs(out))
        ):
            raise RuntimeError(
                f"{name}(): functions with out=... arguments don't support automatic "
                "differentiation, but one of the arguments requires grad."
            )
        result = fn(*args, **kwargs)
        if isinstance(result, tuple):
            outs = _outs(out)
            for r, o in zip(result, outs, strict=True):
                write_out(r, o)
            fields = getattr(result, "_fields", None)
            if fields is None:
                return out
            return _out_type(type(result).__name__, fields)(*outs)  # torch.return_types.sort_out
        return write_out(result, out)

    params = [p for p in sig.parameters.values() if p.kind is not p.VAR_KEYWORD]
    extra = inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY, default=None)
    call.__signature__ = sig.replace(  # type: ignore[attr-defined]
        parameters=[
            *params,
            extra,
            *(p for p in sig.parameters.values() if p.kind is p.VAR_KEYWORD),
        ]
    )
    return call


def _outs(out: Any) -> tuple[Any, ...]:
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def _needs_grad(values: Any) -> bool:
    for v in values:
        if isinstance(v, Tensor) and v.requires_grad:
            return True
        if isinstance(v, (list, tuple)) and _needs_grad(v):
            return True
    return False


def write_out(result: Any, out: Any) -> Tensor:
    """Store ``result`` into the caller's ``out`` tensor as PyTorch does; return ``out``."""
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if not isinstance(result, Tensor):
        result = Tensor._make(np.asarray(result), False, None, 0)
    src, dst = result._data, out._data
    if _KIND_RANK.get(src.dtype.kind, 2) > _KIND_RANK.get(dst.dtype.kind, 2):
        raise RuntimeError(
            f"result type {_scalar_name(src.dtype)} can't be cast to the desired output type "
            f"{_scalar_name(dst.dtype)}"
        )
    if src.shape != dst.shape:
        if dst.size:
            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(dst.shape)}, which does not match the required output shape "
                f"{list(src.shape)}. This behavior is deprecated, and in a future PyTorch release "
                "outputs will not be resized unless they have zero elements. You can explicitly "
                "reuse an out tensor t by resizing it, inplace, to zero elements with "
                "t.resize_(0).",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        out._data = np.empty(src.shape, dst.dtype)
    with no_grad():
        copy_(out, result)
    return out
