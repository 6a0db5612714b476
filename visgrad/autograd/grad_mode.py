"""Grad modes: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

The state lives in the module-level object ``STATE`` so the hot path reads one attribute.
Like PyTorch's, the mode is per program; visgrad runs the user's program on one thread.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _State:
    __slots__ = ("enabled", "anomaly", "anomaly_check_nan", "in_backward")

    def __init__(self) -> None:
        self.enabled = True
        # Depth of backward formulas running: their internal ops are not the program's forward ops.
        self.in_backward = 0
        self.anomaly = False
        self.anomaly_check_nan = True


STATE = _State()


def is_grad_enabled() -> bool:
    """True when ops are being recorded for autograd."""
    return STATE.enabled


class _GradModeContext:
    """Base for context managers that are also decorators."""

    _target: bool

    def __init__(self) -> None:
        self._prev: list[bool] = []

    def __enter__(self) -> None:
        self._prev.append(STATE.enabled)
        STATE.enabled = self._target

    def __exit__(self, *exc: object) -> None:
        STATE.enabled = self._prev.pop()

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._clone():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def _clone(self) -> _GradModeContext:
        return type(self)()


class no_grad(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Disable recording: outputs have ``requires_grad=False`` and no ``grad_fn``."""

    _target = False


class enable_grad(_GradModeContext):  # noqa: N801
    """Re-enable recording inside ``no_grad``."""

    _target = True


class inference_mode(_GradModeContext):  # noqa: N801
    """Like ``no_grad`` (visgrad has no separate inference tensors)."""

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self._mode = mode
        self._target = not mode

    def _clone(self) -> inference_mode:
        return inference_mode(self._mode)


class set_grad_enabled(_GradModeContext):  # noqa: N801
    """Set the mode now (a plain call) or for a ``with`` block."""

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self._target = bool(mode)
        self._prev.append(STATE.enabled)
        STATE.enabled = self._target

    def __enter__(self) -> None:
        # The constructor already switched the mode; remember nothing twice.
        pass

    def __exit__(self, *exc: object) -> None:
        STATE.enabled = self._prev.pop()

    def _clone(self) -> set_grad_enabled:
        prev = STATE.enabled
        c = set_grad_enabled(self._target)
        c._prev[-1] = prev
        return c
