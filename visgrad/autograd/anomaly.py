"""Anomaly detection: forward tracebacks on nodes, and NaN checks on every backward output.

The state is read as ``grad_mode.MODES.anomaly`` / ``.anomaly_check_nan`` (process-wide, as in
PyTorch, and set by ``grad_mode.set_anomaly_state``); the op layer records a
forward traceback while it is on and the engine checks each node's outputs for NaN.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from visgrad.autograd import errors
from visgrad.autograd.grad_mode import MODES, set_anomaly_state

F = TypeVar("F", bound=Callable[..., Any])


def is_anomaly_enabled() -> bool:
    """True while anomaly detection is on."""
    return MODES.anomaly


def is_anomaly_check_nan_enabled() -> bool:
    """True while anomaly detection also checks backward outputs for NaN."""
    return MODES.anomaly_check_nan


class _AnomalyContext:
    """Switches the mode on entry and restores the previous one on exit; also a decorator."""

    def __init__(self, mode: bool, check_nan: bool) -> None:
        self.mode = bool(mode)
        self.check_nan = bool(check_nan)
        self._prev: list[tuple[bool, bool]] = []

    def _switch(self) -> None:
        self._prev.append((MODES.anomaly, MODES.anomaly_check_nan))
        set_anomaly_state(self.mode, self.check_nan)

    def __enter__(self) -> None:
        self._switch()

    def __exit__(self, *exc: object) -> None:
        set_anomaly_state(*self._prev.pop())

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _AnomalyContext(self.mode, self.check_nan):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class detect_anomaly(_AnomalyContext):  # noqa: N801 - PyTorch's name
    """Context manager (or decorator) that turns anomaly detection on, with PyTorch's warning."""

    def __init__(self, check_nan: bool = True) -> None:
        super().__init__(True, check_nan)
        warnings.warn(errors.ANOMALY_WARNING, UserWarning, stacklevel=2)


class set_detect_anomaly(_AnomalyContext):  # noqa: N801 - PyTorch's name
    """Turn anomaly detection on or off now; as a context manager, only for the block."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        super().__init__(mode, check_nan)
        # A plain call takes effect at once; ``with`` restores the previous mode on exit.
        self._switch()

    def __enter__(self) -> None:
        pass  # the constructor already switched the mode (it also works as a plain call)
