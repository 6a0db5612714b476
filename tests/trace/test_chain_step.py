"""The chain-rule view reads ∂loss/∂x = ∂loss/∂y · ∂y/∂x in the program's names, and marks a
step as agreeing only when its numbers were computed, are finite and equal the engine's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from visgrad import events
from visgrad.runner.session import run_headless
from visgrad.trace.chain_step import ChainStep, chain_step
from visgrad.trace.model import TraceModel

PROGRAM = Path(__file__).with_name("chain_programs.py")


@pytest.fixture(scope="module")
def steps() -> dict[str, list[ChainStep]]:
    model = TraceModel()
    assert run_headless(str(PROGRAM), on_event=model.append) == 0
    out: dict[str, list[ChainStep]] = {}
    for tick, e in enumerate(model.events):
        if isinstance(e, events.BackwardNode) and e.tensor is None:
            state = model.state_at(tick)
            out.setdefault(e.name, []).append(chain_step(state, state.functions[e.node]))
    return out


def test_mm_reads_in_the_program_names_with_the_loss_as_root(steps) -> None:
    (step,) = steps["MmBackward0"]
    assert step.forward_text == "h = x @ w"
    to_x, to_w = step.inputs
    assert to_x.equation == "∂loss/∂x = ∂loss/∂h · ∂h/∂x"
    assert to_x.formula == "∂loss/∂x = ∂loss/∂h @ w.t()"
    assert to_w.formula == "∂loss/∂w = x.t() @ ∂loss/∂h"
    assert [n for n, _ in to_w.operands] == ["x"]
    assert "self" not in to_x.formula and "mat2" not in to_x.formula
    assert to_x.matches is True and to_w.matches is True


@pytest.mark.parametrize(
    "grad_fn",
    ["ViewBackward0", "SumBackward1", "MeanBackward1", "SoftmaxBackward0", "SelectBackward0"],
)
def test_non_elementwise_steps_are_computed_and_agree(steps, grad_fn: str) -> None:
    for step in steps[grad_fn]:
        assert not step.elementwise
        (s,) = step.inputs
        assert s.tensor_name == "h" and s.local_text is None
        assert s.equation.startswith("∂loss/∂h = ∂loss/∂")
        assert s.computed is not None and s.matches is True, s.status


def test_an_elementwise_step_shows_its_local_derivative(steps) -> None:
    step = next(s for s in steps["MulBackward0"] if s.inputs[0].tensor_name == "probs")
    s = step.inputs[0]
    assert s.local_text == "probs" and s.local is not None and s.matches is True


def test_no_check_mark_next_to_an_infinite_gradient(steps) -> None:
    (step,) = steps["SqrtBackward0"]
    (s,) = step.inputs
    assert s.tensor_name == "r"
    assert s.equation == "∂bad/∂r = ∂bad/∂t_sqrt · ∂t_sqrt/∂r".replace("t_sqrt", step.output_name)
    assert s.matches is not True
    assert s.status.startswith("not finite")


def test_the_chain_rule_and_formula_modules_import_no_engine_and_no_qt() -> None:
    import ast

    engine = ("visgrad.ops", "visgrad.autograd", "visgrad.tensor", "visgrad.nn", "PySide6")
    trace = Path(__file__).parents[2] / "visgrad" / "trace"
    for name in (
        "chain_step",
        "formula_check",
        "formula_eval",
        "formula_functions",
        "formula_table",
        "formula_text",
    ):
        tree = ast.parse((trace / f"{name}.py").read_text())
        imported = [
            n.module if isinstance(n, ast.ImportFrom) else a.name
            for n in ast.walk(tree)
            if isinstance(n, (ast.Import, ast.ImportFrom))
            for a in (n.names if isinstance(n, ast.Import) else [n])
        ]
        bad = [m for m in imported if m and m.startswith(engine)]
        assert bad == [], (name, bad)
