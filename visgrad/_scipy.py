"""SciPy's ``special`` and ``linalg``, imported when a function of theirs is first called.

Importing ``scipy.special`` loads about a hundred modules and puts some 20,000 objects under the
cyclic garbage collector, which walks them on every full collection for the rest of the program:
a long autograd graph then spends much of its time in the collector for a module that most
programs (no ``erf``, no ``lu``) never call.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class _OnFirstUse:
    """A module's stand-in that imports it at the first attribute read."""

    __slots__ = ("_name", "_module")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attr)


special: Any = _OnFirstUse("scipy.special")
linalg: Any = _OnFirstUse("scipy.linalg")
