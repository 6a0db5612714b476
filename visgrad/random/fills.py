"""In-place random fills, ``Tensor.uniform_`` & co., drawing PyTorch's streams.

PyTorch visits a tensor's elements in memory order (its TensorIterator sorts dimensions by
stride), so a transposed view is filled along its storage; ``fill_values`` writes flat draws back
in that order. The checks and error texts are PyTorch's.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from visgrad import dtypes, events
from visgrad.arg_parser import invalid_combination, is_number
from visgrad.autograd.grad_mode import MODES
from visgrad.ops.gate import user_stacklevel
from visgrad.ops.gate_tables import _CPP_NAMES
from visgrad.ops.inplace import _check_leaf, publish_update
from visgrad.ops.registry import declare
from visgrad.random import draws, get_generator
from visgrad.random.generator import Generator
from visgrad.random.normal import normal
from visgrad.tensor import Tensor

_FLOATS = (np.float16, np.float32, np.float64)
_C_NAMES = {
    "uint8": "unsigned char", "int8": "signed char", "int16": "short", "int32": "int",
    "int64": "long", "bool": "bool", "float16": "c10::Half", "float32": "float",
    "float64": "double",
}  # fmt: skip


def type_name(np_dtype: np.dtype) -> str:
    """PyTorch's scalar type name (``Long``, ``Float``, ...) as its kernels' errors print it."""
    return dtypes.from_numpy(np.dtype(np_dtype)).tensor_type.removesuffix("Tensor")


def _continuous(arr: np.ndarray, what: str, name: str) -> None:
    """The check of the continuous distributions' fills: a floating-point tensor (PyTorch's
    words name the dtype as ``name`` gives it)."""
    if np.dtype(arr.dtype) not in _FLOATS:
        raise RuntimeError(
            f"{what} distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {name}"
        )


def check_float(np_dtype: np.dtype, kernel: str) -> None:
    if np.dtype(np_dtype) not in _FLOATS:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{type_name(np_dtype)}'")


def _fill_axes(arr: np.ndarray) -> tuple[int, ...]:
    """Axes from slowest to fastest in memory: the order PyTorch fills them."""
    return tuple(sorted(range(arr.ndim), key=lambda ax: -abs(arr.strides[ax])))


def fill_values(t: Tensor, flat: np.ndarray, op: str, announce: bool = True) -> Tensor:
    """Write ``flat`` (in fill order) into ``t`` in place, as an in-place update of ``t``."""
    arr = t._data
    if arr.flags.c_contiguous or arr.ndim < 2:
        values = flat.reshape(arr.shape)
    else:
        axes = _fill_axes(arr)
        values = np.empty(arr.shape, flat.dtype)
        values.transpose(axes)[...] = flat.reshape(tuple(arr.shape[a] for a in axes))
    if not announce:
        np.copyto(arr, values, casting="unsafe")
        return t
    if MODES.enabled:
        _check_leaf(t)
    np.copyto(arr, values, casting="unsafe")
    t._version.value += 1
    if events.SINKS:
        publish_update(t, op)
    return t


def normal_values(
    gen: Generator, shape: tuple[int, ...], dtype: np.dtype, mean: float, std: float, contig: bool
) -> np.ndarray:
    return normal(gen, int(np.prod(shape)), dtype, mean, std, contig)


@declare("uniform_", torch=False)
def uniform_(
    t: Tensor,
    a: float = 0.0,
    b: float = 1.0,
    /,
    *,
    generator: Generator | None = None,
    **bounds: Any,
) -> Tensor:
    """Fill with samples of U[a, b) (by keyword, PyTorch's names: ``**{"from": 0, "to": 1}``)."""
    for k in bounds:
        if k not in ("from", "to"):
            raise TypeError(f"uniform_() got an unexpected keyword argument '{k}'")
    a, b = bounds.get("from", a), bounds.get("to", b)
    arr = t._data
    check_float(arr.dtype, "check_uniform_bounds")
    if a > b:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={a} > to={b}"
        )
    values = draws.uniform(get_generator(generator), arr.size, arr.dtype, float(a), float(b))
    return fill_values(t, values, "uniform_")


@declare("normal_", torch=False)
def normal_(
    t: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Generator | None = None
) -> Tensor:
    """Fill with samples of N(mean, std²) (the 16-at-a-time kernel for contiguous tensors)."""
    arr = t._data
    check_float(arr.dtype, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    gen = get_generator(generator)
    values = normal(gen, arr.size, arr.dtype, float(mean), float(std), arr.flags.c_contiguous)
    return fill_values(t, values, "normal_")


def _bounds(np_dtype: np.dtype) -> tuple[int, int]:
    """The smallest and largest value ``random_`` may produce for a dtype."""
    if np_dtype == np.bool_:
        return 0, 1
    if np_dtype.kind == "f":
        digits = {2: 11, 4: 24, 8: 53}[np_dtype.itemsize]
        return -(2**digits), 2**digits
    info = np.iinfo(np_dtype)
    return int(info.min), int(info.max)


@declare("random_", torch=False)
def random_(t: Tensor, *args: Any, generator: Generator | None = None, **kwargs: Any) -> Tensor:
    """``random_()``, ``random_(to)``, ``random_(from, to)``; ``to=None`` means up to the max."""
    if not set(kwargs) <= {"from", "to"}:
        named = {**kwargs, "generator": generator} if generator is not None else kwargs
        raise invalid_combination("random_", args, named)
    return fill_random(t, *args, generator=generator, **kwargs)


def fill_random(
    t: Tensor,
    *args: Any,
    generator: Generator | None = None,
    _announce: bool = True,
    **kwargs: Any,
) -> Tensor:
    """``random_``'s fill; ``_announce=False`` leaves the tensor's announcement to the caller
    (``randint`` makes its tensor with it)."""
    arr = t._data
    gen = get_generator(generator)
    n = arr.size
    if not args and not kwargs:
        return fill_values(t, draws.random_default(gen, n, arr.dtype), "random_", _announce)
    if len(args) == 1 and not kwargs:
        from_, to = 0, args[0]  # random_(to)
    else:
        from_ = args[0] if args else kwargs.get("from", 0)
        to = args[1] if len(args) > 1 else kwargs.get("to")
    low, high = _bounds(arr.dtype)
    from_ = int(from_)
    if to is None:
        if from_ == -(2**63) and arr.dtype in (np.int64, np.float32, np.float64):
            return fill_values(t, draws.random_full_range(gen, n, arr.dtype), "random_", _announce)
        _check_in(from_, low, high, "from", arr.dtype)
        span = high - from_ + 1
    else:
        to = int(to)
        if from_ >= to:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={from_} >= to={to}"
            )
        if arr.dtype.kind == "f":
            from_, to = _representable(from_, to, arr.dtype)
        _check_in(from_, low, high, "from", arr.dtype)
        _check_in(to - 1, low, high, "to - 1", arr.dtype)
        span = to - from_
    values = draws.random_from_to(gen, n, arr.dtype, span, from_)
    return fill_values(t, values, "random_", _announce)


def _representable(from_: int, to: int, np_dtype: np.dtype) -> tuple[int, int]:
    """PyTorch moves bounds a float cannot hold inwards to ones it can (``update_from/to``)."""
    digits = {2: 11, 4: 24, 8: 53}[np_dtype.itemsize]
    up = int(np_dtype.type(from_ + 1))
    if up < from_:
        from_ = up + (1 << (abs(from_ + 1).bit_length() - 1 - digits + 1))
    down = int(np_dtype.type(to - 1))
    if down >= to:
        to = down - (1 << (abs(to - 1).bit_length() - 1 - digits + 1))
    if from_ >= to:
        raise RuntimeError(
            "random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got "
            f"from={from_} >= to={to}"
        )
    return from_, to


def _check_in(value: int, low: int, high: int, what: str, np_dtype: np.dtype) -> None:
    if low <= value <= high:
        return
    if np.dtype(np_dtype).kind == "f":
        digits = {2: 11, 4: 24, 8: 53}[np.dtype(np_dtype).itemsize]
        warnings.warn(
            f"{what} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision limitations "
            f"{_C_NAMES[np.dtype(np_dtype).name]} can support discrete uniform distribution only "
            "within this range. This warning will become an error in version 1.7 release, please "
            "fix the code in advance",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        return
    raise RuntimeError(f"{what} is out of bounds for {_C_NAMES[np.dtype(np_dtype).name]}")


@declare("exponential_", torch=False)
def exponential_(t: Tensor, lambd: float = 1.0, *, generator: Generator | None = None) -> Tensor:
    """Fill with samples of Exp(lambd)."""
    arr = t._data
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    _continuous(arr, "Exponential", type_name(arr.dtype))
    values = draws.exponential(get_generator(generator), arr.size, arr.dtype, float(lambd))
    return fill_values(t, values, "exponential_")


@declare("geometric_", torch=False)
def geometric_(t: Tensor, p: float, *, generator: Generator | None = None) -> Tensor:
    """Fill with the number of Bernoulli(p) trials up to the first success."""
    arr = t._data
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={float(p):g}")
    values = draws.geometric(get_generator(generator), arr.size, arr.dtype, float(p))
    return fill_values(t, values, "geometric_")


@declare("cauchy_", torch=False)
def cauchy_(
    t: Tensor, median: float = 0.0, sigma: float = 1.0, *, generator: Generator | None = None
) -> Tensor:
    """Fill with samples of Cauchy(median, sigma)."""
    arr = t._data
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
    _continuous(arr, "Cauchy", _CPP_NAMES.get(arr.dtype.name, arr.dtype.name))
    gen = get_generator(generator)
    values = draws.cauchy(gen, arr.size, arr.dtype, float(median), float(sigma))
    return fill_values(t, values, "cauchy_")


@declare("log_normal_", torch=False)
def log_normal_(
    t: Tensor, mean: float = 1.0, std: float = 2.0, *, generator: Generator | None = None
) -> Tensor:
    """Fill with exp of samples of N(mean, std²)."""
    arr = t._data
    check_float(arr.dtype, "log_normal_cpu")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    gen = get_generator(generator)
    values = draws.log_normal(gen, arr.size, arr.dtype, float(mean), float(std))
    return fill_values(t, values, "log_normal_")


@declare("bernoulli_", torch=False)
def bernoulli_(t: Tensor, p: Any = 0.5, *, generator: Generator | None = None) -> Tensor:
    """Fill with 1 with probability ``p`` (a number, or a tensor broadcast to ``t``), else 0."""
    if not (isinstance(p, Tensor) or is_number(p)):  # its two overloads: a float or a tensor
        raise TypeError(
            f"bernoulli_(): argument 'p' (position 1) must be float, not {type(p).__name__}"
        )
    return fill_bernoulli(t, p, generator=generator)


def fill_bernoulli(
    t: Tensor, p: Any = 0.5, *, generator: Generator | None = None, _announce: bool = True
) -> Tensor:
    """``bernoulli_``'s fill; ``_announce=False`` leaves the announcement to the caller."""
    arr = t._data
    gen = get_generator(generator)
    if isinstance(p, Tensor):
        probs = p._data
        if probs.dtype.kind != "f":  # half precision included
            raise NotImplementedError(
                f"\"bernoulli_tensor_cpu_p_\" not implemented for '{type_name(probs.dtype)}'"
            )
        if probs.size and (not ((probs >= 0) & (probs <= 1)).all()):
            raise RuntimeError(
                "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error "
                "message be improved?  If so, please report an enhancement request to PyTorch.)"
            )
        expanded = np.broadcast_to(probs, arr.shape)
        order = _fill_axes(arr) if not arr.flags.c_contiguous and arr.ndim > 1 else None
        flat = (expanded.transpose(order) if order else expanded).ravel()
        values = draws.bernoulli_tensor(gen, flat)
    else:
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={float(p):g}")
        values = draws.bernoulli_scalar(gen, arr.size, float(p))
    return fill_values(t, values.astype(arr.dtype), "bernoulli_", _announce)
