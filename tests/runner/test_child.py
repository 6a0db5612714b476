"""What the child does for the program: names, the torch alias, payload limits, the demos."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from tests.runner.runner_helpers import Run
from visgrad import events
from visgrad.demos import DEMOS, demo_path, list_demos
from visgrad.runner import torch_alias
from visgrad.runner.session import run_headless
from visgrad.trace.summary import ArraySummary


def names_of(evs: list[events.Event]) -> dict[str, int]:
    return {e.name: e.tensor for e in evs if isinstance(e, events.TensorNamed)}


def test_tutorial_tensors_get_the_programs_names(free_run):
    evs = free_run("tutorial")
    names = names_of(evs)
    assert {"x", "y", "w", "b", "z", "loss", "inp", "out", "z_det"} <= set(names)
    created = {e.tensor: e for e in evs if isinstance(e, events.TensorCreated)}
    assert created[names["x"]].op == "ones" and created[names["w"]].shape == (5, 3)
    bce = next(e for e in evs if isinstance(e, events.ForwardOp) and e.op.startswith("binary"))
    assert bce.outputs == (names["loss"],)
    assert [e.name for e in evs if isinstance(e, events.TensorNamed)].count("x") == 1


def test_module_parameters_are_named_like_named_parameters(free_run):
    names = names_of(free_run("mlp"))
    assert {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "inputs", "targets"} <= set(names)
    assert {"logits", "loss"} <= set(names)


def test_import_torch_runs_on_visgrad_and_a_missing_api_names_itself(script):
    code = """
    import torch
    import torch.nn.functional as F
    from torch import nn
    print(type(torch.ones(1)).__module__, F.__name__, nn.__name__)
    torch.fft_everything(1)
    """
    evs: list[events.Event] = []
    assert run_headless(script(code), on_event=evs.append) == 1
    out = "".join(e.text for e in evs if isinstance(e, events.Output) and e.stream == "stdout")
    assert out == "visgrad.tensor torch.nn.functional torch.nn\n"
    err = next(e for e in evs if isinstance(e, events.ProgramError))
    assert err.exc_type == "AttributeError"
    assert err.message.startswith("visgrad does not implement torch.fft_everything (yet); ")


def test_alias_refuses_a_missing_torch_submodule_by_name():
    finder = torch_alias.install()
    try:
        with pytest.raises(
            ModuleNotFoundError, match=r"does not implement torch\.no_such_mod \(yet\)"
        ):
            import torch.no_such_mod  # noqa: F401
        import torch

        assert torch.ones is __import__("visgrad").ones
    finally:
        torch_alias.uninstall(finder)
        sys.modules.pop("torch", None)


def test_torch_trace_is_the_function_though_visgrad_trace_is_a_package():
    import visgrad.trace.codec  # noqa: F401 - the package is loaded, as the runner loads it

    finder = torch_alias.install()
    try:
        import torch

        m = torch.arange(9.0).view(3, 3)
        assert torch.trace(m).item() == 12.0
        assert torch.trace(m).grad_fn is None
    finally:
        torch_alias.uninstall(finder)
        sys.modules.pop("torch", None)


def test_arrays_over_the_payload_limit_arrive_as_summaries(script):
    code = "import torch\nsmall = torch.ones(10)\nbig = torch.full((50, 50), 2.0)\n"
    evs: list[events.Event] = []
    assert run_headless(script(code), on_event=evs.append, payload_limit=100) == 0
    small, big = [e for e in evs if isinstance(e, events.TensorCreated)]
    assert isinstance(small.value, np.ndarray) and small.value.tolist() == [1.0] * 10
    assert isinstance(big.value, ArraySummary)
    assert (big.value.shape, big.value.mean, big.value.norm) == ((50, 50), 2.0, 100.0)


@pytest.mark.parametrize("name", list(DEMOS))
def test_each_demo_runs_to_the_end_under_the_runner(free_run, name):
    evs = free_run(name)
    assert evs[-1].kind == "run" and evs[-1].state == "finished"
    assert not [e for e in evs if isinstance(e, events.ProgramError)]
    assert any(isinstance(e, events.BackwardEnd) for e in evs)


def test_every_demo_runs_as_a_plain_script_without_torch():
    # Blocking the torch import makes the demos fall back to visgrad, as on a machine without it.
    runner = (
        "import runpy, sys; sys.modules['torch'] = None\n"
        "for p in sys.argv[1:]:\n"
        "    print('==', p, flush=True); runpy.run_path(p, run_name='__main__')\n"
    )
    paths = [str(demo_path(n)) for n in DEMOS]
    r = subprocess.run([sys.executable, "-c", runner, *paths], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "tensor([0.2500,    nan, 0.5000])" in r.stdout
    assert "Gradient function for loss = <BinaryCrossEntropyWithLogitsBackward0 object" in r.stdout


def test_tutorial_output_under_the_runner_matches_pytorchs_text(free_run):
    out = "".join(e.text for e in free_run("tutorial") if isinstance(e, events.Output))
    assert "First call\ntensor([[4., 2., 2., 2., 2.]," in out
    assert "Second call\ntensor([[8., 4., 4., 4., 4.]," in out
    assert out.count("True\nFalse\nFalse\n") == 1


def test_list_demos_describes_each_shipped_demo():
    assert [n for n, _ in list_demos()] == [
        "tutorial",
        "mlp",
        "control_flow",
        "nan",
        "makemore",
        "gpt",
        "cnn",
    ]
    assert all(demo_path(n).is_file() for n in DEMOS)
    with pytest.raises(KeyError, match="the demos are: tutorial, mlp"):
        demo_path("nope")


def test_runner_sets_argv_and_the_scripts_directory_on_sys_path(script):
    script("VALUE = 41\n", name="helper_mod.py")
    code = "import sys, helper_mod\nprint(sys.argv[1:], helper_mod.VALUE + 1)\n"
    evs: list[events.Event] = []
    with Run(script(code), start_paused=False, argv=["--lr", "0.1"]) as r:
        assert r.wait_exit() == 0
    out = "".join(e.text for e in r.events if isinstance(e, events.Output))
    assert out == "['--lr', '0.1'] 42\n"
    assert evs == []
