"""The argument gate: each declared op checks its arguments' types before its kernel runs.

PyTorch's argument parser turns away ``torch.matmul(1.5, x)`` with ``TypeError: matmul(): argument
'input' (position 1) must be Tensor, not float`` before any kernel runs; without a gate, our
kernels would meet the float and fail inside NumPy or on a missing attribute. The gate reads the
declared function's annotations (``Tensor``, ``Tensor | None``, ``int``, ``float``, ``bool``,
``str`` and their ``| None`` forms; ``Any`` is the function's own business) and wraps it in a
function with the same signature whose checks cost one ``type()`` test per typed argument on the
common path. The rules are PyTorch's: an ``int`` is a Python or NumPy integer or a one-element
integer tensor, never a bool or a float; a ``float`` (PyTorch's "Number") is any real number,
bool included, or a one-element tensor; a ``bool`` is a bool.
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from visgrad.arg_parser import TORCH_NAMES, counted_as_function, dims_checker, is_number
from visgrad.autograd import errors
from visgrad.dtypes import dtype as _dtype
from visgrad.factories import check_size, tensor
from visgrad.ops.gate_tables import (
    _C_NAMES,
    BOOL_ERRORS,
    DOUBLES,
    FLOAT_KERNELS,
    PYTHON_LEVEL,
    SAME_DTYPE,
    TYPED_PARAMS,
    UNGATED,
)
from visgrad.ops.matrix_dtypes import dtype_mismatch
from visgrad.tensor import Tensor, _dim

__all__ = ["check_size", "gate", "is_int", "operands", "tensors_arg", "user_stacklevel"]

# What each checked annotation is called in PyTorch's messages, and whether None is allowed.
_KINDS: dict[str, tuple[str, bool]] = {
    "Tensor": ("Tensor", False),
    "Tensor | None": ("Tensor", True),
    "int": ("int", False),
    "int | None": ("int", True),
    "float": ("Number", False),
    "float | None": ("Number", True),
    "bool": ("bool", False),
    "bool | None": ("bool", True),
    "str": ("str", False),
    "str | None": ("str", True),
}
# ``Any`` parameters that are PyTorch Scalars wherever they appear (the ``alpha`` of ``add``, the
# bounds of ``clamp``, which may also be tensors).
_ANY_BY_NAME: dict[str, tuple[str, bool]] = {
    "alpha": ("Number", False),
    "beta": ("Number", False),
    "min": ("Scalar", True),
    "max": ("Scalar", True),
    "dtype": ("torch.dtype", True),
    "exponent": ("Scalar", False),
}
# Parameters PyTorch does not type-check: its Python code tests ``if inplace:`` and looks a
# reduction up by name (an unknown one is a ValueError from the op itself).
_UNCHECKED = frozenset({"inplace", "reduction"})
# The type each kind passes with no further question (the common path).
_FAST = {
    "Tensor": Tensor,
    "int": int,
    "Number": float,
    "float": float,
    "Scalar": float,
    "Tensor or number": Tensor,
    "int[1]": int,
    "torch.dtype": _dtype,
    "bool": bool,
    "str": str,
}


def is_int(v: Any) -> bool:
    """Whether PyTorch takes ``v`` as an int (a Python or NumPy integer, or a one-element integer
    tensor; never a bool or a float)."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
        return True
    if isinstance(v, Tensor):
        return v._data.size == 1 and v._data.dtype.kind in "iu"
    return False


_OK: dict[str, Callable[[Any], bool]] = {
    "Tensor": lambda v: isinstance(v, Tensor),
    "int": is_int,
    "Number": is_number,
    # a C++ double: a number, or a 0-d tensor that does not require grad
    "float": lambda v: is_number(v) and not (isinstance(v, Tensor) and (v.ndim or v._rg)),
    "bool": lambda v: isinstance(v, (bool, np.bool_)),
    "str": lambda v: isinstance(v, str),
    "Scalar": lambda v: isinstance(v, Tensor) or is_number(v),
    # a Tensor, to PyTorch's parser, which also wraps a Python number (``t.copy_(1.5)``)
    "Tensor or number": lambda v: isinstance(v, Tensor) or is_number(v),
    # PyTorch takes its dtypes and Python's number types; NumPy's pass too (our own code uses them).
    "torch.dtype": lambda v: (
        isinstance(v, (_dtype, np.dtype))
        or any(v is t for t in (float, int, bool, complex))
        or (isinstance(v, type) and issubclass(v, np.generic))
    ),
}


def _type_name(v: Any) -> str:
    if isinstance(v, Tensor):
        return "Tensor"
    return "torch.dtype" if isinstance(v, _dtype) else type(v).__name__


def _checker(
    op: str, name: str, position: int | None, kind: str, optional: bool
) -> Callable[[Any], None]:
    """The slow path for one argument: passes what PyTorch accepts, raises what it raises."""
    where = f"argument '{TORCH_NAMES.get(name, name)}'"
    if position is not None:  # as a function counts it (a method's public form leaves out self)
        where += f" (position {position + 1})"
    if kind == "int[1]":
        return dims_checker(op, where)
    ok = _OK[kind]
    python_level = PYTHON_LEVEL.get(op.removesuffix("_"))
    if kind == "Tensor" and python_level is not None and name in python_level[1]:
        attribute = python_level[0]

        def check_attribute(v: Any) -> None:
            if (v is None and optional) or ok(v):
                return
            if op == "softmin" and not isinstance(v, _NUMBERS):  # ``(-input).softmax(dim)``
                raise TypeError(f"bad operand type for unary -: '{type(v).__name__}'")
            if hasattr(v, attribute):
                raise counted_as_function(f"{op}(): {where} must be Tensor, not {_type_name(v)}")
            raise AttributeError(f"'{_type_name(v)}' object has no attribute '{attribute}'")

        return check_attribute

    said = {"Scalar": "Number", "Tensor or number": "Tensor"}.get(kind, kind)

    def check(v: Any) -> None:
        if (v is None and optional) or ok(v):
            return
        raise counted_as_function(f"{op}(): {where} must be {said}, not {_type_name(v)}")

    return check


def gate(fn: Callable[..., Any], op: str) -> Callable[..., Any]:
    """``fn`` behind the argument gate (``fn`` itself when none of its arguments is typed)."""
    if op in UNGATED:
        return fn
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return fn
    params = list(sig.parameters.values())
    typed = TYPED_PARAMS.get(op.removesuffix("_"), {})
    doubles = DOUBLES.get(op.removesuffix("_"), ())
    env: dict[str, Any] = {"_g_fn": fn, "_g_type": type}
    head: list[str] = []
    checks: list[str] = []
    call: list[str] = []
    star = False
    for i, p in enumerate(params):
        spec = _KINDS.get(p.annotation) if isinstance(p.annotation, str) else None
        if p.name in typed and (p.annotation == "Any" or p.name in _UNCHECKED):
            spec = (typed[p.name], False)
        elif p.name in _UNCHECKED:
            spec = None
        elif p.annotation == "Any":
            spec = _ANY_BY_NAME.get(p.name) if op != "type" else None  # t.type("torch.IntTensor")
        elif spec is not None and spec[0] == "Number" and p.name in doubles:
            spec = ("float", spec[1])
        text = p.name
        if p.kind is p.VAR_POSITIONAL:
            head.append("*" + p.name)
            call.append("*" + p.name)
            star = True
            continue
        if p.kind is p.VAR_KEYWORD:
            head.append("**" + p.name)
            call.append("**" + p.name)
            continue
        if p.kind is p.KEYWORD_ONLY and not star:
            head.append("*")
            star = True
        if p.default is not p.empty:
            env[f"_g_d{i}"] = p.default
            text += f"=_g_d{i}"
        head.append(text)
        if p.kind is p.POSITIONAL_ONLY and (
            i + 1 == len(params) or params[i + 1].kind is not p.POSITIONAL_ONLY
        ):
            head.append("/")
        call.append(f"{p.name}={p.name}" if p.kind is p.KEYWORD_ONLY else p.name)
        if spec is None:
            continue
        kind, optional = spec
        positional = p.kind is not p.KEYWORD_ONLY
        env[f"_g_c{i}"] = _checker(op, p.name, i if positional else None, kind, optional)
        env[f"_g_t{i}"] = _FAST[kind]
        test = f"_g_type({p.name}) is not _g_t{i}"
        if p.default is not p.empty:
            test = f"{p.name} is not _g_d{i} and " + test
        elif optional:
            test = f"{p.name} is not None and " + test
        checks.append(f"    if {test}:\n        _g_c{i}({p.name})\n")
    checks += _dtype_checks(op, sig, params, env)
    if not checks:
        return fn
    name = fn.__name__ if fn.__name__.isidentifier() else "op"
    env["_g_error"] = pytorch_error
    source = (
        f"def {name}({', '.join(head)}):\n"
        + "".join(checks)
        + f"    try:\n        return _g_fn({', '.join(call)})\n"
        + "    except ValueError as e:\n        raise _g_error(e) from None\n"
    )
    # Compiled as this file's code: frames in it are the package's (``call_site.user_source``
    # skips them when it looks for the user's line).
    exec(compile(source, __file__, "exec"), env)  # noqa: S102 - our own source, from a signature
    return functools.wraps(fn)(env[name])


def _dtype_checks(
    op: str, sig: inspect.Signature, params: list[inspect.Parameter], env: dict[str, Any]
) -> list[str]:
    """Source lines of the checks of the first tensor's dtype that PyTorch's kernel makes:
    floating point only (``FLOAT_KERNELS``), or no bool (``BOOL_ERRORS``)."""
    checks: list[str] = []
    first = params[0] if params else None
    refusal = BOOL_ERRORS.get(op.removesuffix("_"))
    if refusal is not None and first is not None:  # before the kernel's own dtype check
        env["_g_refuse"] = _refuser(*refusal)
        env["Tensor"] = Tensor
        checks.append(
            f"    if _g_type({first.name}) is Tensor and {first.name}._data.dtype.kind == 'b':\n"
            f"        _g_refuse()\n"
        )
    kernel = FLOAT_KERNELS.get(op.removesuffix("_"))
    if (
        kernel is not None
        and first is not None
        and _KINDS.get(first.annotation) == ("Tensor", False)
    ):
        env["_g_kernel"] = _float_checker(kernel)
        test = f"_g_type({first.name}) is Tensor and {first.name}._data.dtype.kind != 'f'"
        if "dtype" in sig.parameters:  # softmax(int_tensor, 0, dtype=float32) computes in floats
            test += " and dtype is None"
        env["Tensor"] = Tensor
        dim = "dim" if "dim" in sig.parameters else "None"
        checks.append(f"    if {test}:\n        _g_kernel({first.name}, {dim})\n")
    form = SAME_DTYPE.get(op)
    if form is not None and len(params) > 1:
        x, y = params[0].name, params[1].name
        env["_g_same"] = functools.partial(dtype_mismatch, form)
        env["Tensor"] = Tensor
        checks.append(
            f"    if _g_type({x}) is Tensor and _g_type({y}) is Tensor"
            f" and {x}._data.dtype != {y}._data.dtype:\n        _g_same({x}, {y})\n"
        )
    return checks


def _refuser(error: type[Exception], message: str) -> Callable[[], None]:
    def refuse() -> None:
        raise error(message)

    return refuse


def _float_checker(kernel: str) -> Callable[[Tensor, Any], None]:
    def check(t: Tensor, dim: Any) -> None:
        if is_int(dim):  # PyTorch wraps the dim before it dispatches on the dtype
            _dim(int(dim), t._data.ndim)
        name = _C_NAMES.get(t._data.dtype.name, t._data.dtype.name)
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")

    return check


_NUMBERS = (int, float, np.integer, np.floating, np.bool_)


def operands(
    op: str, a: Any, b: Any, numbers: bool = True, true_division: bool = False
) -> tuple[Any, Any]:
    """The two operands of arithmetic ``op`` checked as PyTorch does (each a Tensor or a real
    number); two numbers make the first a 0-d tensor, as ``torch.add(1.5, 2)`` does, where
    ``numbers`` allows it (``torch.pow(2, 3)`` is an error). In a ``true_division`` of an integer
    tensor a Python int divisor becomes a float: the division is done in floats, the number
    unwrapped to the tensor's dtype."""
    if isinstance(a, Tensor) and (isinstance(b, Tensor) or type(b) is float):
        return a, b  # the common case: nothing to check or convert
    for i, (name, v) in enumerate((("input", a), ("other", b))):
        if not isinstance(v, (Tensor, *_NUMBERS)):
            raise TypeError(
                f"{op}(): argument '{name}' (position {i + 1}) must be Tensor, not {_type_name(v)}"
            )
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        if not numbers:
            raise TypeError(
                f"{op}() received an invalid combination of arguments - got "
                f"({_type_name(a)}, {_type_name(b)})"
            )
        a = tensor(a)
    if true_division and type(b) is int and isinstance(a, Tensor) and a._data.dtype.kind in "iub":
        b = float(b)
    return a, b


def wrap_int(x: int, dt: np.dtype) -> int:
    """``x`` as the integer dtype ``dt`` holds it: PyTorch wraps an int the dtype cannot hold
    (``uint8_tensor - 1`` subtracts 255)."""
    bits = dt.itemsize * 8
    x = int(x) % (1 << bits)
    return x - (1 << bits) if dt.kind == "i" and x >= 1 << (bits - 1) else x


# NumPy's text when two operands do not broadcast (the first two shapes it names).
_BROADCAST = re.compile(
    r"(?:operands could not be broadcast together with (?:remapped )?shapes"
    r"|shape mismatch: objects cannot be broadcast to a single shape\.  Mismatch is between arg"
    r" \d+ with shape) ?(?:\[original->remapped\]: )?(\([\d, ]*\))(?:->\([\d, ]*\))?"
    r"(?: and arg \d+ with shape)? (\([\d, ]*\))"
)


def pytorch_error(e: ValueError) -> Exception:
    """PyTorch's error for NumPy's broadcast failure inside a kernel (``e`` itself otherwise)."""
    shapes = _BROADCAST.match(str(e))
    if shapes is None:
        return e
    a, b = (tuple(int(n) for n in g.strip("()").split(",") if n.strip()) for g in shapes.groups())
    return RuntimeError(errors.broadcast(a, b))


def tensors_arg(op: str, value: Any, argument: int = 0, name: str = "tensors") -> tuple:
    """A "tuple of Tensors" argument (``cat``, ``stack``) checked as PyTorch does."""
    if isinstance(value, Tensor) or not isinstance(value, (list, tuple)):
        raise TypeError(
            f"{op}(): argument '{name}' (position {argument + 1}) must be tuple of Tensors, "
            f"not {_type_name(value)}"
        )
    return tuple(check_tensors(value, argument))


def check_tensors(items: Any, argument: int) -> list:
    """``items`` as a list, each one checked to be a Tensor (``meshgrid``, ``einsum``)."""
    items = list(items)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument {argument}, but got {_type_name(t)}"
            )
    return items


_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def user_stacklevel() -> int:
    """The ``stacklevel`` that makes a warning raised by the caller point at the user's line,
    however many of the package's frames (the gate's among them) lie in between."""
    level, f = 1, sys._getframe(1)
    while f is not None and f.f_code.co_filename.startswith(_PKG):
        level, f = level + 1, f.f_back
    return level
