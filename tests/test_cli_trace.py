"""``visgrad trace`` never loses a run: Ctrl-C, unwritable outputs, stale temps, permissions."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from visgrad.trace import files
from visgrad.trace.files import load_trace, save_trace

ROOT = Path(__file__).resolve().parent.parent


def visgrad(*args: str, cwd: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "visgrad", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


ENDLESS = """
import torch
x = torch.ones(3, requires_grad=True)
print("running", flush=True)
while True:
    (x * 2).sum().backward()
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_trace_saves_what_ran(tmp_path, sig) -> None:
    (tmp_path / "endless.py").write_text(ENDLESS)
    p = visgrad("trace", "endless.py", "-o", "run.vgtrace", cwd=tmp_path)
    err_parts: list[str] = []
    reader = threading.Thread(target=lambda: err_parts.extend(iter(lambda: p.stderr.read(1), "")))
    reader.start()
    # Interrupt once the progress line counts events (a loaded machine may take seconds to start).
    deadline = time.monotonic() + 120
    while max(map(int, re.findall(r"(\d+) events", "".join(err_parts))), default=0) < 50:
        assert p.poll() is None and time.monotonic() < deadline, "".join(err_parts)[-500:]
        time.sleep(0.1)
    p.send_signal(sig)
    p.wait(timeout=60)
    reader.join(timeout=60)
    err = "".join(err_parts)
    assert p.returncode == 130, err[-500:]
    assert "interrupted" in err.splitlines()[-1]
    evs = load_trace(tmp_path / "run.vgtrace")
    assert len(evs) > 10
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]


def test_an_unwritable_output_is_refused_before_the_program_runs(tmp_path) -> None:
    (tmp_path / "marks.py").write_text("open('ran', 'w').write('yes')\n")
    (tmp_path / "afile").write_text("")
    for out, why in (("afile/run.vgtrace", "no folder"), (".", "")):
        target = out if out.endswith(".vgtrace") else "dir.vgtrace"
        if out == ".":
            (tmp_path / target).mkdir()
            why = "directory"
        p = visgrad("trace", "marks.py", "-o", target, cwd=tmp_path)
        _, err = p.communicate(timeout=60)
        assert p.returncode == 1
        lines = err.strip().splitlines()
        assert len(lines) == 1 and target in lines[0] and why in lines[0], err
        assert ".tmp" not in lines[0]
        assert not (tmp_path / "ran").exists()


def test_a_forked_grandchild_does_not_hold_the_trace_open(tmp_path) -> None:
    (tmp_path / "forks.py").write_text(
        "import subprocess, sys, torch\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "print((torch.ones(2) * 2).sum())\n"
    )
    t0 = time.monotonic()
    p = visgrad("trace", "forks.py", "-o", "run.vgtrace", cwd=tmp_path)
    _, err = p.communicate(timeout=50)
    assert p.returncode == 0, err
    assert time.monotonic() - t0 < 45
    assert load_trace(tmp_path / "run.vgtrace")


def test_an_overwritten_trace_keeps_its_permissions(tmp_path) -> None:
    path = tmp_path / "run.vgtrace"
    save_trace(path, [])
    for mode in (0o644, 0o640, 0o600):
        os.chmod(path, mode)
        save_trace(path, [])
        assert os.stat(path).st_mode & 0o777 == mode


def test_a_new_trace_gets_the_usual_permissions(tmp_path) -> None:
    was = os.umask(0o022)
    try:
        save_trace(tmp_path / "new.vgtrace", [])
    finally:
        os.umask(was)
    assert os.stat(tmp_path / "new.vgtrace").st_mode & 0o777 == 0o644


def test_temp_files_of_killed_saves_are_removed_and_a_failed_save_leaves_none(
    tmp_path, monkeypatch
) -> None:
    path = tmp_path / "run.vgtrace"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".run.vgtrace.{dead.pid}.x1.tmp"
    live = tmp_path / f".run.vgtrace.{os.getpid()}.x2.tmp"
    other = tmp_path / f".other.vgtrace.{dead.pid}.x3.tmp"
    for f in (stale, live, other):
        f.write_bytes(b"partial")
    save_trace(path, [])
    assert not stale.exists() and live.exists() and other.exists()
    live.unlink()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(files, "_write_zip", boom)
    with pytest.raises(OSError, match="disk full"):
        save_trace(path, [])
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".run.vgtrace.")]
    assert load_trace(path) == []


def test_a_trace_shows_the_program_output_as_python_would(tmp_path) -> None:
    (tmp_path / "talks.py").write_text(
        "import sys, torch\n"
        "x = torch.ones(2, requires_grad=True)\n"
        "print('loss', (x * 3).sum().item())\n"
        "print('warned', file=sys.stderr)\n"
    )
    p = visgrad("trace", "talks.py", "-o", "run.vgtrace", cwd=tmp_path)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    assert out == "loss 6.0\n"
    assert "warned\n" in err
    # Into a pipe the event count is whole lines, never a line redrawn with carriage returns.
    assert "\r" not in err
    n = len(load_trace(tmp_path / "run.vgtrace"))
    assert err.splitlines()[-1] == f"wrote run.vgtrace ({n:,} events)"
