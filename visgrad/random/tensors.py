"""Random tensors: ``rand``, ``randn``, ``randint``, ``randperm``, the ``*_like`` forms,
``normal``, ``bernoulli`` and ``multinomial`` — PyTorch's streams for PyTorch's arguments.

Each factory makes an empty tensor and fills it as PyTorch's does (``rand`` is
``empty().uniform_()``, ``randint`` is ``empty().random_(low, high)``), so both draw the same words.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import dtypes, events
from visgrad.arg_parser import int_list, invalid_combination
from visgrad.factories import _leaf, _size, check_size
from visgrad.ops.gate import is_int, pytorch_error
from visgrad.ops.registry import declare
from visgrad.random import draws, get_generator, sampling
from visgrad.random.fills import (
    check_float,
    fill_bernoulli,
    fill_random,
    normal_values,
    type_name,
)
from visgrad.random.generator import Generator
from visgrad.tensor import Tensor

# Keywords PyTorch's factory signatures take besides those our functions name.
_FACTORY_KEYWORDS = frozenset({"out", "device", "layout", "pin_memory", "memory_format"})


def _keywords(op: str, given: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a keyword no signature of ``op`` takes, with PyTorch's words."""
    if set(kwargs) - _FACTORY_KEYWORDS:
        raise invalid_combination(op, given, kwargs)


def _announced(t: Tensor, op: str) -> Tensor:
    """Publish ``t``'s creation once it is filled: the event carries its values, not the
    uninitialised memory it was made in."""
    if events.SINKS:
        t._announce(op)
    return t


def _float_dtype(dtype: Any, op: str) -> np.dtype:
    np_dtype = dtypes.to_np(dtype) or dtypes.default_float.np
    check_float(np_dtype, op)
    return np_dtype


@declare("rand", method=False)
def rand(
    *size: Any,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool | None = False,
    **_: Any,
) -> Tensor:
    """Uniform samples on [0, 1)."""
    _keywords("rand", size, _)
    shape = _size(size, op="rand")
    np_dtype = _float_dtype(dtype, "check_uniform_bounds")
    values = draws.uniform(get_generator(generator), int(np.prod(shape)), np_dtype, 0.0, 1.0)
    return _leaf(values.reshape(shape), requires_grad, "rand")


@declare("randn", method=False)
def randn(
    *size: Any,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool | None = False,
    **_: Any,
) -> Tensor:
    """Standard normal samples."""
    _keywords("randn", size, _)
    shape = _size(size, op="randn")
    np_dtype = _float_dtype(dtype, "normal_kernel_cpu")
    values = normal_values(get_generator(generator), shape, np_dtype, 0.0, 1.0, True)
    return _leaf(values.reshape(shape), requires_grad, "randn")


@declare("randint", method=False)
def randint(
    *args: Any,
    size: Any = None,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool | None = False,
    **kwargs: Any,
) -> Tensor:
    """Integers in [low, high): ``randint(high, size)`` or ``randint(low, high, size)``."""
    low = kwargs.pop("low", None)
    high = kwargs.pop("high", None)
    given = [a for a in (low, high) if a is not None] + list(args)
    if size is None and given:
        size = given.pop()
    if len(given) == 1:
        low, high = 0, given[0]
    elif len(given) == 2:
        low, high = given
    else:
        raise TypeError("randint() missing required argument 'high'")
    if not (is_int(low) and is_int(high)) or set(kwargs) - {"out", "layout", "pin_memory"}:
        raise invalid_combination("randint", (*args,), kwargs)
    if not isinstance(size, (tuple, list)):  # a size is a sequence: randint(0, 5, 3) is refused
        if len(args) > 2:
            raise invalid_combination("randint", (*args,), kwargs)
        int_list("randint", "size", size, len(args))
    shape = _size((size,))
    t = Tensor._make(np.empty(shape, dtypes.to_np(dtype) or np.int64), False, None, 0)
    fill_random(t, low, high, generator=generator, _announce=False)
    if requires_grad:
        t.requires_grad_(True)
    return _announced(t, "randint")


@declare("randperm", method=False)
def randperm(
    n: int,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool | None = False,
    **_: Any,
) -> Tensor:
    """A random permutation of ``0 .. n-1``."""
    _keywords("randperm", (n,), _)
    n = int(n)
    if n < 0:  # the empty result's size check comes first
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    check_size((n,), 8)
    perm = sampling.randperm(get_generator(generator), n)
    return _leaf(perm.astype(dtypes.to_np(dtype) or np.int64), requires_grad, "randperm")


def _like_dtype(a: Tensor, dtype: Any) -> np.dtype:
    return dtypes.to_np(dtype) or a._data.dtype


@declare("rand_like", method=False)
def rand_like(
    input: Tensor,  # noqa: A002 - PyTorch's name
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    requires_grad: bool | None = False,
    **_: Any,
) -> Tensor:
    """``rand`` with ``input``'s shape and dtype."""
    _keywords("rand_like", (input,), _)
    return rand(
        input.shape,
        generator=generator,
        dtype=_like_dtype(input, dtype),
        requires_grad=requires_grad,
    )


@declare("randn_like", method=False)
def randn_like(
    input: Tensor,  # noqa: A002
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    requires_grad: bool | None = False,
    **_: Any,
) -> Tensor:
    """``randn`` with ``input``'s shape and dtype."""
    _keywords("randn_like", (input,), _)
    return randn(
        input.shape,
        generator=generator,
        dtype=_like_dtype(input, dtype),
        requires_grad=requires_grad,
    )


@declare("randint_like", method=False)
def randint_like(
    input: Tensor,  # noqa: A002
    low: Any = None,
    high: int | None = None,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    requires_grad: bool | None = False,
    **_: Any,
) -> Tensor:
    """``randint`` with ``input``'s shape and dtype; the one bound may be a 0-d tensor."""
    if low is None:
        if high is None:  # no bound at all: none of PyTorch's signatures
            raise invalid_combination("randint_like", (input,), {})
        low = 0
    given = (input, low) if high is None else (input, low, high)
    _keywords("randint_like", given, _)
    if not all(is_int(b) or isinstance(b, Tensor) for b in given[1:]):
        raise invalid_combination("randint_like", given, {})  # no signature takes such a bound
    if high is None:
        if isinstance(low, Tensor):
            if low._data.ndim != 0:
                raise RuntimeError("high must be a scalar tensor and on CPU")
            low = int(low._data)
        low, high = 0, low
    return randint(
        low,
        high,
        tuple(input.shape),
        generator=generator,
        dtype=_like_dtype(input, dtype),
        requires_grad=requires_grad,
    )


@declare("normal", method=False)
def normal(
    mean: Any,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Generator | None = None,
    **kwargs: Any,
) -> Tensor:
    """Samples of N(mean, std²); ``mean`` and ``std`` may be tensors (broadcast together)."""
    gen = get_generator(generator)
    tensors = isinstance(mean, Tensor) or isinstance(std, Tensor)
    dtype = kwargs.get("dtype")  # in kwargs: given, even as None
    requires_grad = kwargs.get("requires_grad", False)
    # PyTorch's tensor signatures take no size, dtype or requires_grad (not even None); none
    # takes an unknown keyword.
    factory = {"out", "device", "layout", "pin_memory", "dtype", "requires_grad"}
    if (
        set(kwargs) - factory
        or (tensors and (size is not None or {"dtype", "requires_grad"} & set(kwargs)))
        or not isinstance(requires_grad, (bool, type(None)))
    ):
        given = (mean, std) if size is None else (mean, std, size)
        named = {"generator": generator} if generator is not None else {}
        raise invalid_combination("normal", given, {**named, **kwargs})
    requires_grad = bool(requires_grad)
    for v in (mean, std):
        if not isinstance(v, (Tensor, int, float, np.integer, np.floating)):
            got = ", ".join(type(x).__name__ for x in (mean, std))
            raise TypeError(f"normal() received an invalid combination of arguments - got ({got})")
    mean_t, std_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mean_t and not std_t:
        if size is None:
            raise TypeError("normal() missing required argument 'size'")
        shape = _size((size,))
        np_dtype = _float_dtype(dtype, "normal_kernel_cpu")
        _check_std(std)
        values = normal_values(gen, shape, np_dtype, float(mean), float(std), True)
        return _leaf(values.reshape(shape), requires_grad, "normal")
    if std_t and bool((std._data < 0).any()):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not std_t:
        _check_std(std)
    m = mean._data if mean_t else np.asarray(mean)
    s = std._data if std_t else np.asarray(std)
    ref = mean._data if mean_t else std._data
    try:
        shape = np.broadcast_shapes(m.shape, s.shape) if mean_t and std_t else ref.shape
    except ValueError as e:
        raise pytorch_error(e) from None
    # The result has the dtype of the tensor mean (else of std), which must be floating.
    np_dtype = _float_dtype(ref.dtype, "normal_kernel_cpu")
    if mean_t and not std_t:
        # normal_(0, std) then add_(mean): one rounding in the fill, one in the add.
        out = normal_values(gen, shape, np_dtype, 0.0, float(std), True).reshape(shape) + m
    else:
        z = normal_values(gen, shape, np_dtype, 0.0, 1.0, True).reshape(shape)
        out = z * s.astype(np_dtype) + m
    return _leaf(np.asarray(out, np_dtype).reshape(shape), requires_grad, "normal")


def _check_std(std: Any) -> None:
    if not float(std) >= 0:  # NaN too
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")


@declare("bernoulli")
def bernoulli(
    input: Tensor,  # noqa: A002
    p: float | None = None,
    *,
    generator: Generator | None = None,
    **_: Any,
) -> Tensor:
    """0/1 samples with probability ``input`` (elementwise) or ``p``, in ``input``'s dtype."""
    _keywords("bernoulli", (input,), _)
    out = Tensor._make(np.empty(input._data.shape, input._data.dtype), False, None, 0)
    fill_bernoulli(out, input if p is None else p, generator=generator, _announce=False)
    return _announced(out, "bernoulli")


@declare("multinomial")
def multinomial(
    input: Tensor,  # noqa: A002
    num_samples: int,
    replacement: bool = False,
    *,
    generator: Generator | None = None,
    **_: Any,
) -> Tensor:
    """Indices drawn from each row's (unnormalised) weights."""
    for k in set(_) - {"out"}:
        raise TypeError(f"multinomial() got an unexpected keyword argument '{k}'")
    probs = input._data
    if probs.dtype.kind != "f":
        raise RuntimeError(
            "multinomial only supports floating-point dtypes for input, got: "
            f"{type_name(probs.dtype)}"
        )
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    n = int(num_samples)
    if n <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    rows = probs.reshape(-1, probs.shape[-1]) if probs.ndim == 2 else probs[None, :]
    if not replacement and n > rows.shape[-1]:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (rows.sum(axis=-1, dtype=np.float64) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    gen = get_generator(generator)
    if not replacement or n == 1:
        picks = sampling.multinomial_without_replacement(gen, rows, n)
    else:
        picks = sampling.multinomial_with_replacement(gen, rows, n)
    out = picks if probs.ndim == 2 else picks[0]
    return _leaf(np.ascontiguousarray(out, np.int64), False, "multinomial")
