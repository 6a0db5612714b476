"""``visgrad`` on the command line: the debugger, headless tracing, trace info, exports, demos.

Exit codes: 0 success, 1 the program or a file failed, 2 a usage error, 130 interrupted, 141 the
reader of standard output left. Every failure is one line on stderr, ``visgrad: error: ...``.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from visgrad import demos

TRACE_EXT = ".vgtrace"
GRAPH_EXTS = (".dot", ".gv", ".graphml", ".json")
IMAGE_EXTS = (".png", ".svg")
COMMANDS = {
    "trace": "run a program headless and save its trace",
    "info": "summarise a saved trace",
    "export": "export the graph of a script or trace",
    "stats": "per-iteration training statistics of a script or trace, as CSV or JSON",
    "demos": "list the built-in demo programs",
}
SUBCOMMANDS = tuple(COMMANDS)


class CliError(Exception):
    """A user-facing failure: printed as one line, exit code 1."""


class UsageError(CliError):
    """Arguments the command does not take: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors as one line (the usage itself is one ``-h`` away)."""

    def error(self, message: str) -> Any:
        raise UsageError(f"{message} (see {self.prog} -h)")


def _natural(text: str) -> int:
    """An argparse type: a whole number, zero or more."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be zero or more, got {n}")
    return n


MEMORY_BUDGET_HELP = (
    "keep the trace within this many MB (arrays, events, printed text): older events keep "
    "statistics of their arrays, past half of it the oldest events are forgotten (a saved "
    "trace is then flagged truncated), the middle of long output is dropped "
    "(default: a quarter of the machine's memory, between 256 and 2048)"
)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="visgrad",
        description="See and debug backpropagation. With no command, opens the debugger "
        "(on the tutorial demo, a script, or a saved trace).",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    t = sub.add_parser("trace", help=COMMANDS["trace"])
    src = t.add_mutually_exclusive_group(required=True)
    src.add_argument("script", nargs="?", help="the Python script to run")
    src.add_argument("--demo", choices=list(demos.DEMOS), help="run a built-in demo instead")
    t.add_argument("-o", "--output", required=True, help=f"the {TRACE_EXT} file to write")
    t.add_argument(
        "--payload-limit",
        type=_natural,
        default=None,
        help="arrays with more elements are kept as statistics (default 65536)",
    )
    t.add_argument(
        "--memory-budget",
        type=float,
        metavar="MB",
        default=None,
        help=MEMORY_BUDGET_HELP,
    )
    t.add_argument(
        "--no-torch-alias",
        action="store_true",
        help="do not make 'import torch' resolve to visgrad in the program",
    )

    i = sub.add_parser("info", help=COMMANDS["info"])
    i.add_argument("trace", help=f"a {TRACE_EXT} file")

    e = sub.add_parser("export", help=COMMANDS["export"])
    e.add_argument("source", help=f"a Python script or a {TRACE_EXT} file")
    e.add_argument(
        "-o", "--output", required=True, help="output file: " + " ".join(GRAPH_EXTS + IMAGE_EXTS)
    )
    e.add_argument("--tick", type=int, default=None, help="the moment to export (default: the end)")

    st = sub.add_parser("stats", help=COMMANDS["stats"])
    st.add_argument("source", help=f"a {TRACE_EXT} file or a Python script")
    out = st.add_mutually_exclusive_group()
    out.add_argument("-o", "--output", help="write the table to this .csv file")
    out.add_argument("--json", action="store_true", help="print JSON (one object per row)")

    sub.add_parser("demos", help=COMMANDS["demos"])
    return p


EXAMPLES = """\
examples:
  visgrad                          the debugger on the PyTorch tutorial, paused before line 1
  visgrad train.py                 debug your own program (its 'import torch' gets visgrad)
  visgrad run.vgtrace              replay a saved trace
  visgrad --demo mlp               open a built-in demo (visgrad demos lists them)
  visgrad big.py --memory-budget 500
                                   keep the trace within 500 MB (arrays, events, output)
  visgrad trace train.py -o run.vgtrace
                                   record without the window, replay later
  visgrad export run.vgtrace -o graph.svg --tick 20
  visgrad stats train.py -o stats.csv

In the window: F11 runs one event, F10 one line, F5 to the next breakpoint or the end;
Help > Keyboard Shortcuts lists every key.
"""


def _app_parser() -> argparse.ArgumentParser:
    commands = "".join(f"  {name:<8} {text}\n" for name, text in COMMANDS.items())
    p = _Parser(
        prog="visgrad",
        usage="visgrad [-h] [--demo NAME] [--memory-budget MB] [SCRIPT | TRACE]\n"
        "       visgrad COMMAND ...",
        description="See and debug backpropagation: opens the debugger on a script, a saved\n"
        "trace or a built-in demo (the PyTorch autograd tutorial when none is given).",
        epilog=f"commands (visgrad COMMAND -h for each one's options):\n{commands}\n{EXAMPLES}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "target",
        nargs="?",
        metavar="SCRIPT | TRACE",
        help=f"a Python script to run, or a {TRACE_EXT} file to replay",
    )
    p.add_argument(
        "--demo",
        choices=list(demos.DEMOS),
        metavar="NAME",
        help="open a built-in demo: " + ", ".join(demos.DEMOS),
    )
    p.add_argument(
        "--memory-budget",
        type=float,
        metavar="MB",
        default=None,
        help=MEMORY_BUDGET_HELP,
    )
    return p


def cmd_demos(args: argparse.Namespace) -> int:
    width = max(len(n) for n in demos.DEMOS)
    for name, text in demos.list_demos():
        print(f"{name:<{width}}  {text}")
    return 0


def _run(argv: list[str]) -> int:
    if not argv or argv[0] not in SUBCOMMANDS:  # -h / --help too: every option and command
        args = _app_parser().parse_args(argv)
        if args.target is not None and args.demo is not None:
            raise UsageError("open a file or a --demo, not both (see visgrad -h)")
        args.command = None
    else:
        args = _parser().parse_args(argv)
        if args.command is None:
            raise UsageError("a command is needed (see visgrad -h)")
        if args.command == "demos":
            return cmd_demos(args)
    # Deferred on purpose: usage errors and the demo list answer before the trace layer (NumPy)
    # loads, and cli_commands imports this module's errors and file kinds.
    from visgrad import cli_commands

    return cli_commands.run(args)


def os_reason(e: BaseException) -> str:
    """The reason in an OSError without its errno and path, e.g. "Permission denied"."""
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    if isinstance(e, ValueError) and "null" in str(e):
        return "the path contains a NUL character"
    return str(e) or type(e).__name__


def one_line(text: str) -> str:
    """A message as one printable line: control characters in it (a file name may hold a
    newline) are shown escaped, as Python writes them."""
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii")
        for c in text
    )


def _internal(e: BaseException) -> str:
    """A bug's one line: the exception and where it was raised, for a report."""
    tb = traceback.extract_tb(e.__traceback__)
    where = f" at {Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else ""
    return f"internal error: {type(e).__name__}: {e}{where} (a bug in visgrad; please report it)"


_OUTPUT_ERRNOS = (errno.EPIPE, errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF)


class _ClosedOutput:
    """Standard output when the shell closed it (``visgrad info t.vgtrace >&-``): Python makes
    it None and prints to it vanish; here a print is refused, as it is by the shell's tools."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")

    def flush(self) -> None:
        """Nothing to flush: every write was refused."""

    def fileno(self) -> int:
        raise ValueError("standard output is closed")


def _silence_stdout() -> None:
    """Point standard output at the null device: what it still buffers is not written (and
    refused) a second time at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        return  # no descriptor behind standard output (closed or replaced): nothing to silence
    finally:
        os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``visgrad`` command; every failure is one line on stderr and a non-zero code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if sys.stdout is None:
        sys.stdout = _ClosedOutput()  # type: ignore[assignment]
    for stream in (sys.stdout, sys.stderr):
        # A file name that is not valid text for the terminal is shown escaped, never refused.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        code = _run(argv)
        sys.stdout.flush()
    except SystemExit as e:  # -h: argparse has printed the help
        return e.code if isinstance(e.code, int) else 0
    except UsageError as e:
        print(f"visgrad: error: {one_line(str(e))}", file=sys.stderr)
        return 2
    except CliError as e:
        print(f"visgrad: error: {one_line(str(e))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("visgrad: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print("visgrad: error: out of memory", file=sys.stderr)
        return 1
    except Exception as e:
        if isinstance(e, OSError):
            if e.filename is None and e.errno in _OUTPUT_ERRNOS:
                # The command's own files name themselves; this is standard output.
                _silence_stdout()
                if e.errno == errno.EPIPE:
                    return 141  # the reader left (``visgrad demos | head -1``), as SIGPIPE
                message = f"cannot write the output: {os_reason(e)}"
            else:
                message = f"{e.filename}: {os_reason(e)}" if e.filename else os_reason(e)
        else:
            message = _internal(e)
        print(f"visgrad: error: {one_line(message)}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
