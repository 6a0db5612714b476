"""Lazy layers: ``nn.LazyLinear``, whose ``in_features`` is read from its first input.

Until then its parameters are ``UninitializedParameter``s; the first forward (a forward pre-hook,
as in PyTorch) gives them their shapes, draws them as ``Linear`` would at that moment, and turns
the module into a ``Linear``. Loading a state dict first gives the parameters the checkpoint's
shapes instead (and the forward then only reads ``in_features``).
"""

from __future__ import annotations

from typing import Any

from visgrad.autograd.grad_mode import no_grad
from visgrad.nn.layers import Linear
from visgrad.nn.module import Module
from visgrad.nn.parameter import UninitializedParameter, is_lazy
from visgrad.tensor import Tensor

__all__ = ["LazyLinear", "LazyModuleMixin"]


class LazyModuleMixin:
    """Infers the shapes of a module's parameters from its first input."""

    cls_to_become: type[Module] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(  # type: ignore[attr-defined]
            self._infer_parameters, with_kwargs=True
        )

    def _save_to_state_dict(self, destination: Any, prefix: str, keep_vars: bool) -> None:
        m: Any = self
        for name, p in m._parameters.items():
            if p is not None:
                destination[prefix + name] = p if is_lazy(p) or keep_vars else p.detach()
        for name, b in m._buffers.items():
            if b is not None and name not in m._non_persistent:
                destination[prefix + name] = b if keep_vars else b.detach()

    def _load_from_state_dict(self, state_dict: dict[str, Any], prefix: str, *rest: Any) -> None:
        m: Any = self
        for name, p in m._parameters.items():
            value = state_dict.get(prefix + name)
            if p is not None and is_lazy(p) and isinstance(value, Tensor) and not is_lazy(value):
                with no_grad():
                    p.materialize(value._data.shape)
        super()._load_from_state_dict(state_dict, prefix, *rest)  # type: ignore[misc]

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            f"initialize_parameters is not implemented for {self.__class__.__name__}"
        )

    def has_uninitialized_params(self) -> bool:
        m: Any = self
        return any(is_lazy(t) for t in (*m._parameters.values(), *m._buffers.values()))

    def _infer_parameters(self, module: Any, args: tuple[Any, ...], kwargs: Any = None) -> None:
        module.initialize_parameters(*args, **(kwargs or {}))
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")  # type: ignore[attr-defined]
        module._initialize_hook.remove()
        delattr(module, "_initialize_hook")
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become


class LazyLinear(LazyModuleMixin, Linear):
    """A ``Linear`` whose ``in_features`` is the last dim of its first input."""

    cls_to_become = Linear

    def __init__(
        self, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__(0, 0, False)
        self.weight = UninitializedParameter(dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:  # type: ignore[override]  # noqa: A002
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()
        if self.in_features == 0:
            if input.shape[-1] != self.weight.shape[-1]:
                raise AssertionError(
                    f"The in_features inferred from input: {input.shape[-1]} is not equal to "
                    f"in_features from self.weight: {self.weight.shape[-1]}"
                )
            self.in_features = input.shape[-1]
