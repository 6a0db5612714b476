"""Real runs recorded once per session: the material the hostile tests mutate."""

from __future__ import annotations

from pathlib import Path

import pytest

from visgrad import events
from visgrad.runner.session import run_headless

PROGRAMS = Path(__file__).parent / "programs"


@pytest.fixture(scope="session")
def real_runs() -> list[list[events.Event]]:
    """Events of the demos and of a program using hooks, in-place ops, NaN and an error."""
    runs = []
    for name in ("tutorial", "nan", "control_flow"):
        evs: list[events.Event] = []
        assert run_headless(name, demo=True, on_event=evs.append) == 0
        runs.append(evs)
    evs = []
    assert run_headless(PROGRAMS / "features.py", on_event=evs.append) == 1
    assert any(isinstance(e, events.ProgramError) for e in evs)
    runs.append(evs)
    return runs
