"""Write a checkpoint's ``data.pkl`` in protocol 2, as ``torch.save`` writes it.

Opcodes are emitted directly (Python's pickler would want to import ``torch`` to check the names
it writes). Only what ``torch.load(weights_only=True)`` accepts can be written: tensors,
Parameters, dicts (and OrderedDicts with their ``_metadata``), lists, tuples, sets, strings,
numbers, bytes, ``None``, ``torch.Size``, dtypes and devices. Tensors viewing one array share
one storage, as they share memory in the program.
"""

from __future__ import annotations

import struct
from collections import Counter, OrderedDict
from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad._device import device
from visgrad.nn.parameter import Parameter
from visgrad.serialization.rebuild import STORAGE_NAME
from visgrad.tensor import Size, Tensor

_BATCH = 1000


class Writer:
    """Pickle one object; ``storages`` collects the raw bytes of each storage, in key order."""

    def __init__(self) -> None:
        self.out = bytearray(b"\x80\x02")
        self.memo: dict[int, int] = {}  # id(object) -> memo index
        self.keep: list[Any] = []  # objects whose ids are in memo stay alive while writing
        self.globals: dict[tuple[str, str], int] = {}  # (module, name) -> memo index
        self.storages: list[bytes] = []
        self._storage_keys: dict[int, int] = {}  # id(root array) -> storage key

    def dump(self, obj: Any) -> bytes:
        self.save(obj)
        self.out += b"."
        return bytes(self.out)

    # -- memo -----------------------------------------------------------------------------------
    def _put(self, obj: Any) -> None:
        i = len(self.memo) + len(self.globals)
        self.memo[id(obj)] = i
        self.keep.append(obj)
        self.out += b"q" + bytes([i]) if i < 256 else b"r" + struct.pack("<I", i)

    def _get(self, obj: Any) -> bool:
        i = self.memo.get(id(obj))
        if i is None:
            return False
        self.out += b"h" + bytes([i]) if i < 256 else b"j" + struct.pack("<I", i)
        return True

    def _global(self, module: str, name: str) -> None:
        i = self.globals.get((module, name))
        if i is not None:
            self.out += b"h" + bytes([i]) if i < 256 else b"j" + struct.pack("<I", i)
            return
        self.out += f"c{module}\n{name}\n".encode()
        i = self.globals[(module, name)] = len(self.memo) + len(self.globals)
        self.out += b"q" + bytes([i]) if i < 256 else b"r" + struct.pack("<I", i)

    # -- values ---------------------------------------------------------------------------------
    def save(self, obj: Any) -> None:  # noqa: C901 - one dispatch over the allowed types
        t = type(obj)
        if obj is None:
            self.out += b"N"
        elif t is bool:
            self.out += b"\x88" if obj else b"\x89"
        elif t is int:
            self._int(obj)
        elif t is float:
            self.out += b"G" + struct.pack(">d", obj)
        elif t is str:
            raw = obj.encode("utf-8", "surrogatepass")
            self.out += b"X" + struct.pack("<I", len(raw)) + raw
        elif isinstance(obj, Tensor):
            self._tensor(obj)
        elif isinstance(obj, dtypes.dtype):
            self._global("torch", obj.name)
        elif self._get(obj):
            return
        elif t is bytes:
            self._call("_codecs", "encode", (obj.decode("latin-1"), "latin1"), obj)
        elif t is Size:
            self._call("torch", "Size", (tuple(obj),), obj)
        elif t is device:
            self._call("torch", "device", (str(obj),), obj)
        elif t is complex:
            self._call("__builtin__", "complex", (obj.real, obj.imag), obj)
        elif t is set:
            self._call("__builtin__", "set", (_ordered(obj),), obj)
        elif t is tuple:
            self._tuple(obj)
        elif t is list:
            self.out += b"]"
            self._put(obj)
            self._items(obj, b"a", b"e")
        elif t is dict:
            self.out += b"}"
            self._put(obj)
            self._pairs(obj)
        elif t is OrderedDict or t is Counter:
            self._mapping(obj)
        else:
            raise TypeError(
                f"visgrad.save cannot write a {t.__name__}: it writes tensors, state dicts and "
                "containers of them, as torch.load(weights_only=True) reads (save "
                "model.state_dict() rather than the model)"
            )

    def _int(self, v: int) -> None:
        if 0 <= v < 256:
            self.out += b"K" + bytes([v])
        elif 0 <= v < 65536:
            self.out += b"M" + struct.pack("<H", v)
        elif -(2**31) <= v < 2**31:
            self.out += b"J" + struct.pack("<i", v)
        else:
            raw = v.to_bytes((v.bit_length() + 8) // 8, "little", signed=True)
            if len(raw) > 255:
                raise OverflowError("int too large to write in a checkpoint")
            self.out += b"\x8a" + bytes([len(raw)]) + raw

    def _tuple(self, obj: tuple) -> None:
        if not obj:
            self.out += b")"
            return
        if len(obj) <= 3:
            for x in obj:
                self.save(x)
            self.out += bytes([0x84 + len(obj)])
        else:
            self.out += b"("
            for x in obj:
                self.save(x)
            self.out += b"t"
        self._put(obj)

    def _items(self, items: list, one: bytes, many: bytes) -> None:
        for i in range(0, len(items), _BATCH):
            chunk = items[i : i + _BATCH]
            if len(chunk) == 1:
                self.save(chunk[0])
                self.out += one
                continue
            self.out += b"("
            for x in chunk:
                self.save(x)
            self.out += many

    def _pairs(self, d: dict) -> None:
        items = list(d.items())
        for i in range(0, len(items), _BATCH):
            chunk = items[i : i + _BATCH]
            if len(chunk) == 1:
                self.save(chunk[0][0])
                self.save(chunk[0][1])
                self.out += b"s"
                continue
            self.out += b"("
            for k, v in chunk:
                self.save(k)
                self.save(v)
            self.out += b"u"

    def _mapping(self, obj: Any) -> None:
        """``OrderedDict`` (and ``Counter``): REDUCE of the class, items, then its attributes."""
        if type(obj) is Counter:
            self._call("collections", "Counter", (dict(obj),), obj)
            return
        self._global("collections", "OrderedDict")
        self.out += b")R"
        self._put(obj)
        self._pairs(obj)
        attrs = vars(obj)
        if attrs:
            self.save(dict(attrs))
            self.out += b"b"

    def _call(self, module: str, name: str, args: tuple, obj: Any) -> None:
        self._global(module, name)
        self._tuple(args)
        self.out += b"R"
        self._put(obj)

    def _tensor(self, t: Tensor) -> None:
        if self._get(t):
            return
        if isinstance(t, Parameter):
            self._global("torch._utils", "_rebuild_parameter")
            self._rebuild(t, requires_grad=False)
            self.save(t.requires_grad)
            self._global("collections", "OrderedDict")
            self.out += b")R\x87R"
        else:
            self._rebuild(t, t.requires_grad)
        self._put(t)

    def _rebuild(self, t: Tensor, requires_grad: bool) -> None:
        key, offset, stride, storage_type, numel = self._storage(t._data)
        self._global("torch._utils", "_rebuild_tensor_v2")
        self.out += b"(("
        self.save("storage")
        self._global("torch", storage_type)
        self.save(str(key))
        self.save("cpu")
        self.save(numel)
        self.out += b"tQ"
        self.save(offset)
        self._tuple(tuple(int(s) for s in t._data.shape))
        self._tuple(stride)
        self.save(bool(requires_grad))
        self._global("collections", "OrderedDict")
        self.out += b")Rt" + b"R"

    def _storage(self, a: np.ndarray) -> tuple[int, int, tuple[int, ...], str, int]:
        """(key, offset, stride in elements, storage class, numel) of the storage ``a`` views."""
        dt = dtypes.from_numpy(a.dtype)
        root = a
        while isinstance(root.base, np.ndarray):
            root = root.base
        item = a.itemsize
        shared = (
            root.dtype == a.dtype
            and root.flags.c_contiguous
            and all(s >= 0 and s % item == 0 for s in a.strides)
            and a.size > 0
        )
        if shared:
            start = a.__array_interface__["data"][0] - root.__array_interface__["data"][0]
            shared = start >= 0 and start % item == 0
        if not shared:
            root = a.copy(order="C")
            start = 0
        key = self._storage_keys.get(id(root))
        if key is None:
            key = self._storage_keys[id(root)] = len(self.storages)
            self.keep.append(root)
            flat = root.reshape(-1)
            self.storages.append(flat.astype(flat.dtype.newbyteorder("<"), copy=False).tobytes())
        stride = tuple(s // item for s in (a if shared else root).strides)
        return key, start // item, stride, STORAGE_NAME[dt], root.size


def _ordered(s: set) -> list:
    """A set's items sorted where they can be, so the same set always writes the same bytes."""
    try:
        return sorted(s)
    except TypeError:
        return list(s)
