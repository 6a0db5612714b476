"""Parameters whose default ``None`` means "not given", where PyTorch refuses an explicit None.

``t.max()`` and ``t.max(dim=0)`` are two of PyTorch's signatures; ``t.max(dim=None)`` fits
neither, and its parser says so ("invalid combination of arguments"). Our functions stand for
several signatures at once, with ``None`` as the default of the parameters some signatures lack,
so an explicit None would pass. The public forms (Tensor methods and ``torch.`` functions) of the
ops below refuse it as PyTorch does; the ops' own calls among themselves pass None freely.

The same public forms refuse two more things no signature of PyTorch's fits: ``keepdim`` given
without ``dim`` (``torch.sum(t, keepdim=True)``; ``torch.sum(t, None, True)`` is fine), and a
``dim`` that is a bool or a tensor not holding one integer (``torch.max(t, dim=True)``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from visgrad.arg_parser import invalid_combination, is_int
from visgrad.tensor import Tensor

__all__ = ["INT_DIM", "REFUSED", "WITH_DIM", "refusing_none"]

# op -> {parameter: what PyTorch says}: None for "invalid combination of arguments" (the op has
# several signatures), else the type its one signature names ("must be tuple of ints, not
# NoneType").
REFUSED: dict[str, dict[str, str | None]] = {
    "max": {"dim": None},
    "min": {"dim": None},
    "prod": {"dim": None},
    "squeeze": {"dim": None},
    "std": {"unbiased": None},
    "var": {"unbiased": None},
    "std_mean": {"unbiased": None},
    "var_mean": {"unbiased": None},
    "scatter": {"src": None, "value": None, "reduce": None},
    "scatter_": {"src": None, "value": None, "reduce": None},
    "bernoulli": {"p": None},
    "randint_like": {"low": None, "high": None},
    "normal": {"size": None},
    "repeat_interleave": {"repeats": None},
    "logsumexp": {"dim": "tuple of ints"},
    "randint": {"size": None},
    "narrow": {"dim": None},
    "sort": {"dim": None},
    "argsort": {"dim": None},
}
# Ops whose ``keepdim`` exists only in the signatures that take ``dim``.
WITH_DIM = frozenset({"sum", "mean", "prod", "max", "min"})
# Ops whose ``dim`` is an int or a tuple of ints, never a bool or a non-integer tensor.
INT_DIM = frozenset({"sum", "mean", "prod", "max", "min", "std", "var", "squeeze"})


def _bad_dim(v: Any) -> bool:
    if isinstance(v, (bool, np.bool_)):
        return True
    return isinstance(v, Tensor) and not is_int(v)


def refusing_none(name: str, fn: Callable[..., Any], method: bool) -> Callable[..., Any]:
    """``fn`` as the public ``name``, refusing an explicit None where ``REFUSED`` says (a method's
    message leaves out ``self``, as PyTorch's does); other functions are returned unchanged."""
    refused = REFUSED.get(name, {})
    with_dim, int_dim = name in WITH_DIM, name in INT_DIM
    if not (refused or with_dim or int_dim):
        return fn
    params = list(inspect.signature(fn).parameters.values())
    places = {
        p.name: i
        for i, p in enumerate(params)
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    }
    skip = 1 if method else 0

    def refuse(param: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> TypeError:
        said = refused[param]
        if said is None:
            return invalid_combination(name, args[skip:], kwargs)
        at = f" (position {places[param] + 1 - skip})" if param not in kwargs else ""
        return TypeError(f"{name}(): argument '{param}'{at} must be {said}, not NoneType")

    # ``t.sum()``: only the first argument given, which no check is about.
    bare = all(places.get(p, 1) > 0 for p in (*refused, "dim", "keepdim"))

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        if bare and not kwargs and len(args) == 1:
            return fn(*args)
        for param in refused:
            i = places.get(param, len(args))
            if (i < len(args) and args[i] is None) or (param in kwargs and kwargs[param] is None):
                raise refuse(param, args, kwargs)
        if with_dim or int_dim:
            _check_dim(args, kwargs)
        return fn(*args, **kwargs)

    def given(param: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
        return param in kwargs or places.get(param, len(args)) < len(args)

    def _check_dim(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        i = places.get("dim", len(args))
        # std(t, True): a bool in dim's place is PyTorch's positional ``unbiased``
        positional = i < len(args) and name not in ("std", "var")
        dim = kwargs["dim"] if "dim" in kwargs else args[i] if positional else None
        if (int_dim and _bad_dim(dim)) or (
            with_dim and given("keepdim", args, kwargs) and not given("dim", args, kwargs)
        ):
            raise invalid_combination(name, args[skip:], kwargs)

    return call
