"""Grad modes: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

The modes live in the module-level object ``MODES`` so the hot path reads one attribute.
As in PyTorch, grad mode is per thread (``no_grad`` in one thread leaves the others recording)
and anomaly mode is per process (``set_detect_anomaly`` in one thread is seen by all).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from visgrad.autograd import inference

F = TypeVar("F", bound=Callable[..., Any])


class _Modes(threading.local):
    """Grad mode and backward depth of the calling thread; anomaly mode of the process.

    ``__init__`` runs once in each thread that reads the state. The anomaly flags are class
    attributes, read through any thread's instance and written only by ``set_anomaly_state``.
    """

    anomaly = False
    anomaly_check_nan = True

    def __init__(self) -> None:
        self.enabled = True
        # Depth of backward formulas running: their internal ops are not the program's forward ops.
        self.in_backward = 0


MODES = _Modes()


def set_anomaly_state(mode: bool, check_nan: bool) -> None:
    """Turn anomaly detection on or off for every thread, as PyTorch's flag is process-wide."""
    _Modes.anomaly = mode
    _Modes.anomaly_check_nan = check_nan


def is_grad_enabled() -> bool:
    """True when ops are being recorded for autograd."""
    return MODES.enabled


class _GradModeContext:
    """Base for context managers that are also decorators."""

    _target: bool

    def __init__(self) -> None:
        self._prev: list[bool] = []

    def __enter__(self) -> None:
        self._prev.append(MODES.enabled)
        MODES.enabled = self._target

    def __exit__(self, *exc: object) -> None:
        MODES.enabled = self._prev.pop()

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
    """``no_grad`` whose results are inference tensors (``is_inference()``); with
    ``mode=False`` it leaves inference mode and enables grad, as PyTorch's does.
    """

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self._mode = mode
        self._target = not mode
        self._prev_inference: list[bool] = []

    def __enter__(self) -> None:
        super().__enter__()
        self._prev_inference.append(inference.STATE.enabled)
        inference.set_enabled(self._mode)

    def __exit__(self, *exc: object) -> None:
        inference.set_enabled(self._prev_inference.pop())
        super().__exit__(*exc)

    def _clone(self) -> inference_mode:
        return inference_mode(self._mode)


class set_grad_enabled(_GradModeContext):  # noqa: N801
    """Set the mode now (a plain call) or for a ``with`` block."""

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self._target = bool(mode)
        self._prev.append(MODES.enabled)
        MODES.enabled = self._target

    def __enter__(self) -> None:
        # The constructor already switched the mode; remember nothing twice.
        pass

    def __exit__(self, *exc: object) -> None:
        MODES.enabled = self._prev.pop()

    def _clone(self) -> set_grad_enabled:
        prev = MODES.enabled
        c = set_grad_enabled(self._target)
        c._prev[-1] = prev
        return c
