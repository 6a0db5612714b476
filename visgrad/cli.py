"""``visgrad`` on the command line: the debugger, headless tracing, trace info, exports, demos.

Exit codes: 0 success, 1 the program or the file failed, 2 usage errors (argparse's own).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
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


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
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
        type=int,
        default=None,
        help="arrays with more elements are kept as statistics (default 65536)",
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
    p = argparse.ArgumentParser(
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
        help="keep the trace within this many MB (arrays, events, printed text): older events "
        "keep statistics of their arrays, the middle of long output is dropped "
        "(default: a quarter of the machine's memory, at most 2048)",
    )
    return p


def _existing(path: str, what: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise CliError(f"{what} not found: {path}")
    if p.is_dir():
        raise CliError(f"{what} is a directory: {path}")
    return p


def _record(
    target: str,
    demo: bool,
    payload_limit: int | None,
    torch_alias: bool,
    progress: bool,
    got: list | None = None,
) -> tuple[list, int]:
    """Run ``target`` headless; its events (also in ``got``, so an interrupt keeps them) and rc."""
    from visgrad.runner.session import run_headless
    from visgrad.trace import codec

    got = [] if got is None else got

    def show(n: int, seconds: float) -> None:
        if progress:
            print(f"\r  {n:,} events  {seconds:6.1f} s", end="", file=sys.stderr, flush=True)

    try:
        rc = run_headless(
            target,
            demo=demo,
            on_event=got.append,
            progress=show,
            torch_alias=torch_alias,
            payload_limit=codec.DEFAULT_PAYLOAD_LIMIT if payload_limit is None else payload_limit,
        )
    finally:
        if progress:
            print(file=sys.stderr)
    return got, rc


def _terminate_as_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _program_error(evs: list) -> str | None:
    from visgrad import events

    for ev in reversed(evs):
        if isinstance(ev, events.ProgramError):
            return f"{ev.exc_type}: {ev.message}"
        if isinstance(ev, events.RunState) and ev.reason == "corrupt":
            return str(ev.detail.get("message", "its event stream was refused"))
    return None


def cmd_trace(args: argparse.Namespace) -> int:
    from visgrad.trace.files import check_writable, save_trace
    from visgrad.trace.sources import sources_of

    out = Path(args.output)
    if out.suffix != TRACE_EXT:
        raise CliError(f"the output must end in {TRACE_EXT}: {args.output}")
    if args.demo:
        target, is_demo, label = args.demo, True, f"demo {args.demo}"
    else:
        target, is_demo, label = str(_existing(args.script, "script")), False, args.script
    # Before the program runs: a run must never be lost to a path that cannot be written.
    check_writable(out)
    print(f"tracing {label}", file=sys.stderr)
    evs: list = []
    interrupted = False
    main = threading.current_thread() is threading.main_thread()
    # Ctrl-C (even where the shell started visgrad ignoring it) and a plain kill stop the
    # program and save what ran.
    handlers = (
        {
            signal.SIGTERM: signal.signal(signal.SIGTERM, _terminate_as_interrupt),
            signal.SIGINT: signal.signal(signal.SIGINT, signal.default_int_handler),
        }
        if main
        else {}
    )
    try:
        _, rc = _record(target, is_demo, args.payload_limit, not args.no_torch_alias, True, got=evs)
    except KeyboardInterrupt:
        interrupted, rc = True, 130
    finally:
        for sig, was in handlers.items():
            signal.signal(sig, was)
    save_trace(out, evs, sources=sources_of(evs))
    print(f"wrote {out} ({len(evs):,} events)", file=sys.stderr)
    if interrupted:
        print("interrupted: the program was stopped; the trace keeps what ran", file=sys.stderr)
        return 130
    err = _program_error(evs)
    if err or rc != 0:
        print(
            f"the program failed: {err or f'exit code {rc}'} (the trace keeps what ran)",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from visgrad.trace.files import info_text

    print(info_text(_existing(args.trace, "trace")))
    return 0


def _events_of(source: str) -> list:
    p = _existing(source, "file")
    if p.suffix == TRACE_EXT:
        from visgrad.trace.files import load_trace

        return load_trace(p)
    if p.suffix != ".py":
        raise CliError(f"expected a .py script or a {TRACE_EXT} file: {source}")
    evs, _ = _record(str(p), False, None, True, progress=sys.stderr.isatty())
    return evs


def cmd_export(args: argparse.Namespace) -> int:
    ext = Path(args.output).suffix.lower()
    if ext not in GRAPH_EXTS + IMAGE_EXTS:
        raise CliError(
            f"cannot export to {ext or 'a file without extension'}; use one of "
            + " ".join(GRAPH_EXTS + IMAGE_EXTS)
        )
    evs = _events_of(args.source)
    if not evs:
        raise CliError(f"{args.source} recorded no events")
    if args.tick is not None and not -1 <= args.tick < len(evs):
        raise CliError(f"--tick must be between -1 and {len(evs) - 1}")
    if ext in IMAGE_EXTS:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from visgrad.app.render import export_image

        export_image(evs, args.output, args.tick)
    else:
        from visgrad.graph.export import export_graph

        export_graph(evs, args.output, args.tick)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from visgrad.trace.model import TraceModel
    from visgrad.trace.training_table import to_csv, to_json, training_table

    if args.output is not None and Path(args.output).suffix.lower() != ".csv":
        raise CliError(f"the output must end in .csv: {args.output}")
    model = TraceModel(_events_of(args.source))
    columns, rows = training_table(model.training, model.names)
    if not rows:
        raise CliError(f"{args.source} has no training iteration (no backward() ran)")
    if args.json:
        print(to_json(columns, rows))
    elif args.output is not None:
        Path(args.output).write_text(to_csv(columns, rows), encoding="utf-8")
        print(f"wrote {args.output} ({len(rows)} iterations)", file=sys.stderr)
    else:
        sys.stdout.write(to_csv(columns, rows))
    return 0


def cmd_demos(args: argparse.Namespace) -> int:
    width = max(len(n) for n in demos.DEMOS)
    for name, text in demos.list_demos():
        print(f"{name:<{width}}  {text}")
    return 0


def cmd_app(argv: Sequence[str]) -> int:
    args = _app_parser().parse_args(argv)
    target = args.target
    if target is not None:
        p = _existing(target, "file")
        if p.suffix not in (".py", TRACE_EXT):
            raise CliError(f"expected a .py script or a {TRACE_EXT} file: {target}")
    from visgrad.app.main import run_app

    if args.memory_budget is not None and args.memory_budget <= 0:
        raise CliError("--memory-budget must be a positive number of MB")
    return run_app(target, demo=args.demo, memory_budget_mb=args.memory_budget)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if not argv or argv[0] not in SUBCOMMANDS:
            return cmd_app(argv)  # -h / --help too: the debugger's options and every command
        args = _parser().parse_args(argv)
        handler = {
            "trace": cmd_trace,
            "info": cmd_info,
            "export": cmd_export,
            "stats": cmd_stats,
            "demos": cmd_demos,
        }[args.command]
        return handler(args)
    except CliError as e:
        print(f"visgrad: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("visgrad: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # a clean one-line message for known file/format errors
        from visgrad.graph.export import ExportError
        from visgrad.trace.files import TraceFileError

        if isinstance(e, (TraceFileError, ExportError, OSError)):
            print(f"visgrad: error: {e}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
