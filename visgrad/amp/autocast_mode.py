"""``torch.autocast``: a context manager and decorator that, without a GPU, leaves ops as they are."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from visgrad._device import device

_ENABLED: dict[str, bool] = {}


def is_autocast_available(device_type: str) -> bool:
    """Whether PyTorch has autocast for ``device_type`` (it does for "cpu" and "cuda")."""
    return device_type in ("cpu", "cuda", "xpu", "mps", "hpu", "xla", "mtia", "ipu")


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether an autocast region for ``device_type`` (default "cuda") is open: never, here."""
    return _ENABLED.get(device_type or "cuda", False)


class autocast:  # noqa: N801 - PyTorch's name
    """Run the region's ops in a lower precision where safe; here only the disabled forms run."""

    def __init__(
        self,
        device_type: str,
        dtype: Any = None,
        enabled: bool = True,
        cache_enabled: bool | None = None,
    ) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        device(device_type)  # PyTorch's error for a device type it does not know
        self.device = device_type
        self.fast_dtype = dtype
        self._cache_enabled = cache_enabled
        if device_type == "cuda" and enabled:
            warnings.warn(
                "CUDA is not available or torch_xla is imported. Disabling autocast.",
                stacklevel=2,
            )
            enabled = False
        self._enabled = enabled

    def __enter__(self) -> autocast:
        if self._enabled:
            raise NotImplementedError(
                f"visgrad does not implement autocast on '{self.device}' (yet): it would run ops "
                "in bfloat16/float16, which visgrad's CPU kernels do not have; pass "
                "enabled=False to run the region in full precision"
            )
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def decorate_autocast(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return decorate_autocast


def _device_type(device_type: Any) -> str:
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    return device_type


def custom_fwd(
    fwd: Callable[..., Any] | None = None, *, device_type: str, cast_inputs: Any = None
) -> Any:
    """Decorator for a custom Function's ``forward``: a pass-through while autocast is off."""
    _device_type(device_type)
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    return fwd


def custom_bwd(bwd: Callable[..., Any] | None = None, *, device_type: str) -> Any:
    """Decorator for a custom Function's ``backward``: a pass-through while autocast is off."""
    _device_type(device_type)
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd
