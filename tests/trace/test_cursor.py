"""Time travel through the cursor: any walk over the past gives the states a fresh fold gives."""

from __future__ import annotations

import threading

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import visgrad as torch
from visgrad import events
from visgrad.trace.model import TraceModel


def _training_events() -> list[events.Event]:
    events.reset_seq()
    torch.manual_seed(0)
    with events.Recorder() as rec:
        w = torch.randn(3, 2, requires_grad=True)
        opt = torch.optim.SGD([w], lr=0.1)
        x = torch.randn(4, 3)
        for _ in range(6):
            opt.zero_grad()
            (x @ w).tanh().sum().backward()
            opt.step()
    return rec.events


EVENTS = _training_events()


def _summary(state) -> tuple:
    def arr(a):
        return None if a is None else np.asarray(a).round(6).tolist()

    tensors = sorted(
        (t.id, t.version, t.role, t.grad_contributions, arr(t.value), arr(t.grad))
        for t in state.tensors.values()
    )
    functions = sorted((f.id, f.executed, f.saved_released) for f in state.functions.values())
    return (state.tick, state.phase, state.current, state.grad_edges, tensors, functions)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(-1, len(EVENTS) - 1), min_size=1, max_size=30), st.booleans())
def test_any_walk_through_time_matches_a_fresh_fold(ticks, step_runs):
    model = TraceModel(EVENTS, keyframe_every=16)
    if step_runs:  # one tick at a time from each point, as F10 in the past does
        ticks = [t + d for t in ticks for d in range(3) if t + d < len(EVENTS)]
    seen = []
    for t in ticks:
        state = model.state_at(t)
        seen.append((state, _summary(state)))
        assert _summary(state) == _summary(TraceModel(EVENTS, keyframe_every=16).state_at(t))
    # States handed out earlier never change as the cursor moves on.
    assert all(_summary(s) == summary for s, summary in seen)


def test_two_threads_stepping_through_the_past_get_the_right_states():
    model = TraceModel(EVENTS, keyframe_every=16)
    fresh = TraceModel(EVENTS, keyframe_every=16)
    want = {t: _summary(fresh.state_at(t)) for t in range(0, len(EVENTS) - 1, 7)}
    bad: list[int] = []

    def walk(offset: int) -> None:
        for t in sorted(want)[offset::2]:
            if _summary(model.state_at(t)) != want[t]:
                bad.append(t)

    threads = [threading.Thread(target=walk, args=(i,)) for i in (0, 1)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert bad == []
