"""The grad ledger: every += into a leaf's .grad, per incoming edge, with resets."""

from __future__ import annotations

import numpy as np

from tests.trace import trace_programs as tp
from visgrad import events as ev
from visgrad.trace.model import TraceModel


def test_leaf_used_twice_shows_two_contributions_summing_to_its_grad() -> None:
    run = tp.square()
    x = run.tensors["x"]
    m = TraceModel(run.events)
    entries = m.ledger(x._id)
    assert [e.kind for e in entries] == ["add", "add"]
    assert {e.node_name for e in entries} == {"MulBackward0"}
    np.testing.assert_array_equal(entries[0].contribution, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(entries[1].contribution, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(entries[0].grad_after, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(entries[1].grad_after, run.grads["x"])
    np.testing.assert_array_equal(entries[0].contribution + entries[1].contribution, [2, 4, 6])
    assert m.state_at(len(m) - 1).tensors[x._id].grad_contributions == 2


def test_ledger_path_runs_from_the_root_node_to_the_sender() -> None:
    run = tp.tutorial()
    m = TraceModel(run.events)
    (entry,) = m.ledger(run.tensors["w"]._id)
    loss, z = run.tensors["loss"], run.tensors["z"]
    assert entry.path[0] == loss.grad_fn.id and z.grad_fn.id in entry.path
    assert entry.path[-1] == entry.node and entry.node_name == "MmBackward0"
    assert entry.backward_index == 1


def test_jacobian_ledger_doubles_on_the_second_call_and_restarts_after_zero() -> None:
    run = tp.jacobian()
    m = TraceModel(run.events)
    entries = m.ledger(run.tensors["inp"]._id)
    assert [(e.kind, e.backward_index) for e in entries] == [
        ("add", 1), ("add", 2), ("zero", 0), ("add", 3),
    ]  # fmt: skip
    once = np.full((4, 5), 2.0) + 2.0 * np.eye(4, 5)
    np.testing.assert_array_equal(entries[0].grad_after, once)
    np.testing.assert_array_equal(entries[1].grad_after, 2 * once)  # 8 on the diagonal, 4 off it
    np.testing.assert_array_equal(entries[2].grad_after, np.zeros((4, 5)))
    np.testing.assert_array_equal(entries[3].grad_after, once)
    np.testing.assert_array_equal(entries[3].grad_after, run.grads["inp"])
    zero_tick = m.tick_of_seq(entries[2].seq)
    assert len(m.ledger(run.tensors["inp"]._id, tick=zero_tick)) == 3
    assert m.state_at(zero_tick).tensors[run.tensors["inp"]._id].grad_contributions == 0


def test_running_sum_of_contributions_equals_grad_at_every_tick() -> None:
    run = tp.jacobian()
    m = TraceModel(run.events)
    inp = run.tensors["inp"]._id
    for k in range(len(m)):
        grad = m.state_at(k).tensors[inp].grad
        total = None
        for e in m.ledger(inp, tick=k):
            total = e.contribution if total is None or e.kind != "add" else total + e.contribution
            if e.kind != "add":
                total = e.grad_after
        if grad is None:
            assert total is None
        else:
            np.testing.assert_array_equal(total, grad)


def test_grad_set_to_none_then_accumulated_again_starts_fresh() -> None:
    run = tp.square()
    x = run.tensors["x"]
    m = TraceModel(run.events)
    m.append(ev.GradReset(seq=10_000, tensor=x._id, how="none"))
    assert m.state_at(len(m) - 1).tensors[x._id].grad is None
    g = np.array([5.0, 5.0, 5.0], np.float32)
    m.append(ev.GradAccumulated(seq=10_001, tensor=x._id, contribution=g, grad=g, created=True))
    entries = m.ledger(x._id)
    assert [e.kind for e in entries] == ["add", "add", "none", "add"]
    assert entries[2].grad_after is None and entries[3].grad_after is g
    np.testing.assert_array_equal(m.state_at(len(m) - 1).tensors[x._id].grad, g)


def test_zero_told_as_inplace_write_and_reset_is_one_ledger_entry() -> None:
    run = tp.square()
    x = run.tensors["x"]
    z = np.zeros(3, np.float32)
    m = TraceModel(run.events)
    m.extend([
        ev.InplaceUpdate(seq=20_000, tensor=777, op="zero_", version=1, grad_of=x._id, value=z),
        ev.GradReset(seq=20_001, tensor=x._id, how="zero", grad=z),
        ev.GradReset(seq=20_002, tensor=x._id, how="zero", grad=z),
    ])  # fmt: skip
    assert [e.kind for e in m.ledger(x._id)] == ["add", "add", "zero", "zero"]
    assert m.state_at(len(m) - 3).phase == "optimizer"
    np.testing.assert_array_equal(m.state_at(len(m) - 3).tensors[x._id].grad, z)


def test_ledger_of_a_tensor_without_entries_is_empty_at_any_tick():
    from visgrad.trace.model import TraceModel

    model = TraceModel()
    assert model.ledger(12345) == []
    assert model.ledger(12345, tick=0) == []


def test_scalar_leaf_used_three_times_splits_into_three_running_sums() -> None:
    import visgrad as torch

    with ev.Recorder() as rec:
        w = torch.tensor(2.0, requires_grad=True)
        loss = w * 3 + w * 4 + w * 5
        loss.backward()
    entries = TraceModel(rec.events).ledger(w._id)
    assert [float(e.contribution) for e in entries] == [5.0, 4.0, 3.0]
    assert [float(e.grad_after) for e in entries] == [5.0, 9.0, 12.0]
    assert all(e.grad_after.shape == () and not e.grad_after.flags.writeable for e in entries)
