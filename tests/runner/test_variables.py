"""A pause carries the program's stack and variables; a free run carries none of it."""

from __future__ import annotations

import copy
import sys

import numpy as np

import visgrad as torch
from tests.runner.runner_helpers import Run
from visgrad import events
from visgrad.runner.breakpoints import Breakpoint
from visgrad.runner.session import run_headless
from visgrad.runner.variables import (
    MAX_CHILDREN,
    MAX_PER_SCOPE,
    MAX_TEXT,
    describe,
    stack_of,
    variables_of,
)

SETUP = """\
import visgrad as torch
import visgrad.nn as nn
torch.manual_seed(0)
model = nn.Linear(3, 2)
opt = torch.optim.SGD(model.parameters(), lr=0.05)
x = torch.randn(4, 3)
def train(epoch, step):
    opt.zero_grad()
    loss = model(x).pow(2).mean()
    loss.backward()
    opt.step()
    return loss
"""
LOOP = (
    SETUP
    + """\
for epoch in range(2):
    for step in range(3):
        loss = train(epoch, step)
"""
)
LINE_OF_BACKWARD = 10


def _rows(rs: events.RunState) -> dict[tuple[str, str], tuple]:
    return {(r[1], r[2]): r for r in rs.variables if r[0] == -1}


def _here():
    return sys._getframe(1)


def _names(rows) -> list[str]:
    return [r[2] for r in rows if r[0] == -1]


def test_a_breakpoint_pause_carries_the_stack_and_the_values_of_the_loop(tmp_path) -> None:
    script = tmp_path / "loop.py"
    script.write_text(LOOP)
    bp = Breakpoint(id=1, kind="line", file=str(script), value=LINE_OF_BACKWARD)
    with Run(script, breakpoints=[bp], start_paused=False) as r:
        for _ in range(5):  # the fifth time round: epoch 1, step 1
            rs = r.wait_stop()
            assert rs.state == "paused" and rs.reason == "breakpoint"
            r.mark()
            r.session.resume()
            last = rs
        rs = last
    assert [f[1:] for f in rs.stack] == [(LINE_OF_BACKWARD, "train", True), (15, "<module>", True)]
    rows = _rows(rs)
    assert rows[("locals", "epoch")][3:5] == ("int", "1")
    assert rows[("locals", "step")][3:5] == ("int", "1")
    loss = rows[("locals", "loss")]
    assert loss[3] == "Tensor[] float32 requires_grad grad_fn=MeanBackward0"
    # The program's own value of the loss that round, computed here by the same program.
    g: dict = {}
    exec(compile(SETUP + _FIFTH, "loop", "exec"), g)
    assert loss[4] == f"{g['fifth']:.4g}"
    assert loss[5] is not None
    assert rows[("globals", "model")][3:5] == ("Linear", "8 parameters")
    assert rows[("globals", "opt")][3:5] == ("SGD", "lr=0.05")
    assert "torch" not in _names(rs.variables) and "nn" not in _names(rs.variables)
    assert "train" not in _names(rs.variables) and "__name__" not in _names(rs.variables)


_FIFTH = """
n = 0
for epoch in range(2):
    for step in range(3):
        loss = train(epoch, step)
        n += 1
        if n == 4:
            with torch.no_grad():
                fifth = model(x).pow(2).mean().item()
"""


def test_a_free_run_sends_neither_stack_nor_variables(tmp_path) -> None:
    script = tmp_path / "loop.py"
    script.write_text(LOOP)
    got: list[events.Event] = []
    assert run_headless(script, on_event=got.append) == 0
    runs = [e for e in got if isinstance(e, events.RunState)]
    assert [e.state for e in runs] == ["started", "finished"]
    assert all(e.stack == () and e.variables == () for e in runs)


def test_the_first_pause_is_before_the_program_and_has_no_variables(tmp_path) -> None:
    script = tmp_path / "loop.py"
    script.write_text(LOOP)
    with Run(script) as r:
        rs = r.wait_stop()
    assert rs.reason == "start" and rs.stack == () and rs.variables == ()


def test_tensors_modules_and_optimizers_are_read_from_their_fields() -> None:
    w = torch.tensor([[1.0, -2.5], [3.0, 4.0]], requires_grad=True)
    kind, value, tid = describe(w)
    assert (kind, value, tid) == ("Tensor[2, 2] float32 requires_grad", "[1, -2.5, 3, 4]", w._id)
    big = torch.arange(100.0)
    assert describe(big)[1] == "[0, 1, 2, 3, 4, 5, \u2026] (100 values)"
    assert describe((w * 2).sum())[0] == "Tensor[] float32 requires_grad grad_fn=SumBackward0"
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    assert describe(model)[:2] == ("Sequential", "21 parameters")
    opt = torch.optim.Adam(model.parameters(), lr=3e-4, weight_decay=0.01)
    assert describe(opt)[:2] == ("Adam", "lr=0.0003")
    assert describe(np.float64(0.5))[:2] == ("float64", "0.5")
    assert describe(None)[:2] == ("NoneType", "None")


def test_long_texts_and_many_variables_are_cut_and_say_so() -> None:
    note = "x" * 5000
    kind, value, _ = describe(note)
    assert kind == "str" and len(value) <= MAX_TEXT and value.endswith("(5,000 characters)")
    many = {f"v{i}": i for i in range(MAX_PER_SCOPE + 50)}
    rows = variables_of(_module_frame(many), None)
    assert len(rows) == MAX_PER_SCOPE + 1 and all(r[1] == "globals" for r in rows)
    assert rows[7][2:5] == ("v7", "int", "7")
    assert rows[-1][2:5] == ("\u2026", "", "50 more variables not shown")
    rows = variables_of(_module_frame({"items": list(range(1000))}), None)
    kids = [r for r in rows if r[0] == 0]
    assert len(kids) == MAX_CHILDREN + 1
    assert kids[-1][4] == f"{1000 - MAX_CHILDREN} more items not shown"
    assert kids[3][2:5] == ("[3]", "int", "3")


def _module_frame(variables: dict):
    """The frame of a module whose globals are ``variables`` (and ``sys``, ``frame``)."""
    g = dict(variables)
    exec("import sys\nframe = sys._getframe()", g)
    return g.pop("frame")


def test_a_failing_repr_is_named_and_a_repr_doing_tensor_maths_records_nothing() -> None:
    class Broken:
        def __repr__(self):
            raise ValueError("no")

    class Maths:
        def __repr__(self):
            return f"Maths({(torch.ones(2) * 3).sum().item()})"

    assert describe(Broken())[1] == "<repr failed: ValueError>"
    with events.Recorder() as rec:
        rows = variables_of(_module_frame({"b": Broken(), "m": Maths()}), None)
        assert events.SINKS == [rec]  # the recorder is back once the variables were read
    assert rec.events == []
    values = {r[2]: r[4] for r in rows}
    assert values["b"] == "<repr failed: ValueError>" and values["m"] == "Maths(6.0)"
    assert "sys" not in values


def test_the_stack_marks_library_frames_between_the_programs_and_ends_at_the_program() -> None:
    class Grab:
        def __deepcopy__(self, memo):
            self.stack = stack_of(_here())
            return self

    stack = copy.deepcopy(Grab()).stack
    assert [(f[2], f[3]) for f in stack] == [
        ("__deepcopy__", True),
        ("deepcopy", False),  # the standard library's copy.py
        ("test_the_stack_marks_library_frames_between_the_programs_and_ends_at_the_program", True),
    ]  # pytest's frames outside the test are not the program's: cut
