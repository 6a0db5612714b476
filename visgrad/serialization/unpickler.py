"""A pickle reader that never runs code: it interprets the opcodes itself.

Only the globals PyTorch's ``weights_only=True`` loader allows are resolved, each to a safe
stand-in (``torch._utils._rebuild_tensor_v2`` to a function that builds a visgrad tensor over a
loaded storage, ``collections.OrderedDict`` to ``OrderedDict``, ...). Any other global, any
opcode that would call or build something else, and every malformed or oversized input is a
``pickle.UnpicklingError`` with a one-line message. Python's own unpickler is not used: its
memo pre-allocates for a hostile index, and its ``find_class`` hook is the only gate it has.
"""

from __future__ import annotations

import pickle
import pickletools
import struct
from collections.abc import Callable
from typing import Any

MAX_MEMO = 10_000_000  # entries; a real checkpoint has a few per tensor
MAX_STACK = 10_000_000


class Refused(pickle.UnpicklingError):
    """The pickle asks for something a weights-only load does not allow."""


class _Mark:
    __slots__ = ()


_MARK = _Mark()
_B1, _B2, _B4, _B8 = (
    struct.Struct("<B"),
    struct.Struct("<H"),
    struct.Struct("<i"),
    struct.Struct("<Q"),
)
_U4, _F8 = struct.Struct("<I"), struct.Struct(">d")


class Reader:
    """Interpret one pickle from ``data``; ``globals_`` maps ``"module.name"`` to stand-ins.

    ``persistent_load(pid)`` resolves ``BINPERSID`` references (the storages); ``reduce_`` and
    ``build_`` say what REDUCE / NEWOBJ / BUILD may do with the stand-ins.
    """

    def __init__(
        self,
        data: bytes,
        globals_: dict[str, Any],
        persistent_load: Callable[[Any], Any],
    ) -> None:
        self.data = memoryview(data)
        self.pos = 0
        self.globals = globals_
        self.persistent_load = persistent_load
        self.stack: list[Any] = []
        self.marks: list[int] = []
        self.memo: dict[int, Any] = {}

    # -- reading bytes --------------------------------------------------------------------------
    def _take(self, n: int) -> memoryview:
        if n < 0 or self.pos + n > len(self.data):
            raise pickle.UnpicklingError("pickle data was truncated")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def _line(self) -> str:
        end = bytes(self.data[self.pos : self.pos + 4096]).find(b"\n")
        if end < 0:
            raise pickle.UnpicklingError("pickle data was truncated (a text line has no end)")
        line = bytes(self._take(end + 1)[:-1])
        try:
            return line.decode("utf-8")
        except UnicodeDecodeError:
            raise pickle.UnpicklingError("a text opcode's argument is not UTF-8") from None

    def _u(self, s: struct.Struct) -> int:
        return s.unpack(self._take(s.size))[0]

    def _text(self, n: int) -> str:
        try:
            return str(self._take(n), "utf-8")
        except UnicodeDecodeError:
            raise pickle.UnpicklingError("a string in the pickle is not UTF-8") from None

    # -- the stack ------------------------------------------------------------------------------
    def _push(self, v: Any) -> None:
        if len(self.stack) >= MAX_STACK:
            raise pickle.UnpicklingError("pickle stack too deep")
        self.stack.append(v)

    def _pop(self) -> Any:
        if not self.stack or (self.marks and len(self.stack) <= self.marks[-1]):
            raise pickle.UnpicklingError("pickle stack underflow")
        return self.stack.pop()

    def _top(self) -> Any:
        if not self.stack:
            raise pickle.UnpicklingError("pickle stack underflow")
        return self.stack[-1]

    def _pop_mark(self) -> list[Any]:
        if not self.marks:
            raise pickle.UnpicklingError("could not find MARK")
        k = self.marks.pop()
        items = self.stack[k:]
        del self.stack[k:]
        return items

    def _put(self, i: int) -> None:
        value = self._top()
        if not 0 <= i < MAX_MEMO:
            raise pickle.UnpicklingError(f"memo index {i} out of range")
        self.memo[i] = value

    def _get(self, i: int) -> None:
        if i not in self.memo:
            raise pickle.UnpicklingError(f"memo key {i} not found")
        self._push(self.memo[i])

    # -- globals and calls ----------------------------------------------------------------------
    def _global(self, module: str, name: str) -> None:
        if module == "__builtin__":  # protocol 2 writes Python 2's name for builtins
            module = "builtins"
        key = f"{module}.{name}"
        if key not in self.globals:
            raise Refused(
                f"Weights only load failed: unsupported global {key} (visgrad never runs code "
                "from a checkpoint; it loads tensors and containers of them)"
            )
        self._push(self.globals[key])

    def run(self) -> Any:
        """Interpret opcodes up to STOP; returns the unpickled object."""
        ops = _OPS
        while True:
            code = self._take(1)[0]
            handler = ops.get(code)
            if handler is None:
                name = _NAMES.get(code)
                what = f"opcode {name}" if name else f"unknown opcode {code:#04x}"
                raise Refused(f"Weights only load failed: {what} is not allowed in a checkpoint")
            if handler(self):
                if len(self.stack) != 1 or self.marks:
                    raise pickle.UnpicklingError("pickle ended with a malformed stack")
                return self.stack[0]


def _call(r: Reader, fn: Any, args: Any) -> Any:
    if not callable(fn) or not getattr(fn, "_weights_only_safe", False):
        raise Refused(f"Weights only load failed: cannot call {type(fn).__name__} objects")
    if not isinstance(args, tuple):
        raise pickle.UnpicklingError("REDUCE arguments are not a tuple")
    try:
        return fn(*args)
    except (pickle.UnpicklingError, RecursionError):
        raise
    except Exception as e:
        raise pickle.UnpicklingError(f"cannot rebuild {fn.__name__}: {e}") from None


def safe(fn: Callable) -> Callable:
    """Mark a stand-in as callable by REDUCE / NEWOBJ."""
    fn._weights_only_safe = True  # type: ignore[attr-defined]
    return fn


def _reduce(r: Reader) -> None:
    args = r._pop()
    fn = r._pop()
    r._push(_call(r, fn, args))


def _newobj(r: Reader) -> None:
    args = r._pop()
    cls = r._pop()
    r._push(_call(r, getattr(cls, "_weights_only_new", cls), args))


def _build(r: Reader) -> None:
    state = r._pop()
    inst = r._top()
    setter = getattr(inst, "_weights_only_setstate", None)
    if setter is not None:
        setter(state)
    elif isinstance(inst, dict) and isinstance(state, dict) and hasattr(inst, "__dict__"):
        # OrderedDict's attributes: a state dict's ``_metadata``.
        for k, v in state.items():
            if not isinstance(k, str) or k.startswith("__"):
                raise Refused(f"Weights only load failed: cannot set attribute {k!r}")
            inst.__dict__[k] = v
    else:
        raise Refused(f"Weights only load failed: cannot BUILD a {type(inst).__name__}")


def _setitems(r: Reader) -> None:
    items = r._pop_mark()
    d = r._top()
    if not isinstance(d, dict) or len(items) % 2:
        raise pickle.UnpicklingError("SETITEMS on a non-dict or with an odd number of items")
    for i in range(0, len(items), 2):
        d[_key(items[i])] = items[i + 1]


def _key(k: Any) -> Any:
    try:
        hash(k)
    except TypeError:
        raise pickle.UnpicklingError(f"unhashable {type(k).__name__} used as a key") from None
    return k


def _setitem(r: Reader) -> None:
    v, k = r._pop(), r._pop()
    d = r._top()
    if not isinstance(d, dict):
        raise pickle.UnpicklingError("SETITEM on a non-dict")
    d[_key(k)] = v


def _appends(r: Reader) -> None:
    items = r._pop_mark()
    lst = r._top()
    if not isinstance(lst, list):
        raise pickle.UnpicklingError("APPENDS on a non-list")
    lst.extend(items)


def _append(r: Reader) -> None:
    v = r._pop()
    lst = r._top()
    if not isinstance(lst, list):
        raise pickle.UnpicklingError("APPEND on a non-list")
    lst.append(v)


def _additems(r: Reader) -> None:
    items = r._pop_mark()
    s = r._top()
    if not isinstance(s, set):
        raise pickle.UnpicklingError("ADDITEMS on a non-set")
    s.update(_key(x) for x in items)


def _dict(r: Reader) -> None:
    items = r._pop_mark()
    if len(items) % 2:
        raise pickle.UnpicklingError("DICT with an odd number of items")
    r._push({_key(items[i]): items[i + 1] for i in range(0, len(items), 2)})


def _tuple_n(n: int) -> Callable[[Reader], None]:
    def op(r: Reader) -> None:
        items = [r._pop() for _ in range(n)][::-1]
        r._push(tuple(items))

    return op


def _stack_global(r: Reader) -> None:
    name, module = r._pop(), r._pop()
    if not isinstance(name, str) or not isinstance(module, str):
        raise pickle.UnpicklingError("STACK_GLOBAL needs two strings")
    r._global(module, name)


def _persid(r: Reader) -> None:
    r._push(r.persistent_load(r._pop()))


def _long(r: Reader, n: int) -> None:
    r._push(int.from_bytes(r._take(n), "little", signed=True))


def _text_int(r: Reader) -> None:
    line = r._line()
    if line in ("00", "01"):  # protocol 0's False / True
        r._push(line == "01")
        return
    try:
        r._push(int(line.rstrip("L")))
    except ValueError:
        raise pickle.UnpicklingError(f"bad INT/LONG argument {line[:40]!r}") from None


def _text_float(r: Reader) -> None:
    line = r._line()
    try:
        r._push(float(line))
    except ValueError:
        raise pickle.UnpicklingError(f"bad FLOAT argument {line[:40]!r}") from None


def _mark(r: Reader) -> None:
    r.marks.append(len(r.stack))


def _pop_op(r: Reader) -> None:
    if r.marks and r.marks[-1] == len(r.stack):
        r.marks.pop()  # POP right after MARK discards the mark, as pickle does
    else:
        r._pop()


def _frame(r: Reader) -> None:
    r._u(_B8)  # frames only group opcodes; the data is all in memory already


_OPS: dict[int, Callable[[Reader], Any]] = {
    0x80: lambda r: r._u(_B1) and None,  # PROTO: the version needs no action
    0x95: _frame,
    ord("."): lambda r: True,  # STOP
    ord("("): _mark,
    ord("0"): _pop_op,
    ord("1"): lambda r: r._pop_mark().clear(),  # POP_MARK
    ord("2"): lambda r: r._push(r._top()),  # DUP
    ord("N"): lambda r: r._push(None),
    0x88: lambda r: r._push(True),
    0x89: lambda r: r._push(False),
    ord("J"): lambda r: r._push(r._u(_B4)),
    ord("K"): lambda r: r._push(r._u(_B1)),
    ord("M"): lambda r: r._push(r._u(_B2)),
    0x8A: lambda r: _long(r, r._u(_B1)),  # LONG1
    0x8B: lambda r: _long(r, r._u(_B4)),  # LONG4 (a negative length is refused by _take)
    ord("I"): _text_int,
    ord("L"): _text_int,
    ord("G"): lambda r: r._push(_F8.unpack(r._take(8))[0]),
    ord("F"): _text_float,
    ord("X"): lambda r: r._push(r._text(r._u(_U4))),
    0x8C: lambda r: r._push(r._text(r._u(_B1))),  # SHORT_BINUNICODE
    0x8D: lambda r: r._push(r._text(r._u(_B8))),  # BINUNICODE8
    ord("U"): lambda r: r._push(bytes(r._take(r._u(_B1))).decode("latin-1")),  # SHORT_BINSTRING
    ord("T"): lambda r: r._push(bytes(r._take(r._u(_B4))).decode("latin-1")),  # BINSTRING
    ord("B"): lambda r: r._push(bytes(r._take(r._u(_U4)))),  # BINBYTES
    ord("C"): lambda r: r._push(bytes(r._take(r._u(_B1)))),  # SHORT_BINBYTES
    0x8E: lambda r: r._push(bytes(r._take(r._u(_B8)))),  # BINBYTES8
    0x96: lambda r: r._push(bytearray(r._take(r._u(_B8)))),  # BYTEARRAY8
    ord("]"): lambda r: r._push([]),
    ord("a"): _append,
    ord("e"): _appends,
    ord("l"): lambda r: r._push(r._pop_mark()),  # LIST
    ord(")"): lambda r: r._push(()),
    ord("t"): lambda r: r._push(tuple(r._pop_mark())),
    0x85: _tuple_n(1),
    0x86: _tuple_n(2),
    0x87: _tuple_n(3),
    ord("}"): lambda r: r._push({}),
    ord("d"): _dict,
    ord("s"): _setitem,
    ord("u"): _setitems,
    0x8F: lambda r: r._push(set()),  # EMPTY_SET
    0x90: _additems,
    0x91: lambda r: r._push(frozenset(_key(x) for x in r._pop_mark())),  # FROZENSET
    ord("p"): lambda r: r._put(_int_line(r)),  # PUT
    ord("q"): lambda r: r._put(r._u(_B1)),  # BINPUT
    ord("r"): lambda r: r._put(r._u(_U4)),  # LONG_BINPUT
    0x94: lambda r: r._put(len(r.memo)),  # MEMOIZE
    ord("g"): lambda r: r._get(_int_line(r)),  # GET
    ord("h"): lambda r: r._get(r._u(_B1)),  # BINGET
    ord("j"): lambda r: r._get(r._u(_U4)),  # LONG_BINGET
    ord("c"): lambda r: r._global(r._line(), r._line()),  # GLOBAL
    0x93: _stack_global,
    ord("R"): _reduce,
    0x81: _newobj,
    ord("b"): _build,
    ord("Q"): _persid,  # BINPERSID
    ord("P"): lambda r: r._push(r.persistent_load(r._line())),  # PERSID
}


def _int_line(r: Reader) -> int:
    line = r._line()
    try:
        return int(line)
    except ValueError:
        raise pickle.UnpicklingError(f"bad memo index {line[:40]!r}") from None


_NAMES = {ord(op.code): op.name for op in pickletools.opcodes}
