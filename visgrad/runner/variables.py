"""What a paused program holds, as short texts: its stack and the variables a debugger lists.

Built in the child, on the program's thread, only while it is paused (``Gate.pause``), so a free
run never pays for it. Every text is capped and so is the number of rows; a row named ``…`` says
how many were left out there. Tensors, modules and optimizers are read through their own fields,
never through code of the program's; other objects are shown by their ``repr`` (as any debugger
does), with events muted so that a ``repr`` doing tensor maths leaves no trace in the run.
"""

from __future__ import annotations

import reprlib
import types
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from visgrad import events
from visgrad.events import StackFrame, Variable
from visgrad.runner.frames import is_instance_of, is_user_file
from visgrad.tensor import Tensor

MAX_TEXT = 160  # characters of a value
MAX_NAME = 80  # characters of a name or type
MAX_ROWS = 600  # rows of one pause, children included
MAX_PER_SCOPE = 200  # variables of one scope
MAX_CHILDREN = 40  # items shown under one list, dict, module or optimizer
MAX_FRAMES = 128  # frames of the stack (innermost first)
PREVIEW = 6  # numbers of a tensor shown in its value

ELLIPSIS = "\u2026"
_HIDDEN = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType, type)


def cap(text: str, n: int = MAX_TEXT) -> str:
    return text if len(text) <= n else text[: n - 1] + ELLIPSIS


def stack_of(frame: Any) -> tuple[StackFrame, ...]:
    """The stack from ``frame`` (the program's innermost) out to the script's module frame."""
    out: list[StackFrame] = []
    f = frame
    while f is not None and len(out) < MAX_FRAMES:
        code = f.f_code
        out.append((code.co_filename, f.f_lineno, code.co_name, is_user_file(code.co_filename)))
        f = f.f_back
    # The runner's and runpy's frames outside the program are no part of its stack.
    while out and not out[-1][3]:
        out.pop()
    return tuple(out)


def script_globals(frame: Any, script: str | None) -> dict[str, Any] | None:
    """The globals of the script's module frame on ``frame``'s stack (None when not on it)."""
    f = frame
    while f is not None:
        code = f.f_code
        if code.co_name == "<module>" and (script is None or code.co_filename == script):
            return f.f_globals
        f = f.f_back
    return frame.f_globals if frame is not None else None


def shown(name: Any, value: Any) -> bool:
    """Whether a variable is worth a row: not a module, function, class or dunder name."""
    if not isinstance(name, str) or (name.startswith("__") and name.endswith("__")):
        return False
    return not isinstance(value, _HIDDEN)


def _num(x: Any) -> str:
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return f"{float(x):.4g}"


def _tensor_type(t: Tensor) -> str:
    a = t._data
    text = f"Tensor{list(a.shape)} {a.dtype.name}"
    if t._rg:
        text += " requires_grad"
    fn = t._fn
    if fn is not None:
        try:
            text += f" grad_fn={fn.name()}"
        except Exception:  # noqa: BLE001 - a node without a name still shows the rest
            pass
    return text


def array_preview(a: np.ndarray) -> str:
    """The first numbers of an array: ``2.41`` for a 0-d one, ``[1, 2, 3, …] (12)`` beyond."""
    if a.ndim == 0:
        return _num(a.item())
    flat = a.reshape(-1)
    head = ", ".join(_num(x) for x in flat[:PREVIEW].tolist())
    more = f", {ELLIPSIS}] ({flat.size:,} values)" if flat.size > PREVIEW else "]"
    return "[" + head + more


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxtuple, _REPR.maxdict, _REPR.maxset = 2, 5, 5, 4, 5
_REPR.maxstring, _REPR.maxother = 24, 24


def _short_repr(v: Any) -> str:
    try:
        return cap(_REPR.repr(v), MAX_TEXT - 20)
    except Exception as e:  # noqa: BLE001 - an item's __repr__ failed
        return f"<repr failed: {type(e).__name__}>"


def _safe_repr(v: Any) -> str:
    try:
        text = repr(v)
    except Exception as e:  # noqa: BLE001 - the program's __repr__ failed; say so and go on
        return f"<repr failed: {type(e).__name__}>"
    return text if isinstance(text, str) else f"<repr returned {type(text).__name__}>"


def _module_size(m: Any) -> int:
    total = 0
    try:
        for p in m.parameters():
            if isinstance(p, Tensor):
                total += int(p._data.size)
    except Exception:  # noqa: BLE001 - an object that only looks like a Module
        return -1
    return total


def _is_module(v: Any) -> bool:
    return is_instance_of(v, "visgrad.nn.module", "Module")


def _is_optimizer(v: Any) -> bool:
    return is_instance_of(v, "visgrad.optim.optimizer", "Optimizer")


def _hyper(group: Any) -> str:
    if not isinstance(group, dict):
        return ""
    parts = []
    for k, x in group.items():
        # The rate and what is switched on; zeros and False are the defaults nobody set.
        if k == "lr" or (isinstance(x, (int, float)) and not isinstance(x, bool) and x != 0):
            parts.append(f"{k}={_num(x)}")
        elif isinstance(x, tuple) and x and all(isinstance(y, (int, float)) for y in x):
            parts.append(f"{k}=(" + ", ".join(_num(y) for y in x) + ")")
        elif x is True:
            parts.append(k)
    return ", ".join(parts)


def describe(v: Any) -> tuple[str, str, int | None]:
    """(type, value, tensor id) of one value, as the panel shows it."""
    if isinstance(v, Tensor):
        return _tensor_type(v), array_preview(v._data), v._id
    if isinstance(v, np.generic):
        return type(v).__name__, cap(repr(v.item())), None
    if v is None or isinstance(v, (bool, int, float, complex)):
        return type(v).__name__, cap(repr(v)), None
    if isinstance(v, str):
        if len(v) <= MAX_TEXT:
            return "str", cap(repr(v)), None
        return "str", cap(repr(v[:MAX_TEXT]), MAX_TEXT - 24) + f" ({len(v):,} characters)", None
    if isinstance(v, np.ndarray):
        return f"ndarray{list(v.shape)} {v.dtype.name}", array_preview(v), None
    if _is_module(v):
        n = _module_size(v)
        value = "" if n < 0 else f"{n:,} parameter" + ("" if n == 1 else "s")
        return type(v).__name__, value, None
    if _is_optimizer(v):
        groups = getattr(v, "param_groups", None)
        first = groups[0] if isinstance(groups, list) and groups else None
        lr = first.get("lr") if isinstance(first, dict) else None
        value = f"lr={_num(lr)}" if isinstance(lr, (int, float)) else ""
        if isinstance(groups, list) and len(groups) > 1:
            value += f" ({len(groups)} groups)"
        return type(v).__name__, value, None
    if isinstance(v, (list, tuple, dict, set, frozenset)):
        n = len(v)
        return (
            type(v).__name__,
            _short_repr(v) + f" ({n:,} item" + ("" if n == 1 else "s") + ")",
            None,
        )
    return type(v).__name__, cap(_safe_repr(v)), None


def children(v: Any) -> Iterator[tuple[str, Any]]:
    """(name, value) of what a row opens to: items, a module's layers and parameters, ..."""
    if isinstance(v, Tensor):
        if v._grad is not None:
            yield "grad", v._grad
    elif _is_module(v):
        for table in ("_parameters", "_modules", "_buffers"):
            d = v.__dict__.get(table)
            if isinstance(d, dict):
                for k, x in d.items():
                    if x is not None:
                        yield str(k), x
    elif _is_optimizer(v):
        groups = getattr(v, "param_groups", None)
        for i, g in enumerate(groups if isinstance(groups, list) else ()):
            params = g.get("params", ()) if isinstance(g, dict) else ()
            n = len(params) if isinstance(params, list) else 0
            yield f"group {i}", _Text("param_group", f"{_hyper(g)} ({n} tensors)")
    elif isinstance(v, dict):
        for k, x in v.items():
            yield cap(_safe_repr(k), MAX_NAME), x
    elif isinstance(v, (list, tuple)):
        for i, x in enumerate(v):
            yield f"[{i}]", x
    elif isinstance(v, (set, frozenset)):
        for x in v:
            yield "", x


class _Text:
    """A row given as texts (an optimizer's parameter group)."""

    def __init__(self, type_: str, value: str) -> None:
        self.type, self.value = type_, value


def _row(parent: int, scope: str, name: str, v: Any) -> Variable:
    if isinstance(v, _Text):
        kind, value, tid = v.type, v.value, None
    else:
        kind, value, tid = describe(v)
    return (parent, scope, cap(name, MAX_NAME), cap(kind, MAX_NAME), cap(value), tid)


def _left_out(parent: int, scope: str, n: int, what: str) -> Variable:
    return (parent, scope, ELLIPSIS, "", f"{n:,} more {what} not shown", None)


def _rows(scope: str, variables: Iterable[tuple[str, Any]], out: list[Variable]) -> None:
    items = [(k, v) for k, v in variables if shown(k, v)]
    for count, (name, v) in enumerate(items):
        if count >= MAX_PER_SCOPE or len(out) >= MAX_ROWS - 1:
            out.append(_left_out(-1, scope, len(items) - count, "variables"))
            return
        top = len(out)
        out.append(_row(-1, scope, name, v))
        kids = iter(children(v))
        for i, (k, x) in enumerate(kids):
            if i >= MAX_CHILDREN or len(out) >= MAX_ROWS - 2:
                rest = 1 + sum(1 for _ in kids)
                out.append(_left_out(top, scope, rest, "items"))
                break
            out.append(_row(top, scope, k, x))


def unreadable(e: BaseException) -> Variable:
    """The one row of a pause whose variables could not be read."""
    return (-1, "locals", ELLIPSIS, "", cap(f"the variables could not be read: {e!r}"), None)


def variables_of(frame: Any, script: str | None) -> tuple[Variable, ...]:
    """The rows of ``frame``'s locals (unless it is the module frame) and the script's globals."""
    if frame is None:
        return ()
    saved = events.SINKS[:]
    events.SINKS.clear()  # a repr may do tensor maths: no events for it
    try:
        out: list[Variable] = []
        g = script_globals(frame, script)
        if frame.f_code.co_name != "<module>" or frame.f_globals is not g:
            _rows("locals", list(frame.f_locals.items()), out)
        if g is not None:
            _rows("globals", list(g.items()), out)
        return tuple(out)
    finally:
        events.SINKS[:] = saved
