"""Driving a child: start paused, step, pause, resume, stop, crashes and errors."""

from __future__ import annotations

import time

from tests.runner.runner_helpers import Run, engine_events, signature
from visgrad import events
from visgrad.demos import demo_path
from visgrad.runner.session import Session


def test_start_paused_stops_before_the_first_engine_event(script):
    with Run(script("import torch\nx = torch.ones(2)\n")) as r:
        st = r.wait_stop()
        assert (st.state, st.reason) == ("paused", "start")
        assert r.session.state == "paused"
        assert engine_events(r.events) == []
        r.session.step()
        st = r.wait_stop()
        assert (st.state, st.reason) == ("paused", "step")
        [ev] = engine_events(r.events)
        assert isinstance(ev, events.TensorCreated) and ev.op == "ones"
        r.session.resume()
        assert r.wait_stop().state == "finished"
        assert r.wait_exit() == 0
        assert r.session.state == "finished"


def test_stepping_one_event_at_a_time_gives_the_free_runs_sequence(free_run):
    free = [signature(e) for e in engine_events(free_run("tutorial"))]
    with Run("tutorial", demo=True) as r:
        r.wait_stop()
        steps = 0
        while True:
            r.session.step()
            st = r.wait_stop()
            if st.state != "paused":
                break
            steps += 1
            assert st.reason == "step"
            assert len(engine_events(r.events)) == steps  # exactly one event per step
        assert st.state == "finished"
    assert [signature(e) for e in engine_events(r.events)] == free
    assert len(free) > 40
    named = lambda evs: [(e.tensor, e.name) for e in evs if isinstance(e, events.TensorNamed)]  # noqa: E731
    assert named(r.events) == named(free_run("tutorial"))


def test_step_n_of_one_kind_skips_other_events(script):
    code = "import torch\nx = torch.ones(2, requires_grad=True)\ny = x * 2\nz = y + 1\nw = z * 3\n"
    with Run(script(code)) as r:
        r.wait_stop()
        r.session.step(2, kind="forward")
        assert r.wait_stop().reason == "step"
        fwd = [e for e in r.events if isinstance(e, events.ForwardOp)]
        assert [e.op for e in fwd] == ["mul", "add"]
        assert isinstance(engine_events(r.events)[-1], events.ForwardOp)


def test_pause_stops_a_running_loop_and_resume_finishes_it(script):
    code = """
    import torch
    x = torch.ones(2, requires_grad=True)
    for i in range(200000):
        y = x * 2
    print("done")
    """
    with Run(script(code), start_paused=False) as r:
        r.wait_for(lambda e: isinstance(e, events.ForwardOp))
        r.mark()
        r.session.pause()
        st = r.wait_stop()
        assert (st.state, st.reason) == ("paused", "pause")
        n = len(r.events)
        time.sleep(0.2)
        assert len(r.events) == n  # really paused: nothing more arrives
        r.mark()
        r.session.stop(2.0)
        assert r.wait_stop().state == "stopped"
        assert r.session.state == "stopped"


def test_stop_kills_a_busy_loop_within_a_second(script):
    with Run(script("while True:\n    pass\n"), start_paused=False) as r:
        time.sleep(0.3)
        t0 = time.monotonic()
        r.session.stop(0.5)
        assert r.session.wait(1.0)
        assert time.monotonic() - t0 < 1.0
        assert r.wait_stop().state == "stopped"
        assert not r.session.alive


def test_stop_kills_a_child_that_cannot_answer(script):
    # A regex that backtracks for ages holds the GIL, so the child's command thread never runs.
    code = "import re\nprint('busy', flush=True)\nre.match(r'(a+)+$', 'a' * 60 + 'b')\n"
    with Run(script(code), start_paused=False) as r:
        # Stop only once user code runs: on a loaded machine the child may still be starting,
        # and would then answer the stop politely.
        r.wait_for(lambda e: isinstance(e, events.Output) and "busy" in e.text)
        time.sleep(0.2)
        t0 = time.monotonic()
        r.session.stop(0.3)
        assert r.session.wait(1.0)
        assert time.monotonic() - t0 < 1.0
        assert r.session.returncode == -9  # killed, not asked
        assert r.session.state == "stopped"


def test_program_error_keeps_prior_events_and_reports_the_traceback(script):
    code = """
    import torch
    x = torch.ones(2, requires_grad=True)
    y = x * 2

    def helper():
        raise ValueError("bad value 42")

    helper()
    """
    p = script(code)
    with Run(p, start_paused=False) as r:
        st = r.wait_stop()
        assert (st.state, st.detail["exit_code"]) == ("error", 1)
        assert r.wait_exit() == 1
    err = next(e for e in r.events if isinstance(e, events.ProgramError))
    assert (err.exc_type, err.message) == ("ValueError", "bad value 42")
    assert err.source == (str(p), 7, "helper")
    assert err.traceback.startswith("Traceback (most recent call last):\n")
    assert f'File "{p}", line 9, in <module>' in err.traceback
    assert "runpy" not in err.traceback and "visgrad/runner" not in err.traceback
    assert [e.op for e in engine_events(r.events)] == ["ones", "mul"]
    assert r.session.state == "error"


def test_abort_in_the_child_reports_a_crash(script):
    code = "import os, torch\nx = torch.ones(2)\nos.abort()\n"
    with Run(script(code), start_paused=False) as r:
        assert r.wait_exit() == -6
        st = r.wait_stop()
    assert (st.state, st.reason, st.detail["signal"]) == ("error", "crashed", "SIGABRT")
    assert r.session.state == "error"
    assert engine_events(r.events)[0].op == "ones"


def test_a_lot_of_output_arrives_complete_and_in_order_with_events(script):
    code = """
    import sys, torch
    x = torch.ones(1)
    for i in range(3000):
        print(f"line {i}")
        if i % 500 == 0:
            x = x + 1
            print("partial", end="")
            print(" err", i, file=sys.stderr)
    """
    with Run(script(code), start_paused=False) as r:
        assert r.wait_exit() == 0
    out = "".join(e.text for e in r.events if isinstance(e, events.Output) and e.stream == "stdout")
    lines = out.splitlines()
    assert lines[0] == "line 0"
    assert lines.count("partialline 1") == 1  # partial text joins the next print
    assert [ln for ln in lines if ln.startswith("line")][-1] == "line 2999"
    assert len([ln for ln in lines if ln.startswith(("line", "partialline"))]) == 3000
    # the add after "line 500" comes after that line's Output event and before "line 501"
    kinds = [(e.kind, getattr(e, "text", "")) for e in r.events if e.kind in ("output", "forward")]
    i = kinds.index(("output", "line 500\n"))
    assert kinds[i + 1][0] == "forward"
    errs = [e.text for e in r.events if isinstance(e, events.Output) and e.stream == "stderr"]
    assert "".join(errs).splitlines() == [f" err {i}" for i in range(0, 3000, 500)]
    seqs = [e.seq for e in r.events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_missing_script_is_refused_before_spawning(tmp_path):
    s = Session(tmp_path / "nope.py", on_event=lambda e: None)
    try:
        s.start()
    except FileNotFoundError as e:
        assert "nope.py" in str(e)
    else:
        raise AssertionError("expected FileNotFoundError")
    assert s.state == "idle" and not s.alive


def test_demo_names_resolve_to_shipped_files():
    assert demo_path("tutorial").is_file()
