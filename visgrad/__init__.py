"""visgrad: PyTorch's autograd on NumPy, where every step is an event you can watch.

Write ``import visgrad as torch`` and run PyTorch tutorial code unchanged.
"""

from visgrad import autograd, nn, optim
from visgrad import ops as _ops  # noqa: F401 - attaches Tensor methods
from visgrad.autograd.anomaly import is_anomaly_check_nan_enabled, is_anomaly_enabled
from visgrad.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from visgrad.dtypes import (
    bool,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    short,
    uint8,
)
from visgrad.factories import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    seed,
    tensor,
    zeros,
    zeros_like,
)
from visgrad.ops.convert import detach
from visgrad.ops.elementwise import (
    abs,
    add,
    clamp,
    cos,
    div,
    exp,
    floor_divide,
    log,
    log1p,
    maximum,
    minimum,
    mul,
    neg,
    pow,
    reciprocal,
    relu,
    remainder,
    sigmoid,
    sign,
    sin,
    sqrt,
    sub,
    tanh,
    where,
)
from visgrad.ops.index import narrow, select
from visgrad.ops.join import cat, chunk, flip, split, stack, unbind
from visgrad.ops.linalg import bmm, dot, matmul, mm, mv
from visgrad.ops.minmax import amax, amin, argmax, argmin, max, min
from visgrad.ops.nn_ops import addmm, log_softmax, softmax
from visgrad.ops.reduce import mean, norm, prod, std, sum, var
from visgrad.ops.shape import (
    clone,
    expand,
    flatten,
    permute,
    reshape,
    squeeze,
    t,
    transpose,
    unsqueeze,
)
from visgrad.tensor import Size, Tensor

clip = clamp
FloatTensor = Tensor
float_ = float32

__version__ = "0.1.0"

# API breadth for users' own scripts: devices, the default dtype, more ops and predicates.
from visgrad import backends, cuda  # noqa: E402
from visgrad._device import device  # noqa: E402
from visgrad.ops.extra import (  # noqa: E402
    ceil,
    clamp_max,
    clamp_min,
    exp2,
    floor,
    log2,
    logsumexp,
    masked_fill,
    nan_to_num,
    round,
    rsqrt,
    square,
)
from visgrad.ops.layout import (  # noqa: E402
    broadcast_to,
    diag,
    movedim,
    outer,
    swapaxes,
    tile,
    tril,
    triu,
    unflatten,
)
from visgrad.ops.predicates import (  # noqa: E402
    all,
    allclose,
    any,
    equal,
    is_tensor,
    isclose,
    isfinite,
    isinf,
    isnan,
    numel,
)
from visgrad.ops.scan import argsort, cumsum, gather, index_select, sort, topk  # noqa: E402
from visgrad.ops.tensor_api import (  # noqa: E402
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    get_default_dtype,
    set_default_dtype,
)

ger = outer
moveaxis = movedim
swapdims = swapaxes
