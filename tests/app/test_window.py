"""The main window on the tutorial demo: stepping, time travel, search, stop, export, bad files."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from visgrad import events
from visgrad.app import formatting as fmt
from visgrad.app.main_window import MainWindow
from visgrad.graph.build import graph_at
from visgrad.runner.session import run_headless
from visgrad.trace.keys import function_id
from visgrad.trace.model import TraceModel


@pytest.fixture(scope="module")
def tutorial_events() -> list[events.Event]:
    """The tutorial demo's events, recorded once by a real child process."""
    evs: list[events.Event] = []
    assert run_headless("tutorial", demo=True, on_event=evs.append) == 0
    return [e for e in evs if not isinstance(e, events.RunState)]


@pytest.fixture
def window(qtbot) -> MainWindow:
    w = MainWindow(panels=False)  # the panels have their own tests
    qtbot.addWidget(w)  # closed at teardown, which also stops the child
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    return w


@pytest.fixture
def replay(window, tutorial_events) -> MainWindow:
    window.controller.open_events(tutorial_events, "tutorial.vgtrace")
    assert window.graph_view.wait_for_layout()
    return window


def _settle(qtbot, w: MainWindow) -> None:
    qtbot.waitUntil(lambda: not w.graph_view.layout_pending, timeout=5000)


def _leaf_ids(state, *names: str) -> list[int]:
    by_name = {t.name: t.id for t in state.tensors.values()}
    return [by_name[n] for n in names]


def test_f11_steps_the_tutorial_to_its_end_and_the_scene_matches_the_graph(qtbot, window):
    c, scene = window.controller, window.graph_view.graph_scene
    c.open_demo("tutorial")
    qtbot.waitUntil(lambda: c.run_state == "paused", timeout=10000)
    seen_current = 0
    for _ in range(400):
        if c.run_state in ("finished", "error"):
            break
        n = len(c.model)
        qtbot.keyClick(window, Qt.Key.Key_F11)  # step into: one event
        qtbot.waitUntil(lambda n=n: len(c.model) > n or c.run_state != "running", timeout=5000)
        qtbot.waitUntil(lambda: c.run_state != "running", timeout=5000)
        state = c.state()
        # The highlight follows the event at the cursor.
        assert scene.host.current == frozenset(state.current)
        seen_current += bool(state.current)
    assert c.run_state == "finished"
    assert seen_current > 20
    _settle(qtbot, window)
    head = c.model.state_at(len(c.model) - 1)
    graph = graph_at(head, window.graph_view.scope)
    assert scene.node_count() == graph.number_of_nodes()
    assert scene.edge_count() == graph.number_of_edges()
    # w and b show the gradients the engine computed in the first backward pass.
    for tid in _leaf_ids(head, "w", "b"):
        item = scene.items_by_key[f"t{tid}"]
        item._refresh()
        grad = head.tensors[tid].grad
        assert item.texts["grad"] == f"∇ {fmt.preview(grad, 2, 3)}"
        assert item.texts["grad_meta"] == f"‖{fmt.fmt_num(fmt.norm(grad), 3)}‖ ×1"


def test_leaf_grad_text_grows_as_contributions_land(qtbot, replay, tutorial_events):
    c, scene = replay.controller, replay.graph_view.graph_scene
    first_acc = next(
        i for i, e in enumerate(tutorial_events) if isinstance(e, events.GradAccumulated)
    )
    c.go_to(first_acc - 1)
    _settle(qtbot, replay)
    state = c.state()
    (b,) = _leaf_ids(state, "b")
    item = scene.items_by_key[f"t{b}"]
    item._refresh()
    assert item.texts["grad"] == "grad None"
    c.go_to(first_acc)
    item._refresh()
    grad = c.state().tensors[b].grad
    assert item.texts["grad"] == f"∇ {fmt.preview(grad, 2, 3)}"
    assert item.texts["grad_meta"].endswith("×1")
    # The gradient edge of this step is drawn.
    assert scene.grad_edge_count() == len(c.state().grad_edges) >= 1


def test_ctrl_left_back_into_the_forward_pass_restores_the_earlier_picture(qtbot, replay):
    c, scene = replay.controller, replay.graph_view.graph_scene
    forward_tick = next(i for i, e in enumerate(c.model.events) if isinstance(e, events.ForwardOp))
    forward_tick += 3
    c.go_to(forward_tick)
    _settle(qtbot, replay)
    early = scene.node_count()
    assert early == graph_at(c.state(), replay.graph_view.scope).number_of_nodes()
    c.go_live()
    _settle(qtbot, replay)
    assert scene.node_count() > early
    c.go_to(forward_tick + 2)
    qtbot.keyClick(replay, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(replay, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert c.tick == forward_tick
    assert not c.live
    _settle(qtbot, replay)
    assert scene.node_count() == early


def test_search_selects_and_centres_the_node(qtbot, replay):
    c, view = replay.controller, replay.graph_view
    qtbot.keyClick(replay, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(replay.search_field, "mmbackward")
    qtbot.keyClick(replay.search_field, Qt.Key.Key_Return)
    key = c.selection
    fid = function_id(key)
    assert fid is not None and c.state().functions[fid].grad_fn == "MmBackward0"
    item = view.graph_scene.items_by_key[key]
    centre = view.mapToScene(view.viewport().rect().center())
    assert abs(centre.x() - item.x()) < 30 and abs(centre.y() - item.y()) < 30


def test_clicking_a_node_selects_it(qtbot, replay):
    view = replay.graph_view
    key = next(k for k in view.graph_scene.visible_keys() if k.startswith("t"))
    item = view.graph_scene.items_by_key[key]
    view.centerOn(item)
    pos = view.mapFromScene(item.scenePos())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert replay.controller.selection == key


def test_stop_ends_a_program_stuck_in_while_true(qtbot, window, tmp_path):
    script = tmp_path / "hang.py"
    script.write_text("import visgrad as torch\nx = torch.ones(2)\nwhile True:\n    pass\n")
    c = window.controller
    c.open_script(str(script))
    qtbot.waitUntil(lambda: c.run_state == "paused", timeout=10000)
    session = c.session
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: c.run_state == "running", timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_F5, Qt.KeyboardModifier.ShiftModifier)
    assert c.run_state == "stopped"
    qtbot.waitUntil(lambda: not session.alive, timeout=5000)


def test_a_program_that_raises_shows_its_traceback_and_keeps_the_graph(qtbot, window, tmp_path):
    script = tmp_path / "boom.py"
    script.write_text(
        "import visgrad as torch\nx = torch.ones(3, requires_grad=True)\ny = (x * 2).sum()\n"
        "raise ValueError('bad value')\n"
    )
    c = window.controller
    c.open_script(str(script))
    qtbot.waitUntil(lambda: c.run_state == "paused", timeout=10000)
    with qtbot.waitSignal(c.program_failed, timeout=10000) as blocker:
        c.resume()
    assert blocker.args[0] == "ValueError: bad value"
    assert "raise ValueError" in blocker.args[1]
    assert not hasattr(window, "error_box")  # no dialog over the graph: a banner above it
    qtbot.waitUntil(lambda: "error" in window.banners.visible(), timeout=5000)
    assert "bad value" in window.banners.visible()["error"].text.text()
    assert "Error: ValueError: bad value" in window.status_line()
    _settle(qtbot, window)
    assert window.graph_view.graph_scene.node_count() >= 4


def test_export_writes_a_png_and_a_valid_svg(qtbot, replay, tutorial_events, tmp_path):
    png, svg = tmp_path / "g.png", tmp_path / "g.svg"
    replay.export(str(png))
    replay.export(str(svg))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    from visgrad.app.render import export_image

    out = export_image(TraceModel(tutorial_events), tmp_path / "cli.svg", tick=30)
    assert ET.parse(out).getroot().tag.endswith("svg")


def test_a_malformed_trace_shows_an_error_banner_not_a_crash(qtbot, window, tmp_path):
    bad = tmp_path / "bad.vgtrace"
    bad.write_bytes(b"this is not a zip file")
    before = len(window.controller.model)
    with qtbot.waitSignal(window.controller.file_failed, timeout=5000) as blocker:
        window.open_path(str(bad))
    assert blocker.args[0] == str(bad)
    # No dialog over the graph: a banner above it, and the run shown before stays.
    assert not hasattr(window, "error_box")
    banner = window.banners.visible()["window"]
    assert "bad.vgtrace" in banner.text.text() and banner.level == "error"
    assert list(banner.buttons) == ["Open another…"]
    assert len(window.controller.model) == before
    banner.close_button.click()
    assert "window" not in window.banners.visible()


def test_step_to_next_backward_node_in_a_replay(qtbot, replay):
    c = replay.controller
    c.go_to(0)
    replay.actions_by_name["step_backward"].trigger()
    assert isinstance(c.model.events[c.tick], events.BackwardNode)
    replay.actions_by_name["step_forward"].trigger()
    assert isinstance(c.model.events[c.tick], events.ForwardOp)


def test_direction_toggle_lays_the_graph_out_left_to_right(qtbot, replay):
    scene = replay.graph_view.graph_scene
    replay.actions_by_name["direction_lr"].trigger()
    _settle(qtbot, replay)
    assert scene.direction == "LR"
    rect = scene.sceneRect()
    assert rect.width() > rect.height()


def test_recent_files_remember_an_opened_trace(qtbot, window, tutorial_events, tmp_path):
    from visgrad.trace.files import save_trace

    path = tmp_path / "t.vgtrace"
    save_trace(path, tutorial_events)
    window.open_path(str(path))
    qtbot.waitUntil(lambda: window.controller.run_state == "replay", timeout=5000)
    assert len(window.controller.model) == len(tutorial_events)
    names = [a.text() for a in window.recent_menu.actions()]
    assert Path(path).name in names


def _event_rows(w: MainWindow) -> list[str]:
    model = w.event_list.model()
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def test_event_list_shows_the_programs_names_instead_of_tensor_ids(qtbot, replay):
    rows = _event_rows(replay)
    text = "\n".join(rows)
    assert "create  x = ones(5,)  · line 16" in text
    assert "create  w = randn(5, 3), requires_grad  · line 18" in text
    assert "grad +=  b  ‖0.2911‖  (new)" in text
    assert "grad +=  w  ‖0.6508‖  (new)" in text
    assert "forward  t5 = unsqueeze(x)" in text  # an unnamed intermediate keeps its id
    assert "name  t1 = x" in text  # the naming event itself still says which id got the name


def test_event_list_renames_rows_already_shown_when_a_name_arrives_later(qtbot, window):
    c = window.controller
    created = events.TensorCreated(seq=1, tensor=7, op="ones", shape=(2,), dtype="float32")
    c.open_events([created], "live.vgtrace")
    assert _event_rows(window) == ["    0  create  t7 = ones(2,)"]
    c.model.append(events.TensorNamed(seq=2, tensor=7, name="h"))
    c.events_appended.emit(len(c.model))
    assert _event_rows(window)[0] == "    0  create  h = ones(2,)"


def test_a_multiline_print_is_one_readable_row():
    out = events.Output(seq=1, text="tensor([[1., 2.],\n        [3., 4.]])\n")
    assert fmt.describe(out) == "print  tensor([[1., 2.], ⏎ [3., 4.]])"


def test_status_after_backward_ends_is_idle_at_the_next_print(qtbot, replay, tutorial_events):
    end = next(i for i, e in enumerate(tutorial_events) if isinstance(e, events.BackwardEnd))
    assert isinstance(tutorial_events[end + 1], events.Output)
    replay.controller.go_to(end + 1)
    assert replay.timeline.phase.text() == "idle"
    assert "backward" not in replay.windowTitle()


def test_time_travel_centres_the_cursor_row_in_the_event_list(qtbot, replay):
    el = replay.event_list
    replay.controller.go_to(len(replay.controller.model) - 1)
    replay.controller.go_to(24)
    rect = el.visualRect(el.model().index(24, 0))
    assert el.viewport().rect().contains(rect)
    assert rect.top() > 0  # rows before the cursor are in view too
