"""``visgrad.autograd``: the backward engine, grad modes and custom functions.

Its names load on first use (PEP 562), so ``visgrad.tensor`` can import ``autograd.errors`` and
``autograd.grad_mode`` without pulling in the engine, which itself imports ``visgrad.tensor``.
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

from visgrad import _lazy

if _typing.TYPE_CHECKING:
    from visgrad.autograd import functional, profiler
    from visgrad.autograd.anomaly import (
        detect_anomaly,
        is_anomaly_check_nan_enabled,
        is_anomaly_enabled,
        set_detect_anomaly,
    )
    from visgrad.autograd.engine import backward, grad
    from visgrad.autograd.function import Function
    from visgrad.autograd.grad_mode import (
        enable_grad,
        inference_mode,
        is_grad_enabled,
        no_grad,
        set_grad_enabled,
    )
    from visgrad.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
    from visgrad.autograd.node import Node
    from visgrad.autograd.variable import Variable

# Where each public name is defined.
_HOME = {
    "detect_anomaly": "anomaly",
    "is_anomaly_check_nan_enabled": "anomaly",
    "is_anomaly_enabled": "anomaly",
    "set_detect_anomaly": "anomaly",
    "backward": "engine",
    "grad": "engine",
    "Function": "function",
    "enable_grad": "grad_mode",
    "inference_mode": "grad_mode",
    "is_grad_enabled": "grad_mode",
    "no_grad": "grad_mode",
    "set_grad_enabled": "grad_mode",
    "GradcheckError": "gradcheck",
    "gradcheck": "gradcheck",
    "gradgradcheck": "gradcheck",
    "Node": "node",
    "Variable": "variable",
}

__all__ = ["functional", "profiler", *_HOME]


# ``autograd.gradcheck`` is the function (as in PyTorch), not its module.
_lazy.keep_names(__name__, frozenset({"gradcheck"}))


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        if name.startswith("__"):
            raise AttributeError(name)
        try:  # a submodule: ``visgrad.autograd.functional``, ``.profiler``
            return _importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
            raise AttributeError(
                f"module '{__name__}' has no attribute '{name}'", name=name
            ) from None
    value = getattr(_importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
