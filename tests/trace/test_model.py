"""TraceModel.state_at on recorded runs, checked tick by tick against known graphs and grads."""

from __future__ import annotations

import numpy as np

import visgrad as torch
from tests.trace import trace_programs as tp
from visgrad import events as ev
from visgrad.trace.model import TraceModel
from visgrad.trace.state import fkey, tkey
from visgrad.trace.summary import ArraySummary

TUTORIAL_FNS = {
    "unsqueeze", "MmBackward0", "SqueezeBackward4", "AddBackward0",
    "BinaryCrossEntropyWithLogitsBackward0",
}  # fmt: skip


def test_empty_log_and_tick_minus_one_are_the_world_before_anything() -> None:
    run = tp.tutorial()
    for m in (TraceModel(), TraceModel(run.events)):
        s = m.state_at(-1)
        assert (s.tick, s.seq, s.event, s.phase) == (-1, 0, None, "idle")
        assert (s.tensors, s.edges) == ({}, [])
    assert TraceModel().state_at(5).tick == -1


def test_tutorial_graph_at_end_of_forward_has_nine_tensors_five_functions_thirteen_edges() -> None:
    run = tp.tutorial()
    m = TraceModel(run.events)
    s = m.state_at(tp.first(run.events, ev.BackwardBegin) - 1)
    assert (len(s.tensors), len(s.functions), len(s.edges)) == (9, 5, 13)
    assert {f.grad_fn for f in s.functions.values()} == TUTORIAL_FNS
    roles = {k: s.tensors[t._id].role for k, t in run.tensors.items()}
    assert roles == {
        "x": "input", "y": "input", "w": "leaf", "b": "leaf", "z": "intermediate", "loss": "output",
    }  # fmt: skip
    unsq = next(f for f in s.functions.values() if f.op == "unsqueeze")
    assert unsq.id < 0 and unsq.inputs == (run.tensors["x"]._id,)
    assert all(t.grad is None for t in s.tensors.values())
    assert s.phase == "forward"


def test_leaf_grads_after_backward_are_the_engines_arrays() -> None:
    run = tp.tutorial()
    m = TraceModel(run.events)
    s = m.state_at(len(m) - 1)
    for name in ("w", "b"):
        t = s.tensors[run.tensors[name]._id]
        np.testing.assert_array_equal(t.grad, run.grads[name])
        assert t.grad_contributions == 1
    acc_w = tp.first(run.events, ev.GradAccumulated, tensor=run.tensors["w"]._id)
    assert m.state_at(acc_w - 1).tensors[run.tensors["w"]._id].grad is None
    assert m.state_at(acc_w).current == (tkey(run.tensors["w"]._id),)


def test_phase_follows_forward_backward_optimizer_idle() -> None:
    run = tp.tutorial()
    w = run.tensors["w"]
    tail = [
        ev.InplaceUpdate(seq=1000, tensor=w._id, op="sub_", version=1, recorded=False,
                         value=np.zeros((5, 3), np.float32)),
        ev.RunState(seq=1001, state="finished"),
    ]  # fmt: skip
    m = TraceModel([*run.events, *tail])
    begin = tp.first(run.events, ev.BackwardBegin)
    end = tp.first(run.events, ev.BackwardEnd)
    phases = [m.state_at(k).phase for k in range(len(m))]
    assert set(phases[:begin]) == {"forward"}
    assert set(phases[begin : end + 1]) == {"backward"}
    assert phases[end + 1 :] == ["optimizer", "idle"]
    s = m.state_at(end + 1)
    assert s.tensors[w._id].version == 1 and not s.tensors[w._id].value.any()
    assert m.state_at(end).tensors[w._id].version == 0


def test_a_print_after_backward_ends_is_idle_not_backward() -> None:
    run = tp.tutorial()
    tail = [
        ev.Output(seq=1000, stream="stdout", text="tensor([1.])\n"),
        ev.TensorNamed(seq=1001, tensor=run.tensors["w"]._id, name="w"),
    ]
    m = TraceModel([*run.events, *tail])
    end = tp.first(run.events, ev.BackwardEnd)
    assert m.state_at(end).phase == "backward"
    assert [m.state_at(k).phase for k in range(end + 1, len(m))] == ["idle", "idle"]


def test_current_keys_and_grad_edges_of_the_add_node() -> None:
    run = tp.tutorial()
    m = TraceModel(run.events)
    z, b = run.tensors["z"], run.tensors["b"]
    fwd = tp.first(run.events, ev.ForwardOp, op="add")
    assert m.state_at(fwd).current == (fkey(z.grad_fn.id), tkey(z._id))
    add_fn = m.state_at(fwd).functions[z.grad_fn.id]
    tick = tp.first(run.events, ev.BackwardNode, node=z.grad_fn.id)
    s = m.state_at(tick)
    assert s.current == (fkey(z.grad_fn.id),)
    assert set(s.grad_edges) == {(fkey(z.grad_fn.id), tkey(i)) for i in add_fn.inputs}
    assert tkey(b._id) in {dst for _, dst in s.grad_edges}
    assert s.functions[z.grad_fn.id].executed == 1
    assert m.state_at(tick - 1).functions[z.grad_fn.id].executed == 0


def test_saved_released_flags_turn_on_at_their_event() -> None:
    run = tp.tutorial()
    m = TraceModel(run.events)
    k = tp.first(run.events, ev.SavedReleased)
    node = run.events[k].node
    assert not m.state_at(k - 1).functions[node].saved_released
    assert m.state_at(k).functions[node].saved_released


def test_every_tick_equals_folding_from_the_start() -> None:
    run = tp.jacobian()
    dense = TraceModel(run.events, keyframe_every=3)
    plain = TraceModel(run.events, keyframe_every=10**9)
    for k in range(-1, len(plain)):
        a, b = dense.state_at(k), plain.state_at(k)
        assert (a.phase, a.current, a.grad_edges, a.edges, a.backward_index) == (
            b.phase, b.current, b.grad_edges, b.edges, b.backward_index,
        )  # fmt: skip
        assert a.tensors == b.tensors and a.functions == b.functions
        nodes, edges = dense.graph_keys_at(k)
        assert nodes == {tkey(i) for i in a.tensors} | {fkey(i) for i in a.functions}
        assert edges == set(a.edges)


def test_arrays_are_the_events_own_snapshots() -> None:
    run = tp.tutorial()
    m = TraceModel(run.events, keyframe_every=4)
    k = tp.first(run.events, ev.GradAccumulated, tensor=run.tensors["b"]._id)
    assert m.state_at(len(m) - 3).tensors[run.tensors["b"]._id].grad is run.events[k].grad


def test_names_come_from_tensor_named_events() -> None:
    run = tp.tutorial()
    w = run.tensors["w"]
    m = TraceModel([*run.events[:3], ev.TensorNamed(seq=999, tensor=w._id, name="w")])
    assert m.state_at(2).tensors[w._id].name == tkey(w._id)
    assert m.state_at(3).tensors[w._id].name == "w"


def test_requires_grad_set_after_creation_makes_a_leaf() -> None:
    with ev.Recorder() as rec:
        a = torch.ones(2)
        a.requires_grad_()
        (a * 3).sum().backward()
    s = TraceModel(rec.events).state_at(len(rec.events) - 1)
    assert s.tensors[a._id].role == "leaf" and s.tensors[a._id].requires_grad
    np.testing.assert_array_equal(s.tensors[a._id].grad, [3.0, 3.0])


def test_recorded_inplace_op_adds_a_version_node_and_keeps_the_graph_acyclic() -> None:
    with ev.Recorder() as rec:
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.add_(1)
        y.sum().backward()
    m = TraceModel(rec.events)
    s = m.state_at(len(m) - 1)
    versions = [t for t in s.tensors.values() if t.id < 0]
    assert len(versions) == 1 and versions[0].version == 1
    np.testing.assert_array_equal(versions[0].value, [3.0, 5.0])
    assert (tkey(y._id), fkey(versions[0].producer)) in s.edges
    sum_fn = next(f for f in s.functions.values() if f.op == "sum")
    assert sum_fn.inputs == (versions[0].id,)
    np.testing.assert_array_equal(s.tensors[x._id].grad, [2.0, 2.0])


def test_output_text_and_error_as_of_the_tick() -> None:
    evs = [
        ev.Output(seq=1, text="hello\n"),
        ev.Output(seq=2, text="world\n"),
        ev.ProgramError(seq=3, exc_type="RuntimeError", message="boom"),
    ]
    m = TraceModel(evs)
    assert m.state_at(0).output == "hello\n"
    assert m.state_at(2).output == "hello\nworld\n"
    assert m.state_at(1).error is None
    assert m.state_at(2).error.message == "boom" and m.state_at(2).phase == "idle"
    assert m.tick_of_seq(2) == 1


def test_memory_budget_summarizes_the_oldest_payloads_only() -> None:
    run = tp.jacobian()
    full = TraceModel(run.events)
    m = TraceModel(run.events, memory_budget_bytes=full.payload_bytes // 2, keyframe_every=4)
    assert m.dropped_payloads > 0
    assert m.payload_bytes <= full.payload_bytes // 2
    first_value = m.state_at(0).tensors[run.tensors["inp"]._id].value
    assert isinstance(first_value, ArraySummary) and first_value.shape == (4, 5)
    assert first_value.norm == 2.0
    last = m.state_at(len(m) - 1).tensors[run.tensors["inp"]._id].grad
    np.testing.assert_array_equal(last, run.grads["inp"])
    assert isinstance(m.events[0].value, ArraySummary)


def test_sgd_step_after_backward_is_the_optimizer_phase() -> None:
    with ev.Recorder() as rec:
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        (w * w).sum().backward()
        with torch.no_grad():
            w.sub_(w.grad * 0.5)
        w.grad.zero_()
        (w * 3).sum()
    m = TraceModel(rec.events)
    end = tp.first(rec.events, ev.BackwardEnd)
    step = [(type(e).__name__, m.state_at(k).phase) for k, e in enumerate(rec.events) if k > end]
    assert step == [
        ("ForwardOp", "optimizer"), ("InplaceUpdate", "optimizer"), ("InplaceUpdate", "optimizer"),
        ("GradReset", "optimizer"), ("ForwardOp", "forward"), ("ForwardOp", "forward"),
    ]  # fmt: skip
    s = m.state_at(tp.first(rec.events, ev.InplaceUpdate, op="sub_"))
    assert s.tensors[w._id].version == 1
    np.testing.assert_array_equal(s.tensors[w._id].value, [0.0, 0.0])
