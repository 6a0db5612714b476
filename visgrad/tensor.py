"""Tensor: a NumPy array plus autograd state (``grad``, ``grad_fn``, version counter).

Arithmetic and math methods are attached from the op registry (``visgrad/ops/registry.py``), so
this module holds only what a tensor *is*: its data, its shape, its conversions and its printing.
Its autograd side (``requires_grad``, ``.grad``, hooks, ``backward``) is the ``TensorGrad`` mixin
(``autograd/tensor_grad.py``); ``Size`` and dim wrapping are ``_size.py``.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

from visgrad import _aliasing as aliasing
from visgrad import _layout, call_site, dtypes, events
from visgrad._printing import format_tensor
from visgrad._size import Size
from visgrad._size import wrap_dim as _dim
from visgrad.autograd.inference import TENSOR_IDS
from visgrad.autograd.tensor_grad import TensorGrad
from visgrad.autograd.version_counter import VersionCounter

__all__ = ["Size", "Tensor", "VersionCounter", "as_array"]

_tensor_ids = TENSOR_IDS  # shared with the inference spans


if TYPE_CHECKING:
    # The op registry's methods (exp, add, sum, __add__, ...), generated: ``visgrad/_api.pyi``.
    from visgrad._api import TensorMethods as _Methods
else:
    _Methods = object


def _one_dim(dim: int, ndim: int) -> int:
    """The dim ``size(dim)`` / ``stride(dim)`` read: a 0-dim tensor has none to read."""
    if ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return _dim(dim, ndim)


class Tensor(TensorGrad, _Methods):
    """An n-dimensional array that can record the ops applied to it for autograd."""

    __slots__ = (
        "_data",
        "_rg",
        "_fn",
        "_output_nr",
        "_grad",
        # The VersionCounter, made on first use (see the _version property): most op results are
        # never viewed, detached or changed in place, and one object fewer per op is one object
        # fewer for the cyclic GC to walk.
        "_vc",
        "_id",
        "_acc",
        "_retains_grad",
        "_hooks",
        "_post_hooks",
        "_base",
        "_grad_of",
        "_is_param",
        "__weakref__",
        "__dict__",
    )

    def __getattr__(self, name: str) -> Any:
        # Reached only when the normal lookup fails. The op methods (exp, sum, ...) are attached
        # by the op registry when the namespace loads; a module that imported visgrad.tensor on
        # its own has none yet, so load it once and look again.
        if name.startswith("__") or "visgrad._namespace" in sys.modules:
            raise AttributeError(
                f"'{type(self).__name__}' object has no attribute '{name}'", name=name, obj=self
            )
        importlib.import_module("visgrad._namespace")
        return object.__getattribute__(self, name)

    # -- construction ---------------------------------------------------------------------------
    def __init__(self, data: Any = None, *, dtype: Any = None, requires_grad: bool = False) -> None:
        arr = as_array([] if data is None else data, dtype)
        self._init(arr, False, None, 0)
        if requires_grad:
            self.requires_grad_(True, _creating=True)
        if events.SINKS:
            self._announce("tensor")

    @classmethod
    def _make(cls, data: np.ndarray, rg: bool, fn: Any, output_nr: int) -> Tensor:
        """Wrap an array without copying or checks (the ops' fast path)."""
        # _init's stores inlined: every op result is built here.
        t = object.__new__(cls)
        t._data = data
        t._rg = rg
        t._fn = fn
        t._output_nr = output_nr
        t._grad = None
        t._vc = None
        t._id = next(_tensor_ids)
        t._acc = None
        t._retains_grad = False
        t._hooks = None
        t._post_hooks = None
        t._base = None
        t._grad_of = None
        t._is_param = False
        return t

    def _init(self, data: np.ndarray, rg: bool, fn: Any, output_nr: int) -> None:
        self._data = data
        self._rg = rg
        self._fn = fn
        self._output_nr = output_nr
        self._grad = None
        self._vc = None
        self._id = next(_tensor_ids)
        self._acc = None
        self._retains_grad = False
        self._hooks = None
        self._post_hooks = None
        self._base = None
        self._grad_of = None
        self._is_param = False

    def _announce(self, op: str, base: Tensor | None = None, value: bool = True) -> None:
        """Publish the creation of this leaf (factories, ``tensor()``, ``detach()``, ``.data``).

        ``base``: the tensor whose storage this one shares (an alias).
        """
        module, module_classes = call_site.module_scope()
        events.publish(
            events.TensorCreated(
                seq=events.next_seq(),
                tensor=self._id,
                op=op,
                shape=tuple(self._data.shape),
                dtype=self.dtype.name,
                requires_grad=self._rg,
                value=events.snapshot(self._data) if value else None,
                source=call_site.user_source(),
                base=base._id if base is not None else None,
                module=module,
                module_classes=module_classes,
            )
        )

    # -- basic properties -----------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Size | int:
        """The shape, or the size of one dimension."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_one_dim(dim, self._data.ndim)]

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.from_numpy(self._data.dtype)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    def ndimension(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    def nelement(self) -> int:
        return int(self._data.size)

    def element_size(self) -> int:
        return self._data.itemsize

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_contiguous(self, memory_format: Any = None) -> bool:
        """Whether the elements lie in memory in ``memory_format``'s order (C order by default)."""
        if memory_format is None:
            return bool(self._data.flags.c_contiguous)
        return _layout.is_in(self._data, _layout.checked("is_contiguous", memory_format))

    @property
    def layout(self) -> Any:
        return _layout.strided

    def stride(self, dim: int | None = None) -> tuple[int, ...] | int:
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_one_dim(dim, self._data.ndim)]

    @property
    def _version(self) -> VersionCounter:
        """The version counter shared with views and detached aliases (made on first use)."""
        vc = self._vc
        if vc is None:
            vc = self._vc = VersionCounter()
        return vc

    @_version.setter
    def _version(self, vc: VersionCounter) -> None:
        self._vc = vc

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    # -- data access ----------------------------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """The same storage without history, and *not* sharing the version counter (as PyTorch)."""
        t = Tensor._make(self._data, False, None, 0)
        if events.SINKS:
            # The debugger must learn the alias: writes through it (``w.data -= ...``) are
            # writes to ``self``. Its values are ``self``'s, so none are copied.
            aliasing.register(self, t)
            t._announce("data", self, value=False)
        return t

    @data.setter
    def data(self, value: Tensor) -> None:
        same = value._data is self._data  # ``w.data -= x`` assigns the same array back
        self._data = value._data
        if events.SINKS and not same:
            aliasing.register(self, value)
            events.publish(
                events.InplaceUpdate(
                    seq=events.next_seq(),
                    tensor=self._id,
                    op="set_data",
                    version=self._vc.value if self._vc is not None else 0,
                    value=events.snapshot(self._data),
                    source=call_site.user_source(),
                    base=value._id or None,
                )
            )

    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self._rg and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self._data if dtype is None else self._data.astype(dtype)

    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            many = "no values" if self._data.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {many} is ambiguous")
        return bool(self._data.reshape(()).item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __hash__(self) -> int:
        return id(self)

    def __iter__(self):  # noqa: ANN204
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __reversed__(self):  # noqa: ANN204
        return self.flip(0)  # a declared op (ops/join.py), installed with the others

    def __contains__(self, item: Any) -> bool:
        v = item._data if isinstance(item, Tensor) else item
        return bool((self._data == v).any())

    def __deepcopy__(self, memo: dict) -> Tensor:
        t = Tensor._make(self._data.copy(), self._rg, None, 0)
        t._is_param = self._is_param
        if self._grad is not None:
            t._grad = Tensor._make(self._grad._data.copy(), False, None, 0)
        memo[id(self)] = t
        return t

    # -- printing -------------------------------------------------------------------------------
    def __repr__(self) -> str:
        suffixes = []
        if self._fn is not None:
            suffixes.append(f"grad_fn=<{type(self._fn).__name__}>")
        elif self._rg:
            suffixes.append("requires_grad=True")
        text = format_tensor(
            self._data,
            dtype_name=self.dtype.name,
            dtype_text=repr(self.dtype),
            suffixes=suffixes,
            default_dtype_name=dtypes.default_float.name,
        )
        if self._is_param:
            return "Parameter containing:\n" + text
        return text

    def __str__(self) -> str:
        return self.__repr__()

    def __format__(self, spec: str) -> str:
        # As PyTorch: a 0-d tensor formats as its number (``f"{loss}"`` prints ``2.41...``).
        if self._data.ndim == 0 and type(self) is Tensor:
            return format(self.item(), spec)
        return object.__format__(self, spec)  # str(self); a format spec is a TypeError

    # Filled in by visgrad/ops: +, -, *, /, @, comparisons, math methods, views, indexing, ...


def _nested_has(x: Any, types: tuple[type, ...]) -> bool:
    if isinstance(x, types):
        return True
    if isinstance(x, (list, tuple)):
        return any(_nested_has(v, types) for v in x)
    return False


def as_array(data: Any, dtype: Any) -> np.ndarray:
    """An array for ``data`` with PyTorch's dtype rules: float32 for floats, int64 for ints."""
    np_dtype = dtypes.to_np(dtype)
    if isinstance(data, Tensor):
        arr = data._data
    elif isinstance(data, (list, tuple)) and _nested_has(data, (Tensor,)):
        arr = np.array([as_array(d, None) for d in data])
    else:
        try:
            arr = np.asarray(data)
        except ValueError:
            raise ValueError(_ragged_message(data)) from None
    if np_dtype is None and isinstance(data, Tensor):
        np_dtype = arr.dtype  # a tensor's copy keeps its dtype
    if np_dtype is None:
        kind = arr.dtype.kind
        if kind == "f" and not isinstance(data, np.ndarray):
            np_dtype = dtypes.default_float.np
        elif kind == "f":
            np_dtype = (
                arr.dtype if arr.dtype in (np.float16, np.float32, np.float64) else np.float32
            )
        elif kind in "iu":
            np_dtype = arr.dtype if isinstance(data, np.ndarray) else np.int64
        elif kind == "b":
            np_dtype = np.bool_
        elif kind == "O":
            name = "torch.dtype" if isinstance(data, dtypes.dtype) else type(data).__name__
            raise RuntimeError(f"Could not infer dtype of {name}")
        else:
            raise TypeError(f"can't convert {arr.dtype} to a tensor")
    return np.array(arr, dtype=np_dtype, copy=True)


def _ragged_message(data: Any) -> str:
    """PyTorch's text for nested lists of uneven lengths."""
    level = [data]
    dim = 0
    while level and all(isinstance(x, (list, tuple)) for x in level):
        lengths = [len(x) for x in level]
        if len(set(lengths)) > 1:
            return f"expected sequence of length {lengths[0]} at dim {dim} (got {next(n for n in lengths if n != lengths[0])})"
        level = [y for x in level for y in x]
        dim += 1
    return "expected a nested sequence of numbers with the same length at every level"
