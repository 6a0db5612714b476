"""The memory budget's accounting: what it drops, what it shares, and that nothing keeps the rest."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

import visgrad as torch
from visgrad import events as ev
from visgrad.trace import budget, codec, horizon, keyframes, output, sharing
from visgrad.trace.index import SeqTicks
from visgrad.trace.model import TraceModel
from visgrad.trace.summary import ArraySummary


def _training(steps: int = 12) -> list[ev.Event]:
    ev.reset_seq()
    with ev.Recorder() as rec:
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        x = torch.randn(40, 3)
        y = x.sum(dim=1, keepdim=True)
        for _ in range(steps):
            opt.zero_grad()
            torch.nn.functional.mse_loss(net(x), y).backward()
            opt.step()
    return rec.events


def _wire(evs: list[ev.Event]) -> list[ev.Event]:
    return [codec.decode_body(codec.encode_frame(e)[4:]) for e in evs]


def _arrays(v: object) -> list[np.ndarray]:
    if isinstance(v, np.ndarray):
        return [v]
    if isinstance(v, tuple):
        return [a for x in v for a in _arrays(x)]
    return []


def _summaries(ev_: object, f: object) -> list[ArraySummary]:
    v = getattr(ev_, f.name)
    return [a for a in (v if isinstance(v, tuple) else (v,)) if isinstance(a, ArraySummary)]


def _held(obj: object) -> list[np.ndarray]:
    return [a for f in fields(obj) for a in _arrays(getattr(obj, f.name))]


def test_decoded_events_share_equal_op_attributes_but_keep_number_types_apart() -> None:
    evs = _wire(_training(2))
    ops = [e for e in evs if type(e) is ev.ForwardOp and e.op == "addmm"]
    assert ops[0].attrs == ops[2].attrs and ops[0].attrs is ops[2].attrs
    kept = [sharing.share_json(raw, lambda r=raw: dict(r)) for raw in ({"k": 1}, {"k": 1.0})]
    assert type(kept[0]["k"]) is int and type(kept[1]["k"]) is float
    arrays = [sharing.share_json({"w": {"$a": 0}}, dict) for _ in range(2)]
    assert arrays[0] is not arrays[1]  # a value holding an array is never shared


def test_decoded_events_share_repeated_strings_and_tuples() -> None:
    evs = _wire(_training(2))
    ops = [e for e in evs if type(e) is ev.ForwardOp and e.op == "addmm"]
    assert len(ops) == 4
    a, b = ops[0], ops[2]  # the first layer's op in two steps
    assert a.op is b.op and a.grad_fn is b.grad_fn and a.module is b.module
    assert a.source == b.source and a.source is b.source
    assert a.shapes is b.shapes and a.dtypes is b.dtypes
    assert a.module_classes is b.module_classes


def test_sharing_never_makes_equal_values_of_other_types_the_same() -> None:
    assert sharing.shared((1, 2)) is sharing.shared((1, 2))
    # 1 == 1.0 == True: a bool or float tuple is never swapped for an int one (or back).
    t = (True, 2)
    assert sharing.share_tuple(t) is t
    f = (1.0, 2)
    assert sharing.share_tuple(f) is f
    ints = sharing.share_tuple((1, 2))
    assert [type(x) for x in ints] == [int, int]
    long = ("x" * (sharing.SHARED_TEXT + 1),)
    assert sharing.share_tuple(long) is long


def test_many_small_drops_leave_no_state_holding_a_dropped_array(monkeypatch) -> None:
    """Drops in many batches (each renewing only what changed since its oldest tick) must reach
    every keyframe, head state and ledger entry that held a dropped array."""
    # Chunks of two ids, so keyframes share most chunks as a long run's do.
    monkeypatch.setattr(keyframes, "CHUNK_SHIFT", 1)
    monkeypatch.setattr(horizon, "MIN_KEPT", 10**9)  # payload drops alone, no event forgotten
    original = _wire(_training())
    full = TraceModel(original, keyframe_every=4)
    # A third of the arrays, and none at all (each event's arrays go as soon as it is folded).
    for limit in (full.payload_bytes // 3, 1):
        m = TraceModel(memory_budget_bytes=limit, keyframe_every=4)
        for e in original:
            m.append(e)
        assert m.dropped_payloads > 10
        assert max(len(kf.tchunks) for kf in m._keyframes) > 20
        dropped = {
            id(a)
            for e, kept in zip(original, m.events, strict=True)
            if kept is not e
            for a in _held(e)
            if a.nbytes > budget.SMALL_ARRAY  # smaller ones are kept whole
        }
        assert dropped
        for tick in range(-1, len(m)):
            s = m.state_at(tick)
            for st in (*s.tensors.values(), *s.functions.values()):
                assert not {id(a) for a in _held(st)} & dropped, (limit, tick, st)
        for entries in m._index.ledger.entries.values():
            for entry in entries:
                assert not {id(a) for a in _held(entry)} & dropped
    m = TraceModel(original, memory_budget_bytes=full.payload_bytes // 3, keyframe_every=4)
    # What was dropped still says what it was.
    first = next(k for e, k in zip(original, m.events, strict=True) if budget.payload(e))
    assert budget.payload(first) == 0
    assert any(isinstance(a, ArraySummary) for f in fields(first) for a in _summaries(first, f))
    # The newest events keep their arrays: the last iteration's gradients are exact.
    last = full.state_at(len(full) - 1)
    got = m.state_at(len(m) - 1)
    for tid, ts in last.tensors.items():
        if isinstance(got.tensors[tid].grad, np.ndarray):
            np.testing.assert_array_equal(got.tensors[tid].grad, ts.grad)


def test_sizes_count_every_array_of_an_event_small_ones_apart() -> None:
    big, small = np.zeros(200, np.float32), np.zeros(5)
    e = ev.BackwardNode(seq=1, node=1, grads_in=(big, None), grads_out=(small, big))
    assert budget.sizes(e) == (1600, 40)
    assert budget.payload(e) == 1600
    # A small array is kept whole when its event is summarized: a summary costs more.
    got = budget.summarized(e, {}, {})
    assert isinstance(got.grads_in[0], ArraySummary) and got.grads_out[0] is small


def _prints(texts: list[str]) -> list[ev.Event]:
    return [ev.Output(seq=i + 1, text=t) for i, t in enumerate(texts)]


def test_footprint_counts_arrays_events_and_printed_text() -> None:
    evs = [*_training(3), ev.Output(seq=10_000, text="done\n")]
    m = TraceModel(evs)
    held = len("done\n")
    small = sum(budget.sizes(e)[1] for e in evs)
    assert m.footprint_bytes == m.payload_bytes + budget.EVENT_BYTES * len(evs) + small + held


def _tensors(n: int, floats: int) -> list[ev.Event]:
    out = []
    for i in range(n):
        v = np.full(floats, float(i), np.float32)
        v.flags.writeable = False
        out.append(ev.TensorCreated(seq=i + 1, tensor=i + 1, shape=(floats,), value=v))
    return out


def test_events_count_against_the_budget_before_arrays_do() -> None:
    evs = _tensors(200, 2_500)  # 10,000 bytes of array each
    meta = budget.EVENT_BYTES * len(evs)
    payload = 10_000 * len(evs)
    # Room for the events and half the arrays: arrays are dropped down to what is left.
    limit = meta + payload // 2
    m = TraceModel(evs, memory_budget_bytes=limit)
    assert m.dropped_payloads > 0
    assert m.footprint_bytes == m.payload_bytes + meta <= limit
    assert int(limit * 0.75) - meta - 10_000 <= m.payload_bytes
    # The arrays made room for the events: they keep less than the budget.
    assert m.payload_bytes <= limit - meta
    # The oldest went first; what was dropped still knows its shape and numbers.
    kept = [type(e.value) is np.ndarray for e in m.events]
    assert kept == sorted(kept)
    s = m.events[0].value
    assert isinstance(s, ArraySummary) and s.shape == (2_500,) and s.mean == 0.0
    assert len(s.preview) == budget.SUMMARY_PREVIEW
    # Events alone over the budget: the newest arrays still keep a quarter of it.
    small = meta // 2
    t = TraceModel(evs, memory_budget_bytes=small)
    assert small // 4 - 10_000 <= t.payload_bytes <= small // 3
    assert isinstance(t.state_at(len(t) - 1).tensors[200].value, np.ndarray)


def test_equal_summaries_are_kept_once() -> None:
    evs = [
        ev.TensorCreated(seq=i + 1, tensor=i + 1, shape=(1000,), value=np.zeros(1000, np.float32))
        for i in range(20)
    ]
    m = TraceModel(evs, memory_budget_bytes=1)
    got = {id(e.value) for e in m.events[:-1]}
    assert len(got) == 1 and isinstance(m.events[0].value, ArraySummary)


def test_printed_text_keeps_its_start_and_its_end_and_says_what_was_dropped(monkeypatch) -> None:
    monkeypatch.setattr(horizon, "MIN_KEPT", 10**9)  # the text alone, no event forgotten
    line = "y" * 999 + "\n"
    first = ["first line\n"]
    texts = first + [f"{i:06d}" + line[6:] for i in range(400)]  # 400,011 characters
    m = TraceModel(_prints(texts), memory_budget_bytes=8 * 100_000)  # keeps 100,000 characters
    assert m.output_limit == 100_000
    out = m.state_at(len(m) - 1).output
    kept = [t for t in texts if t in out]
    assert out.startswith("first line\n" + texts[1])
    assert out.endswith(texts[-1])
    assert len(out) <= 100_000 + 100
    dropped = sum(len(t) for t in texts) - sum(len(t) for t in kept)
    assert dropped == m.dropped_output_chars
    assert f"… {dropped:,} characters of output dropped (memory budget) …" in out
    # Every print is in the head (first 64 Ki characters) or the tail; the middle is gone.
    head = len(
        [t for t in texts if sum(map(len, texts[: texts.index(t) + 1])) <= output.OUTPUT_HEAD]
    )
    assert kept[:head] == texts[:head]
    assert kept[head:] == texts[len(texts) - len(kept) + head :]
    assert [e.text for e in m.events[head : len(texts) - len(kept) + head]] == [""] * (
        len(texts) - len(kept)
    )
    # Time travel into the dropped part: the head, and how much was dropped up to there.
    mid = head + 100
    past = m.state_at(mid).output
    gone = sum(len(t) for t in texts[head : mid + 1])
    assert (
        past
        == "".join(texts[:head]) + f"\n… {gone:,} characters of output dropped (memory budget) …\n"
    )
    # Early ticks are untouched.
    assert m.state_at(0).output == "first line\n"


def test_a_huge_print_keeps_only_the_newest_whole_text() -> None:
    big = ["x" * 300_000 + f"{i}\n" for i in range(30)]  # each cut to 64 Ki for the views
    m = TraceModel(_prints(big), memory_budget_bytes=8 << 20)
    assert m.output_limit == 1 << 20
    assert m._output.held <= m.output_limit
    last = m.events[-1]
    assert m.full_texts.full(last.text) == big[-1]
    gone = [e for e in m.events if e.text == ""]
    assert gone and len(gone) < 30
    assert m.full_texts.chars() <= m.output_limit
    assert m.dropped_output_chars == sum(len(t) for t in big[: len(gone)])


def test_the_default_budget_is_a_share_of_the_machine_within_bounds() -> None:
    got = budget.default_budget()
    assert budget.DEFAULT_MIN <= got <= budget.DEFAULT_MAX
    assert budget.output_limit(None) == output.OUTPUT_LIMIT
    assert budget.output_limit(1 << 10) == output.OUTPUT_HEAD


def test_seq_ticks_keep_the_latest_tick_of_each_seq_in_any_order() -> None:
    st = SeqTicks()
    for seq, tick in ((1, 0), (2, 1), (2, 2), (5, 3), (3, 4), (7, 5), (3, 6)):
        st.add(seq, tick)
    assert [st.get(s) for s in (1, 2, 3, 5, 7)] == [0, 2, 6, 3, 5]
    assert st.get(4) == -1 and st.get(4, -2) == -2 and 4 not in st and 5 in st
    assert st[7] == 5
    with pytest.raises(KeyError):
        st[8]
