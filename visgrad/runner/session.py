"""The parent's handle on one run of a program in a child process (no Qt; threads only).

Transport: two anonymous pipes handed to the child with ``pass_fds`` — events child → parent as
length-prefixed frames (``visgrad.trace.codec``), commands parent → child as JSON lines. Pipes
rather than a local socket because they need no address or port (nothing else on the machine can
connect), they are private to the two processes, and a dead child shows up at once as end-of-file.
The child's real stdout/stderr are captured separately (they carry only what bypasses
``sys.stdout``: C libraries, subprocesses, a crash message) and forwarded as ``Output`` events.
One reader thread multiplexes the three pipes, so ``on_event`` is called from one thread, in order.

The child runs the user's program, so nothing it sends is trusted: every frame is bounded, decoded
and validated (``runner/stream.py``, ``trace/validate.py``). The first bad frame ends the run:
the child and everything it forked (its own process group) are killed, the events before are
kept, and a final ``RunState(state="error", reason="corrupt")`` says why in ``detail["message"]``.
The child's exit, not the end of its pipes, ends the reading (a forked grandchild may hold them).
Events the parent makes itself (that raw output, and the final ``RunState`` of a crashed or killed
child) carry the seq of the last child event seen (+1 for the final state): the child owns numbering.
"""

from __future__ import annotations

import codecs
import json
import os
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from visgrad import events
from visgrad.demos import demo_path
from visgrad.runner.breakpoints import Breakpoint
from visgrad.runner.spawn import PIPE_CLOSED_EXIT, spawn_child
from visgrad.runner.stream import FrameStream
from visgrad.trace import codec

_TERMINAL = frozenset({"finished", "error", "stopped"})
_DRAIN = 0.5  # seconds the pipes get to drain once the child exited or its events ended
_EXIT_GRACE = 2.0  # seconds a child that closed its pipes gets to exit before it is killed
_POLL = 0.2  # how often the child's exit is polled where there is no pidfd


def _pidfd(pid: int) -> int | None:
    """A descriptor that becomes readable when ``pid`` exits (Linux 5.3+), or None."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


class Session:
    """One run of a script in a child process that the caller can step, pause, resume and stop."""

    def __init__(
        self,
        target: str | os.PathLike,
        *,
        on_event: Callable[[events.Event], None],
        on_exit: Callable[[int | None], None] | None = None,
        demo: bool = False,
        payload_limit: int = codec.DEFAULT_PAYLOAD_LIMIT,
        breakpoints: Sequence[Breakpoint] = (),
        start_paused: bool = True,
        torch_alias: bool = True,
        argv: Sequence[str] = (),
    ) -> None:
        if demo:
            target = demo_path(str(target))
        self.script = Path(target).resolve()
        self.on_event = on_event
        self.on_exit = on_exit
        self.payload_limit = payload_limit
        self.breakpoints = tuple(breakpoints)
        self.start_paused = start_paused
        self.torch_alias = torch_alias
        self.argv = tuple(argv)
        self.state = "idle"
        self.returncode: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._cmd_fd: int | None = None
        self._cmd_lock = threading.Lock()
        self._reader: threading.Thread | None = None
        self._last_seq = 0
        self._child_state = ""  # the last state the child itself reported
        self._stop_requested = False
        self._corrupt: str | None = None  # why the child's stream was refused, if it was
        self.exited = threading.Event()

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        """Spawn the child; with ``start_paused`` it pauses (reason "start") before the program runs."""
        if self._proc is not None:
            raise RuntimeError("this Session was already started; make a new one to run again")
        if not self.script.is_file():
            raise FileNotFoundError(f"no such script: {self.script}")
        self._proc, ev_r, cmd_w = spawn_child(
            self.script,
            self.argv,
            payload_limit=self.payload_limit,
            breakpoints=self.breakpoints,
            start_paused=self.start_paused,
            torch_alias=self.torch_alias,
        )
        self._cmd_fd = cmd_w
        self.state = "running"
        self._reader = threading.Thread(
            target=self._read_loop, args=(ev_r,), name="visgrad-session-reader", daemon=True
        )
        self._reader.start()

    def step(self, n: int = 1, *, kind: str | None = None) -> None:
        """Let ``n`` more engine events through (only events of ``kind``, e.g. "forward"), then pause."""
        self._send({"cmd": "step", "n": int(n), "kind": kind}, running=True)

    def step_line(self) -> None:
        """Step over: run to the first event on another line of the program's (calls made by
        the paused line run through), then pause."""
        self._send({"cmd": "step_line"}, running=True)

    def resume(self) -> None:
        """Run to the next breakpoint or the end."""
        self._send({"cmd": "resume"}, running=True)

    def pause(self) -> None:
        """Pause at the next engine event."""
        self._send({"cmd": "pause"})

    def set_breakpoints(self, bps: Sequence[Breakpoint]) -> None:
        self.breakpoints = tuple(bps)
        if self._proc is not None:
            self._send({"cmd": "breakpoints", "breakpoints": [b.to_json() for b in bps]})

    def stop(self, timeout: float = 1.0) -> None:
        """Ask the child to stop; kill it if it has not exited after ``timeout`` seconds."""
        proc = self._proc
        if proc is None:
            self.state = "stopped"
            return
        if proc.poll() is not None:
            return
        self._stop_requested = True
        self._send({"cmd": "stop"})
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._kill()  # the reader thread reaps it and reports

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the child exited and every event was delivered; False on timeout."""
        return self.exited.wait(timeout)

    # -- plumbing ----------------------------------------------------------------------------------
    def _send(self, msg: dict[str, Any], running: bool = False) -> None:
        if self._cmd_fd is None:
            raise RuntimeError("the Session is not started")
        data = (json.dumps(msg) + "\n").encode()
        with self._cmd_lock:
            # Before the write: the child may pause again before os.write even returns.
            if running and self.state == "paused":
                self.state = "running"
            try:
                os.write(self._cmd_fd, data)
            except BlockingIOError:
                self._distrust("the program stopped reading visgrad's commands")
            except OSError:
                return  # the child is gone; the reader thread reports how it ended

    def _deliver(self, ev: events.Event) -> None:
        self._last_seq = max(self._last_seq, ev.seq)
        if isinstance(ev, events.RunState):
            self._child_state = ev.state
            if ev.state == "paused" or ev.state in _TERMINAL:
                self.state = ev.state
        try:
            self.on_event(ev)
        except Exception:  # the caller's bug must not stop delivery of the rest
            import traceback

            traceback.print_exc()

    def _read_loop(self, ev_fd: int) -> None:
        proc = self._proc
        assert proc is not None
        stream = FrameStream()
        try:
            self._pump(ev_fd, proc, stream)
        except BaseException as e:  # even a bug here must end the run visibly, never hang it
            self._distrust(f"visgrad stopped reading the program: {type(e).__name__}: {e}")
        for f in (proc.stdout, proc.stderr):
            if f is not None:
                f.close()
        os.close(ev_fd)
        try:
            rc = proc.wait(_EXIT_GRACE)
        except subprocess.TimeoutExpired:  # it closed our pipes but runs on: not a run any more
            self._distrust("the program closed visgrad's pipes but did not exit; it was stopped")
            rc = proc.wait()
        if stream.pending and rc >= 0 and not self._stop_requested:  # not killed mid-frame
            try:
                stream.close()
            except codec.CodecError as e:
                self._distrust(f"the program's event stream is corrupt: {e}")
        self._finish(rc)

    def _pump(self, ev_fd: int, proc: subprocess.Popen[bytes], stream: FrameStream) -> None:
        """Read the three pipes until they end, or until the child has exited and they drained.

        A forked grandchild may hold the pipes open for ever, so the child's own exit (seen on a
        pidfd, else by polling) starts a short drain, after which reading stops.
        """
        assert proc.stdout is not None and proc.stderr is not None
        sel = selectors.DefaultSelector()
        sel.register(ev_fd, selectors.EVENT_READ, "events")
        decoders = {}
        for name, f in (("stdout", proc.stdout), ("stderr", proc.stderr)):
            sel.register(f.fileno(), selectors.EVENT_READ, name)
            decoders[name] = codecs.getincrementaldecoder("utf-8")("replace")
        pidfd = _pidfd(proc.pid)
        if pidfd is not None:
            sel.register(pidfd, selectors.EVENT_READ, "exit")
        open_fds = 3
        deadline: float | None = None  # once the child exited or events ended: drain, then stop
        try:
            while open_fds:
                if deadline is None:
                    timeout = None if pidfd is not None else _POLL
                else:
                    timeout = max(0.0, deadline - time.monotonic())
                ready = sel.select(timeout)
                if deadline is not None and time.monotonic() >= deadline:
                    break
                if deadline is None and pidfd is None and proc.poll() is not None:
                    deadline = time.monotonic() + _DRAIN
                for key, _ in ready:
                    if key.data == "exit":
                        sel.unregister(key.fd)
                        deadline = time.monotonic() + _DRAIN if deadline is None else deadline
                        continue
                    data = os.read(key.fd, 1 << 20)
                    if key.data == "events":
                        if data:
                            for ev in stream.feed(data):
                                self._deliver(ev)
                        else:
                            deadline = deadline or time.monotonic() + _DRAIN
                    else:
                        text = decoders[key.data].decode(data, final=not data)
                        if text:
                            self._deliver(
                                events.Output(seq=self._last_seq, stream=key.data, text=text)
                            )
                    if not data:
                        sel.unregister(key.fd)
                        open_fds -= 1
        except codec.CodecError as e:
            self._distrust(f"the program's event stream is corrupt: {e}")
        finally:
            sel.close()
            if pidfd is not None:
                os.close(pidfd)

    def _distrust(self, message: str) -> None:
        """The child sent what visgrad does not accept: end it, keep what came before, say why.

        The reader thread reports it when the run ends (``_finish``), so events stay in order.
        """
        if self._corrupt is None:
            self._corrupt = message
        self._kill()

    def _kill(self) -> None:
        """Kill the child and whatever it started (it runs in its own process group)."""
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            proc.kill()

    def _finish(self, rc: int) -> None:
        self.returncode = rc
        if self._cmd_fd is not None:
            try:
                os.close(self._cmd_fd)
            except OSError:
                pass  # already closed: the child is gone
        if rc == PIPE_CLOSED_EXIT and self._child_state not in ("finished", "error"):
            self._corrupt = self._corrupt or (
                "the program closed visgrad's event pipe (a file descriptor it did not open); "
                "what it did after that was not recorded"
            )
        if self._corrupt is not None:
            text = f"visgrad: {self._corrupt}\n"
            self._deliver(events.Output(seq=self._last_seq, stream="stderr", text=text))
            ev = events.RunState(
                seq=self._last_seq + 1,
                state="error",
                reason="corrupt",
                detail={"returncode": rc, "message": self._corrupt},
            )
            self._deliver(ev)
        elif self._child_state not in ("finished", "error"):
            if self._stop_requested:
                ev = events.RunState(
                    seq=self._last_seq + 1,
                    state="stopped",
                    reason="user",
                    detail={"returncode": rc},
                )
            else:
                detail: dict[str, Any] = {"returncode": rc}
                if rc < 0:
                    try:
                        detail["signal"] = signal.Signals(-rc).name
                    except ValueError:
                        detail["signal"] = str(-rc)
                ev = events.RunState(
                    seq=self._last_seq + 1, state="error", reason="crashed", detail=detail
                )
            self._deliver(ev)
        self.exited.set()
        if self.on_exit is not None:
            self.on_exit(rc)


def run_headless(
    target: str | os.PathLike,
    *,
    demo: bool = False,
    on_event: Callable[[events.Event], None],
    payload_limit: int = codec.DEFAULT_PAYLOAD_LIMIT,
    progress: Callable[[int, float], None] | None = None,
    torch_alias: bool = True,
    argv: Sequence[str] = (),
) -> int:
    """Run a program to its end without pauses; returns the child's exit code (0 = finished).

    ``progress(events_so_far, seconds)`` is called about ten times a second and once at the end.
    A ``KeyboardInterrupt`` stops the program; it propagates once every event the program sent
    was passed to ``on_event`` (so the caller can save what ran).
    """
    count = 0

    def count_event(ev: events.Event) -> None:
        nonlocal count
        count += 1
        on_event(ev)

    s = Session(
        target,
        on_event=count_event,
        demo=demo,
        payload_limit=payload_limit,
        start_paused=False,
        torch_alias=torch_alias,
        argv=argv,
    )
    t0 = time.monotonic()
    s.start()
    try:
        while not s.wait(0.1):
            if progress is not None:
                progress(count, time.monotonic() - t0)
    except KeyboardInterrupt:
        # Stop the program and let its last events arrive, so the caller can keep the run; a
        # second interrupt kills it at once.
        try:
            s.stop()
        except KeyboardInterrupt:
            s._kill()
        while True:
            try:
                s.wait(_EXIT_GRACE + _DRAIN + 1.0)
                break
            except KeyboardInterrupt:
                s._kill()
        raise
    if progress is not None:
        progress(count, time.monotonic() - t0)
    return s.returncode if s.returncode is not None else 1
