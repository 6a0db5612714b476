"""A failure inside one view shows there; the run, the graph and the other views go on."""

from __future__ import annotations

import pytest

from visgrad import events
from visgrad.app.main_window import MainWindow
from visgrad.app.panels.inspector import Inspector
from visgrad.runner.session import run_headless


@pytest.fixture(scope="module")
def tutorial_events() -> list[events.Event]:
    evs: list[events.Event] = []
    assert run_headless("tutorial", demo=True, on_event=evs.append) == 0
    return [e for e in evs if not isinstance(e, events.RunState)]


def _broken(*_a, **_k):
    raise ZeroDivisionError("a bug in this view")


def _window(qtbot) -> MainWindow:
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_a_failing_panel_shows_its_error_and_the_others_refresh(
    qtbot, monkeypatch, tutorial_events, capsys
) -> None:
    monkeypatch.setattr(Inspector, "refresh", _broken)
    w = _window(qtbot)
    c = w.controller
    c.open_events(tutorial_events, "tutorial.vgtrace")
    assert w.graph_view.wait_for_layout()
    w.panels["inspector"].parentWidget().raise_()
    c.go_to(10)
    c.select(f"t{next(iter(c.state().tensors))}")
    insp = w.panels["inspector"]
    qtbot.waitUntil(lambda: insp._failure is not None and insp._failure.isVisible(), timeout=3000)
    assert "ZeroDivisionError: a bug in this view" in insp._failure.text()
    assert "ZeroDivisionError" in capsys.readouterr().err  # the traceback, for a bug report
    # The rest of the window works on: the graph, the status bar, another panel.
    c.go_to(len(c.model) - 1)
    qtbot.wait(20)
    assert w.graph_view.graph_scene.node_count() > 0
    assert "viewing tick" in w.status_text.text()
    ledger = w.panels["ledger"]
    assert ledger._failure is None or not ledger._failure.isVisible()


def test_a_failing_graph_says_so_and_the_panels_and_status_go_on(
    qtbot, monkeypatch, tutorial_events
) -> None:
    w = _window(qtbot)
    c = w.controller
    c.open_events(tutorial_events, "tutorial.vgtrace")
    assert w.graph_view.wait_for_layout()
    monkeypatch.setattr(w.graph_view, "show_state", _broken)
    c.go_to(5)
    assert w._graph_error.isVisible() and "The graph could not be shown" in w._graph_error.text()
    assert "viewing tick 5" in w.status_text.text()
    monkeypatch.undo()
    c.go_to(6)
    assert not w._graph_error.isVisible()


def test_an_event_row_that_cannot_be_described_says_so(qtbot, monkeypatch, tutorial_events):
    from visgrad.app import formatting

    w = _window(qtbot)
    w.controller.open_events(tutorial_events, "tutorial.vgtrace")
    monkeypatch.setattr(formatting, "describe", _broken)
    model = w.event_list.model()
    text = model.data(model.index(3, 0))
    assert "cannot be shown" in text and "ZeroDivisionError" in text


def test_alias_rows_name_the_tensor_they_alias() -> None:
    import visgrad as torch
    from visgrad.app import formatting

    with events.Recorder() as rec:
        w = torch.ones(2, requires_grad=True)
        w.data.zero_()
        w.detach()
    rows = [formatting.describe(e, {w._id: "w"}) for e in rec.events]
    assert any(
        r.startswith("alias  ") and r.split("=")[1].strip().startswith("w.data") for r in rows
    )
    assert any("= w.detach()" in r for r in rows)
