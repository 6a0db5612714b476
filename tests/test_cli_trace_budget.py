"""``visgrad trace`` keeps a run within a memory budget, the default one unless told otherwise,
and a file saved after events were forgotten says it is truncated."""

from __future__ import annotations

import pytest

from visgrad import cli, cli_commands
from visgrad.trace.files import first_tick_of, info_text, load_trace

LOOP = """
import torch
w = torch.ones(4, requires_grad=True)
for _ in range(300):
    (w * 2).sum().backward()
"""


def _trace(tmp_path, capsys, *extra: str) -> tuple[int, str]:
    script = tmp_path / "loop.py"
    script.write_text(LOOP)
    rc = cli.main(["trace", str(script), "-o", str(tmp_path / "run.vgtrace"), *extra])
    return rc, capsys.readouterr().err


def test_a_small_budget_forgets_the_oldest_events_and_flags_the_file(tmp_path, capsys):
    rc, err = _trace(tmp_path, capsys, "--memory-budget", "0.5")
    assert rc == 0
    path = tmp_path / "run.vgtrace"
    first = first_tick_of(path)
    assert first > 0
    assert f"{first:,} earlier events were forgotten" in err and "budget of 0.5 MB" in err
    kept = len(load_trace(path))
    assert f"({kept:,} events)" in err
    assert "truncated trace" in info_text(path)


def test_the_default_budget_applies_when_none_is_given(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli_commands, "default_budget", lambda: 512 * 1024)
    rc, err = _trace(tmp_path, capsys)
    assert rc == 0 and first_tick_of(tmp_path / "run.vgtrace") > 0
    assert "budget of 0.5 MB" in err


def test_a_run_within_its_budget_is_saved_whole(tmp_path, capsys):
    rc, err = _trace(tmp_path, capsys, "--memory-budget", "64")
    assert rc == 0 and first_tick_of(tmp_path / "run.vgtrace") == 0
    assert "forgotten" not in err


@pytest.mark.parametrize("bad", ["0", "-3", "nan", "inf"])
def test_a_bad_budget_is_refused_before_the_program_runs(tmp_path, capsys, bad):
    rc, err = _trace(tmp_path, capsys, "--memory-budget", bad)
    assert rc == 1 and "--memory-budget must be a positive number of MB" in err
    assert not (tmp_path / "run.vgtrace").exists()
