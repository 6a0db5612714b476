"""visgrad: PyTorch's autograd on NumPy, where every step is an event you can watch.

Write ``import visgrad as torch`` and run PyTorch tutorial code unchanged.

The namespace is loaded lazily (PEP 562): ``import visgrad.trace.model`` (the debugger) loads
``visgrad.events`` and no engine. The first lookup of a name that is not a submodule
(``visgrad.tensor``, ``visgrad.nn.Linear`` via ``visgrad.nn`` is a submodule) loads
``visgrad._namespace`` and copies its names here; later lookups are plain module attributes.
"""

from __future__ import annotations

import importlib as _importlib
import importlib.util as _importlib_util
import typing as _typing

from visgrad import _lazy

__version__ = "0.1.0"

if _typing.TYPE_CHECKING:
    from visgrad._namespace import *  # noqa: F403

# Submodules whose name the namespace gives to something else: ``visgrad.tensor`` is the
# factory function, as ``torch.tensor`` is, whichever of the two was imported first.
_SHADOWED = frozenset({"tensor"})


def _load() -> dict[str, object]:
    namespace = _importlib.import_module("visgrad._namespace")
    public = {k: v for k, v in vars(namespace).items() if not k.startswith("__")}
    globals().update(public)
    return public


def __getattr__(name: str) -> object:
    if name.startswith("__"):
        raise AttributeError(name)
    if name not in _SHADOWED and _importlib_util.find_spec(f"{__name__}.{name}") is not None:
        return _importlib.import_module(f"{__name__}.{name}")  # ``from visgrad import events``
    public = _load()
    try:
        return public[name]
    except KeyError:
        raise AttributeError(f"module 'visgrad' has no attribute '{name}'", name=name) from None


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_load()))


_lazy.keep_names(__name__, _SHADOWED)
