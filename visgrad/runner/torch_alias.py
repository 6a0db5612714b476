"""``import torch`` (and ``torch.nn``, ``torch.nn.functional``, ``torch.optim``, ...) means visgrad.

The alias modules forward every attribute to the visgrad module they stand for, so ``torch.Tensor``
is ``visgrad.Tensor``. What visgrad lacks fails with a message that names the missing torch API,
instead of a puzzling ``module 'visgrad' has no attribute ...``.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from typing import Any

HINT = "'import torch' runs on visgrad here (the runner's --no-torch-alias turns that off)"


def missing(torch_name: str) -> str:
    return f"visgrad does not implement {torch_name} (yet); {HINT}"


def _visgrad_name(torch_name: str) -> str:
    return "visgrad" + torch_name[len("torch") :]


class AliasModule(types.ModuleType):
    """A ``torch...`` module that is a window onto the matching ``visgrad...`` module."""

    def __init__(self, torch_name: str, target: types.ModuleType) -> None:
        super().__init__(torch_name, target.__doc__)
        self.__dict__["_visgrad_target"] = target
        self.__dict__["__path__"] = []  # a package, so ``import torch.nn`` reaches our finder

    def __getattr__(self, name: str) -> Any:
        target = self.__dict__["_visgrad_target"]
        if self.__name__ == "torch" and name in _METHOD_FUNCTIONS:
            value = getattr(target.Tensor, name)  # the function torch has, not our package
            self.__dict__[name] = value
            return value
        value = getattr(target, name, _MISSING)
        if value is _MISSING or isinstance(value, types.ModuleType):
            sub = f"{target.__name__}.{name}"
            if (isinstance(value, types.ModuleType) and value.__name__ == sub) or _module_exists(
                sub
            ):
                value = importlib.import_module(f"{self.__name__}.{name}")
            elif value is _MISSING:
                raise AttributeError(missing(f"{self.__name__}.{name}"), name=name, obj=self)
        self.__dict__[name] = value  # later lookups skip __getattr__
        return value

    def __dir__(self) -> list[str]:
        return sorted(set(dir(self.__dict__["_visgrad_target"])) | set(self.__dict__))


_MISSING = object()
# torch functions whose visgrad name is one of our own packages (``visgrad.trace`` holds trace
# files): in ``torch`` they are the Tensor method, called as a function (``torch.trace(m)``).
_METHOD_FUNCTIONS = frozenset({"trace"})


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


class TorchAliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``torch`` and ``torch.*`` as aliases of ``visgrad`` and ``visgrad.*``."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        if not _module_exists(_visgrad_name(fullname)):
            raise ModuleNotFoundError(missing(fullname), name=fullname)
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return AliasModule(spec.name, importlib.import_module(_visgrad_name(spec.name)))

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the alias forwards to a module that is already imported."""


def install() -> TorchAliasFinder:
    """Put the alias first on ``sys.meta_path`` (before any real torch install)."""
    finder = TorchAliasFinder()
    sys.meta_path.insert(0, finder)
    return finder


def uninstall(finder: TorchAliasFinder) -> None:
    """Remove the alias and the alias modules it made."""
    if finder in sys.meta_path:
        sys.meta_path.remove(finder)
    for name in [n for n, m in sys.modules.items() if isinstance(m, AliasModule)]:
        del sys.modules[name]
