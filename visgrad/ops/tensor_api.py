"""Tensor API that user scripts expect besides the ops: ``new_*`` constructors, in-place random
fills, ``type()``, byte sizes, the device, the default dtype and ``torch.LongTensor`` & co.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from visgrad import dtypes
from visgrad._device import CPU, device, tensor_cuda
from visgrad.arg_parser import int_list, number, spread_int_list, type_name
from visgrad.autograd.grad_mode import MODES
from visgrad.factories import full, tensor
from visgrad.ops.convert import to
from visgrad.ops.inplace import _check_leaf, write_
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor


# -- the default dtype ------------------------------------------------------------------------------
def get_default_dtype() -> dtypes.dtype:
    """The dtype of float tensors made without an explicit dtype."""
    return dtypes.default_float


def set_default_dtype(d: dtypes.dtype) -> None:
    if not isinstance(d, dtypes.dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    d.np  # noqa: B018 - a dtype visgrad cannot hold refuses here, not at the next factory call
    dtypes.default_float = d


# -- torch.LongTensor and friends -------------------------------------------------------------------
class _TensorType(type):
    """``torch.LongTensor([1, 2])`` makes an int64 tensor; ``isinstance`` checks the dtype."""

    dtype: dtypes.dtype

    def __call__(cls, *args: Any) -> Tensor:
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            return tensor(args[0], dtype=cls.dtype)
        return full(args, 0, dtype=cls.dtype)

    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, Tensor) and obj._data.dtype == cls.dtype.np

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


def _tensor_type(d: dtypes.dtype) -> _TensorType:
    return _TensorType(d.tensor_type, (), {"dtype": d})


DoubleTensor = _tensor_type(dtypes.float64)
HalfTensor = _tensor_type(dtypes.float16)
LongTensor = _tensor_type(dtypes.int64)
IntTensor = _tensor_type(dtypes.int32)
ShortTensor = _tensor_type(dtypes.int16)
CharTensor = _tensor_type(dtypes.int8)
ByteTensor = _tensor_type(dtypes.uint8)
BoolTensor = _tensor_type(dtypes.bool)
_BY_TYPE_NAME = {d.tensor_type: d for d in dtypes.ALL}


@declare("type", torch=False)
def type_(t: Tensor, dtype: Any = None, non_blocking: bool = False, **_: Any) -> Any:
    """``t.type()`` names the tensor type ("torch.FloatTensor"); ``t.type(x)`` converts to x."""
    if dtype is None:
        return f"torch.{t.dtype.tensor_type}"
    if isinstance(dtype, _TensorType):
        dtype = dtype.dtype
    elif isinstance(dtype, str) and dtype.removeprefix("torch.") in _BY_TYPE_NAME:
        dtype = _BY_TYPE_NAME[dtype.removeprefix("torch.")]
    return to(t, dtype)


# -- new_* constructors: the dtype of ``self`` unless one is given ----------------------------------
def _options(op: str, layout: Any, pin_memory: Any) -> None:
    """PyTorch's checks of ``layout`` (visgrad has the strided layout only: None stands for it)
    and ``pin_memory`` (no accelerator here, so no pinned memory)."""
    if layout is not None:
        raise TypeError(f"{op}(): argument 'layout' must be torch.layout, not {type_name(layout)}")
    if pin_memory:
        raise RuntimeError(
            "pin_memory=True requires a CUDA or other accelerator backend; no pinned memory "
            "allocator is available on this system."
        )


def _new(t: Tensor, size: tuple[int, ...], fill: Any, dtype: Any, requires_grad: Any) -> Tensor:
    return full(size, fill, dtype=dtype or t.dtype, requires_grad=bool(requires_grad))


@declare("new_zeros", torch=False)
def new_zeros(t: Tensor, *size: Any, dtype: Any = None, layout: Any = None, device: Any = None,
              pin_memory: bool | None = False, requires_grad: bool | None = False) -> Tensor:  # fmt: skip
    _options("new_zeros", layout, pin_memory)
    return _new(t, spread_int_list("new_zeros", "size", size), 0, dtype, requires_grad)


@declare("new_ones", torch=False)
def new_ones(t: Tensor, *size: Any, dtype: Any = None, layout: Any = None, device: Any = None,
             pin_memory: bool | None = False, requires_grad: bool | None = False) -> Tensor:  # fmt: skip
    _options("new_ones", layout, pin_memory)
    return _new(t, spread_int_list("new_ones", "size", size), 1, dtype, requires_grad)


@declare("new_empty", torch=False)
def new_empty(t: Tensor, *size: Any, dtype: Any = None, layout: Any = None, device: Any = None,
              pin_memory: bool | None = False, requires_grad: bool | None = False) -> Tensor:  # fmt: skip
    _options("new_empty", layout, pin_memory)
    return _new(t, spread_int_list("new_empty", "size", size), 0, dtype, requires_grad)


@declare("new_full", torch=False)
def new_full(t: Tensor, size: Any, fill_value: Any, *, dtype: Any = None, layout: Any = None,
             device: Any = None, pin_memory: bool | None = False,
             requires_grad: bool | None = False) -> Tensor:  # fmt: skip
    size = int_list("new_full", "size", size, 1)
    _options("new_full", layout, pin_memory)
    return _new(t, size, number("new_full", "fill_value", fill_value, 2), dtype, requires_grad)


@declare("new_tensor", torch=False)
def new_tensor(
    t: Tensor, data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A new leaf holding a copy of ``data`` (never sharing history with it)."""
    if isinstance(data, str):  # PyTorch's legacy constructor names itself
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if isinstance(data, Tensor):
        data = data._data.copy()
    elif data is None:  # PyTorch reads it as a number, and None is none
        raise TypeError("must be real number, not NoneType")
    return tensor(data, dtype=dtype or t.dtype, requires_grad=requires_grad)


# -- in-place random fills (what nn.init does, as Tensor methods) -----------------------------------
def _fill(t: Tensor, values: np.ndarray, op: str) -> Tensor:
    if MODES.enabled:
        _check_leaf(t)
    return write_(t, values, op)


@declare("device", torch=False, property=True)
def _device(t: Tensor) -> device:
    return CPU


@declare("is_cuda", torch=False, property=True)
def _is_cuda(t: Tensor) -> bool:
    return False


@declare("is_cpu", torch=False, property=True)
def _is_cpu(t: Tensor) -> bool:
    return True


@declare("nbytes", torch=False, property=True)
def _nbytes(t: Tensor) -> int:
    return int(t._data.nbytes)


@declare("itemsize", torch=False, property=True)
def _itemsize(t: Tensor) -> int:
    return int(t._data.itemsize)


declare("cuda", torch=False)(tensor_cuda)


@declare("storage_offset", torch=False)
def storage_offset(t: Tensor) -> int:
    """Elements between the start of the memory ``t`` shares and its first element."""
    arr = root = t._data
    while isinstance(root.base, np.ndarray):
        root = root.base
    if arr.itemsize == 0 or root is arr:
        return 0
    start = arr.__array_interface__["data"][0]
    return (start - root.__array_interface__["data"][0]) // arr.itemsize
