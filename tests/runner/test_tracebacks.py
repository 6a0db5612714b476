"""A failing program's error reads as PyTorch's: the same exception, message and frames of the
program's own, none of visgrad's; the failed call is named with the tensors it was given."""

from __future__ import annotations

import json
import linecache
from pathlib import Path

import pytest

from visgrad import events
from visgrad.runner.session import run_headless

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = ROOT / "tests" / "programs" / "errors"
FIXTURE = json.loads((ROOT / "tests" / "fixtures" / "torch" / "tracebacks.json").read_text())
NAMES = sorted(FIXTURE["programs"])
_runs: dict[str, list[events.Event]] = {}


def run(name: str) -> events.ProgramError:
    if name not in _runs:
        evs: list[events.Event] = []
        assert run_headless(PROGRAMS / f"{name}.py", on_event=evs.append) == 1
        _runs[name] = evs
    return next(e for e in _runs[name] if isinstance(e, events.ProgramError))


def test_every_program_has_its_pytorch_record():
    assert NAMES == sorted(p.stem for p in PROGRAMS.glob("*.py") if p.name != "conftest.py")


@pytest.mark.parametrize("name", NAMES)
def test_the_exception_is_pytorchs(name):
    err, want = run(name), FIXTURE["programs"][name]
    assert (err.exc_type, err.message) == (want["type"], want["message"])


@pytest.mark.parametrize("name", NAMES)
def test_the_programs_frames_are_pytorchs(name):
    err, want = run(name), FIXTURE["programs"][name]
    path = str(PROGRAMS / f"{name}.py")
    mine = [
        [line, func, linecache.getline(file, line).strip()]
        for file, line, func, own in reversed(err.stack)
        if own and file == path
    ]
    assert mine == want["frames"]
    assert err.source == (path, *want["frames"][-1][:2])


@pytest.mark.parametrize("name", NAMES)
def test_the_traceback_shows_no_visgrad_frame(name):
    err, want = run(name), FIXTURE["programs"][name]
    text = err.traceback
    assert text.startswith("Traceback (most recent call last):\n")
    assert text.rstrip().endswith(f"{want['type']}: {want['message']}")
    assert "visgrad" not in text.replace(str(ROOT / "tests"), "")
    assert "runpy" not in text
    for line, func, source in want["frames"]:
        assert f"line {line}, in {func}\n    {source}\n" in text
    assert all(not f[0].startswith(str(ROOT / "visgrad")) for f in err.stack)


FAILED_CALLS = {
    "shape_mismatch_mm": ("mm", [(2, 3), (4, 5)], ["float32", "float32"]),
    "broadcast_error": ("add", [(3, 4), (5,)], ["float32", "float32"]),
    "backward_twice": ("backward", [()], ["float32"]),
    "inplace_on_leaf": ("add_", [(3,)], ["float32"]),
    "index_out_of_range": ("index", [(5,)], ["float32"]),
    "dtype_mismatch": ("mm", [(2, 3), (3, 2)], ["float64", "float32"]),
    "grad_non_scalar": ("backward", [(4, 2)], ["float32"]),
}


@pytest.mark.parametrize("name", NAMES)
def test_the_failed_call_is_named_with_its_inputs(name):
    err = run(name)
    op, shapes, dtypes = FAILED_CALLS[name]
    assert (err.op, list(err.input_shapes), list(err.input_dtypes)) == (op, shapes, dtypes)
    # The inputs are tensors the trace knows: every one was made by an event before the error.
    made = set()
    for e in _runs[name]:
        made.update(getattr(e, "outputs", ()))
        if isinstance(e, events.TensorCreated):
            made.add(e.tensor)
    assert err.inputs and all(t in made for t in err.inputs)


def test_the_programs_own_raise_names_no_call(script):
    p = script("import torch\nx = torch.ones(2)\nraise KeyError('epoch')\n")
    evs: list[events.Event] = []
    assert run_headless(p, on_event=evs.append) == 1
    err = next(e for e in evs if isinstance(e, events.ProgramError))
    assert (err.op, err.inputs, err.stack) == ("", (), ((str(p), 3, "<module>", True),))


def test_frames_of_a_module_forward_interleave_without_visgrads(script):
    code = """
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(3, 2)

        def forward(self, x):
            return self.fc(x)

    Net()(torch.ones(4, 5))
    """
    p = script(code)
    evs: list[events.Event] = []
    assert run_headless(p, on_event=evs.append) == 1
    err = next(e for e in evs if isinstance(e, events.ProgramError))
    assert [(f[1], f[2]) for f in err.stack] == [(10, "forward"), (12, "<module>")]
    assert err.traceback.count('File "') == 2
    assert err.op == "addmm" and (4, 5) in err.input_shapes
