"""Debugger panels over real runs: inspector, ledger, chain rule, source, breakpoints, NaN, gradcheck."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from visgrad import events
from visgrad.app.panels.arrays import fmt
from visgrad.app.panels.chain_rule import ChainRulePanel
from visgrad.app.panels.gradcheck import GradcheckPanel
from visgrad.app.panels.inspector import Inspector
from visgrad.app.panels.ledger import GradLedger
from visgrad.app.panels.source import SourcePanel
from visgrad.demos import demo_path
from visgrad.runner.breakpoints import Breakpoint
from visgrad.trace.keys import node_id

from .panel_harness import StaticController, trace_of

TUTORIAL = str(demo_path("tutorial"))


@pytest.fixture(scope="module")
def tutorial_model():
    return trace_of(TUTORIAL)


@pytest.fixture
def tut(qtbot, tutorial_model):
    return StaticController(tutorial_model, TUTORIAL)


def _show(qtbot, widget, w=560, h=640):
    qtbot.addWidget(widget)
    widget.resize(w, h)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _settle(qtbot):
    qtbot.wait(5)


def test_inspector_table_and_stats_match_the_engine_arrays_at_a_tick(qtbot, tut):
    m = tut.model
    w_key = tut.key_of("w")
    wid = node_id(w_key)
    acc = next(
        i
        for i, e in enumerate(m.events)
        if isinstance(e, events.GradAccumulated) and e.tensor == wid
    )
    tut.go_to(acc)
    insp = _show(qtbot, Inspector(tut))
    tut.select(w_key)
    _settle(qtbot)
    ev = m.events[acc]
    value = next(
        e.value for e in m.events if isinstance(e, events.TensorCreated) and e.tensor == wid
    )
    table = insp.views["Value"].model
    assert (table.rowCount(), table.columnCount()) == (5, 3)
    for r in range(5):
        for c in range(3):
            assert table.data(table.index(r, c)) == fmt(float(value[r, c]))
    insp.tabs.setCurrentWidget(insp.views["Gradient"])  # tabs are drawn when brought to front
    np.testing.assert_array_equal(insp.views["Gradient"].model.array(), ev.grad)
    stats = [insp.stats.item(i, 0).text() for i in range(6)]
    assert stats[0] == fmt(float(value.min())) and stats[1] == fmt(float(value.max()))
    assert stats[3] == fmt(float(np.sqrt(np.square(value.astype(np.float64)).sum())))
    assert stats[4:] == ["0", "0"]
    assert insp.title.text().startswith("w")
    # before backward the gradient is not there yet
    tut.go_to(acc - 5)
    _settle(qtbot)
    assert insp.views["Gradient"].model.rowCount() == 0


def test_ledger_of_inp_shows_second_call_doubling_and_zero_resetting(qtbot, tut):
    led = _show(qtbot, GradLedger(tut), 900, 300)
    tut.select(tut.key_of("inp"))
    entries = tut.model.ledger(int(tut.selection[1:]))
    ticks = [tut.model.tick_of_seq(e.seq) for e in entries]
    assert [e.kind for e in entries] == ["add", "add", "zero", "add"]
    tut.go_to(ticks[1])
    _settle(qtbot)
    sums = led.model.sums
    np.testing.assert_allclose(sums[1], 2 * sums[0])
    assert led.model.ok(0) and led.model.ok(1)
    assert led.warning.isVisible()
    assert (
        "inp.grad is now the sum of 2 backward passes — call inp.grad.zero_() or "
        "optimizer.zero_grad() between them"
    ) in led.warning.text()
    tut.go_to(ticks[2])
    _settle(qtbot)
    np.testing.assert_array_equal(led.model.sums[2], np.zeros((4, 5)))
    assert led.model.text(2, 2) == ".grad.zero_()"
    assert not led.warning.isVisible()
    tut.go_to(ticks[3])
    _settle(qtbot)
    np.testing.assert_allclose(led.model.sums[3], sums[0])
    assert led.model.text(3, 5) == "✓"


def test_ledger_shows_a_leaf_used_twice_as_two_contributions(qtbot, tmp_path):
    p = tmp_path / "twice.py"
    p.write_text(
        textwrap.dedent("""
        import visgrad as torch
        a = torch.tensor([1.0, 2.0], requires_grad=True)
        y = (a * a + a).sum()
        y.backward()
    """)
    )
    c = StaticController(trace_of(str(p)), str(p))
    led = _show(qtbot, GradLedger(c), 900, 300)
    c.select(c.key_of("a"))

    def adds() -> list:
        return [e for e in led.model.entries if e.kind == "add"]

    # the ledger refreshes from the event loop: wait for it, however loaded the machine is
    qtbot.waitUntil(lambda: len(adds()) >= 2, timeout=10_000)
    np.testing.assert_allclose(led.model.sums[-1], [3.0, 5.0])


def test_chain_rule_numbers_multiply_out(qtbot, tut):
    panel = _show(qtbot, ChainRulePanel(tut))
    m = tut.model
    checked = 0
    for i, e in enumerate(m.events):
        if isinstance(e, events.BackwardNode) and e.name in (
            "PowBackward0",
            "BinaryCrossEntropyWithLogitsBackward0",
            "AddBackward0",
        ):
            tut.go_to(i)
            _settle(qtbot)
            step = panel.step
            assert step is not None and step.grad_fn == e.name
            for s in step.inputs:
                if s.passed is None:
                    continue
                up = np.asarray(step.upstream, np.float64)
                # Elementwise: upstream × local, summed back to the input's shape, is what it got.
                if s.local is not None:
                    product = np.broadcast_to(up * s.local, np.shape(s.local))
                    np.testing.assert_allclose(
                        product.sum(axis=s.reduce_dims).reshape(np.shape(s.passed)),
                        s.passed,
                        rtol=1e-5,
                    )
                np.testing.assert_allclose(s.computed, s.passed, rtol=1e-5)
                assert s.matches is True
                checked += 1
    assert checked >= 4
    tut.go_to(
        next(
            i
            for i, e in enumerate(m.events)
            if isinstance(e, events.BackwardNode) and e.name.startswith("Binary")
        )
    )
    _settle(qtbot)
    bce = panel.step.inputs[0]
    assert bce.equation == "∂loss/∂z = ∂loss/∂loss · ∂loss/∂z"
    assert bce.local_text is None  # a mean loss: a vector-Jacobian product, not elementwise
    assert bce.formula == "∂loss/∂z = ∂loss/∂loss·(σ(z) − y) / numel(z)" and bce.matches is True


def test_chain_rule_shows_the_sum_that_undoes_broadcasting(qtbot, tmp_path):
    p = tmp_path / "bcast.py"
    p.write_text(
        textwrap.dedent("""
        import visgrad as torch
        a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        b = torch.tensor([10.0, 20.0, 30.0], requires_grad=True)
        c = a * b
        c.sum().backward()
    """)
    )
    ctl = StaticController(trace_of(str(p)), str(p))
    panel = _show(qtbot, ChainRulePanel(ctl))
    i = next(
        i
        for i, e in enumerate(ctl.model.events)
        if isinstance(e, events.BackwardNode) and e.name == "MulBackward0"
    )
    ctl.go_to(i)
    _settle(qtbot)
    to_b = panel.step.inputs[1]
    assert to_b.tensor_name == "b" and to_b.reduce_dims == (0,)
    np.testing.assert_allclose(to_b.computed, [5.0, 7.0, 9.0])
    assert to_b.matches is True
    assert "summed over dim(s) 0" in panel.view.toPlainText()


def test_source_panel_links_nodes_and_lines_and_toggles_breakpoints(qtbot, tut):
    src = _show(qtbot, SourcePanel(tut), 600, 700)
    tut.select(tut.key_of("w"))
    _settle(qtbot)
    assert src.code.selected_line == 18
    src.select_line(20)  # z = torch.matmul(x, w) + b
    assert tut.selection.startswith("f")
    assert tut.state().functions[int(tut.selection[1:])].source[1] == 20
    src.toggle_breakpoint(20)
    assert [(b.kind, b.value) for b in tut.breakpoints] == [("line", 20)]
    assert src.code.breakpoint_lines == {20}
    src.toggle_breakpoint(20)
    assert tut.breakpoints == []


WRONG_FUNCTION = """
import visgrad as torch

class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 2 * x * x  # wrong: d(x^3)/dx is 3x^2

x = torch.tensor([1.0, 2.0, -0.5], requires_grad=True)
loss = Cube.apply(x).sum()
loss.backward()
"""


def _run_gradcheck(qtbot, ctl, select: str | None = None) -> GradcheckPanel:
    panel = _show(qtbot, GradcheckPanel(ctl), 800, 300)
    if select:
        ctl.select(select)
    assert panel.start(selected_only=select is not None), panel.error
    qtbot.waitUntil(lambda: panel.worker is None, timeout=60_000)
    assert not panel.error, panel.error
    return panel


def test_gradcheck_passes_on_the_tutorial(qtbot, tut):
    panel = _run_gradcheck(qtbot, tut)
    assert {r.name for r in panel.last} == {"w", "b"}
    assert all(r.ok for r in panel.last)
    assert panel.results.item(0, 4).text() == "ok"


def test_gradcheck_fails_on_a_wrong_custom_function(qtbot, tmp_path):
    p = tmp_path / "wrong.py"
    p.write_text(WRONG_FUNCTION)
    ctl = StaticController(trace_of(str(p)), str(p))
    panel = _run_gradcheck(qtbot, ctl, select=None)
    (res,) = panel.last
    assert res.name == "x" and not res.ok
    assert res.max_rel_error == pytest.approx(1 / 3, rel=1e-3)
    assert "disagrees with finite differences" in panel.status.text()


def test_breakpoint_value_and_kind_survive_the_panel(qtbot, tut):
    from visgrad.app.panels.breakpoints import BreakpointsPanel

    bp_panel = _show(qtbot, BreakpointsPanel(tut), 400, 300)
    bp_panel.add("grad_norm", 10.0)
    bp_panel.add("op", "MulBackward0")
    bp_panel.set_enabled(1, False)
    assert tut.breakpoints == [
        Breakpoint(1, "grad_norm", 10.0, None, False),
        Breakpoint(2, "op", "MulBackward0", None, True),
    ]
    assert bp_panel.table.item(0, 1).text() == "gradient norm > 10.0"
    bp_panel.delete(1)
    assert [b.id for b in tut.breakpoints] == [2]


def test_console_follows_the_cursor_and_shows_the_traceback(qtbot, tmp_path):
    from visgrad.app.panels.console import ConsolePanel

    p = tmp_path / "fails.py"
    p.write_text('import visgrad as torch\nprint("one")\nprint("two")\nraise ValueError("boom")\n')
    ctl = StaticController(trace_of(str(p)), str(p))
    con = _show(qtbot, ConsolePanel(ctl), 500, 200)
    ctl.go_to(len(ctl.model) - 1)
    qtbot.waitUntil(lambda: "ValueError: boom" in con.plain_text(), timeout=2000)
    assert con.plain_text().startswith("one\ntwo\n")
    # The child prints the traceback to stderr as Python does; the console shows it once.
    assert con.plain_text().count("Traceback (most recent call last)") == 1
    assert con.plain_text().count("ValueError: boom") == 1
    first = next(i for i, e in enumerate(ctl.model.events) if isinstance(e, events.Output))
    ctl.go_to(first)
    qtbot.waitUntil(lambda: con.plain_text() == "one\n", timeout=2000)


def test_inspector_shows_an_intermediates_gradient_without_retain_grad(qtbot, tut):
    m = tut.model
    tut.go_to(len(m) - 1)
    z_key = tut.key_of("z")
    z = tut.state().tensors[node_id(z_key)]
    assert not z.is_leaf and z.dloss is not None
    insp = _show(qtbot, Inspector(tut))
    tut.select(z_key)
    _settle(qtbot)
    insp.tabs.setCurrentIndex(1)
    _settle(qtbot)
    assert insp.tabs.tabText(1) == "Gradient"
    shown = insp.views["Gradient"].model.array()
    np.testing.assert_allclose(shown.reshape(-1), np.asarray(z.dloss).reshape(-1))
    assert "∂loss/∂z" in " ".join(
        insp.props.itemAt(i).widget().text() for i in range(insp.props.count())
    )
