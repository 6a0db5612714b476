"""Parameters whose default ``None`` means "not given", where PyTorch refuses an explicit None.

``t.max()`` and ``t.max(dim=0)`` are two of PyTorch's signatures; ``t.max(dim=None)`` fits
neither, and its parser says so ("invalid combination of arguments"). Our functions stand for
several signatures at once, with ``None`` as the default of the parameters some signatures lack,
so an explicit None would pass. The public forms (Tensor methods and ``torch.`` functions) of the
ops below refuse it as PyTorch does; the ops' own calls among themselves pass None freely.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from visgrad.arg_parser import invalid_combination

__all__ = ["REFUSED", "refusing_none"]

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


def refusing_none(name: str, fn: Callable[..., Any], method: bool) -> Callable[..., Any]:
    """``fn`` as the public ``name``, refusing an explicit None where ``REFUSED`` says (a method's
    message leaves out ``self``, as PyTorch's does); other functions are returned unchanged."""
    refused = REFUSED.get(name)
    if refused is None:
        return fn
    params = list(inspect.signature(fn).parameters.values())
    places = {
        p.name: i
        for i, p in enumerate(params)
        if p.name in refused and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    }
    skip = 1 if method else 0

    def refuse(param: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> TypeError:
        said = refused[param]
        if said is None:
            return invalid_combination(name, args[skip:], kwargs)
        at = f" (position {places[param] + 1 - skip})" if param not in kwargs else ""
        return TypeError(f"{name}(): argument '{param}'{at} must be {said}, not NoneType")

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        for param in refused:
            i = places.get(param, len(args))
            if (i < len(args) and args[i] is None) or (param in kwargs and kwargs[param] is None):
                raise refuse(param, args, kwargs)
        return fn(*args, **kwargs)

    return call
