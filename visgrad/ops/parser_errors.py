"""PyTorch's argument-parser errors for the public forms of the ops (``torch.X``, ``Tensor.X``).

The argument gate and Python's own argument binding refuse a call with a TypeError in the words
of PyTorch's parser, but they know neither how the call was made nor which name it used: the
public forms do. ``parsed`` wraps each public form so that such an error is said as PyTorch's
parser says it (only the errors about this call's arguments, named after the op, are touched):

- an op with several signatures (``overload_table``) fits none, and not exactly one signature
  takes as many arguments as were given: "received an invalid combination of arguments - got
  (...)", listing the call's argument types (``self`` left out for a method);
- an argument given by keyword names no position ("argument 'dim' must be ..."); a method counts
  its positions after ``self``;
- missing and extra arguments in PyTorch's words: 'missing 1 required positional arguments:
  "other"' (sic: PyTorch says "arguments" for one, "argument" for several), "takes 1 positional
  argument but 2 were given" without counting ``self``;
- the name called: ``torch.concat`` is ``concat()`` where ours says ``cat()``.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from visgrad.arg_parser import TORCH_NAMES, invalid_combination
from visgrad.ops import overload_table

__all__ = ["parsed"]

# Parameters a public name calls otherwise than the function it shares (``torch.det(input)`` is
# ``torch.linalg.det(A)``).
RENAMED = {
    "det": {"A": "input"},
    "inverse": {"A": "input"},
    "swapdims": {"axis0": "dim0", "axis1": "dim1"},
}
_ARGUMENT = re.compile(r"\(\): argument '(\w+)'(?: \(position (\d+)\))? (.*)", re.S)
_MISSING = re.compile(r"\(\) missing (\d+) required positional arguments?: (.*)", re.S)
_TAKES = re.compile(
    r"\(\) takes (?:from (\d+) to )?(\d+) positional arguments? but (\d+) (?:was|were) given"
)
_OTHER = re.compile(r"\(\) (got an unexpected keyword argument|got multiple values for argument) ")
_COMBINATION = "() received an invalid combination of arguments"


def parsed(name: str, fn: Callable[..., Any], form: str) -> Callable[..., Any]:
    """``fn`` as the public ``name`` of ``form`` ("torch", "tensor": a method, or "functional"),
    its argument errors said as PyTorch's parser says them (a functional PyTorch writes in
    Python is left alone: its errors are its inner calls'). Made once and cached."""
    made = _MADE.get((name, fn, form))
    if made is None:
        made = _MADE[name, fn, form] = _parsed(name, fn, form)
    return made


_MADE: dict[tuple[str, Callable[..., Any], str], Callable[..., Any]] = {}


# The Python function a name of ``INNER`` calls first, where Python's own binding errors (missing
# and unexpected arguments) name it.
PYTHON_FUNCTIONS = {
    ("torch", "lu"): "_lu_no_infos",
    ("tensor", "lu"): "lu",
    ("torch", "unique"): "_return_output",
}


# Functions PyTorch writes in Python whose first typed check is that of one inner call: the name
# its parser says, our parameters it names otherwise, those the call passes by keyword, and those
# it passes at another position.
INNER: dict[tuple[str, str], tuple[str, dict[str, str], frozenset[str], dict[str, int]]] = {
    ("functional", "cross_entropy"): ("cross_entropy_loss", {}, frozenset(), {}),
    ("functional", "nll_loss"): ("nll_loss_nd", {}, frozenset(), {}),
    ("functional", "fold"): ("col2im", {}, frozenset(), {}),
    ("functional", "dropout"): ("dropout", {"training": "train"}, frozenset(), {}),
    **{
        ("functional", n): ("feature_dropout", {"training": "train"}, frozenset(), {})
        for n in ("dropout1d", "dropout2d", "dropout3d")
    },
    ("torch", "unique"): (
        "_unique2",
        {},
        frozenset({"sorted", "return_inverse", "return_counts"}),
        {},
    ),
    ("functional", "softmin"): ("softmax", {}, frozenset({"dtype"}), {"dim": 1}),
    **{
        (form, "lu"): ("_lu_with_info", {"A": "input"}, frozenset({"pivot"}), {})
        for form in ("torch", "tensor")
    },
    **{
        (form, "norm"): ("linalg_vector_norm", {}, frozenset({"dtype"}), {})
        for form in ("torch", "tensor")
    },
    ("functional", "instance_norm"): (
        "instance_norm",
        {},
        frozenset(),
        {"running_mean": 4, "running_var": 5, "weight": 2, "bias": 3, "use_input_stats": 6},
    ),
}


def _inner(name: str, fn: Callable[..., Any], form: str) -> Callable[..., Any]:
    """``fn`` with its argument-type errors said as ``INNER``'s call of it says them."""
    said, renamed, keywords, positions = INNER[form, name]

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TypeError as e:
            m = _ARGUMENT.match(str(e)[len(name) :]) if str(e).startswith(name + "(") else None
            python = PYTHON_FUNCTIONS.get((form, name))
            if m is None and python is not None and str(e).startswith(name + "() "):
                raise TypeError(python + str(e)[len(name) :]) from None
            if m is None:
                raise
            param, position, text = m.groups()
            param = renamed.get(param, param)
            if param in positions and position is not None:
                position = str(positions[param])
            where = "" if position is None or param in keywords else f" (position {position})"
            raise TypeError(f"{said}(): argument '{param}'{where} {text}") from None

    return call


def _parsed(name: str, fn: Callable[..., Any], form: str) -> Callable[..., Any]:
    if (form, name) in INNER:
        return _inner(name, fn, form)
    method = form == "tensor"
    said = name
    if form == "functional":
        if name not in overload_table.PARSED_FUNCTIONAL:
            return fn
        said = overload_table.PARSED_FUNCTIONAL[name]
    elif name in (overload_table.PYTHON_TENSOR if method else overload_table.PYTHON_TORCH):
        return fn  # PyTorch's Python code: Python's own words
    own = getattr(fn, "__qualname__", name).rsplit(".", 1)[-1]
    table = {"torch": overload_table.TORCH, "tensor": overload_table.TENSOR}
    signatures, shown = table.get(form, overload_table.FUNCTIONAL).get(name, ((), ""))

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TypeError as e:
            how = Call(
                said,
                own,
                method,
                args,
                kwargs,
                _binding_error(fn, args, kwargs),
                getattr(e, "function_position", False),
                _required(fn),
                method and name in overload_table.NO_ARGUMENTS,
            )
            better = reworded(str(e), how, signatures, shown)
            if better is None:
                raise
            raise better from None

    return call


class Call(NamedTuple):
    """How a public form was called: the name, our function's own name (its messages'), whether
    as a method (``args[0]`` is ``self``), the arguments, and whether Python refused to bind
    them to our function's signature (its words count ``self``), whether the error counts
    positions as a function does (the gate's), our function's required parameters, and whether
    it is a method of no arguments (PyTorch's are Python's no-argument methods)."""

    name: str
    own: str
    method: bool
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    binding: bool
    function_position: bool
    required: tuple[str, ...]
    only_self: bool


def _required(fn: Callable[..., Any]) -> tuple[str, ...]:
    try:
        params = inspect.signature(fn).parameters.values()
    except ValueError:
        return ()
    return tuple(
        p.name for p in params if p.default is p.empty and p.kind <= p.POSITIONAL_OR_KEYWORD
    )


def _binding_error(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    try:
        inspect.signature(fn).bind(*args, **kwargs)
    except TypeError:
        return True
    except ValueError:  # no signature to bind to
        return False
    return False


def reworded(
    text: str, call: Call, signatures: tuple[tuple[int, int], ...], shown: str
) -> TypeError | None:
    """PyTorch's words for the error ``text`` of ``call`` (None: leave the error as it is)."""
    name, own, method, args, kwargs = call[:5]
    # an in-place torch. function may be its op's out of place one, writing back
    names = (own, name, name[:-1]) if name.endswith("_") else (own, name)
    rest = next((text[len(n) :] for n in names if text.startswith(n + "(")), None)
    if rest is None or not _about_arguments(rest):
        return None
    given = args[1:] if method else args
    if signatures and "failed to unpack" not in rest:  # unpacking follows the choice of signature
        n = len(given) + len(kwargs)
        if sum(lo <= n <= hi for lo, hi in signatures) != 1:
            return invalid_combination(name, given, kwargs, shown)
    if rest.startswith(_COMBINATION):
        return invalid_combination(name, given, kwargs, shown)
    m = _ARGUMENT.match(rest)
    if m is not None:
        param, position, said = m.groups()
        param = RENAMED.get(name, {}).get(param, param)
        if param in kwargs or any(TORCH_NAMES.get(k) == param for k in kwargs):
            position = None
        elif position is not None and method and call.function_position:
            position = str(int(position) - 1)
        where = "" if position is None else f" (position {position})"
        return TypeError(f"{name}(): argument '{param}'{where} {said}")
    m = _MISSING.match(rest)
    if m is not None:
        missing = re.findall(r"['\"](\w+)['\"]", m.group(2))
        if missing and missing[0] in call.required:  # PyTorch names every required one after
            missing = list(call.required[call.required.index(missing[0]) :])
        renamed = {**TORCH_NAMES, **RENAMED.get(name, {})}
        missing = [renamed.get(p, p) for p in missing]
        s = "s" if len(missing) == 1 else ""
        listed = ", ".join(f'"{p}"' for p in missing)
        return TypeError(
            f"{name}() missing {len(missing)} required positional argument{s}: {listed}"
        )
    if call.only_self and call.binding:  # a no-argument method: CPython's own words
        if kwargs:
            return TypeError(f"Tensor.{name}() takes no keyword arguments")
        return TypeError(f"Tensor.{name}() takes no arguments ({len(given)} given)")
    m = _TAKES.match(rest)
    if m is not None:
        lo, hi, got = (None if v is None else int(v) for v in m.groups())
        if method and (call.binding or call.function_position):  # these count ``self``
            lo, hi, got = (None if v is None else v - 1 for v in (lo, hi, got))
        if lo is not None and lo != hi:
            return TypeError(
                f"{name}() takes from {lo} to {hi} positional arguments but {got} were given"
            )
        s, verb = "" if hi == 1 else "s", "was" if got == 1 else "were"  # Python's grammar
        return TypeError(f"{name}() takes {hi} positional argument{s} but {got} {verb} given")
    return TypeError(name + rest)


def _about_arguments(rest: str) -> bool:
    return bool(
        rest.startswith(_COMBINATION)
        or _ARGUMENT.match(rest)
        or _MISSING.match(rest)
        or _TAKES.match(rest)
        or _OTHER.match(rest)
    )
