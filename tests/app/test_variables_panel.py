"""The Variables panel at a pause: the loop's counters and loss as the program has them; a tensor's
row selects its node."""

from __future__ import annotations

import pytest

from visgrad import events
from visgrad.app.controller import Controller
from visgrad.app.main_window import MainWindow
from visgrad.app.panels.variables import VariablesPanel
from visgrad.demos import demo_path
from visgrad.runner.breakpoints import Breakpoint
from visgrad.trace.keys import tensor_id
from visgrad.trace.model import TraceModel

from .panel_harness import StaticController, trace_of

TUTORIAL = str(demo_path("tutorial"))

PROGRAM = """\
import visgrad as torch
torch.manual_seed(0)
w = torch.randn(3, requires_grad=True)
x = torch.randn(3)
history = []
for epoch in range(2):
    for step in range(3):
        loss = ((w * x).sum() - 1.0) ** 2
        loss.backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
        w.grad.zero_()
        history.append(loss.item())
"""
ZERO_GRAD_LINE = 12


def _losses() -> list[float]:
    """The loss of every round, as the program itself computes it."""
    g: dict = {}
    exec(compile(PROGRAM, "program", "exec"), g)
    return g["history"]


@pytest.fixture
def window(qtbot):
    c = Controller()
    w = MainWindow(c)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    c.shutdown()


def _pause_at_round(qtbot, window, script, n: int) -> None:
    """Run to the breakpoint on ``w.grad.zero_()`` ``n`` times."""
    c = window.controller
    c.set_breakpoints([Breakpoint(1, "line", ZERO_GRAD_LINE, str(script))])
    with qtbot.waitSignal(c.paused_at, timeout=20_000):
        c.open_script(str(script))
    for _ in range(n):
        with qtbot.waitSignal(c.paused_at, timeout=20_000) as got:
            c.resume()
        assert got.args[0] == "breakpoint"
    c.drain()


def _value(panel, name: str, scope: str = "globals") -> str:
    item = panel.item(name, scope)
    assert item is not None, f"no row {name!r} in {scope}"
    return item.text(1)


def test_at_a_pause_in_the_loop_the_panel_shows_epoch_step_and_loss(qtbot, window, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(PROGRAM)
    _pause_at_round(qtbot, window, script, 5)  # epoch 1, step 1
    panel = window.panels["variables"]
    qtbot.waitUntil(lambda: panel.item("epoch") is not None, timeout=5000)
    assert _value(panel, "epoch") == "1" and _value(panel, "step") == "1"
    assert _value(panel, "loss") == f"{_losses()[4]:.4g}"
    assert panel.item("loss").text(2).startswith("Tensor[] float32 requires_grad")
    assert _value(panel, "history").startswith(f"[{_losses()[0]!r}, ")
    assert _value(panel, "history").endswith("(4 items)")
    assert panel.item("torch") is None  # the imported module is not a variable
    assert panel.note.text().startswith(f"Paused at train.py:{ZERO_GRAD_LINE}")
    window.grab().save(str(tmp_path / "variables.png"))


def test_clicking_a_tensor_row_selects_its_node(qtbot, window, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(PROGRAM)
    _pause_at_round(qtbot, window, script, 1)
    c, panel = window.controller, window.panels["variables"]
    qtbot.waitUntil(lambda: panel.item("loss") is not None, timeout=5000)
    loss = panel.item("loss")
    panel.tree.setCurrentItem(loss)
    panel._clicked(loss, 0)
    key = c.selection
    tid = tensor_id(key)
    assert tid is not None and c.state().tensors[tid].name == "loss"
    assert "grad_fn=PowBackward0" in panel.detail.text()
    w = panel.item("w")
    grad = next(w.child(i) for i in range(w.childCount()) if w.child(i).text(0) == "grad")
    panel._clicked(grad, 0)
    assert c.state().tensors[int(c.selection[1:])].name == "w.grad"  # read by w -= 0.1 * w.grad
    assert window.graph_view.selected() == c.selection


def test_a_grad_without_a_node_selects_its_tensor_and_an_unknown_tensor_says_so(qtbot):
    c = StaticController(trace_of(TUTORIAL), TUTORIAL)
    w = next(t for t in c.state().tensors.values() if t.name == "w")
    c.run_state = "paused"
    c.pause = events.RunState(
        seq=1,
        state="paused",
        stack=((TUTORIAL, 22, "<module>", True),),
        variables=(
            (-1, "globals", "w", "Tensor[5, 3] float32 requires_grad", "[1, 2]", w.id),
            (0, "globals", "grad", "Tensor[5, 3] float32", "[0.5, 0.5]", 10**9),
            (-1, "globals", "gone", "Tensor[2] float32", "[0, 0]", 10**9 + 1),
        ),
    )
    panel = VariablesPanel(c)
    qtbot.addWidget(panel)
    panel.refresh()
    assert panel.note.text() == f"Paused at tutorial.py:22 · tick {len(c.model) - 1}"
    panel._clicked(panel.item("grad"), 0)
    assert c.selection == f"t{w.id}"
    panel._clicked(panel.item("gone"), 0)
    assert (
        c.selection == f"t{w.id}" and panel.note.text() == "gone is not in the graph at this tick."
    )


def test_while_running_or_after_the_end_the_panel_says_there_is_nothing(qtbot, window, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(PROGRAM)
    c, panel = window.controller, window.panels["variables"]
    with qtbot.waitSignal(c.paused_at, timeout=20_000):
        c.open_script(str(script))
    assert panel.tree.topLevelItemCount() == 0  # paused before the first line
    assert "before the program's first line" in panel.note.text()
    with qtbot.waitSignal(
        c.run_state_changed, timeout=20_000, check_params_cb=lambda s: s == "finished"
    ):
        c.resume()
    assert panel.tree.topLevelItemCount() == 0
    assert panel.note.text().startswith("Variables show while the program is paused")


def test_values_that_changed_since_the_last_pause_stand_out(qtbot, window, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(PROGRAM)
    _pause_at_round(qtbot, window, script, 1)
    c, panel = window.controller, window.panels["variables"]
    normal = panel.item("epoch").foreground(1).color()
    with qtbot.waitSignal(c.paused_at, timeout=20_000):
        c.resume()
    c.drain()
    qtbot.waitUntil(lambda: _value(panel, "step") == "1", timeout=5000)
    assert panel.item("step").foreground(1).color() != normal  # 0 -> 1
    assert panel.item("epoch").foreground(1).color() == normal  # still 0


def test_a_pause_before_the_first_event_names_the_start_as_the_status_bar_does(qtbot):
    c = StaticController(TraceModel(), TUTORIAL)
    c.run_state = "paused"
    c.pause = events.RunState(
        seq=1, state="paused", stack=((TUTORIAL, 10, "<module>", True),), variables=()
    )
    panel = VariablesPanel(c)
    qtbot.addWidget(panel)
    panel.refresh()
    # Not "tick -1": the status bar calls this moment "the start".
    assert panel.note.text() == "Paused at tutorial.py:10 · the start"
