"""Programs that attack the parent: the run ends with a clear message and keeps what came before.

Each program knows the events pipe (it is in the child's command line) and writes to it, forks,
closes it, or floods it. The parent must never hang, crash or lose the events it had.
"""

from __future__ import annotations

import json
import struct
import time

import pytest

from visgrad import events
from visgrad.runner.session import Session

# The child's events descriptor, as a hostile program finds it.
FIND_FD = """
import os
_args = open("/proc/self/cmdline", "rb").read().split(b"\\0")
EVENTS_FD = int(_args[_args.index(b"--events-fd") + 1])
"""
DEADLINE = 30.0


def run_bounded(path, timeout: float = DEADLINE) -> tuple[list[events.Event], Session, float]:
    """Run ``path`` freely; fail if the parent does not see the end within ``timeout``."""
    evs: list[events.Event] = []
    s = Session(path, on_event=evs.append, start_paused=False)
    t0 = time.monotonic()
    s.start()
    try:
        assert s.wait(timeout), "the parent still waits for the program"
    finally:
        s.stop(0.1)
    return evs, s, time.monotonic() - t0


def final(evs: list[events.Event]) -> events.RunState:
    ev = evs[-1]
    assert isinstance(ev, events.RunState), ev
    return ev


def frame(header: dict, body: bytes = b"") -> bytes:
    hb = json.dumps(header).encode()
    inner = struct.pack("<I", len(hb)) + hb + body
    return struct.pack("<I", len(inner)) + inner


def assert_refused(evs: list[events.Event], fragment: str) -> None:
    """The run ended as refused, the message names the problem, the first event is kept."""
    end = final(evs)
    assert (end.state, end.reason) == ("error", "corrupt"), end
    assert fragment in end.detail["message"], end.detail["message"]
    assert "\n" not in end.detail["message"]
    assert any(isinstance(e, events.TensorCreated) for e in evs), "events before were lost"
    said = [e.text for e in evs if isinstance(e, events.Output) and e.stream == "stderr"]
    assert any(fragment in t for t in said)


BEFORE = "import visgrad as torch\nx = torch.ones(3, requires_grad=True)\n"


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ("b'\\xff' * 100", "declares 4294967295 bytes"),
        ("b'\\x10\\x00\\x00\\x00' + b'garbage-garbage!'", "frame header"),
        (
            repr(frame({"kind": "forward", "seq": 99, "shapes": [[float("inf")]]})),
            "must hold non-negative integer sizes",
        ),
        (
            repr(
                frame(
                    {
                        "kind": "tensor",
                        "seq": 99,
                        "tensor": 7,
                        "$arrays": [{"dtype": "f4,(", "shape": [2], "nbytes": 8}],
                    }
                )
            ),
            "refused array of dtype f4,(",
        ),
        (repr(frame({"kind": "output", "seq": 99, "text": 5})), "'text' must be a string"),
        (repr(frame({"kind": "named", "seq": 99, "tensor": "abc"})), "must be an integer"),
    ],
    ids=["4GB-prefix", "not-json", "infinite-shape", "bad-dtype", "text-is-int", "id-is-str"],
)
def test_a_program_writing_to_the_events_pipe_ends_the_run_with_a_message(
    script, payload, fragment
):
    code = BEFORE + FIND_FD + f"os.write(EVENTS_FD, {payload})\nimport time\ntime.sleep(60)\n"
    evs, s, took = run_bounded(script(code))
    assert_refused(evs, fragment)
    assert took < 20 and not s.alive  # killed, not waited for


def test_a_frame_cut_off_at_exit_is_reported(script):
    code = BEFORE + FIND_FD + "os.write(EVENTS_FD, b'\\x40\\x00\\x00\\x00{')\nos._exit(0)\n"
    evs, _, _ = run_bounded(script(code))
    assert_refused(evs, "ended inside frame")


def test_a_forked_grandchild_does_not_hold_the_run_open(script):
    code = BEFORE + "import os, time\nif os.fork() == 0:\n    time.sleep(60)\n    os._exit(0)\n"
    code += "y = x * 2\n"
    evs, _, took = run_bounded(script(code))
    assert took < 10
    assert final(evs).state == "finished"
    assert sum(isinstance(e, events.ForwardOp) for e in evs) == 1


def test_a_grandchild_writing_frames_after_the_program_ended_changes_nothing(script):
    code = (
        BEFORE
        + FIND_FD
        + (
            "import time\nif os.fork() == 0:\n    time.sleep(1.5)\n"
            "    os.write(EVENTS_FD, b'\\xff' * 64)\n    os._exit(0)\n"
        )
    )
    evs, _, took = run_bounded(script(code))
    assert final(evs).state == "finished" and took < 10


def test_a_program_that_closes_the_pipes_and_runs_on_is_stopped(script):
    code = BEFORE + FIND_FD + "import time\nfor fd in (EVENTS_FD, 1, 2):\n    os.close(fd)\n"
    code += "time.sleep(60)\n"
    evs, s, took = run_bounded(script(code))
    assert_refused(evs, "closed visgrad's pipes")
    assert took < 15 and not s.alive


def test_a_huge_print_arrives_whole_in_pieces(script):
    code = "print('ab' * 1_500_000)\n"
    evs, _, _ = run_bounded(script(code))
    out = [e.text for e in evs if isinstance(e, events.Output) and e.stream == "stdout"]
    assert "".join(out) == "ab" * 1_500_000 + "\n" and len(out) >= 3
    assert final(evs).state == "finished"


def test_lone_surrogates_and_huge_messages_from_the_program_are_kept_as_text(script):
    code = BEFORE + "print('bad \\ud800 text')\nraise ValueError('m' * 9_000_000)\n"
    evs, _, _ = run_bounded(script(code))
    out = "".join(e.text for e in evs if isinstance(e, events.Output) and e.stream == "stdout")
    assert out == "bad \ufffd text\n"
    err = next(e for e in evs if isinstance(e, events.ProgramError))
    # Message and traceback together pass the header limit: each is cut, and says so.
    assert err.exc_type == "ValueError" and len(err.message) < 1_100_000
    assert err.message.endswith("more characters not recorded]")
    assert final(evs).state == "error"


def test_a_program_that_closes_the_events_pipe_and_goes_on_working_is_named(script):
    # Its next event cannot be sent: the child ends, and the parent says why rather than
    # reporting a bare exit code.
    code = BEFORE + FIND_FD + "os.close(EVENTS_FD)\ny = x * 2\nprint('not reached')\n"
    evs, s, took = run_bounded(script(code))
    assert_refused(evs, "closed visgrad's event pipe")
    assert took < 15 and not s.alive


def test_an_exception_whose_str_fails_is_reported_as_python_would(script):
    code = BEFORE + (
        "class Bad(Exception):\n"
        "    def __str__(self):\n        raise ValueError('no')\n"
        "raise Bad()\n"
    )
    evs, _, _ = run_bounded(script(code))
    err = next(e for e in evs if isinstance(e, events.ProgramError))
    assert (err.exc_type, err.message) == ("Bad", "<exception str() failed>")
    assert "raise Bad()" in err.traceback
    assert final(evs).state == "error"


def test_sys_exit_with_an_unprintable_object_still_ends_the_run(script):
    code = BEFORE + (
        "import sys\nclass E:\n    def __str__(self):\n        raise RuntimeError('no')\n"
        "sys.exit(E())\n"
    )
    evs, _, _ = run_bounded(script(code))
    end = final(evs)
    assert (end.state, end.detail["exit_code"]) == ("error", 1)
    err = "".join(e.text for e in evs if isinstance(e, events.Output) and e.stream == "stderr")
    assert "<exception str() failed>" in err and "Traceback" not in err


def test_bytes_written_to_stdout_buffer_arrive_as_text(script):
    code = (
        "import sys\nsys.stdout.reconfigure(line_buffering=True)\n"
        "sys.stdout.buffer.write(b'caf\\xc3')\nsys.stdout.buffer.write(b'\\xa9 \\xff!\\n')\n"
        "sys.stdout.buffer.flush()\nprint(sys.stdout.encoding, sys.stdout.errors)\n"
    )
    evs, _, _ = run_bounded(script(code))
    out = "".join(e.text for e in evs if isinstance(e, events.Output) and e.stream == "stdout")
    assert out == "caf\u00e9 \ufffd!\nutf-8 strict\n"
    assert final(evs).state == "finished"
