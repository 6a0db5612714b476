"""Long strings from outside are cut in every view and render, and kept whole on demand."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QImage

from tests.hostile import contract
from visgrad import events
from visgrad.app.main_window import MainWindow
from visgrad.app.render import export_image
from visgrad.trace import caps
from visgrad.trace.files import load_trace, save_trace
from visgrad.trace.model import TraceModel

FIELDS = ("name", "grad_fn", "op", "node", "output", "traceback", "module", "file")


def lengthened(evs: list[events.Event], where: frozenset[str], n: int) -> list[events.Event]:
    """The run with ``n`` more characters in each chosen kind of text, and a failing end."""
    long = "Q" * n
    out: list[events.Event] = []
    for e in evs:
        ch: dict = {}
        if isinstance(e, events.TensorNamed) and "name" in where:
            ch["name"] = e.name + long
        if isinstance(e, events.ForwardOp):
            if "grad_fn" in where and e.grad_fn:
                ch["grad_fn"] = e.grad_fn + long
            if "op" in where:
                ch["op"] = e.op + long
        if isinstance(e, events.BackwardNode) and "node" in where:
            ch["name"] = e.name + long
        if isinstance(e, events.Output) and "output" in where:
            ch["text"] = long + "\n" + e.text
        if isinstance(e, (events.TensorCreated, events.ForwardOp)):
            if "module" in where:
                ch["module"], ch["module_classes"] = long, ("M" + long,)
            if "file" in where and e.source is not None:
                ch["source"] = (e.source[0] + long, e.source[1], e.source[2] + long)
        out.append(dataclasses.replace(e, **ch) if ch else e)
    if "traceback" in where:
        tb = "Traceback (most recent call last):\n" + "  line\n" * (n // 7) + "ValueError: end\n"
        out.append(events.ProgramError(seq=0, exc_type="ValueError", message=long, traceback=tb))
    return contract.validated([dataclasses.replace(e, seq=i + 1) for i, e in enumerate(out)])


@pytest.fixture(scope="module")
def tutorial(real_runs) -> list[events.Event]:
    return real_runs[0]


@pytest.fixture(scope="module")
def plain_width(tutorial, tmp_path_factory) -> int:
    """Width of the tutorial's PNG with its own names."""
    path = tmp_path_factory.mktemp("plain") / "plain.png"
    export_image(tutorial, path)
    return QImage(str(path)).width()


@settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # a new window per example
)
@given(
    where=st.frozensets(st.sampled_from(FIELDS), min_size=1),
    n=st.sampled_from([5_000, 100_000]),
)
def test_long_texts_render_everywhere_cut_and_stay_whole_on_demand(
    qtbot, tutorial, plain_width, where: frozenset[str], n: int
) -> None:
    evs = lengthened(tutorial, where, n)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    with tempfile.TemporaryDirectory() as tmp:
        contract.exercise_model(evs, Path(tmp))
        contract.exercise_views(window, evs, Path(tmp))
        # A render is as wide as the graph, not as the text: at most a few widened boxes more.
        png = QImage(str(Path(tmp) / "export.png"))
        assert 0 < png.width() <= plain_width + 6 * 3 * 220 * 1.5
        # No label or word pushes the window wider than it was made.
        assert window.width() <= 1600
        prints = sum(isinstance(e, events.Output) for e in evs) + 1
        assert len(window.panels["console"].plain_text()) < prints * (caps.TEXT + 100)
        # Saving writes every text whole.
        save_trace(Path(tmp) / "whole.vgtrace", window.controller.model)
        again = load_trace(Path(tmp) / "whole.vgtrace")
        assert [_texts(e) for e in again] == [_texts(e) for e in evs]
    window.close()


def _texts(e: events.Event) -> dict:
    """The fields of ``e`` that hold text."""
    out = {}
    for f in dataclasses.fields(e):
        v = getattr(e, f.name)
        if isinstance(v, str) or (
            isinstance(v, tuple) and v and all(isinstance(x, (str, int)) for x in v)
        ):
            out[f.name] = v
    return out


def test_the_inspector_shows_a_cut_name_whole_and_the_console_a_cut_traceback(
    qtbot, tutorial
) -> None:
    evs = lengthened(tutorial, frozenset({"name", "traceback"}), 300_000)
    window = MainWindow()
    qtbot.addWidget(window)
    c = window.controller
    c.open_events(TraceModel(evs), "long.vgtrace")
    named = next(e for e in evs if isinstance(e, events.TensorNamed))
    c.select(f"t{named.tensor}")
    inspector = window.panels["inspector"]
    inspector.refresh()
    assert len(inspector.title.text()) < 200
    full = inspector.show_full("name", c.state().tensors[named.tensor].name)
    qtbot.addWidget(full)
    assert full.isVisible()
    assert c.model.full_texts.full(c.state().tensors[named.tensor].name) == named.name
    console = window.panels["console"]
    console.refresh()
    assert console.whole.isVisibleTo(console)
    shown = console.plain_text()
    assert "characters cut" in shown and shown.rstrip().endswith("ValueError: end")
    whole = console.show_full()
    qtbot.addWidget(whole)
    error = evs[-1]
    assert isinstance(error, events.ProgramError)
    assert c.model.full_texts.full(c.state().error.traceback) == error.traceback


def test_short_events_are_kept_as_they_are(tutorial) -> None:
    assert all(caps.capped(e) is e for e in tutorial)


@given(st.text(max_size=3000), st.integers(1, 500))
def test_clip_keeps_short_texts_and_cuts_long_ones_with_a_note(text: str, limit: int) -> None:
    cut = caps.clip(text, limit)
    if len(text) <= limit:
        assert cut is text
    else:
        assert cut.startswith(text[:limit]) and caps.was_cut(cut)
        assert f"+{len(text) - limit:,} characters" in cut


def test_the_model_maps_every_cut_text_back_to_its_whole() -> None:
    long = "x" * 10_000
    evs = [
        events.TensorCreated(seq=1, tensor=1, shape=(2,), requires_grad=True),
        events.TensorNamed(seq=2, tensor=1, name=long),
        events.Output(seq=3, text="y" * 200_000),
        events.RunState(seq=4, state="finished", detail={"message": "m" * 5000}),
    ]
    model = TraceModel(evs)
    shown = model.events
    assert len(shown[1].name) < 300 and model.full_texts.full(shown[1].name) == long
    assert len(shown[2].text) < caps.TEXT + 100
    assert model.full_texts.full(shown[2].text) == "y" * 200_000
    assert len(shown[3].detail["message"]) < 2 * caps.IN_JSON
    assert list(model.original_events()) == evs
    assert model.names[1] == shown[1].name
