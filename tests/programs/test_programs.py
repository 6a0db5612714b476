"""Whole PyTorch programs run under visgrad print exactly what PyTorch printed.

Each file in ``cases/`` is plain PyTorch code. ``scripts/torch_fixtures/programs.py`` recorded its
output under PyTorch; here it runs with ``import torch`` meaning visgrad, in this process.
"""

from __future__ import annotations

import contextlib
import io
import json
import runpy
import warnings
from pathlib import Path

import pytest

import visgrad
from visgrad.runner import torch_alias

CASES = Path(__file__).resolve().parent / "cases"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "torch" / "programs.json"
RECORDED = json.loads(FIXTURE.read_text())["programs"]


def run_program(path: Path) -> str:
    """Run ``path`` as ``__main__`` with the torch alias; return what it printed."""
    finder = torch_alias.install()
    out = io.StringIO()
    dtype, grad = visgrad.get_default_dtype(), visgrad.is_grad_enabled()
    try:
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with contextlib.chdir(path.parent):
                runpy.run_path(str(path), run_name="__main__")
    finally:
        torch_alias.uninstall(finder)
        visgrad.set_default_dtype(dtype)  # a program's global settings end with it
        visgrad.set_grad_enabled(grad)
    return out.getvalue()


def test_every_program_has_a_recording():
    assert sorted(p.stem for p in CASES.glob("*.py")) == sorted(RECORDED)


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_program_prints_what_pytorch_printed(name):
    got = run_program(CASES / f"{name}.py")
    want = RECORDED[name]
    assert got.splitlines() == want.splitlines()
