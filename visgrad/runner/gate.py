"""The child's sink: send every event to the parent, then decide whether the program stops here.

Pausing is blocking: the sink runs in the program's thread, so waiting inside it stops the program
exactly at this event. The decision (step budget, pause request, breakpoints) is made here in the
child, so a free run never waits for the parent. Commands arrive on a pipe read by a daemon
thread, which only flips flags and wakes the program thread.
"""

from __future__ import annotations

import codecs
import errno
import io
import json
import os
import sys
import threading
from collections.abc import Sequence
from typing import Any

from visgrad import call_site, events
from visgrad.runner.breakpoints import Breakpoint
from visgrad.runner.frames import LineStepper, program_frame
from visgrad.runner.names import Namer
from visgrad.runner.spawn import PARENT_GONE_EXIT, PIPE_CLOSED_EXIT
from visgrad.runner.variables import stack_of, unreadable, variables_of
from visgrad.trace import codec

# Events the runner itself makes; stepping counts only the engine's own events.
RUNNER_KINDS = frozenset({"output", "named", "run", "error"})


class Channel:
    """Writes frames to the parent. A dead parent ends the child (nobody is watching any more)."""

    def __init__(self, fd: int, payload_limit: int | None) -> None:
        self.fd = fd
        self.limit = payload_limit
        self.lock = threading.Lock()

    def send(self, ev: events.Event) -> None:
        data = codec.encode_frame(ev, self.limit)
        with self.lock:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(self.fd, view) :]
            except OSError as e:
                os._exit(PIPE_CLOSED_EXIT if e.errno == errno.EBADF else PARENT_GONE_EXIT)


class OutputStream(io.TextIOBase):
    """``sys.stdout`` / ``sys.stderr`` of the program: whole lines become ``Output`` events."""

    def __init__(self, channel: Channel, stream: str) -> None:
        self._channel = channel
        self._stream = stream
        self._buf: list[str] = []
        self._bytes: _ByteSink | None = None

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    @property
    def errors(self) -> str:  # type: ignore[override]
        return "strict"

    @property
    def line_buffering(self) -> bool:
        return True

    @property
    def buffer(self) -> io.RawIOBase:  # type: ignore[override]
        """Bytes written here are decoded as UTF-8 (bad bytes replaced) into this stream."""
        if self._bytes is None:
            self._bytes = _ByteSink(self)
        return self._bytes

    def reconfigure(self, **options: Any) -> None:
        """Accepted and ignored: output is always UTF-8 and sent line by line."""
        unknown = set(options) - {"encoding", "errors", "newline", "line_buffering",
                                  "write_through"}  # fmt: skip
        if unknown:
            raise TypeError(f"reconfigure() got an unexpected keyword argument '{min(unknown)}'")

    def isatty(self) -> bool:
        return False

    def write(self, s: str) -> int:
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        if "\n" in s:
            head, _, tail = s.rpartition("\n")
            self._buf.append(head + "\n")
            self._emit("".join(self._buf))
            self._buf = [tail] if tail else []
        elif s:
            self._buf.append(s)
        return len(s)

    def flush(self) -> None:
        if self._buf:
            text = "".join(self._buf)
            self._buf = []
            self._emit(text)

    def _emit(self, text: str) -> None:
        # In pieces: one event's strings are bounded (codec.MAX_SENT_STRING), a print is not.
        step = codec.MAX_SENT_STRING
        for i in range(0, len(text), step):
            piece = text[i : i + step]
            self._channel.send(
                events.Output(seq=events.next_seq(), stream=self._stream, text=piece)
            )


class _ByteSink(io.RawIOBase):
    """``sys.stdout.buffer``: decodes what a program writes as bytes into its text stream."""

    def __init__(self, text: OutputStream) -> None:
        self._text = text
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        data = bytes(memoryview(b))
        self._text.write(self._decoder.decode(data))
        return len(data)

    def flush(self) -> None:
        self._text.flush()


def user_frame() -> Any:
    """The innermost frame outside the visgrad package (where names are looked up), or None."""
    f = sys._getframe(1)
    pkg = call_site.PKG_DIR
    while f is not None and f.f_code.co_filename.startswith(pkg):
        f = f.f_back
    return f


class Gate:
    """The sink: send, name, then maybe pause until the parent says go."""

    def __init__(
        self,
        channel: Channel,
        *,
        breakpoints: Sequence[Breakpoint] = (),
        streams: Sequence[OutputStream] = (),
    ) -> None:
        self.channel = channel
        self.namer = Namer()
        self.streams = tuple(streams)
        self._cv = threading.Condition()
        self._paused = False
        self._budget: int | None = None  # engine events still allowed before a step pause
        self._budget_kind: str | None = None  # count only events of this kind (None: all)
        self._pause_requested = False
        self._breakpoints: tuple[Breakpoint, ...] = ()
        self._last_line: tuple[str, int] | None = None  # for line breakpoints: fire on entry
        self._here: Any = None  # the program's frame where the last pause stopped
        self._step_over = False  # a step over was asked for: trace lines when the pause ends
        self._stepper: LineStepper | None = None  # the step over under way
        self.script: str | None = None  # the program's file (its first line is the first step)
        self._armed = False
        self.set_breakpoints(breakpoints)

    # -- the sink ---------------------------------------------------------------------------------
    def __call__(self, ev: events.Event) -> None:
        self.channel.send(ev)
        if ev.kind in RUNNER_KINDS:  # e.g. nn naming its parameters: not a step of the program
            self.namer.note(ev)
            return
        for s in self.streams:
            if s._buf:
                s.flush()  # a partial line printed before this event arrives right after it
        namer = self.namer
        namer.note(ev)
        if namer._pending:
            frame = user_frame()
            if frame is not None:
                for tid, name in namer.search_frame(frame):
                    self.channel.send(
                        events.TensorNamed(seq=events.next_seq(), tensor=tid, name=name)
                    )
        if self._armed:
            self._decide(ev)

    def name_from(self, variables: dict[str, Any]) -> None:
        """Name what is still unnamed from a finished program's globals."""
        for tid, name in self.namer.search(variables):
            self.channel.send(events.TensorNamed(seq=events.next_seq(), tensor=tid, name=name))

    def _decide(self, ev: events.Event) -> None:
        reason, detail = "", {}
        src = getattr(ev, "source", None)
        entering = False
        if src is not None:
            key = (src[0], src[1])
            entering = key != self._last_line
            self._last_line = key
        for bp in self._breakpoints:
            if bp.kind == "line" and not entering:
                continue
            why = bp.matches(ev, self.namer.names)
            if why is not None:
                reason, detail = "breakpoint", {"id": bp.id, "why": why}
                break
        with self._cv:
            if self._budget is not None and (
                self._budget_kind is None or ev.kind == self._budget_kind
            ):
                self._budget -= 1
                if self._budget <= 0 and not reason:
                    reason = "step"
            if self._pause_requested and not reason:
                reason = "pause"
            if reason:
                self._pause_requested = False
                self._budget = None
                self._rearm()
        if reason:
            self.pause(reason, detail)

    # -- pausing ----------------------------------------------------------------------------------
    def pause(self, reason: str, detail: dict[str, Any] | None = None, frame: Any = None) -> None:
        """Tell the parent where we stopped and block until a step or resume command.

        ``frame``: the program's frame to show (default: the innermost one of the program's).
        """
        for s in self.streams:
            s.flush()
        if self._stepper is not None:  # a breakpoint or a pause request ends a step over
            self._stepper.uninstall()
            self._stepper = None
        here = self._here = frame if frame is not None else program_frame()
        # What a debugger shows, built only now: a free run never pays for it.
        try:
            stack = stack_of(here) if here is not None else ()
            variables = variables_of(here, self.script)
        except Exception as e:  # noqa: BLE001 - the pause itself must happen
            stack, variables = (), (unreadable(e),)
        with self._cv:
            self._paused = True
            self.channel.send(
                events.RunState(
                    seq=events.next_seq(),
                    state="paused",
                    reason=reason,
                    detail=detail or {},
                    stack=stack,
                    variables=variables,
                )
            )
            while self._paused:
                self._cv.wait()
            step_over, self._step_over = self._step_over, False
        here, self._here = self._here, None  # no frame of the program's kept past the pause
        if step_over:
            self._stepper = LineStepper(here, self._line_reached, self.script)
            self._stepper.install()

    def _line_reached(self, frame: Any) -> None:
        """Step over arrived at the start of a line (called by the stepper's trace function)."""
        self.pause("step", {"line": [frame.f_code.co_filename, frame.f_lineno]}, frame)

    def end_stepping(self) -> None:
        """Stop tracing lines (the program ended mid-step); on the program's thread."""
        if self._stepper is not None:
            self._stepper.uninstall()
            self._stepper = None

    def _rearm(self) -> None:
        self._armed = bool(self._pause_requested or self._budget is not None or self._breakpoints)

    # -- commands (called on the command thread) --------------------------------------------------
    def set_breakpoints(self, bps: Sequence[Breakpoint]) -> None:
        with self._cv:
            self._breakpoints = tuple(b for b in bps if b.enabled)
            self._rearm()

    def command(self, msg: dict[str, Any]) -> None:
        """Apply one command from the parent."""
        cmd = msg.get("cmd")
        with self._cv:
            if cmd == "step":
                self._budget = max(1, int(msg.get("n", 1)))
                self._budget_kind = msg.get("kind") or None
                self._step_over = False
                self._go()
            elif cmd == "step_line":
                self._budget = None
                self._step_over = True
                self._go()
            elif cmd == "resume":
                self._budget = None
                self._step_over = False
                self._go()
            elif cmd == "pause":
                self._pause_requested = True
                self._rearm()
        if cmd == "breakpoints":
            self.set_breakpoints([Breakpoint.from_json(d) for d in msg.get("breakpoints", ())])
        elif cmd == "stop":
            self.stop()

    def _go(self) -> None:
        self._rearm()
        self._paused = False
        self._cv.notify_all()

    def stop(self) -> None:
        """End the program now: what it printed so far is sent, nothing else runs."""
        for s in self.streams:
            try:
                s.flush()
            except Exception:  # the program thread may be mid-write; losing a partial line is fine
                pass
        os._exit(0)


def read_commands(fd: int, gate: Gate) -> None:
    """Command loop (daemon thread): JSON lines until the parent closes the pipe or dies."""
    with os.fdopen(fd, "rb", buffering=0) as f:
        for line in iter(f.readline, b""):
            try:
                msg = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(msg, dict):
                gate.command(msg)
    os._exit(PARENT_GONE_EXIT)  # the parent is gone: nobody can resume or watch this program


def start_command_thread(fd: int, gate: Gate) -> threading.Thread:
    t = threading.Thread(
        target=read_commands, args=(fd, gate), name="visgrad-commands", daemon=True
    )
    t.start()
    return t
