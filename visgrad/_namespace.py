"""The PyTorch-compatible namespace: what ``import visgrad as torch`` gives a user's program.

``visgrad/__init__`` loads this module on the first attribute a program asks for, so the
debugger's own modules (trace, graph, runner, app) import ``visgrad.events`` without loading the
engine.
"""

import math as _math
import typing as _typing

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
from visgrad.autograd.inference import is_inference, is_inference_mode_enabled
from visgrad.dtypes import (
    bfloat16,
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
    logspace,
    ones,
    ones_like,
    tensor,
    zeros,
    zeros_like,
)
from visgrad.ops import registry as _registry
from visgrad.tensor import Size, Tensor

FloatTensor = Tensor
float_ = float32

# API breadth for users' own scripts: devices, the default dtype, more ops and predicates.
from visgrad import (  # noqa: E402
    __version__,  # noqa: E402,F401
    accelerator,
    amp,
    backends,
    cuda,
    distributed,
    profiler,
    return_types,
    serialization,
    utils,
)
from visgrad._determinism import (  # noqa: E402
    are_deterministic_algorithms_enabled,
    is_deterministic_algorithms_warn_only_enabled,
    is_storage,
    typename,
    use_deterministic_algorithms,
)
from visgrad._device import device, get_default_device, set_default_device  # noqa: E402
from visgrad._layout import (  # noqa: E402
    channels_last,
    channels_last_3d,
    contiguous_format,
    layout,
    memory_format,
    preserve_format,
    sparse_coo,
    strided,
)
from visgrad._printing import set_printoptions  # noqa: E402
from visgrad._threads import get_num_threads, set_num_threads  # noqa: E402
from visgrad.amp import autocast  # noqa: E402
from visgrad.amp.autocast_mode import is_autocast_enabled  # noqa: E402
from visgrad.backends.cuda import (  # noqa: E402
    get_float32_matmul_precision,
    set_float32_matmul_precision,
)
from visgrad.compiler import compile  # noqa: E402, A004 - PyTorch's name
from visgrad.ops.broadcasting import broadcast_shapes  # noqa: E402
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
from visgrad.serialization import load, save  # noqa: E402
from visgrad.type_info import can_cast, finfo, iinfo, promote_types, result_type  # noqa: E402

# Every op function (exp, add, sum, matmul, ...) comes from the op registry, where each op is
# declared once; the stub lists them for IDEs and type checkers.
if _typing.TYPE_CHECKING:
    from visgrad._api import *  # noqa: F403
else:
    _registry.export(globals(), "torch")

# PyTorch's random streams: the generator and its seeding (the samplers are declared ops).
from visgrad import random  # noqa: E402
from visgrad.random import (  # noqa: E402
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)

# The constants PyTorch exports (``torch.pi`` is ``math.pi``), and ``torch.newaxis`` (None).
e, pi, inf, nan = _math.e, _math.pi, _math.inf, _math.nan
newaxis = None
