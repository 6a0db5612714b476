"""Every ``visgrad`` command answers bad input with one line on stderr and a non-zero exit code.

Bad arguments, missing, unreadable or hostile files, outputs that cannot be written, programs that
fail: never a traceback, never a hang, never a window opened for nothing.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from visgrad import cli

ROOT = Path(__file__).resolve().parent.parent

SCRIPTS = {
    "ok.py": "import torch\nx = torch.ones(2, requires_grad=True)\n(x * 3).sum().backward()\n",
    "raises.py": "import torch\nx = torch.ones(2, requires_grad=True)\ny = (x * 2).sum()\n"
    "raise ValueError('boom')\n",
    "exits.py": "import torch\nx = torch.ones(2) * 2\nraise SystemExit(3)\n",
    "interrupts.py": "import torch\nx = torch.ones(2) * 2\nraise KeyboardInterrupt\n",
    "syntax.py": "def f(:\n",
}


def _unreadable(path: Path) -> Path:
    """A file that open() refuses with EACCES, also to root (who reads any mode-000 file)."""
    path.write_bytes(b"x")
    path.chmod(0)
    try:
        open(path, "rb").close()
    except PermissionError:
        return path
    path.unlink()
    path.symlink_to("/proc/sys/vm/compact_memory")  # write-only in procfs, whoever asks
    with pytest.raises(PermissionError):
        open(path, "rb").close()
    return path


def _unwritable_folder(base: Path) -> Path:
    """A folder in which creating a file fails with EACCES, also for root."""
    folder = base / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        (folder / "probe").write_bytes(b"")
    except PermissionError:
        return folder
    (folder / "probe").unlink()
    folder = Path("/sys")  # sysfs makes no files on request, whoever asks
    with pytest.raises(PermissionError):
        (folder / "visgrad-probe").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """A folder of good and hostile inputs, named as the cases below use them."""
    d = tmp_path_factory.mktemp("cli-errors")
    trace = d / "t.vgtrace"
    assert cli.main(["trace", "--demo", "tutorial", "-o", str(trace)]) == 0
    for name, text in SCRIPTS.items():
        (d / name).write_text(text)
    (d / "notes.txt").write_text("hello")
    (d / "empty.vgtrace").write_bytes(b"")
    (d / "truncated.vgtrace").write_bytes(trace.read_bytes()[:2000])
    with zipfile.ZipFile(d / "foreign.vgtrace", "w") as zf:
        zf.writestr("manifest.json", '{"format": "something else"}')
        zf.writestr("events.jsonl", "")
    for name in ("adir.vgtrace", "adir.py", "adir.dot"):
        (d / name).mkdir()
    for ext in ("dot", "svg", "png", "json", "graphml", "csv"):
        (d / f"full.{ext}").symlink_to("/dev/full")
    (d / "dangling.vgtrace").symlink_to(d / "nowhere")
    os.mkfifo(d / "fifo.vgtrace")
    (d / "loop.vgtrace").symlink_to(d / "loop.vgtrace")
    _unreadable(d / "unreadable.vgtrace")
    _unreadable(d / "unreadable.py")
    (d / "LOCKED").symlink_to(_unwritable_folder(d))
    return d


class WindowOpened(BaseException):
    """Raised where the debugger's window would open (and wait); visgrad catches no such thing."""


@pytest.fixture
def in_work(work, monkeypatch):
    """Run in the work folder; a window the command opens fails the test instead of waiting."""
    monkeypatch.chdir(work)

    def no_window(*args, **kwargs):
        raise WindowOpened

    monkeypatch.setattr("visgrad.app.main.run_app", no_window)
    return work


USAGE = [
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["--demo", "nosuch"], "invalid choice: 'nosuch'"),
    (["--memory-budget", "lots"], "invalid float value: 'lots'"),
    (["trace", "ok.py"], "required: -o/--output"),
    (["trace", "-o", "x.vgtrace"], "one of the arguments script --demo is required"),
    (["trace", "--demo", "nosuch", "-o", "x.vgtrace"], "invalid choice: 'nosuch'"),
    (["trace", "ok.py", "--demo", "mlp", "-o", "x.vgtrace"], "not allowed with"),
    (["trace", "ok.py", "-o", "x.vgtrace", "--payload-limit", "-5"], "must be zero or more"),
    (["trace", "ok.py", "-o", "x.vgtrace", "--payload-limit", "lots"], "a whole number"),
    (["info"], "required: trace"),
    (["export", "t.vgtrace"], "required: -o/--output"),
    (["export", "t.vgtrace", "-o", "x.dot", "--tick", "abc"], "invalid int value: 'abc'"),
    (["stats", "t.vgtrace", "-o", "x.csv", "--json"], "not allowed with"),
    (["demos", "extra"], "unrecognized arguments: extra"),
    (["ok.py", "--demo", "mlp"], "not both"),
]

FAILURES = [
    # The debugger's own arguments, refused before a window opens.
    (["--memory-budget", "0"], "--memory-budget must be a positive number"),
    (["--memory-budget", "nan"], "--memory-budget must be a positive number"),
    (["--memory-budget", "inf"], "--memory-budget must be a positive number"),
    (["--memory-budget", "1e400"], "--memory-budget must be a positive number"),
    (["empty.vgtrace"], "not a trace file"),
    (["foreign.vgtrace"], "names another format"),
    (["unreadable.py"], "cannot read file unreadable.py: Permission denied"),
    (["notes.txt"], "expected a .py script or a .vgtrace file"),
    (["/dev/zero"], "file is not a regular file: /dev/zero"),
    # Inputs that are not readable trace files.
    (["info", "missing.vgtrace"], "trace not found: missing.vgtrace"),
    (["info", "adir.vgtrace"], "trace is a directory"),
    (["info", "/dev/zero"], "trace is not a regular file"),
    (["info", "fifo.vgtrace"], "trace is not a regular file"),
    (["info", "empty.vgtrace"], "not a trace file"),
    (["info", "truncated.vgtrace"], "not a trace file"),
    (["info", "ok.py"], "not a trace file"),
    (["info", "unreadable.vgtrace"], "cannot read trace unreadable.vgtrace: Permission denied"),
    (["info", "dangling.vgtrace"], "trace not found"),
    (["info", "loop.vgtrace"], "Too many levels of symbolic links"),
    (["info", "a\x00b.vgtrace"], "the path contains a NUL character"),
    (["info", ""], "no trace given"),
    (["info", "x" * 5000 + ".vgtrace"], "File name too long"),
    # Outputs that cannot be written: refused before the work, or named when the write fails.
    (["export", "t.vgtrace", "-o", "x.pdf"], "cannot export to .pdf"),
    (["export", "t.vgtrace", "-o", "full.dot"], "cannot write full.dot: No space left on device"),
    (["export", "t.vgtrace", "-o", "full.svg"], "cannot write full.svg: No space left on device"),
    (["export", "t.vgtrace", "-o", "full.png"], "cannot write full.png: No space left on device"),
    (["export", "t.vgtrace", "-o", "full.graphml"], "No space left on device"),
    (["export", "t.vgtrace", "-o", "nodir/x.dot"], "cannot write nodir/x.dot: no folder nodir"),
    (["export", "t.vgtrace", "-o", "ok.py/x.json"], "no folder ok.py"),
    (["export", "t.vgtrace", "-o", "adir.dot"], "cannot write adir.dot: it is a directory"),
    (["export", "t.vgtrace", "-o", "new.dot/"], "it names a folder, not a file"),
    (["export", "t.vgtrace", "-o", "bad\nname.pdf"], "cannot export to .pdf"),
    (["export", "t.vgtrace", "-o", "LOCKED/x.graphml"], "Permission denied"),
    (["export", "raises.py", "-o", "LOCKED/x.dot"], "Permission denied"),
    (["export", "t.vgtrace", "-o", "x.dot", "--tick", "99999"], "--tick must be between"),
    (["export", "notes.txt", "-o", "x.dot"], "expected a .py script"),
    (["export", "unreadable.py", "-o", "x.dot"], "Permission denied"),
    (["stats", "t.vgtrace", "-o", "full.csv"], "cannot write full.csv: No space left on device"),
    (["stats", "t.vgtrace", "-o", "LOCKED/s.csv"], "Permission denied"),
    (["stats", "unreadable.vgtrace"], "Permission denied"),
    (["trace", "ok.py", "-o", "LOCKED/x.vgtrace"], "Permission denied"),
    (["trace", "ok.py", "-o", "nul\x00.vgtrace"], "the path contains a NUL character"),
    (["trace", "ok.py", "-o", "new.vgtrace/"], "it names a folder, not a file"),
    (["trace", "/dev/zero", "-o", "x.vgtrace"], "script is not a regular file"),
    (["trace", "t.vgtrace", "-o", "x.vgtrace"], "is a trace, not a script"),
    (["trace", "adir.py", "-o", "x.vgtrace"], "script is a directory"),
    (["trace", "missing.py", "-o", "x.vgtrace"], "script not found"),
    # Programs that fail: the export or the table keeps what ran, the exit code says it failed.
    (["export", "raises.py", "-o", "r.dot"], "the program failed: ValueError: boom (r.dot shows"),
    (["export", "exits.py", "-o", "e.json"], "the program failed: exit code 3"),
    (["export", "interrupts.py", "-o", "i.dot"], "the program failed: KeyboardInterrupt ("),
    (["export", "syntax.py", "-o", "s.dot"], "the program failed: SyntaxError"),
    (["stats", "raises.py"], "the program failed: ValueError: boom"),
    (["stats", "syntax.py", "--json"], "the program failed: SyntaxError"),
]


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err[-2000:]
    assert lines[0].startswith("visgrad: error: "), lines
    assert "Traceback" not in err and "internal error" not in err
    return lines[0]


@pytest.mark.parametrize("argv, message", USAGE)
def test_a_usage_error_is_one_line_with_exit_2(argv, message, in_work, capfd):
    assert cli.main(argv) == 2
    line = _one_error_line(capfd.readouterr().err)
    assert message in line and "-h)" in line


@pytest.mark.parametrize("argv, message", FAILURES, ids=[" ".join(a)[:60] for a, _ in FAILURES])
def test_a_failure_is_one_line_with_exit_1(argv, message, in_work, capfd):
    assert cli.main(argv) == 1
    assert message in _one_error_line(capfd.readouterr().err)


def test_a_failed_programs_export_is_written(in_work, capfd):
    assert cli.main(["export", "raises.py", "-o", "kept.dot"]) == 1
    capfd.readouterr()
    assert (in_work / "kept.dot").read_text().startswith("digraph")


def test_a_file_name_with_a_newline_is_reported_on_one_line(in_work, capfd):
    assert cli.main(["export", "t.vgtrace", "-o", "two\nlines.dot"]) == 0
    assert capfd.readouterr().err == "wrote two\\nlines.dot\n"
    assert (in_work / "two\nlines.dot").exists()


def test_help_exits_0_without_error(in_work, capsys):
    assert cli.main(["trace", "-h"]) == 0
    assert "usage: visgrad trace" in capsys.readouterr().out


def _visgrad(*args: str | bytes, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "visgrad", *args],
        cwd=cwd,
        env=dict(os.environ, PYTHONPATH=str(ROOT), **env),
        capture_output=True,
        timeout=120,
    )


def test_standard_output_on_a_full_disk_is_one_line(work):
    with open("/dev/full", "w") as full:
        p = subprocess.run(
            [sys.executable, "-m", "visgrad", "info", "t.vgtrace"],
            cwd=work,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=120,
        )
    assert p.returncode == 1
    assert _one_error_line(p.stderr.decode()) == (
        "visgrad: error: cannot write the output: No space left on device"
    )


def test_a_closed_standard_output_is_one_line(work):
    p = subprocess.run(
        ["sh", "-c", 'exec "$0" -m visgrad info t.vgtrace >&-', sys.executable],
        cwd=work,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stderr=subprocess.PIPE,
        timeout=120,
    )
    assert p.returncode == 1
    assert _one_error_line(p.stderr.decode()).endswith("standard output is closed")


def test_a_reader_that_leaves_the_pipe_ends_the_command_quietly(work):
    p = subprocess.Popen(
        [sys.executable, "-m", "visgrad", "demos"],
        cwd=work,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    p.stdout.close()  # as `visgrad demos | head -0` does
    err = p.stderr.read()
    assert p.wait(timeout=120) == 141
    assert err == b""


def test_a_file_name_that_is_not_text_is_shown_escaped(work):
    name = os.fsencode("t.vgtrace").replace(b"t", b"\xff", 1)
    (work / os.fsdecode(name)).write_bytes((work / "t.vgtrace").read_bytes())
    p = _visgrad("info", name, cwd=work, PYTHONIOENCODING="ascii")
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode().splitlines()[0] == "trace: \\udcff.vgtrace"


def test_a_usage_error_from_the_command_line_is_one_line(work):
    p = _visgrad("export", "t.vgtrace", "--tick", "x", cwd=work)
    assert p.returncode == 2
    assert "invalid int value" in _one_error_line(p.stderr.decode())


TOKENS = st.sampled_from(
    [
        *cli.SUBCOMMANDS,
        "-o",
        "--output",
        "--demo",
        "tutorial",
        "nosuch",
        "--tick",
        "-1",
        "3",
        "1e9",
        "--json",
        "--payload-limit",
        "--no-torch-alias",
        "--memory-budget",
        "nan",
        "-0",
        "--",
        "-",
        "t.vgtrace",
        "ok.py",
        "empty.vgtrace",
        "truncated.vgtrace",
        "adir.vgtrace",
        "unreadable.vgtrace",
        "full.dot",
        "x.dot",
        "x.json",
        "x.csv",
        "out.vgtrace",
        "new.vgtrace/",
        "nul\x00.dot",
        "LOCKED/x.dot",
        "/dev/zero",
        "",
    ]
)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(argv=st.lists(st.one_of(TOKENS, st.text(max_size=12)), max_size=7))
def test_any_command_line_ends_in_a_code_and_at_most_one_error_line(argv, in_work):
    """Random argv, in process; programs are not run (the parsing and checks are under test)."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("visgrad.cli_commands.run_headless", lambda *a, **k: 0)
        mp.setattr(sys, "stdout", out)
        mp.setattr(sys, "stderr", err)
        try:
            code = cli.main(argv)
        except WindowOpened:  # a command line that names no bad input opens the debugger
            return
    text = err.getvalue()
    assert "Traceback" not in text and "internal error" not in text, text
    assert code in (0, 1, 2), (code, text)
    errors = [line for line in text.splitlines() if line.startswith("visgrad: error")]
    if code:
        assert len(errors) == 1 and text.splitlines()[-1] == errors[0], text
    else:
        assert not errors, text
