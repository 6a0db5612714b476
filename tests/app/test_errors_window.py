"""A failed run shown where it failed: the call in red with its inputs, the failing line, the Call
Stack of the program's frames and a banner (never a modal dialog)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtWidgets import QMessageBox

from visgrad import events
from visgrad.app.main_window import MainWindow
from visgrad.app.panels.call_stack import CallStackPanel
from visgrad.runner.session import run_headless
from visgrad.trace.model import TraceModel

from .panel_harness import StaticController

PROGRAMS = Path(__file__).resolve().parents[1] / "programs" / "errors"
SHAPE_BUG = str(PROGRAMS / "shape_mismatch_mm.py")


def _run(path: str) -> list[events.Event]:
    evs: list[events.Event] = []
    assert run_headless(path, on_event=evs.append) == 1
    return evs


@pytest.fixture(scope="module")
def shape_bug() -> list[events.Event]:
    return _run(SHAPE_BUG)


@pytest.fixture
def window(qtbot) -> MainWindow:
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def _error(evs: list[events.Event]) -> events.ProgramError:
    return next(e for e in evs if isinstance(e, events.ProgramError))


def _open(qtbot, window: MainWindow, evs: list[events.Event], path: str) -> None:
    window.controller.open_events(evs, path)
    window.controller.program_path = path
    assert window.graph_view.wait_for_layout()
    qtbot.wait(10)


def test_the_failed_call_is_drawn_in_red_fed_by_its_inputs(qtbot, window, shape_bug):
    _open(qtbot, window, shape_bug, SHAPE_BUG)
    err = _error(shape_bug)
    key = f"f{-err.seq}"
    state = window.controller.state()
    fs = state.functions[-err.seq]
    assert fs.failed and fs.grad_fn == "mm([2, 3], [4, 5])"
    names = {state.tensors[t].name for t in fs.inputs}
    assert names == {"x", "w"}
    assert key in window.graph_view.graph_scene.items_by_key
    assert {(f"t{t}", key) for t in fs.inputs} <= set(state.edges)
    at = window.controller.model.tick_of_seq(err.seq)
    assert window.controller.model.state_at(at).current == (key,)


def test_the_banner_names_the_error_and_leads_to_its_line_and_node(qtbot, window, shape_bug):
    _open(qtbot, window, shape_bug, SHAPE_BUG)
    err = _error(shape_bug)
    banner = window.banners.visible()["error"]
    assert "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)" in banner.text.text()
    assert "shape_mismatch_mm.py:8 in layer()" in banner.text.text()
    assert list(banner.buttons) == ["Go to line", "Show node", "Console"]
    assert not [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    window.controller.go_to(3)  # elsewhere in time: the actions come back to the failure
    banner.buttons["Show node"].click()
    assert window.controller.selection == f"f{-err.seq}"
    assert window.controller.tick == len(window.controller.model) - 1
    banner.buttons["Go to line"].click()
    source = window.panels["source"]
    qtbot.waitUntil(lambda: source.code.failed_line == 8, timeout=3000)
    banner.buttons["Console"].click()
    assert not window.docks["console"].visibleRegion().isEmpty()


def test_the_source_panel_marks_the_line_that_raised(qtbot, window, shape_bug):
    _open(qtbot, window, shape_bug, SHAPE_BUG)
    source = window.panels["source"]
    window.docks["source"].raise_()
    qtbot.waitUntil(lambda: source.code.failed_line != 0, timeout=3000)
    assert source.path == SHAPE_BUG
    assert source.code.failed_line == 8  # ``return inputs @ weight`` in layer(), not line 11


def test_the_call_stack_lists_the_programs_frames_and_goes_to_their_lines(qtbot, window, shape_bug):
    _open(qtbot, window, shape_bug, SHAPE_BUG)
    window.docks["call_stack"].raise_()
    panel = window.panels["call_stack"]
    qtbot.waitUntil(lambda: bool(panel.rows()), timeout=3000)
    assert panel.rows() == ["layer()  ·  shape_mismatch_mm.py:8", "shape_mismatch_mm.py:11"]
    outer = panel.tree.topLevelItem(1)
    panel.tree.itemClicked.emit(outer, 0)
    source = window.panels["source"]
    assert source.pinned[:2] == (SHAPE_BUG, 11)
    window.controller.go_to(2)  # before the failure: no stack to show
    qtbot.waitUntil(lambda: panel.rows() == [], timeout=3000)


def test_the_call_stack_panel_has_alt_k(window):
    toggle = window.docks["call_stack"].toggleViewAction()
    assert toggle.shortcut().toString() == "Alt+K"
    keys = [a.shortcut().toString() for a in window.panels_menu.actions()]
    assert keys.count("Alt+K") == 1


def test_library_frames_fold_into_one_row(qtbot, tmp_path):
    prog = tmp_path / "ctx.py"
    prog.write_text(
        textwrap.dedent(
            """\
            import contextlib
            import torch

            @contextlib.contextmanager
            def scope():
                yield
                torch.ones(2, 3) @ torch.ones(2, 3)

            with scope():
                pass
            """
        )
    )
    model = TraceModel(_run(str(prog)))
    err = model.state_at(len(model) - 1).error
    assert [f[3] for f in err.stack] == [True, False, True]
    c = StaticController(model, str(prog))
    c.run_state = "error"
    seen = []
    panel = CallStackPanel(c, go_to_line=lambda f, n: seen.append((f, n)))
    qtbot.addWidget(panel)
    panel.refresh()
    assert panel.rows() == ["scope()  ·  ctx.py:7", "1 library frame", "ctx.py:9"]
    folded = panel.tree.topLevelItem(1)
    assert not folded.isExpanded() and folded.child(0).text(0).startswith("__exit__()")
    panel.tree.itemClicked.emit(folded, 0)
    assert folded.isExpanded() and seen == []
    panel.tree.itemClicked.emit(panel.tree.topLevelItem(0), 0)
    assert seen == [(str(prog), 7)]


def test_a_live_run_that_raises_shows_a_banner_not_a_dialog(qtbot, window, tmp_path):
    script = tmp_path / "boom.py"
    script.write_text("import visgrad as torch\nx = torch.ones(2, 3)\ny = x @ x\n")
    c = window.controller
    c.open_script(str(script))
    qtbot.waitUntil(lambda: c.run_state == "paused", timeout=10000)
    c.resume()
    qtbot.waitUntil(lambda: "error" in window.banners.visible(), timeout=10000)
    assert c.run_state == "error"
    assert not [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    text = window.banners.visible()["error"].text.text()
    assert "boom.py:3" in text and "(2x3 and 2x3)" in text
    assert "Error: RuntimeError: mat1 and mat2" in window.status_line()
    c.open_script(str(script))  # a new run takes the old run's banners away
    assert window.banners.visible() == {}


# A learner's program: a few good lines, then one that fails as learners' programs do.
_GOOD = [
    "a = torch.randn(3, 4, requires_grad=True)",
    "b = a * 2 + 1",
    "c = b.sum(dim=0)",
    "d = torch.relu(b).mean()",
    "e = b.view(4, 3)",
]
_BAD = [
    ("a @ a", "mat1 and mat2 shapes cannot be multiplied (3x4 and 3x4)"),
    ("b + torch.ones(5)", "The size of tensor a (4) must match the size of tensor b (5)"),
    ("b[7]", "index 7 is out of bounds for dimension 0 with size 3"),
    ("a.add_(1)", "a leaf Variable that requires grad is being used in an in-place operation."),
    ("b.backward()", "grad can be implicitly created only for scalar outputs"),
    ("torch.mm(a, torch.ones(4, 2, dtype=torch.float64))", "expected m1 and m2 to have the same"),
    ("d.backward(); d.backward()", "Trying to backward through the graph a second time"),
    ("raise ValueError('my own check failed')", "my own check failed"),
]


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    good=st.lists(st.sampled_from(range(2, len(_GOOD))), max_size=3),
    bad=st.sampled_from(_BAD),
    wrapped=st.booleans(),
)
def test_a_failing_program_never_leaves_the_window_blank_or_running(
    qtbot, window, tmp_path_factory, good, bad, wrapped
):
    lines = ["import visgrad as torch", _GOOD[0], _GOOD[1], "d = (a * a).sum()"]
    lines += [_GOOD[i] for i in sorted(set(good))]
    call, message = bad
    if wrapped:  # the failing line inside a function of the program's
        lines += ["def step():", f"    {call}", "step()"]
    else:
        lines.append(call)
    script = tmp_path_factory.mktemp("prog") / "learner.py"
    script.write_text("\n".join(lines) + "\n")
    c = window.controller
    c.open_script(str(script))
    qtbot.waitUntil(lambda: c.run_state == "paused", timeout=15000)
    c.resume()
    qtbot.waitUntil(lambda: c.run_state == "error", timeout=15000)
    qtbot.waitUntil(lambda: "error" in window.banners.visible(), timeout=5000)
    assert message in window.banners.visible()["error"].text.text()
    assert window.status_line().startswith("Error: ")
    assert window.graph_view.wait_for_layout()
    assert window.graph_view.graph_scene.node_count() > 0
    err = c.model.state_at(len(c.model) - 1).error
    fail_line = len(lines) - 1 if wrapped else len(lines)
    assert err.source[:2] == (str(script), fail_line)
    if err.op:
        assert f"f{-err.seq}" in window.graph_view.graph_scene.items_by_key
    window.docks["call_stack"].raise_()
    panel = window.panels["call_stack"]
    qtbot.waitUntil(lambda: bool(panel.rows()), timeout=3000)
    assert len(panel.rows()) == (2 if wrapped else 1)
