"""Safe stand-ins for the globals a weights-only checkpoint may name.

Each maps one PyTorch name (``torch._utils._rebuild_tensor_v2``, ``torch.FloatStorage``,
``collections.OrderedDict``, ...) to visgrad's own code, checking its arguments as untrusted
input: shapes, strides and offsets must stay inside the storage they index.
"""

from __future__ import annotations

import codecs
import math
import pickle
from collections import Counter, OrderedDict
from typing import Any

import numpy as np

from visgrad import dtypes, events
from visgrad._device import device
from visgrad.nn.parameter import Parameter
from visgrad.serialization.unpickler import safe
from visgrad.tensor import Size, Tensor

MAX_DIMS = 64
# A tensor may address the same storage element several times (stride 0, as expand() makes), but
# not so often that its elements outnumber its storage's beyond this: a hostile shape would
# otherwise become a huge array at the first op.
MAX_BROADCAST_ELEMENTS = 1 << 26


class StorageType:
    """``torch.FloatStorage`` & co.: names a storage's dtype (``None``: untyped bytes)."""

    __slots__ = ("dtype", "name")

    def __init__(self, name: str, dtype: dtypes.dtype | None) -> None:
        self.name, self.dtype = name, dtype


STORAGE_TYPES = {
    "FloatStorage": dtypes.float32,
    "DoubleStorage": dtypes.float64,
    "HalfStorage": dtypes.float16,
    "LongStorage": dtypes.int64,
    "IntStorage": dtypes.int32,
    "ShortStorage": dtypes.int16,
    "CharStorage": dtypes.int8,
    "ByteStorage": dtypes.uint8,
    "BoolStorage": dtypes.bool,
}
STORAGE_NAME = {d: n for n, d in STORAGE_TYPES.items()}


class Storage:
    """A loaded storage: one flat array of its dtype, shared by every tensor viewing it."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray) -> None:
        self.array = array


def _ints(value: Any, what: str) -> tuple[int, ...]:
    if not isinstance(value, (tuple, list, Size)) or len(value) > MAX_DIMS:
        raise pickle.UnpicklingError(f"tensor {what} is not a tuple of at most {MAX_DIMS} ints")
    if not all(type(v) is int and v >= 0 for v in value):
        raise pickle.UnpicklingError(
            f"tensor {what} {tuple(value)!r} has a non-integer or negative entry"
        )
    return tuple(value)


def _view(storage: Any, offset: Any, size: Any, stride: Any, dtype: Any = None) -> np.ndarray:
    """The array a (storage, offset, size, stride) tensor sees, checked to stay in bounds."""
    if not isinstance(storage, Storage):
        raise pickle.UnpicklingError("a tensor's storage is not a storage reference")
    size, stride = _ints(size, "size"), _ints(stride, "stride")
    if len(size) != len(stride):
        raise pickle.UnpicklingError(f"tensor size {size} and stride {stride} differ in length")
    if type(offset) is not int or offset < 0:
        raise pickle.UnpicklingError(f"tensor storage offset {offset!r} is not a non-negative int")
    flat = storage.array
    if dtype is not None:  # an untyped (byte) storage viewed as ``dtype``
        if flat.nbytes % dtype.itemsize:
            raise pickle.UnpicklingError(f"storage of {flat.nbytes} bytes does not hold {dtype}")
        flat = flat.view(dtype.np)
    numel = math.prod(size)
    if numel == 0:
        return np.empty(size, flat.dtype)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride, strict=True))
    if last >= flat.size:
        raise pickle.UnpicklingError(
            f"tensor of size {size}, stride {stride}, offset {offset} reaches past its storage "
            f"of {flat.size} elements"
        )
    if numel > max(flat.size, MAX_BROADCAST_ELEMENTS):
        raise pickle.UnpicklingError(
            f"tensor of size {size} has {numel} elements over a storage of {flat.size}"
        )
    item = flat.itemsize
    # A view whose base is the storage array, so tensors over one storage share memory (and
    # torch.save's writer finds that storage again).
    return np.ndarray(
        size, flat.dtype, buffer=flat, offset=offset * item, strides=tuple(s * item for s in stride)
    )


def _leaf(array: np.ndarray, requires_grad: Any) -> Tensor:
    if type(requires_grad) is not bool:
        raise pickle.UnpicklingError("a tensor's requires_grad is not a bool")
    if requires_grad and array.dtype.kind != "f":
        raise pickle.UnpicklingError("only floating point tensors can require gradients")
    t = Tensor._make(array, requires_grad, None, 0)
    if events.SINKS:
        t._announce("load")
    return t


@safe
def rebuild_tensor_v2(
    storage: Any,
    storage_offset: Any,
    size: Any,
    stride: Any,
    requires_grad: Any,
    backward_hooks: Any,
    metadata: Any = None,
) -> Tensor:
    """``torch._utils._rebuild_tensor_v2``: a tensor over a loaded storage."""
    return _leaf(_view(storage, storage_offset, size, stride), requires_grad)


@safe
def rebuild_tensor_v3(
    storage: Any,
    storage_offset: Any,
    size: Any,
    stride: Any,
    requires_grad: Any,
    backward_hooks: Any,
    dtype: Any,
    metadata: Any = None,
) -> Tensor:
    """``torch._utils._rebuild_tensor_v3``: as v2, over an untyped storage of ``dtype``."""
    if not isinstance(dtype, dtypes.dtype):
        raise pickle.UnpicklingError(f"tensor dtype {dtype!r} is not a dtype")
    return _leaf(_view(storage, storage_offset, size, stride, dtype), requires_grad)


@safe
def rebuild_tensor(storage: Any, storage_offset: Any, size: Any, stride: Any) -> Tensor:
    """``torch._utils._rebuild_tensor``: the oldest form, without requires_grad."""
    return _leaf(_view(storage, storage_offset, size, stride), False)


def _parameter(data: Any, requires_grad: Any) -> Parameter:
    if not isinstance(data, Tensor) or type(requires_grad) is not bool:
        raise pickle.UnpicklingError("a Parameter needs a tensor and a bool")
    return Parameter(data, requires_grad)


@safe
def rebuild_parameter(data: Any, requires_grad: Any, backward_hooks: Any) -> Parameter:
    """``torch._utils._rebuild_parameter``."""
    return _parameter(data, requires_grad)


@safe
def rebuild_parameter_with_state(
    data: Any, requires_grad: Any, backward_hooks: Any, state: Any
) -> Parameter:
    """``torch._utils._rebuild_parameter_with_state`` (extra Python attributes are dropped)."""
    return _parameter(data, requires_grad)


class TensorType:
    """``torch.Tensor`` / ``torch.nn.parameter.Parameter`` as a value (not callable)."""

    __slots__ = ("cls",)

    def __init__(self, cls: type) -> None:
        self.cls = cls


@safe
def rebuild_from_type_v2(func: Any, new_type: Any, args: Any, state: Any) -> Any:
    """``torch._tensor._rebuild_from_type_v2``: rebuild, then make it a Parameter if asked."""
    if not getattr(func, "_weights_only_safe", False) or not isinstance(args, tuple):
        raise pickle.UnpicklingError("_rebuild_from_type_v2 got a function it cannot call")
    if not isinstance(new_type, TensorType):
        raise pickle.UnpicklingError("_rebuild_from_type_v2 may only make Tensors or Parameters")
    out = func(*args)
    if new_type.cls is Parameter and not isinstance(out, Parameter):
        out = _parameter(out, out.requires_grad)
    return out


@safe
def ordered_dict(*args: Any) -> OrderedDict:
    if len(args) > 1 or (args and not isinstance(args[0], (list, tuple, dict))):
        raise pickle.UnpicklingError("OrderedDict takes at most one list of pairs")
    return OrderedDict(*args)


@safe
def counter(*args: Any) -> Counter:
    if len(args) > 1 or (args and not isinstance(args[0], dict)):
        raise pickle.UnpicklingError("Counter takes at most one dict")
    return Counter(*args)


@safe
def make_set(items: Any = ()) -> set:
    if not isinstance(items, (list, tuple)):
        raise pickle.UnpicklingError("set takes a list")
    return set(items)


@safe
def make_complex(real: Any = 0.0, imag: Any = 0.0) -> complex:
    if not all(type(v) in (int, float) for v in (real, imag)):
        raise pickle.UnpicklingError("complex takes two numbers")
    return complex(real, imag)


@safe
def make_bytearray(data: Any = b"", *rest: Any) -> bytearray:
    if isinstance(data, str) and len(rest) == 1 and rest[0] in ("latin1", "latin-1"):
        data = data.encode("latin-1")
    if not isinstance(data, (bytes, list)):  # an int would allocate that many bytes
        raise pickle.UnpicklingError("bytearray takes bytes")
    return bytearray(data)


@safe
def encode(text: Any, encoding: Any = "utf-8") -> bytes:
    """``_codecs.encode``: how protocol 2 spells ``bytes``; text encodings only."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1", "utf-8", "utf8"):
        raise pickle.UnpicklingError("_codecs.encode takes a string and latin1 or utf-8")
    return codecs.encode(text, encoding)


@safe
def make_size(dims: Any = ()) -> Size:
    return Size(_ints(dims, "size"))


@safe
def make_device(kind: Any, index: Any = None) -> device:
    if not isinstance(kind, str) or not (index is None or type(index) is int):
        raise pickle.UnpicklingError("torch.device takes a name and an index")
    try:
        return device(kind, index)
    except (RuntimeError, ValueError) as e:
        raise pickle.UnpicklingError(str(e)) from None


def allowed_globals() -> dict[str, Any]:
    """What each name a weights-only checkpoint may use stands for here."""
    table: dict[str, Any] = {
        "collections.OrderedDict": ordered_dict,
        "collections.Counter": counter,
        "builtins.set": make_set,
        "builtins.complex": make_complex,
        "builtins.bytearray": make_bytearray,
        "_codecs.encode": encode,
        "torch.Size": make_size,
        "torch.device": make_device,
        "torch.Tensor": TensorType(Tensor),
        "torch.nn.parameter.Parameter": TensorType(Parameter),
        "torch._utils._rebuild_tensor": rebuild_tensor,
        "torch._utils._rebuild_tensor_v2": rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": rebuild_tensor_v3,
        "torch._utils._rebuild_parameter": rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": rebuild_from_type_v2,
        "torch.UntypedStorage": StorageType("UntypedStorage", None),
        "torch.storage.UntypedStorage": StorageType("UntypedStorage", None),
    }
    for name, dt in STORAGE_TYPES.items():
        table[f"torch.{name}"] = StorageType(name, dt)
    for dt in dtypes.ALL:
        table[f"torch.{dt.name}"] = dt
    return table
