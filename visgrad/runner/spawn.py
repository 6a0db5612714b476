"""Starting the child process that runs a program: its command line, environment and pipes.

The child (``python -m visgrad.runner.child``) gets two anonymous pipes by ``pass_fds``: it
writes event frames to one and reads command lines from the other (``session.py`` says why
pipes). It runs in a process group of its own and imports the same visgrad as the parent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from visgrad.runner.breakpoints import Breakpoint

__all__ = ["PARENT_GONE_EXIT", "PIPE_CLOSED_EXIT", "spawn_child"]

# The child's exit codes when it can no longer send events: the parent is gone, or the program
# closed the pipe's descriptor itself (then the parent is alive and says what happened).
PARENT_GONE_EXIT = 3
PIPE_CLOSED_EXIT = 4

_PKG_PARENT = str(Path(__file__).resolve().parent.parent.parent)


def spawn_child(
    script: Path,
    argv: Sequence[str],
    *,
    payload_limit: int,
    breakpoints: Sequence[Breakpoint],
    start_paused: bool,
    torch_alias: bool,
) -> tuple[subprocess.Popen[bytes], int, int]:
    """Start the child on ``script``; returns it, the events pipe's read end and the commands
    pipe's (non-blocking) write end."""
    ev_r, ev_w = os.pipe()
    cmd_r, cmd_w = os.pipe()
    args = [
        sys.executable,
        "-m",
        "visgrad.runner.child",
        "--events-fd",
        str(ev_w),
        "--commands-fd",
        str(cmd_r),
        "--payload-limit",
        str(payload_limit),
        "--breakpoints",
        json.dumps([b.to_json() for b in breakpoints]),
    ]
    if start_paused:
        args.append("--start-paused")
    if not torch_alias:
        args.append("--no-torch-alias")
    args += ["--", str(script), *argv]
    env = dict(os.environ)
    # The child imports this same visgrad, installed or not.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PKG_PARENT, env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    try:
        proc = subprocess.Popen(
            args,
            pass_fds=(ev_w, cmd_r),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            # Its own process group: Stop ends what the program forked too, and a Ctrl-C
            # in the terminal reaches visgrad alone, which then stops the run and keeps it.
            start_new_session=True,
        )
    finally:
        os.close(ev_w)
        os.close(cmd_r)
    # A program that stops reading commands must not block the caller (the GUI thread).
    os.set_blocking(cmd_w, False)
    return proc, ev_r, cmd_w
