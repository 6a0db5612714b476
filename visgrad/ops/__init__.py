"""The op table: every op module declares its public functions (``registry.declare``); importing
this package imports them all and gives Tensor the declared methods and operators.
"""

from __future__ import annotations

from visgrad.ops import (  # noqa: F401 - importing an op module declares its ops
    convert,
    dropout,
    elementwise,
    extra,
    index,
    inplace,
    join,
    layout,
    linalg,
    loss,
    minmax,
    nn_ops,
    pointwise,
    predicates,
    reduce,
    registry,
    scan,
    shape,
    tensor_api,
)
from visgrad.ops.base import Op, apply
from visgrad.random import fills, tensors  # noqa: E402, F401 - declare the samplers
from visgrad.tensor import Tensor

registry.finish(inplace.unary)
registry.install(Tensor)

__all__ = ["Op", "apply", "registry"]
