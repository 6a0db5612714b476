"""Source panel encodings and reopened traces; the timeline slider and its tick numbering."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from visgrad.app.main_window import MainWindow
from visgrad.runner.session import run_headless
from visgrad.trace.files import save_trace
from visgrad.trace.sources import sources_of


@pytest.fixture
def window(qtbot) -> MainWindow:
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1280, 720)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.controller.shutdown()


def _events(path) -> list:
    evs: list = []
    assert run_headless(path, on_event=evs.append) == 0
    return [e for e in evs if e.kind != "run"]


def test_a_latin1_script_shows_in_the_source_panel(qtbot, window, tmp_path):
    script = tmp_path / "latin.py"
    script.write_bytes(
        b"# -*- coding: latin-1 -*-\nimport visgrad as torch\nlabel = 'caf\xe9'\n"
        b"x = torch.ones(2, requires_grad=True)\n(x * 2).sum().backward()\n"
    )
    evs = _events(script)
    c = window.controller
    c.open_events(evs, "t.vgtrace")
    c.program_path = str(script)
    c.go_to(len(c.model) - 1)
    src = window.panels["source"]
    src.refresh()
    assert "label = 'café'" in src.code.toPlainText()


def test_a_reopened_trace_shows_its_program_although_the_file_is_gone(qtbot, window, tmp_path):
    script = tmp_path / "gone.py"
    script.write_text(
        "import visgrad as torch\nw = torch.ones(3, requires_grad=True)\n(w * w).sum().backward()\n"
    )
    evs = _events(script)
    out = tmp_path / "gone.vgtrace"
    save_trace(out, evs, sources=sources_of(evs))
    text = script.read_text()
    script.unlink()
    c = window.controller
    with qtbot.waitSignal(c.program_changed, timeout=10_000):
        window.open_path(str(out))
    c.go_to(2)
    src = window.panels["source"]
    src.refresh()
    assert src.code.toPlainText() == text
    assert src.path_label.text() == "gone.py"
    at = c.model.events[c.model.source_tick(2)]
    assert src.code.current_line == at.source[1] > 0


def test_the_window_saves_a_trace_with_its_program(qtbot, window, tmp_path):
    script = tmp_path / "keep.py"
    script.write_text(
        "import visgrad as torch\nw = torch.ones(3, requires_grad=True)\nw.sum().backward()\n"
    )
    c = window.controller
    c.open_events(_events(script), "x.vgtrace")
    c.program_path = str(script)
    out = tmp_path / "keep.vgtrace"
    with qtbot.waitSignal(c.message, timeout=10_000):
        c.save_trace(str(out))
    from visgrad.trace.files import load_sources

    assert load_sources(out) == {str(script): script.read_text()}


def test_clicking_the_slider_track_jumps_to_that_tick(qtbot, window, tmp_path):
    script = tmp_path / "long.py"
    script.write_text(
        "import visgrad as torch\nx = torch.ones(2, requires_grad=True)\n"
        "for i in range(30):\n    x = x * 1.01\nx.sum().backward()\n"
    )
    c = window.controller
    c.open_events(_events(script), "long.vgtrace")
    c.go_to(0)
    slider = window.timeline.slider
    qtbot.waitUntil(lambda: slider.width() > 100)
    qtbot.mouseClick(
        slider, Qt.MouseButton.LeftButton, pos=QPoint(slider.width() * 3 // 4, slider.height() // 2)
    )
    last = len(c.model) - 1
    # Not a page step of ten from the start: close to three quarters of the way.
    assert abs(c.tick - 0.75 * last) < 0.12 * last, (c.tick, last)


def test_status_bar_timeline_and_event_list_count_ticks_alike(qtbot, window, tmp_path):
    script = tmp_path / "p.py"
    script.write_text(
        "import visgrad as torch\nw = torch.ones(3, requires_grad=True)\n(w * 2).sum().backward()\n"
    )
    c = window.controller
    c.open_events(_events(script), "p.vgtrace")
    c.go_to(3)
    assert "tick 3" in window.status_line()
    assert window.timeline.position.text() == f"tick 3 / {len(c.model) - 1}"
    row = window.event_list.model().data(window.event_list.model().index(3, 0))
    assert row.split()[0] == "3"
