"""A tensor's autograd side: ``requires_grad``, ``.grad``, hooks and ``backward()``.

``Tensor`` (``visgrad/tensor.py``) is what a tensor holds; this mixin is what autograd reads and
writes on it. The slots are Tensor's; the mixin only adds behaviour.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from visgrad import call_site, events
from visgrad.autograd import errors, inference
from visgrad.autograd.hooks import RemovableHandle

if TYPE_CHECKING:
    from visgrad.tensor import Tensor


class TensorGrad:
    """The autograd attributes and methods of ``Tensor``."""

    __slots__ = ()

    _data: Any
    _rg: bool
    _fn: Any
    _output_nr: int
    _grad: Tensor | None
    _grad_of: Tensor | None
    _id: int
    _retains_grad: bool
    _hooks: dict[int, Any] | None
    _post_hooks: dict[int, Any] | None

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
        if value and inference.has_spans() and not inference.STATE.enabled:
            if inference.is_inference(self):
                raise RuntimeError(
                    "Setting requires_grad=True on inference tensor outside InferenceMode is "
                    "not allowed."
                )
        self._rg = bool(value)

    def requires_grad_(self, requires_grad: bool = True, *, _creating: bool = False) -> Any:
        """Set ``requires_grad`` in place on a leaf; returns self."""
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                errors.REQUIRES_GRAD_DTYPE if _creating else errors.REQUIRES_GRAD_DTYPE_INPLACE
            )
        self.requires_grad = requires_grad
        return self

    def is_inference(self) -> bool:
        """True for a tensor made in ``inference_mode()`` (or a view or detach of one)."""
        return inference.is_inference(self)

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
            if not isinstance(value, TensorGrad):
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
        if not self._rg:
            raise RuntimeError(errors.HOOK_NO_GRAD)
        if self._fn is not None:
            return self._fn.add_tensor_hook(self._output_nr, hook)
        if self._hooks is None:
            self._hooks = {}
        return RemovableHandle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook: Any) -> Any:
        """Run ``hook(tensor)`` after ``.grad`` of this leaf was updated."""
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
        # Measured necessary: the engine builds Tensors, so it imports visgrad.tensor, which
        # imports this module; importing the engine here at load time would close that cycle.
        from visgrad.autograd.engine import backward

        backward(
            (self,),
            None if gradient is None else (gradient,),
            retain_graph,
            create_graph,
            inputs=inputs,
        )
