"""Reproducibility switches scripts set (``torch.use_deterministic_algorithms``) and
``torch.typename`` / ``torch.is_storage``.

visgrad's kernels are deterministic already (one thread, fixed summation orders), so the switch
only records what the script asked for, and reports it back as PyTorch does.
"""

from __future__ import annotations

from typing import Any

from visgrad.tensor import Tensor

_MODE = {"on": False, "warn_only": False}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Ask for deterministic kernels (every visgrad kernel is one)."""
    if not isinstance(mode, bool):
        raise TypeError(
            "_set_deterministic_algorithms(): argument 'mode' (position 1) must be bool, not "
            f"{type(mode).__name__}"
        )
    if not isinstance(warn_only, bool):
        raise TypeError(
            "_set_deterministic_algorithms(): argument 'warn_only' must be bool, not "
            f"{type(warn_only).__name__}"
        )
    _MODE["on"], _MODE["warn_only"] = mode, warn_only


def are_deterministic_algorithms_enabled() -> bool:
    return _MODE["on"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _MODE["warn_only"]


def typename(obj: Any, /) -> str:
    """The fully qualified name of ``obj``'s type (``torch.FloatTensor`` for a float tensor)."""
    if isinstance(obj, Tensor):
        return str(obj.type())
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module, qualname = obj.__class__.__module__ or "", obj.__class__.__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def is_storage(obj: Any, /) -> bool:
    """False: visgrad has no storage objects."""
    return False
