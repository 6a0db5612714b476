"""The op table: every op module declares its public functions (``registry.declare``); importing
this package imports them all and gives Tensor the declared methods and operators.
"""

from __future__ import annotations

from visgrad.ops import (  # noqa: F401 - importing an op module declares its ops
    activation,
    activation_piecewise,
    adaptive,
    arrange,
    attention,
    bilinear,
    binary_math,
    broadcasting,
    clamp,
    conv_functions,
    convert,
    counting,
    cross_entropy_loss,
    cumprod,
    cumulative,
    distinct,
    division,
    dropout,
    einsum,
    elementwise,
    embedding,
    extra,
    fold,
    group_norm,
    index,
    inplace,
    instance_norm,
    join,
    kl_div,
    layout,
    linalg,
    linalg_factor,
    linalg_inverse,
    linalg_norms,
    linalg_products,
    linalg_svd,
    logexp,
    logical,
    loss,
    losses,
    margin_losses,
    masked,
    minmax,
    multihead,
    nan_reduce,
    nn_ops,
    norm,
    order_stats,
    out,
    pad,
    pixel_shuffle,
    pointwise,
    pool_functions,
    power,
    predicates,
    prelu,
    products,
    rearrange,
    reduce,
    registry,
    resample,
    scan,
    scatter,
    shape,
    special_fns,
    special_math,
    tensor_api,
    truncating,
)
from visgrad.ops.base import Op, apply
from visgrad.random import fills, tensors  # noqa: E402, F401 - declare the samplers
from visgrad.tensor import Tensor

registry.finish(inplace.unary, out.with_out)
registry.install(Tensor)

__all__ = ["Op", "apply", "registry"]
