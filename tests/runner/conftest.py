"""Fixtures for runner tests: programs written to files, and demo runs shared across tests."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from visgrad import events
from visgrad.runner.session import run_headless


@pytest.fixture
def script(tmp_path: Path) -> Callable[[str], Path]:
    """Write a program to a file and return its path."""

    def make(code: str, name: str = "prog.py") -> Path:
        p = tmp_path / name
        p.write_text(textwrap.dedent(code))
        return p

    return make


_free_runs: dict[str, list[events.Event]] = {}


@pytest.fixture(scope="session")
def free_run() -> Callable[[str], list[events.Event]]:
    """Events of a demo run freely, shared by every test that needs them (one child per demo)."""

    def get(name: str) -> list[events.Event]:
        if name not in _free_runs:
            evs: list[events.Event] = []
            rc = run_headless(name, demo=True, on_event=evs.append)
            assert rc == 0, [e for e in evs if e.kind in ("output", "error")]
            _free_runs[name] = evs
        return _free_runs[name]

    return get
