"""Tensor: a NumPy array plus autograd state (``grad``, ``grad_fn``, version counter).

Arithmetic and math methods are attached from the op registry (``visgrad/ops/registry.py``), so
this module holds only what a tensor *is*: its data, its flags, its gradient and its printing.
"""

from __future__ import annotations

import importlib
import itertools
import sys
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from visgrad import _aliasing as aliasing
from visgrad import call_site, dtypes, events
from visgrad.autograd import errors

_tensor_ids = itertools.count(1)


class Size(tuple):
    """A shape, printed as ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


class VersionCounter:
    """Shared by a tensor, its views and its ``detach()``-ed aliases."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0

    # ``t._version`` is this shared counter, yet users read it as PyTorch's int.
    def __int__(self) -> int:
        return self.value

    __index__ = __int__

    def __repr__(self) -> str:
        return repr(self.value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, VersionCounter):
            return self is other
        return self.value == other

    def __hash__(self) -> int:
        return id(self)

    def __lt__(self, other: int) -> bool:
        return self.value < int(other)

    def __gt__(self, other: int) -> bool:
        return self.value > int(other)

    def __add__(self, other: int) -> int:
        return self.value + other

    def __sub__(self, other: int) -> int:
        return self.value - other


if TYPE_CHECKING:
    # The op registry's methods (exp, add, sum, __add__, ...), generated: ``visgrad/_api.pyi``.
    from visgrad._api import TensorMethods as _Methods
else:
    _Methods = object


class Tensor(_Methods):
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
        from visgrad.factories import as_array

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
        return self._data.shape[_dim(dim, self._data.ndim)]

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

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim: int | None = None) -> tuple[int, ...] | int:
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_dim(dim, self._data.ndim)]

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

    # -- autograd flags -------------------------------------------------------------------------
    @property
    def grad_fn(self) -> Any:
        return self._fn

    @property
    def is_leaf(self) -> bool:
        return self._fn is None

    @property
    def requires_grad(self) -> bool:
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self._fn is not None:
            if not value:
                raise RuntimeError(errors.REQUIRES_GRAD_NONLEAF)
            return
        if value and self._data.dtype.kind != "f":
            raise RuntimeError(errors.REQUIRES_GRAD_DTYPE_INPLACE)
        self._rg = bool(value)

    def requires_grad_(self, requires_grad: bool = True, *, _creating: bool = False) -> Tensor:
        """Set ``requires_grad`` in place on a leaf; returns self."""
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                errors.REQUIRES_GRAD_DTYPE if _creating else errors.REQUIRES_GRAD_DTYPE_INPLACE
            )
        self.requires_grad = requires_grad
        return self

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf after backward (a no-op on leaves)."""
        if not self._rg:
            raise RuntimeError(errors.RETAIN_GRAD_NO_GRAD)
        if self._fn is None or self._retains_grad:
            return
        self._retains_grad = True
        self._fn.add_retain(self._output_nr, self)

    @property
    def grad(self) -> Tensor | None:
        if self._fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(errors.NONLEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}"
                )
            if value.shape != self.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor of "
                    f"size '{list(self.shape)}'. Please ensure that the gradient and the tensor are "
                    "the same size"
                )
            value._grad_of = self
        old = self._grad
        if old is not None and old is not value:
            old._grad_of = None
        self._grad = value
        if events.SINKS:
            events.publish(
                events.GradReset(
                    seq=events.next_seq(),
                    tensor=self._id,
                    how="none" if value is None else "set",
                    grad=None if value is None else events.snapshot(value._data),
                    source=call_site.user_source(),
                    grad_tensor=None if value is None else value._id,
                )
            )

    @grad.deleter
    def grad(self) -> None:
        self.grad = None

    def register_hook(self, hook: Any) -> Any:
        """Run ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
        from visgrad.autograd.node import RemovableHandle

        if not self._rg:
            raise RuntimeError(errors.HOOK_NO_GRAD)
        if self._fn is not None:
            return self._fn.add_tensor_hook(self._output_nr, hook)
        if self._hooks is None:
            self._hooks = {}
        return RemovableHandle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook: Any) -> Any:
        """Run ``hook(tensor)`` after ``.grad`` of this leaf was updated."""
        from visgrad.autograd.node import RemovableHandle

        if self._fn is not None:
            raise RuntimeError(errors.POST_ACC_HOOK_NONLEAF)
        if not self._rg:
            raise RuntimeError(errors.HOOK_NO_GRAD)
        if self._post_hooks is None:
            self._post_hooks = {}
        return RemovableHandle(self._post_hooks, hook)

    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (vector-Jacobian product)."""
        from visgrad.autograd.engine import backward

        backward(
            (self,),
            None if gradient is None else (gradient,),
            retain_graph,
            create_graph,
            inputs=inputs,
        )

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
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
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
        from visgrad._printing import format_tensor

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


def _dim(d: int, ndim: int) -> int:
    """Wrap a possibly negative dim, with PyTorch's error text."""
    n = max(ndim, 1)
    if not -n <= d < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})"
        )
    return d % n if ndim else 0
