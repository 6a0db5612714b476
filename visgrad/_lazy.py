"""Lazy packages (PEP 562) whose public names may shadow their own submodules.

``torch.tensor`` is a function although ``visgrad/tensor.py`` exists, and so is
``torch.autograd.gradcheck``. Importing such a submodule makes Python set it as an attribute of
its package, which would replace the function whenever the submodule happens to load after the
package's names; :func:`keep_names` makes the package ignore exactly that assignment.
"""

from __future__ import annotations

import sys
import types


class _Package(types.ModuleType):
    _shadowed: frozenset[str] = frozenset()

    def __setattr__(self, name: str, value: object) -> None:
        if name in self._shadowed and isinstance(value, types.ModuleType):
            return  # the submodule stays reachable through sys.modules
        super().__setattr__(name, value)


def keep_names(package: str, shadowed: frozenset[str]) -> None:
    """Make ``package``'s attributes named in ``shadowed`` immune to its submodules' imports."""
    cls = type(f"Package[{package}]", (_Package,), {"_shadowed": shadowed})
    sys.modules[package].__class__ = cls
