"""Writes through aliases reach every tensor over the same memory, in the trace as in the program."""

from __future__ import annotations

import numpy as np

import visgrad as torch
from visgrad import events as ev
from visgrad.trace.model import TraceModel


def _run(fn):
    with ev.Recorder() as rec:
        out = fn()
    return TraceModel(rec.events), out


def _value(m: TraceModel, t) -> np.ndarray:
    return m.state_at(len(m) - 1).tensors[m.node_id(t._id)].value


def _grad(m: TraceModel, t) -> np.ndarray:
    return m.state_at(len(m) - 1).tensors[m.node_id(t._id)].grad


def test_sgd_step_through_data_reaches_the_parameter() -> None:
    def prog():
        w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (w * w).sum().backward()
        w.data -= 0.5 * w.grad.data
        return w

    m, w = _run(prog)
    np.testing.assert_array_equal(_value(m, w), w.detach().numpy())
    np.testing.assert_array_equal(_value(m, w), [0.0, 0.0, 0.0])
    # ``w.data`` is ``w`` for the debugger: no node of its own.
    assert len([t for t in m.state_at(len(m) - 1).tensors.values() if t.shape == (3,)]) <= 4


def test_zeroing_grad_through_data_zeroes_the_leafs_grad_and_the_ledger_says_so() -> None:
    def prog():
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        (w * 3).sum().backward()
        w.grad.data.zero_()
        return w

    m, w = _run(prog)
    np.testing.assert_array_equal(_grad(m, w), [0.0, 0.0])
    assert [e.kind for e in m.ledger(w._id)] == ["add", "zero"]


def test_writing_a_detached_alias_changes_the_original() -> None:
    def prog():
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        h = x * 2
        h.detach().zero_()
        return h

    m, h = _run(prog)
    np.testing.assert_array_equal(_value(m, h), [0.0, 0.0])
    assert m.previous_change(h._id, len(m) - 1) is not None


def test_a_view_follows_writes_to_its_base_and_the_base_follows_writes_through_it() -> None:
    def prog():
        w = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        wt = w.t()
        row = w[1]
        with torch.no_grad():
            w.add_(10)
            row.mul_(2)
        return w, wt, row

    m, (w, wt, row) = _run(prog)
    for t in (w, wt, row):
        np.testing.assert_array_equal(_value(m, t), t.detach().numpy())
    s = m.state_at(len(m) - 1)
    assert s.tensors[wt._id].base == w._id


def test_assigning_data_moves_the_tensor_onto_the_other_memory() -> None:
    def prog():
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        z = torch.zeros(3)
        w.data = z
        z.add_(5)
        return w, z

    m, (w, z) = _run(prog)
    np.testing.assert_array_equal(_value(m, w), [5.0, 5.0, 5.0])
    assert m.state_at(len(m) - 1).tensors[w._id].shape == (3,)


def test_a_view_of_grad_follows_the_next_accumulation() -> None:
    def prog():
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        (w * 2).sum().backward()
        g = w.grad.view(2)
        (w * 3).sum().backward()
        return w, g

    m, (w, g) = _run(prog)
    np.testing.assert_array_equal(_value(m, g), [5.0, 5.0])
    np.testing.assert_array_equal(_grad(m, w), [5.0, 5.0])


def test_grad_read_by_an_op_is_named_after_its_leaf_and_holds_its_values() -> None:
    def prog():
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        (w * 2).sum().backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
        return w

    m, w = _run(prog)
    s = m.state_at(len(m) - 1)
    grads = [t for t in s.tensors.values() if t.name.endswith(".grad")]
    assert len(grads) == 1 and grads[0].name == f"t{w._id}.grad"
    np.testing.assert_array_equal(grads[0].value, [2.0, 2.0])
    np.testing.assert_allclose(_value(m, w), w.detach().numpy())


def test_every_tick_of_an_alias_heavy_run_replays_from_keyframes_as_at_the_head() -> None:
    def prog():
        w = torch.tensor([1.0, -1.0], requires_grad=True)
        for _ in range(3):
            (w * w.t()).sum().backward()
            w.data -= 0.1 * w.grad.data
            w.grad.data.zero_()

    with ev.Recorder() as rec:
        prog()
    dense = TraceModel(rec.events, keyframe_every=3)
    plain = TraceModel(rec.events, keyframe_every=10**9)
    for k in range(len(rec.events)):
        a, b = dense.state_at(k), plain.state_at(k)
        assert a.tensors.keys() == b.tensors.keys()
        for tid, ts in a.tensors.items():
            o = b.tensors[tid]
            for x, y in ((ts.value, o.value), (ts.grad, o.grad), (ts.dloss, o.dloss)):
                assert (x is None) == (y is None)
                if x is not None:
                    np.testing.assert_array_equal(x, y)
    assert dense.fold_errors == [] and plain.fold_errors == []


def test_alias_fields_survive_a_trace_file(tmp_path) -> None:
    from visgrad.trace.files import load_trace, save_trace

    def prog():
        w = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        wt = w.t()
        (w * 2).sum().backward()
        w.data -= 0.5 * w.grad.data
        w.grad.data.zero_()
        g = w.grad.view(4)
        (w * 3).sum().backward()
        w.data = torch.ones(3)
        return w, wt, g

    with ev.Recorder() as rec:
        prog()
    save_trace(tmp_path / "a.vgtrace", rec.events)
    loaded = load_trace(tmp_path / "a.vgtrace")
    for a, b in zip(rec.events, loaded, strict=True):
        for name in ("base", "bases", "aliases", "grad_tensor", "saved"):
            if hasattr(a, name):
                assert getattr(a, name) == getattr(b, name), name
        if hasattr(a, "alias_values"):
            for x, y in zip(a.alias_values, b.alias_values, strict=True):
                np.testing.assert_array_equal(x, y)
