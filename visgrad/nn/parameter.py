"""``nn.Parameter``: a leaf tensor that a Module registers as one of its weights; and
``UninitializedParameter``, a lazy layer's parameter before its shape is known."""

from __future__ import annotations

import numpy as np

from visgrad import dtypes, events
from visgrad._size import Size
from visgrad.tensor import Tensor


class Parameter(Tensor):
    """A leaf Tensor that requires grad by default and prints as ``Parameter containing:``."""

    __slots__ = ()

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        if data is None:
            arr = np.empty((0,), dtype=np.float32)
            counter = None
        elif isinstance(data, Tensor):
            # Like PyTorch, the parameter shares the tensor's storage (a detached alias).
            arr, counter = data._data, data._version
        else:
            raise TypeError(
                f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}"
            )
        self._init(arr, False, None, 0)
        if counter is not None:
            self._version = counter
        self._is_param = True
        if requires_grad:
            self.requires_grad_(True, _creating=True)
        if events.SINKS:
            self._announce("parameter")

    def __deepcopy__(self, memo: dict) -> Parameter:
        p = Parameter.__new__(Parameter)
        p._init(self._data.copy(), self._rg, None, 0)
        p._is_param = True
        if self._grad is not None:
            p._grad = Tensor._make(self._grad._data.copy(), False, None, 0)
            p._grad._grad_of = p
        memo[id(self)] = p
        return p


_UNINITIALIZED_SHAPE = (
    "Can't access the shape of an uninitialized parameter or buffer. This error usually happens "
    "in `load_state_dict` when trying to load an uninitialized parameter into an initialized one. "
    "Call `forward` to initialize the parameters before accessing their attributes."
)


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (a lazy layer's, until its first forward)."""

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(
        self, requires_grad: bool = True, device: object = None, dtype: object = None
    ) -> None:
        np_dtype = dtypes.to_np(dtype) or dtypes.default_float.np
        super().__init__(
            Tensor._make(np.empty((0,), dtype=np_dtype), False, None, 0), requires_grad
        )

    def materialize(
        self, shape: tuple[int, ...], device: object = None, dtype: object = None
    ) -> None:
        """Become a ``Parameter`` of ``shape`` (uninitialised values, as ``torch.empty``)."""
        np_dtype = dtypes.to_np(dtype) or self._data.dtype
        self._data = np.empty(tuple(shape), dtype=np_dtype)
        self.__class__ = self.cls_to_become

    @property
    def shape(self) -> Size:
        raise RuntimeError(_UNINITIALIZED_SHAPE)

    def __repr__(self) -> str:
        return "<UninitializedParameter>"


def is_lazy(t: object) -> bool:
    return isinstance(t, UninitializedParameter)
