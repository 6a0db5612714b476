"""What the ``visgrad`` commands do, once ``visgrad.cli`` has parsed their arguments.

Apart from ``visgrad demos`` and the usage errors, every command reads or writes a trace, so the
trace layer is imported here once; the graph exports and Qt are imported by the command that
needs them.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import stat
import sys
import threading
from pathlib import Path
from typing import Any

from visgrad import events
from visgrad.cli import GRAPH_EXTS, IMAGE_EXTS, TRACE_EXT, CliError, one_line, os_reason
from visgrad.graph.export import ExportError, export_graph
from visgrad.runner.session import run_headless
from visgrad.trace import codec, horizon
from visgrad.trace.budget import default_budget
from visgrad.trace.files import (
    TraceFileError,
    check_writable,
    first_tick_of,
    info_text,
    load_sources,
    load_trace,
    save_trace,
    truncation_note,
)
from visgrad.trace.model import TraceModel
from visgrad.trace.sources import sources_of
from visgrad.trace.training_table import to_csv, to_json, training_table


def run(args: argparse.Namespace) -> int:
    """Run the parsed command; a refused trace file is a CliError like any other bad input."""
    handler = {"trace": trace, "info": info, "export": export, "stats": stats}.get(
        args.command, open_app
    )
    try:
        return handler(args)
    except TraceFileError as e:
        raise CliError(str(e)) from None


def _note(text: str) -> None:
    """A progress line on stderr, one line whatever the file names in it hold."""
    print(one_line(text), file=sys.stderr)


def _existing(path: str, what: str) -> Path:
    """``path`` as a regular file this process can read, or a CliError saying why not."""
    if not path:
        raise CliError(f"no {what} given (the path is empty)")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise CliError(f"{what} not found: {path}") from None
    except (OSError, ValueError) as e:
        raise CliError(f"cannot read {what} {path}: {os_reason(e)}") from None
    if stat.S_ISDIR(st.st_mode):
        raise CliError(f"{what} is a directory: {path}")
    if not stat.S_ISREG(st.st_mode):
        # Devices and pipes: /dev/zero would be read forever, a FIFO blocks.
        raise CliError(f"{what} is not a regular file: {path}")
    try:
        open(path, "rb").close()  # readable: permissions, and what root may still be refused
    except OSError as e:
        raise CliError(f"cannot read {what} {path}: {os_reason(e)}") from None
    return Path(path)


def _writable(path: str) -> None:
    """Refuse an output that cannot be written, before any work is done for it."""
    if "\x00" in path:
        raise CliError(f"cannot write {path!r}: the path contains a NUL character")
    if path.endswith(("/", os.sep)):
        raise CliError(f"cannot write {path}: it names a folder, not a file")
    try:
        check_writable(path)
    except TraceFileError as e:
        raise CliError(str(e)) from None
    except OSError as e:
        raise CliError(f"cannot write {path}: {os_reason(e)}") from None


class _Console:
    """What a headless run shows on the terminal: the program's own output as it prints (when
    ``echo``), and a count of events.

    On a terminal the count is one line redrawn in place, cleared before the program's text is
    written; into a file or a pipe it is a plain line every few seconds, so logs stay readable.
    """

    EVERY = 5.0  # seconds between count lines when stderr is not a terminal

    def __init__(self, *, echo: bool, count: bool = True) -> None:
        self.echo, self.count = echo, count
        self.tty = sys.stderr.isatty()
        self._drawn = False  # a count line is on the terminal, not yet ended
        self._last = -math.inf
        self._lock = threading.Lock()

    def event(self, ev: events.Event) -> None:
        if self.echo and isinstance(ev, events.Output) and ev.text:
            with self._lock:
                self._clear()
                stream = sys.stderr if ev.stream == "stderr" else sys.stdout
                stream.write(ev.text)
                stream.flush()

    def progress(self, n: int, seconds: float) -> None:
        if not self.count:
            return
        with self._lock:
            if self.tty:
                print(f"\r  {n:,} events  {seconds:6.1f} s", end="", file=sys.stderr, flush=True)
                self._drawn = True
            elif seconds - self._last >= self.EVERY:
                self._last = seconds
                print(f"  {n:,} events  {seconds:6.1f} s", file=sys.stderr, flush=True)

    def close(self) -> None:
        with self._lock:
            if self._drawn:
                print(file=sys.stderr, flush=True)
                self._drawn = False

    def _clear(self) -> None:
        if self._drawn:
            print("\r\x1b[K", end="", file=sys.stderr, flush=True)
            self._drawn = False


def _record(
    target: str,
    demo: bool,
    payload_limit: int | None,
    torch_alias: bool,
    console: _Console,
    got: Any = None,
) -> tuple[Any, int]:
    """Run ``target`` headless; its events (also in ``got``, a list or a TraceModel, so an
    interrupt keeps them) and rc."""
    got = [] if got is None else got

    def on_event(ev: events.Event) -> None:
        got.append(ev)
        console.event(ev)

    try:
        rc = run_headless(
            target,
            demo=demo,
            on_event=on_event,
            progress=console.progress,
            torch_alias=torch_alias,
            payload_limit=codec.DEFAULT_PAYLOAD_LIMIT if payload_limit is None else payload_limit,
        )
    finally:
        console.close()
    return got, rc


def _terminate_as_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _program_error(evs: list) -> str | None:
    for ev in reversed(evs):
        if isinstance(ev, events.ProgramError):
            return f"{ev.exc_type}: {ev.message}" if ev.message else ev.exc_type
        if isinstance(ev, events.RunState) and ev.reason == "corrupt":
            return str(ev.detail.get("message", "its event stream was refused"))
    return None


def trace(args: argparse.Namespace) -> int:
    out = Path(args.output)
    if out.suffix != TRACE_EXT:
        raise CliError(f"the output must end in {TRACE_EXT}: {args.output}")
    if args.demo:
        target, is_demo, label = args.demo, True, f"demo {args.demo}"
    else:
        target, is_demo, label = str(_existing(args.script, "script")), False, args.script
        if Path(target).suffix == TRACE_EXT:
            raise CliError(f"{args.script} is a trace, not a script: open it with visgrad {target}")
    mb = _budget_mb(args)
    limit = default_budget() if mb is None else int(mb * 2**20)
    # Before the program runs: a run must never be lost to a path that cannot be written.
    _writable(args.output)
    _note(f"tracing {label}")
    # Folded as it arrives, within the budget: a long run forgets its oldest events rather
    # than exhaust the machine (the file then says it is truncated).
    model = TraceModel(memory_budget_bytes=limit)
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
        console = _Console(echo=True)
        _, rc = _record(
            target, is_demo, args.payload_limit, not args.no_torch_alias, console, got=model
        )
    except KeyboardInterrupt:
        interrupted, rc = True, 130
    finally:
        for sig, was in handlers.items():
            signal.signal(sig, was)
    evs = model.kept_events
    save_trace(out, model, sources=sources_of(evs))
    _note(f"wrote {out} ({len(evs):,} events)")
    if model.forgotten:
        _note(horizon.note(model.forgotten, limit, len(evs)))
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


def info(args: argparse.Namespace) -> int:
    print(info_text(_existing(args.trace, "trace")))
    return 0


def _events_of(source: str) -> tuple[list, str | None]:
    """The events of a trace file or of a script run headless, and how the script failed."""
    p = _existing(source, "file")
    if p.suffix == TRACE_EXT:
        evs = load_trace(p)
        note = truncation_note(first_tick_of(p))
        if note:
            _note(note)
        return evs, None
    if p.suffix != ".py":
        raise CliError(f"expected a .py script or a {TRACE_EXT} file: {source}")
    evs, rc = _record(str(p), False, None, True, _Console(echo=False, count=sys.stderr.isatty()))
    err = _program_error(evs)
    return evs, (err or f"exit code {rc}") if err or rc != 0 else None


def export(args: argparse.Namespace) -> int:
    ext = Path(args.output).suffix.lower()
    if ext not in GRAPH_EXTS + IMAGE_EXTS:
        raise CliError(
            f"cannot export to {ext or 'a file without extension'}; use one of "
            + " ".join(GRAPH_EXTS + IMAGE_EXTS)
        )
    _writable(args.output)
    evs, failed = _events_of(args.source)
    if not evs:
        if failed:
            raise CliError(f"the program failed: {failed} (before it recorded anything)")
        raise CliError(f"{args.source} recorded no events")
    if args.tick is not None and not -1 <= args.tick < len(evs):
        raise CliError(f"--tick must be between -1 and {len(evs) - 1}")
    try:
        if ext in IMAGE_EXTS:
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
            # Qt loads only for an image: the other commands run where Qt cannot.
            from visgrad.app.render import export_image

            export_image(evs, args.output, args.tick, note=_note)
        else:
            try:
                export_graph(evs, args.output, args.tick)
            except ExportError as e:
                raise CliError(str(e)) from None
    except OSError as e:
        raise CliError(f"cannot write {args.output}: {os_reason(e)}") from None
    if failed:
        # The graph up to the failure is what one debugs; it is written, and the exit says so.
        raise CliError(f"the program failed: {failed} ({args.output} shows what ran)")
    _note(f"wrote {args.output}")
    return 0


def stats(args: argparse.Namespace) -> int:
    if args.output is not None:
        if Path(args.output).suffix.lower() != ".csv":
            raise CliError(f"the output must end in .csv: {args.output}")
        _writable(args.output)
    evs, failed = _events_of(args.source)
    model = TraceModel(evs)
    columns, rows = training_table(model.training, model.names)
    if not rows:
        if failed:
            raise CliError(f"the program failed: {failed} (before a training iteration)")
        raise CliError(f"{args.source} has no training iteration (no backward() ran)")
    if args.json:
        print(to_json(columns, rows))
    elif args.output is not None:
        try:
            Path(args.output).write_text(to_csv(columns, rows), encoding="utf-8")
        except OSError as e:
            raise CliError(f"cannot write {args.output}: {os_reason(e)}") from None
    else:
        sys.stdout.write(to_csv(columns, rows))
    if failed:
        raise CliError(f"the program failed: {failed} (the table shows what ran)")
    if args.output is not None:
        _note(f"wrote {args.output} ({len(rows)} iterations)")
    return 0


def _budget_mb(args: argparse.Namespace) -> float | None:
    """``--memory-budget`` as given (None: the default), refused unless a positive number."""
    budget = args.memory_budget
    if budget is not None and not (budget > 0 and math.isfinite(budget)):
        raise CliError("--memory-budget must be a positive number of MB")
    return budget


def open_app(args: argparse.Namespace) -> int:
    """The debugger on ``args.target`` (a script or a trace) or a demo, once both are checked."""
    budget = _budget_mb(args)
    target = args.target
    if target is not None:
        p = _existing(target, "file")
        if p.suffix not in (".py", TRACE_EXT):
            raise CliError(f"expected a .py script or a {TRACE_EXT} file: {target}")
        if p.suffix == TRACE_EXT:
            # Cheap (the zip's directory and manifest): a file that is no trace at all is
            # refused here rather than in a window opened for nothing.
            load_sources(p)
    # Qt loads only to open the window: every other command runs without it.
    from visgrad.app.main import run_app

    return run_app(target, demo=args.demo, memory_budget_mb=budget)
