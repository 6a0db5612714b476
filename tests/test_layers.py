"""The layers of DESIGN.md hold: import contracts, and a debugger that does not load the engine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ("visgrad.tensor", "visgrad.ops", "visgrad.autograd.engine", "visgrad.nn", "visgrad.optim")


def test_import_contracts_are_kept(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint('\\n'.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    return set(out.split())


def test_the_trace_model_and_graph_load_without_the_engine():
    loaded = _loaded_after("import visgrad.trace.model, visgrad.trace.files, visgrad.graph.layout")
    assert "visgrad.events" in loaded
    assert not loaded.intersection(ENGINE), sorted(loaded.intersection(ENGINE))


def test_the_namespace_loads_on_first_use_and_is_torchs():
    loaded = _loaded_after(
        "import visgrad as torch\n"
        "assert torch.tensor([1.0]).exp().item() > 2.7\n"
        "assert callable(torch.tensor) and callable(torch.autograd.gradcheck)\n"
        "from visgrad import events, nn\n"
        "assert nn.Linear(2, 1).weight.shape == (1, 2)"
    )
    assert loaded.issuperset(ENGINE)


def test_an_engine_module_imported_first_still_gives_a_whole_tensor():
    # the cycle tensor -> autograd -> engine -> tensor must not bite whichever module comes first
    for first in (
        "visgrad.tensor",
        "visgrad.factories",
        "visgrad.random",
        "visgrad.autograd.engine",
    ):
        _loaded_after(
            f"import {first}\n"
            "from visgrad.factories import tensor\n"
            "t = tensor([1.0, 2.0], requires_grad=True)\n"
            "t.exp().sum().backward()\n"
            "import visgrad\n"
            "assert callable(visgrad.tensor)\n"
            "from visgrad.autograd import gradcheck\n"
            "assert callable(gradcheck)"
        )
