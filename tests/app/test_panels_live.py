"""Panels inside the real window, with the program running in the runner's child process."""

from __future__ import annotations

import pytest

from visgrad.app.controller import Controller
from visgrad.app.main_window import MainWindow
from visgrad.demos import demo_path
from visgrad.runner.breakpoints import Breakpoint


@pytest.fixture
def window(qtbot):
    c = Controller()
    w = MainWindow(c)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    c.shutdown()


def _run_to_breakpoint(qtbot, window, demo: str, bps: list[Breakpoint]) -> dict:
    c = window.controller
    c.set_breakpoints(bps)
    with qtbot.waitSignal(c.paused_at, timeout=20_000):
        c.open_demo(demo)
    hits: list[tuple[str, dict]] = []
    c.paused_at.connect(lambda r, d: hits.append((r, d)))
    c.resume()
    qtbot.waitUntil(lambda: any(r == "breakpoint" for r, _ in hits), timeout=20_000)
    c.drain()
    qtbot.wait(50)
    return next(d for r, d in hits if r == "breakpoint")


def test_line_breakpoint_pauses_at_that_line(qtbot, window):
    path = str(demo_path("tutorial"))
    window.panels["source"].toggle_breakpoint(20)  # z = torch.matmul(x, w) + b
    (bp,) = window.controller.breakpoints
    assert (bp.kind, bp.value) == ("line", 20)
    c = window.controller
    with qtbot.waitSignal(c.paused_at, timeout=20_000):
        c.open_script(path)
    hits: list[tuple[str, dict]] = []
    c.paused_at.connect(lambda r, d: hits.append((r, d)))
    c.resume()
    qtbot.waitUntil(lambda: any(r == "breakpoint" for r, _ in hits), timeout=20_000)
    qtbot.wait(50)
    c.drain()
    c.go_live()
    ev = next(e for e in reversed(c.model.events) if getattr(e, "source", None))
    assert ev.source[1] == 20
    src = window.panels["source"]
    qtbot.waitUntil(lambda: src.code.current_line == 20, timeout=2000)
    assert window.statusBar().currentMessage() == "Paused at breakpoint 1 (line 20)"


def test_nan_demo_pauses_at_the_producing_node(qtbot, window):
    detail = _run_to_breakpoint(qtbot, window, "nan", [Breakpoint(1, "nan")])
    assert "SqrtBackward0" in detail.get("why", "")
    nan = window.panels["nan"]
    qtbot.waitUntil(lambda: nan.first is not None, timeout=5000)
    origin = nan.first
    assert origin.where == "backward" and origin.name == "SqrtBackward0"
    assert origin.forward_op == "sqrt"
    assert window.controller.selection == origin.select == f"f{origin.node}"
    assert window.panel_marks.by_owner["nan"][f"f{origin.node}"] == "nan"
    insp = window.panels["inspector"]
    qtbot.waitUntil(lambda: insp.alert.isVisible(), timeout=5000)
    assert "step once (F11)" in insp.alert.text()
    # One step records SqrtBackward0's gradients: the inspector points at the NaN entry.
    c = window.controller
    n = len(c.model)
    c.step()
    qtbot.waitUntil(lambda: len(c.model) > n and c.tick == c.head, timeout=10_000)
    qtbot.waitUntil(lambda: "first at index [1]" in insp.alert.text(), timeout=5000)
    assert insp.alert.text().startswith("Grad → self: 1 NaN/Inf entry first at index [1]")
