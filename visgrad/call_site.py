"""Where in the user's program the engine is: the nearest frame outside the visgrad package
(``user_source``) and the module call an op runs under (``module_scope``).

Events carry both (``source``, ``module``); the runner uses ``PKG_DIR`` to tell the program's
frames from the package's.
"""

from __future__ import annotations

import os
import sys
import threading

from visgrad.events import Source

__all__ = [
    "NO_MODULE",
    "PKG_DIR",
    "ModuleScope",
    "enter_module",
    "exit_module",
    "module_scope",
    "user_source",
]

ModuleScope = tuple[str, tuple[str, ...]]
"""(dotted module path, class names along it) of the module call an op runs under."""
NO_MODULE: ModuleScope = ("", ())
_scope = threading.local()


def module_scope() -> ModuleScope:
    """The scope of the innermost module call running in this thread (``NO_MODULE`` if none)."""
    return getattr(_scope, "top", NO_MODULE)


def enter_module(scope: ModuleScope) -> ModuleScope:
    """Make ``scope`` current in this thread; returns the one it replaces, for ``exit_module``."""
    previous = getattr(_scope, "top", NO_MODULE)
    _scope.top = scope
    return previous


def exit_module(previous: ModuleScope) -> None:
    """Restore the scope ``enter_module`` returned."""
    _scope.top = previous


# Frames in files under this folder are the package's own, never the user's program.
PKG_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def user_source(depth: int = 2) -> Source | None:
    """File, line and function of the nearest frame outside the visgrad package."""
    try:
        f = sys._getframe(depth)
    except ValueError:
        return None
    while f.f_code.co_filename.startswith(PKG_DIR):
        if f.f_back is None:
            return None
        f = f.f_back
    return (f.f_code.co_filename, f.f_lineno, f.f_code.co_name)
