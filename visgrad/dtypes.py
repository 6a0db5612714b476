"""dtype objects named like PyTorch's (``visgrad.float32`` prints as ``torch.float32``)."""

from __future__ import annotations

import builtins

import numpy as np


class dtype:  # noqa: N801 - PyTorch's name
    """A tensor element type; wraps a NumPy dtype."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "tensor_type")

    def __init__(self, name: str, np_dtype: type, tensor_type: str) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_signed = self.np.kind in "fi"
        self.itemsize = self.np.itemsize
        self.tensor_type = tensor_type

    def __repr__(self) -> str:
        # Programs are written as ``import visgrad as torch``; print what PyTorch prints.
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name


float16 = half = dtype("float16", np.float16, "HalfTensor")
float32 = float = dtype("float32", np.float32, "FloatTensor")  # noqa: A001
float64 = double = dtype("float64", np.float64, "DoubleTensor")
int8 = dtype("int8", np.int8, "CharTensor")
uint8 = dtype("uint8", np.uint8, "ByteTensor")
int16 = short = dtype("int16", np.int16, "ShortTensor")
int32 = int = dtype("int32", np.int32, "IntTensor")  # noqa: A001
int64 = long = dtype("int64", np.int64, "LongTensor")
bool = dtype("bool", np.bool_, "BoolTensor")  # noqa: A001


class _Unsupported(dtype):
    """A dtype PyTorch has and visgrad cannot hold: nameable, comparable, refused on use."""

    __slots__ = ()

    def __init__(self, name: str, itemsize: int, tensor_type: str) -> None:
        self.name = name
        self.is_floating_point = True
        self.is_signed = True
        self.itemsize = itemsize
        self.tensor_type = tensor_type

    @property  # type: ignore[override]
    def np(self) -> np.dtype:
        raise NotImplementedError(
            f"visgrad does not implement torch.{self.name} tensors (yet): NumPy has no "
            f"{self.name}; use torch.float32 (or torch.float16)"
        )


# Mixed-precision scripts name it (``{"bfloat16": torch.bfloat16, ...}[dtype]``) even when they
# then pick float32 on a CPU; making a tensor of it fails with a clear message.
bfloat16 = _Unsupported("bfloat16", 2, "BFloat16Tensor")

ALL = (float16, float32, float64, int8, uint8, int16, int32, int64, bool)
_BY_NP = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}

default_float = float32


def from_numpy(np_dtype: np.dtype) -> dtype:
    """The visgrad dtype for a NumPy dtype (TypeError for ones PyTorch has no match for)."""
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).name}. The only supported "
            "types are: float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


def by_name(name: str) -> dtype:
    """The dtype called ``name`` ("float32", "torch.int64", ...)."""
    return _BY_NAME[name.removeprefix("torch.")]


def to_np(d: dtype | type | np.dtype | str | None) -> np.dtype | None:
    """Accept visgrad dtypes, NumPy dtypes, Python types and names; return a NumPy dtype."""
    if d is None:
        return None
    if isinstance(d, dtype):
        return d.np
    if d is builtins.float:
        return float32.np
    if d is builtins.int:
        return int64.np
    if d is builtins.bool:
        return bool.np
    if isinstance(d, str):
        found = _BY_NAME.get(d.removeprefix("torch."))
        if found is None:
            raise TypeError(f"argument 'dtype' must be torch.dtype, not {type(d).__name__}")
        return found.np
    try:
        return np.dtype(d)
    except TypeError:
        raise TypeError(f"argument 'dtype' must be torch.dtype, not {type(d).__name__}") from None


def as_floating(a: np.ndarray) -> np.ndarray:
    """Integer and bool inputs to float math become the default float dtype, as in PyTorch."""
    return a if a.dtype.kind == "f" else a.astype(default_float.np)
