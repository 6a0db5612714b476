"""Problems raised where users look: NaN/Inf and gradients never zeroed get a banner, a status-bar
message and marked rows in the event list."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from visgrad import events
from visgrad.app.main_window import MainWindow
from visgrad.demos import demo_path
from visgrad.runner.session import run_headless
from visgrad.trace.index import MARK_NAN, MARK_UNZEROED

FORGOT_ZERO_GRAD = """\
import visgrad as torch
torch.manual_seed(0)
w = torch.randn(3, requires_grad=True)
x = torch.randn(3)
for step in range(3):
    loss = ((w * x).sum() - 1.0) ** 2
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
"""


def _events(path: str, demo: bool = False) -> list[events.Event]:
    evs: list[events.Event] = []
    assert run_headless(path, demo=demo, on_event=evs.append) == 0
    return evs


@pytest.fixture(scope="module")
def nan_run() -> list[events.Event]:
    return _events("nan", demo=True)


@pytest.fixture
def window(qtbot) -> MainWindow:
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_a_nan_run_raises_a_banner_whose_action_goes_to_the_origin(qtbot, window, nan_run):
    c = window.controller
    c.open_events(nan_run, str(demo_path("nan")))
    banner = window.banners.visible()["nan"]
    origin = c.model.nan_origin()
    assert "NaN/Inf" in banner.text.text() and (origin.name or origin.forward_op) in (
        banner.text.text()
    )
    assert "NaN/Inf" in window.statusBar().currentMessage()
    c.go_to(0)
    banner.buttons["Go to origin"].click()
    assert c.tick == origin.tick
    assert c.selection == origin.select


def test_the_event_list_marks_the_nan_events(qtbot, window, nan_run):
    c = window.controller
    c.open_events(nan_run, str(demo_path("nan")))
    model = window.event_list.model()
    marked = c.model.marked_ticks(MARK_NAN)
    assert marked
    row = model.index(marked[0], 0)
    assert "⚠ NaN/Inf" in model.data(row)
    assert model.data(row, Qt.ItemDataRole.BackgroundRole) is not None
    assert "NaN or Inf" in model.data(row, Qt.ItemDataRole.ToolTipRole)
    clean = next(t for t in range(len(c.model)) if not c.model.marks(t))
    assert "⚠" not in model.data(model.index(clean, 0))
    assert model.data(model.index(clean, 0), Qt.ItemDataRole.BackgroundRole) is None


def test_a_forgotten_zero_grad_raises_a_banner_and_marks_its_events(qtbot, window, tmp_path):
    prog = tmp_path / "loop.py"
    prog.write_text(FORGOT_ZERO_GRAD)
    c = window.controller
    c.open_events(_events(str(prog)), str(prog))
    banner = window.banners.visible()["unzeroed"]
    assert "w.grad" in banner.text.text() and "zero_grad()" in banner.text.text()
    assert "iterations 1 and 2" in banner.text.text()
    assert "without zero_grad()" in window.statusBar().currentMessage()
    first = c.model.unzeroed_grads()[0]
    banner.buttons["Show"].click()
    assert c.tick == first.tick and c.selection == f"t{first.tensor}"
    model = window.event_list.model()
    ticks = c.model.marked_ticks(MARK_UNZEROED)
    assert ticks and all("old .grad" in model.data(model.index(t, 0)) for t in ticks)


def test_a_clean_run_raises_nothing(qtbot, window):
    c = window.controller
    c.open_events(_events("tutorial", demo=True), str(demo_path("tutorial")))
    assert window.banners.visible() == {}


def test_a_banner_closes_and_a_new_program_clears_them(qtbot, window, nan_run):
    c = window.controller
    c.open_events(nan_run, str(demo_path("nan")))
    banner = window.banners.visible()["nan"]
    banner.close_button.click()
    assert window.banners.visible() == {}
    c.open_events(nan_run, str(demo_path("nan")))  # the same run again: raised again
    assert "nan" in window.banners.visible()
    c.open_events(_events("tutorial", demo=True), str(demo_path("tutorial")))
    assert window.banners.visible() == {}
