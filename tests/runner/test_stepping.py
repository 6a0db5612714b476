"""Step over (by the program's lines, in the child) and step out (to the end of a pass)."""

from __future__ import annotations

from tests.runner.runner_helpers import Run
from visgrad import events

PROGRAM = """\
import visgrad as torch
w = torch.ones(3, requires_grad=True)
def f(a):
    b = a * 2
    return b.sum()
for i in range(2):
    y = w * 1.5
x = f(w)
print("between")
x.backward()
z = (w * 3).sum()
"""


def _line(ev: events.RunState) -> int | None:
    got = (ev.detail or {}).get("line")
    return got[1] if got else None


def _step_over_lines(r: Run, presses: int) -> list[int | None]:
    lines = []
    for _ in range(presses):
        r.mark()
        r.session.step_line()
        ev = r.wait_stop()
        if ev.state != "paused":
            lines.append(None)
            break
        lines.append(_line(ev))
    return lines


def test_step_over_stops_at_every_line_of_the_script_before_it_runs(script):
    with Run(script(PROGRAM)) as r:
        assert r.wait_stop().reason == "start"
        lines = _step_over_lines(r, 20)
    # Each line once per time it runs (the loop twice), f's body stepped over, the print too.
    assert lines == [1, 2, 3, 6, 7, 6, 7, 6, 8, 9, 10, 11, None]


def test_the_pause_of_a_step_over_comes_before_the_lines_ops(script):
    with Run(script(PROGRAM)) as r:
        r.wait_stop()
        assert _step_over_lines(r, 9)[-1] == 8  # x = f(w), not yet run
        ops = [e.op for e in r.events if isinstance(e, events.ForwardOp)]
        assert ops == ["mul", "mul"]  # the loop's two w * 1.5; f's mul and sum not yet
        r.mark()
        r.session.step_line()
        assert _line(r.wait_stop()) == 9
        ops = [e.op for e in r.events if isinstance(e, events.ForwardOp)]
        assert ops == ["mul", "mul", "mul", "sum"]


def test_step_over_from_inside_a_function_returns_to_its_caller(script):
    with Run(script(PROGRAM)) as r:
        r.wait_stop()
        r.mark()
        r.session.step(1, kind="forward")
        r.wait_stop()
        r.mark()
        r.session.step(2, kind="forward")  # paused at b = a * 2, in f
        ev = r.wait_stop()
        assert ev.state == "paused"
        assert _step_over_lines(r, 3) == [5, 8, 9]


def test_a_breakpoint_during_a_step_over_wins_and_tracing_stops(script):
    from visgrad.runner.breakpoints import Breakpoint

    with Run(script(PROGRAM), breakpoints=[Breakpoint(1, "op", "sum")]) as r:
        r.wait_stop()
        assert _step_over_lines(r, 9)[-1] == 8
        r.mark()
        r.session.step_line()  # line 8 calls f, whose sum hits the breakpoint
        ev = r.wait_stop()
        assert ev.reason == "breakpoint"
        # Resuming runs on without line stops: the next pause is the breakpoint's sum on line 11.
        r.mark()
        r.session.resume()
        assert r.wait_stop().reason == "breakpoint"
        r.mark()
        r.session.resume()
        assert r.wait_stop().state == "finished"


def test_step_out_of_backward_runs_to_its_end(script):
    with Run(script(PROGRAM)) as r:
        r.wait_stop()
        r.mark()
        r.session.step(1, kind="backward_begin")
        r.wait_stop()
        r.mark()
        r.session.step(1, kind="backward_end")
        assert r.wait_stop().state == "paused"
        last = [e for e in r.events if e.kind not in ("run", "output", "named")][-1]
        assert isinstance(last, events.BackwardEnd)
