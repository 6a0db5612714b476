"""A trace saved after its oldest events were forgotten says so in its file, and on loading."""

from __future__ import annotations

import json
import zipfile

import pytest

from tests.trace import trace_programs as tp
from tests.trace.test_horizon import BUDGET, _train
from visgrad.trace import files
from visgrad.trace.files import TraceFileError, first_tick_of, info_text, load_trace, save_trace
from visgrad.trace.model import TraceModel


def _manifest(path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("manifest.json"))


def _forgetful() -> TraceModel:
    m = TraceModel(memory_budget_bytes=BUDGET)
    _train(m, 120)
    assert m.forgotten > 0
    return m


def test_a_model_that_forgot_events_saves_a_truncated_flag_and_first_tick(tmp_path) -> None:
    m = _forgetful()
    save_trace(tmp_path / "cut.vgtrace", m)
    man = _manifest(tmp_path / "cut.vgtrace")
    assert man["truncated"] is True and man["first_tick"] == m.forgotten
    assert man["events"] == len(m.kept_events)
    assert first_tick_of(tmp_path / "cut.vgtrace") == m.forgotten


def test_a_list_of_events_saves_the_first_tick_it_is_given(tmp_path) -> None:
    m = _forgetful()
    save_trace(tmp_path / "cut.vgtrace", list(m.original_events()), first_tick=m.forgotten)
    assert _manifest(tmp_path / "cut.vgtrace")["first_tick"] == m.forgotten


def test_a_whole_run_has_no_flag_and_old_files_load_as_whole(tmp_path) -> None:
    evs = tp.tutorial().events
    save_trace(tmp_path / "whole.vgtrace", TraceModel(evs))
    man = _manifest(tmp_path / "whole.vgtrace")
    assert "truncated" not in man and "first_tick" not in man
    assert first_tick_of(tmp_path / "whole.vgtrace") == 0
    assert files.truncation_note(0) == ""
    assert "truncated" not in info_text(tmp_path / "whole.vgtrace")


def test_a_loaded_truncated_trace_keeps_the_run_s_tick_numbers(tmp_path) -> None:
    m = _forgetful()
    save_trace(tmp_path / "cut.vgtrace", m)
    path = tmp_path / "cut.vgtrace"
    loaded = TraceModel(load_trace(path), first_tick=first_tick_of(path))
    assert len(loaded) == len(m) and loaded.forgotten == m.forgotten
    last = len(m) - 1
    assert loaded.state_at(last).event.seq == m.state_at(last).event.seq
    assert loaded.state_at(0).forgotten == m.forgotten and not loaded.state_at(0).tensors
    assert not loaded.fold_errors
    # Saved again, it stays truncated at the same tick.
    save_trace(tmp_path / "again.vgtrace", loaded)
    assert first_tick_of(tmp_path / "again.vgtrace") == m.forgotten


def test_info_says_in_one_line_that_a_trace_is_truncated(tmp_path) -> None:
    m = _forgetful()
    save_trace(tmp_path / "cut.vgtrace", m)
    lines = info_text(tmp_path / "cut.vgtrace").splitlines()
    note = files.truncation_note(m.forgotten)
    assert note in lines and f"first {m.forgotten:,} events were forgotten" in note
    assert f"events: {len(m.kept_events)}  ticks: {len(m)}" in "\n".join(lines)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"truncated": "yes", "first_tick": 5}, "'truncated' must be true or false"),
        ({"truncated": True, "first_tick": -1}, "'first_tick' a tick number"),
        ({"truncated": True, "first_tick": 2.5}, "'first_tick' a tick number"),
        ({"truncated": True, "first_tick": True}, "'first_tick' a tick number"),
        ({"truncated": True}, "'truncated' and 'first_tick' disagree"),
        ({"first_tick": 7}, "'truncated' and 'first_tick' disagree"),
    ],
)
def test_a_bad_truncation_flag_is_refused_in_one_line(tmp_path, flags, message) -> None:
    src = tmp_path / "ok.vgtrace"
    save_trace(src, tp.square().events)
    man = {**_manifest(src), **flags}
    bad = tmp_path / "bad.vgtrace"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, json.dumps(man) if info.filename == "manifest.json" else data)
    for read in (load_trace, first_tick_of):
        with pytest.raises(TraceFileError, match=message) as got:
            read(bad)
        assert "\n" not in str(got.value)
