"""Load a module from the repository's ``scripts/`` folder (not a package) by its file, once:
tests reuse the fixture scripts' recipes and the size measure without importing torch."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_script(relative: str) -> ModuleType:
    """``load_script("scripts/torch_fixtures/cascade_sums.py")``: the module, cached by name."""
    path = ROOT / relative
    name = "scripts_" + path.stem
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module
