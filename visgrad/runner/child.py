"""The child process: run the user's script as ``__main__`` with the gate attached.

``python -m visgrad.runner.child --events-fd W --commands-fd R [options] SCRIPT [ARGS...]``

Events go to the parent as frames on fd W; commands come as JSON lines on fd R. The program's
``print`` output travels as ``Output`` events on the same channel, so it arrives in order with the
engine's events. Exit status: 0 finished, 1 the program raised, 2 bad usage, 3 parent gone.
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import sys
from typing import Any

from visgrad import events
from visgrad.runner import failure, torch_alias
from visgrad.runner.breakpoints import Breakpoint
from visgrad.runner.gate import Channel, Gate, OutputStream, start_command_thread
from visgrad.trace import codec


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m visgrad.runner.child")
    p.add_argument("--events-fd", type=int, required=True)
    p.add_argument("--commands-fd", type=int, required=True)
    p.add_argument("--payload-limit", type=int, default=codec.DEFAULT_PAYLOAD_LIMIT)
    p.add_argument("--start-paused", action="store_true")
    p.add_argument("--no-torch-alias", action="store_true")
    p.add_argument("--breakpoints", default="[]", help="JSON list of breakpoints")
    p.add_argument("script")
    p.add_argument("args", nargs=argparse.REMAINDER)
    return p.parse_args(argv)


def program_error(exc: BaseException, script: str) -> tuple[events.ProgramError, dict[str, Any]]:
    """The ProgramError for ``exc`` and the globals of the script's module frame (for naming)."""
    module_globals: dict[str, Any] = {}
    t = failure.program_tb(exc.__traceback__)
    while t is not None:
        code = t.tb_frame.f_code
        if code.co_filename == script and code.co_name == "<module>":
            module_globals = t.tb_frame.f_globals
        t = t.tb_next
    return failure.program_error(exc), module_globals


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    script = os.path.abspath(args.script)
    channel = Channel(args.events_fd, args.payload_limit)
    out, err = OutputStream(channel, "stdout"), OutputStream(channel, "stderr")
    bps = [Breakpoint.from_json(d) for d in json.loads(args.breakpoints)]
    gate = Gate(channel, breakpoints=bps, streams=(out, err))
    gate.script = script
    start_command_thread(args.commands_fd, gate)
    if not args.no_torch_alias:
        torch_alias.install()

    channel.send(
        events.RunState(
            seq=events.next_seq(), state="started", detail={"script": script, "pid": os.getpid()}
        )
    )
    sys.argv = [script, *args.args]
    sys.path[0] = os.path.dirname(script)
    real_out, real_err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    detach = events.subscribe(gate)
    state, code, final_globals = "finished", 0, None
    try:
        if args.start_paused:
            gate.pause("start")
        final_globals = runpy.run_path(script, run_name="__main__")
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if e.code is not None and not isinstance(e.code, int):
            print(failure.printable(e.code), file=sys.stderr)
        state = "finished" if code == 0 else "error"
    except BaseException as e:  # the program's own failure, reported and kept
        state, code = "error", 1
        ev, final_globals = program_error(e, script)
        err.write(ev.traceback)
        err.flush()
        channel.send(ev)
    finally:
        gate.end_stepping()
        detach()
    if final_globals:
        gate.name_from(final_globals)
    out.flush()
    err.flush()
    detail: dict[str, Any] = {"exit_code": code}
    channel.send(events.RunState(seq=events.next_seq(), state=state, detail=detail))
    sys.stdout, sys.stderr = real_out, real_err
    real_out.flush()
    real_err.flush()
    # os._exit: no interpreter teardown (the program's atexit work and threads are not ours to run
    # after the run was reported finished), and the exit is immediate.
    os._exit(code)


if __name__ == "__main__":
    main()
