"""What the program's exception says to its user: its frames without visgrad's, and the call that
failed with the tensors it was given.

A user of PyTorch never sees its C++ frames: a shape error points at their own line. visgrad's
ops are Python, so the child takes its own frames out of the traceback before anyone reads it (the
program's frames stay, and so do those of the standard library and packages it called). The call
that failed is found in the same frames: the innermost op's ``forward`` that raised (``mm``,
``add``), else the visgrad function the program called (``backward``, ``add_``, ``getitem``),
with the tensors among its arguments.
"""

from __future__ import annotations

import os
import runpy
import traceback
from types import FrameType, TracebackType
from typing import Any

from visgrad import call_site, events
from visgrad.events import StackFrame
from visgrad.runner.frames import is_instance_of, is_user_file
from visgrad.tensor import Tensor

_RUNNER_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
MAX_FRAMES = 128  # frames kept in ``ProgramError.stack``
MAX_INPUTS = 16  # tensors named as the failed call's inputs

# Python's names for operators, as the program wrote them.
_OPERATORS = {
    "getitem": "index",
    "setitem": "index_put_",
    "__getitem__": "index",
    "__setitem__": "index_put_",
}


def is_visgrad_file(filename: str) -> bool:
    return filename.startswith(call_site.PKG_DIR)


def program_tb(tb: TracebackType | None) -> TracebackType | None:
    """The traceback from the program's first frame on (the runner's and runpy's frames cut)."""
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if not (
            name.startswith(_RUNNER_DIR) or name.startswith("<frozen") or name == runpy.__file__
        ):
            break
        tb = tb.tb_next
    return tb


def _entries(tb: TracebackType | None) -> list[tuple[FrameType, int]]:
    out = []
    while tb is not None:
        out.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    return out


def _without_visgrad(te: traceback.TracebackException, seen: set[int]) -> None:
    """Take visgrad's frames out of ``te`` and the exceptions chained to it."""
    if id(te) in seen:
        return
    seen.add(id(te))
    te.stack = traceback.StackSummary.from_list(
        [f for f in te.stack if not is_visgrad_file(f.filename)]
    )
    cause, context = te.__cause__, te.__context__
    if cause is not None:
        _without_visgrad(cause, seen)
    if context is not None:
        if not any(is_user_file(f.filename) for f in context.stack):
            # An exception visgrad raised while handling one of its own (a NumPy error turned
            # into PyTorch's): an implementation detail, as PyTorch's C++ ones are.
            te.__context__ = None
        else:
            _without_visgrad(context, seen)


def traceback_text(exc: BaseException, tb: TracebackType | None) -> str:
    """The traceback the program's user reads: as Python prints it, visgrad's frames left out."""
    te = traceback.TracebackException(type(exc), exc, tb, compact=True)
    _without_visgrad(te, set())
    return "".join(te.format())


def stack_of(tb: TracebackType | None) -> tuple[StackFrame, ...]:
    """The frames of ``tb`` that are not visgrad's, innermost first (as ``RunState.stack``)."""
    out: list[StackFrame] = []
    for frame, line in reversed(_entries(tb)):
        name = frame.f_code.co_filename
        if not is_visgrad_file(name):
            out.append((name, line, frame.f_code.co_name, is_user_file(name)))
            if len(out) == MAX_FRAMES:
                break
    return tuple(out)


def _arguments(frame: FrameType) -> list[Any]:
    code = frame.f_code
    n = code.co_argcount + code.co_kwonlyargcount
    names = list(code.co_varnames[:n])
    if code.co_flags & 0x04:  # *args
        names.append(code.co_varnames[n])
    values = frame.f_locals
    return [values[k] for k in names if k in values]


def _tensors(values: list[Any]) -> list[Any]:
    out = []
    for v in values:
        items = v if isinstance(v, (tuple, list)) else (v,)
        out.extend(x for x in items if isinstance(x, Tensor))
    return out[:MAX_INPUTS]


# Ops and modules known by their classes' places, not imports: the child must not import the op
# table or ``nn`` before the program does (it may never need them).
def _is_op(x: Any) -> bool:
    return any(
        k.__module__.startswith("visgrad.ops.") for k in type(x).__mro__[:-1]
    ) and isinstance(getattr(type(x), "op_name", None), str)


def _is_module(x: Any) -> bool:
    return is_instance_of(x, "visgrad.nn.module", "Module")


def _call_name(frame: FrameType) -> str:
    """The name the program knows a visgrad function by (``add_``, ``backward``, ``Linear``)."""
    name = frame.f_code.co_name
    owner = frame.f_locals.get("self")
    if _is_module(owner) and name in ("__call__", "_call_impl", "forward"):
        return type(owner).__name__
    if name in _OPERATORS:
        return _OPERATORS[name]
    return name.strip("_") if name.startswith("__") and name.endswith("__") else name


def failed_call(tb: TracebackType | None) -> tuple[str, list[Any]]:
    """The visgrad call that raised and the tensors it was given; ("", []) when none did."""
    entries = _entries(tb)
    last_user = -1
    for i, (frame, _) in enumerate(entries):
        if is_user_file(frame.f_code.co_filename):
            last_user = i
    called = entries[last_user + 1 :] if last_user >= 0 else entries
    if not called or not is_visgrad_file(called[0][0].f_code.co_filename):
        return "", []  # the program's own code (or a library's) raised
    for frame, _ in reversed(called):
        owner = frame.f_locals.get("self")
        if frame.f_code.co_name == "forward" and _is_op(owner):
            return type(owner).op_name, _tensors(_arguments(frame)[1:])
    # The registry's and the argument gate's wrappers (``call``) stand for the function they wrap.
    first = next((fr for fr, _ in called if fr.f_code.co_name != "call"), called[0][0])
    return _call_name(first), _tensors(_arguments(first))


def printable(obj: object) -> str:
    """``str(obj)``, or Python's own stand-in when the program's ``__str__`` fails."""
    try:
        return str(obj)
    except Exception:  # noqa: BLE001 - the program's code; its failure must not hide the error
        return "<exception str() failed>"


def program_error(exc: BaseException) -> events.ProgramError:
    """The ProgramError for ``exc``, raised by the program the child runs."""
    tb = program_tb(exc.__traceback__)
    stack = stack_of(tb)
    source = next(((f, n, fn) for f, n, fn, mine in stack if mine), None)
    try:
        op, tensors = failed_call(tb)
    except Exception:  # noqa: BLE001 - naming the call is a courtesy; the error itself is sent
        op, tensors = "", []
    return events.ProgramError(
        seq=events.next_seq(),
        exc_type=type(exc).__name__,
        message=printable(exc),
        traceback=traceback_text(exc, tb),
        source=source,
        stack=stack,
        op=op,
        inputs=tuple(t._id or None for t in tensors),
        input_shapes=tuple(tuple(t._data.shape) for t in tensors),
        input_dtypes=tuple(t._data.dtype.name for t in tensors),
    )
