"""What a new user meets first: the hint on the empty canvas, ``visgrad --help``, and heatmaps and
tables that stay readable in dark mode."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor, QKeySequence

from visgrad import cli
from visgrad.app.canvas_hint import hint_rows
from visgrad.app.main_window import MainWindow
from visgrad.app.panels.arrays import ArrayTableModel, Heatmap
from visgrad.runner.session import run_headless

PROGRAM = (
    "import visgrad as torch\nw = torch.ones(3, requires_grad=True)\n(w * 2).sum().backward()\n"
)


@pytest.fixture
def window(qtbot) -> MainWindow:
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1280, 720)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.controller.shutdown()


def _events(tmp_path) -> list:
    script = tmp_path / "p.py"
    script.write_text(PROGRAM)
    evs: list = []
    assert run_headless(str(script), on_event=evs.append) == 0
    return [e for e in evs if e.kind != "run"]


def _hint_text(window: MainWindow) -> str:
    return " ".join(f"{k} {v}" for k, v in window.empty_hint.rows)


def test_empty_canvas_says_how_to_open_a_program(qtbot, window):
    hint = window.empty_hint
    assert hint.isVisible()
    assert "No program open" in hint.text()
    text = _hint_text(window)
    assert "Ctrl+O open your own script" in text and "Open Demo" in text and "F1" in text
    # Centred on the canvas, inside it.
    view = window.graph_view.rect()
    assert view.contains(hint.geometry())
    assert abs(hint.geometry().center().x() - view.center().x()) <= 2


def test_the_hint_goes_once_there_is_a_graph_and_returns_before_the_first_op(
    qtbot, window, tmp_path
):
    c = window.controller
    c.open_events(_events(tmp_path), "p.vgtrace")
    c.go_to(len(c.model) - 1)
    assert window.graph_view.wait_for_layout()
    qtbot.waitUntil(lambda: window.graph_view.graph_scene.node_count() > 0)
    window._update_status()
    assert not window.empty_hint.isVisible()
    c.go_to(-1)
    qtbot.waitUntil(lambda: window.empty_hint.isVisible(), timeout=3000)
    assert "No graph at this tick" in window.empty_hint.text()


def test_the_paused_hint_lists_the_run_keys_from_the_actions(qtbot, window):
    actions = window.actions_by_name
    keys = [k for k, _ in hint_rows(actions, program=True)[:3]]
    assert keys == ["F11", "F10", "F5"]
    # Read from the actions, so a changed key shows in the hint.
    actions["step_into"].setShortcut(QKeySequence("F9"))
    assert hint_rows(actions, program=True)[0][0] == "F9"
    assert all(not k.startswith("F1") or k == "F1" for k, _ in hint_rows(actions, program=False))


def test_help_lists_the_script_argument_every_option_and_command_with_examples(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for text in (
        "SCRIPT | TRACE",
        "--demo NAME",
        "--memory-budget MB",
        "tutorial, mlp",
        "examples:",
        "visgrad train.py",
        "visgrad --demo mlp",
    ):
        assert text in out, text
    for command in cli.SUBCOMMANDS:
        assert f"\n  {command} " in out, command
    assert cli.main(["-h"]) == 0
    assert capsys.readouterr().out == out


def test_an_unknown_demo_is_a_usage_error_naming_the_choices(capsys):
    assert cli.main(["--demo", "nope"]) == 2
    assert "invalid choice: 'nope'" in capsys.readouterr().err


def _pixel(widget, x: int, y: int) -> QColor:
    return widget.grab().toImage().pixelColor(x, y)


@pytest.mark.parametrize("dark", [False, True])
def test_heatmap_follows_the_mode(qtbot, dark):
    h = Heatmap(dark=dark)
    qtbot.addWidget(h)
    h.resize(300, 200)
    h.show()
    qtbot.waitExposed(h)
    a = np.zeros((4, 4))
    a[0, 0], a[3, 3] = -1.0, 1.0
    h.set_array(a)  # zeros between -1 and 1: the middle of the diverging map
    background = _pixel(h, 1, 1)
    # The image is a 188 px square from (6, 6): cell (1, 1) is around (76, 76).
    cell = _pixel(h, 76, 76)
    if dark:
        assert background.lightness() < 60 and cell.lightness() < 80, (background, cell)
    else:
        assert background.lightness() > 240 and cell.lightness() > 200, (background, cell)
    # The extremes stay apart from the background in both modes.
    h.set_array(np.array([[-1.0, 1.0]]))
    lo, hi = h.image().pixelColor(0, 0), h.image().pixelColor(1, 0)
    assert lo.blue() > lo.red() and hi.red() > hi.blue()
    assert abs(hi.lightness() - background.lightness()) > 40


def test_dark_table_tints_keep_light_text_readable():
    m = ArrayTableModel(dark=True)
    m.set_array(np.array([[np.nan, 1.0]]), changed=np.array([[False, True]]))
    from PySide6.QtCore import Qt

    bad = m.data(m.index(0, 0), Qt.ItemDataRole.BackgroundRole)
    changed = m.data(m.index(0, 1), Qt.ItemDataRole.BackgroundRole)
    assert bad.lightness() < 100 and changed.lightness() < 100
    light = ArrayTableModel(dark=False)
    light.set_array(np.array([[np.nan]]))
    assert light.data(light.index(0, 0), Qt.ItemDataRole.BackgroundRole).lightness() > 200
