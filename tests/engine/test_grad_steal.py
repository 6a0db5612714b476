"""The first ``.grad`` takes over a gradient only the engine holds, and copies any other."""

from __future__ import annotations

import numpy as np

import visgrad as torch


def _double_backward_through(fn: type) -> tuple[torch.Tensor, list[torch.Tensor]]:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    fn.apply(x).sum().backward()
    return x, fn.kept


class _KeepsGrad(torch.autograd.Function):
    kept: list[torch.Tensor] = []

    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, g):
        out = g * 2
        _KeepsGrad.kept.append(out)
        return out


class _KeepsBase(torch.autograd.Function):
    kept: list[torch.Tensor] = []

    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, g):
        base = (g * 3).reshape(1, 2)
        _KeepsBase.kept.append(base)
        return base.reshape(2)


def test_a_gradient_the_program_still_holds_is_copied_into_grad() -> None:
    x, kept = _double_backward_through(_KeepsGrad)
    assert not np.shares_memory(x.grad._data, kept[-1]._data)
    x.grad += 1
    assert kept[-1].tolist() == [2.0, 2.0]
    assert x.grad.tolist() == [3.0, 3.0]


def test_a_view_of_a_tensor_the_program_holds_is_copied_into_grad() -> None:
    x, kept = _double_backward_through(_KeepsBase)
    assert not np.shares_memory(x.grad._data, kept[-1]._data)
    x.grad.mul_(2)
    assert kept[-1].tolist() == [[3.0, 3.0]]
    assert x.grad.tolist() == [6.0, 6.0]


def test_a_gradient_seen_by_a_tensor_hook_is_copied_into_grad() -> None:
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    seen = []
    h = a * 2
    h.register_hook(lambda g: seen.append(g))
    (h + 0).sum().backward()
    b = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = b + 0
    y.register_hook(lambda g: seen.append(g))
    (y * 5).sum().backward()
    assert not np.shares_memory(b.grad._data, seen[-1]._data)
    b.grad.zero_()
    assert seen[-1].tolist() == [5.0, 5.0, 5.0]


def test_a_retained_gradient_is_not_shared_with_the_leaf_grad() -> None:
    b = torch.tensor([1.0, 2.0], requires_grad=True)
    y = b * 3
    y.retain_grad()
    z = y + 0
    z.retain_grad()
    (z * 4).sum().backward()
    assert not np.shares_memory(b.grad._data, y.grad._data)
    assert not np.shares_memory(y.grad._data, z.grad._data)
    b.grad.zero_()
    assert y.grad.tolist() == [4.0, 4.0] and z.grad.tolist() == [4.0, 4.0]


def test_grads_taken_over_keep_values_layout_and_accumulate_in_place() -> None:
    rng = np.random.default_rng(0)
    w = torch.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    bias = torch.tensor(rng.standard_normal(3), requires_grad=True)
    x = torch.tensor(rng.standard_normal((5, 4)))
    torch.nn.functional.linear(x, w, bias).sum().backward()
    expected_w = np.ones((5, 3)).T @ x._data
    np.testing.assert_allclose(w.grad._data, expected_w)
    np.testing.assert_allclose(bias.grad._data, np.full(3, 5.0))
    assert w.grad.shape == w.shape and w.grad._data.flags.writeable
    first = w.grad
    torch.nn.functional.linear(x, w, bias).sum().backward()
    assert w.grad is first
    np.testing.assert_allclose(w.grad._data, 2 * expected_w)
    np.testing.assert_allclose(bias.grad._data, np.full(3, 10.0))


def test_an_engine_sum_becomes_grad_and_later_sums_do_not_touch_it() -> None:
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = torch.tensor([4.0, 5.0, 6.0], requires_grad=True)
    ((a * b + a).sum()).backward()
    g = a.grad
    kept = g.clone()
    ((a * b + a).sum()).backward()
    assert a.grad is g
    assert a.grad.tolist() == [10.0, 12.0, 14.0]
    assert kept.tolist() == [5.0, 6.0, 7.0]


def test_grad_events_show_values_at_accumulation_even_if_a_sink_changes_a_held_grad() -> None:
    from visgrad import events

    _KeepsGrad.kept.clear()
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = _KeepsGrad.apply(x).sum()

    def sink(ev: object) -> None:
        if type(ev).__name__ == "BackwardNode" and ev.tensor == x._id:
            _KeepsGrad.kept[-1]._data += 10

    with events.Recorder() as rec:
        detach = events.subscribe(sink)
        try:
            y.backward()
        finally:
            detach()
    (node_ev,) = [e for e in rec.events if type(e).__name__ == "BackwardNode" and e.tensor == x._id]
    (acc,) = rec.of(events.GradAccumulated)
    assert node_ev.grads_in[0].tolist() == [2.0, 2.0]
    assert acc.contribution.tolist() == [12.0, 12.0] and acc.grad.tolist() == [12.0, 12.0]
    assert x.grad.tolist() == [12.0, 12.0]


def test_grad_events_of_a_taken_over_grad_match_the_node_event() -> None:
    from visgrad import events

    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = torch.tensor([4.0, 5.0, 6.0], requires_grad=True)
    with events.Recorder() as rec:
        ((a * b + a).sum()).backward()
    accs = {e.tensor: e for e in rec.of(events.GradAccumulated)}
    assert accs[a._id].contribution.tolist() == [5.0, 6.0, 7.0] == accs[a._id].grad.tolist()
    assert accs[b._id].contribution.tolist() == [1.0, 2.0, 3.0] == accs[b._id].grad.tolist()
    assert not accs[a._id].grad.flags.writeable


def test_stealing_is_limited_to_the_interpreters_whose_counts_are_known():
    from visgrad.autograd.grad_store import steal_refs

    assert steal_refs("cpython", (3, 11)) == steal_refs("cpython", (3, 13)) == 4
    assert steal_refs("cpython", (3, 14)) == 0  # borrowed stack references change the count
    assert steal_refs("cpython", (3, 10)) == 0
    assert steal_refs("pypy", (3, 11)) == 0


def test_without_stealing_the_first_grad_is_a_private_copy_with_the_same_values(monkeypatch):
    from visgrad.autograd import grad_store

    def run() -> tuple[np.ndarray, np.ndarray]:
        w = torch.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
        b = torch.tensor([0.25, -1.0], requires_grad=True)
        ((torch.tensor([[1.0, 2.0]]) @ w + b).tanh() ** 2).sum().backward()
        return w.grad._data.copy(), b.grad._data.copy()

    stolen = run()
    monkeypatch.setattr(grad_store, "_STEAL_REFS", 0)
    copied = run()
    for a, c in zip(stolen, copied, strict=True):
        np.testing.assert_array_equal(a, c)
    x, kept = _double_backward_through(_KeepsGrad)
    assert not np.shares_memory(x.grad._data, kept[-1]._data)


def _leaf_events(rec, x):  # type: ignore[no-untyped-def]
    from visgrad import events

    (node_ev,) = [e for e in rec.events if type(e).__name__ == "BackwardNode" and e.tensor == x._id]
    (acc,) = rec.of(events.GradAccumulated)
    return node_ev, acc


def test_grad_event_shares_the_node_events_snapshot_when_the_program_holds_no_grad() -> None:
    from visgrad import events

    # x.t()'s gradient reaches x as a transposed view: copied into x.grad, not taken over.
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    with events.Recorder() as rec:
        (x.t() * torch.tensor([[1.0, 2.0]] * 3)).sum().backward()
    node_ev, acc = _leaf_events(rec, x)
    assert acc.contribution is node_ev.grads_in[0]  # one copy of the gradient, not two
    assert acc.contribution.tolist() == [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]] == x.grad.tolist()


def test_grad_event_snapshots_again_a_seed_the_program_gave_and_a_sink_changed() -> None:
    from visgrad import events

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    seed = torch.tensor([3.0, 4.0])

    def sink(ev: object) -> None:
        if type(ev).__name__ == "BackwardNode" and ev.tensor == x._id:
            seed._data += 10

    with events.Recorder() as rec:
        detach = events.subscribe(sink)
        try:
            (x + 1.0).backward(seed)  # AddBackward0 passes the seed itself on
        finally:
            detach()
    node_ev, acc = _leaf_events(rec, x)
    assert node_ev.grads_in[0].tolist() == [3.0, 4.0]
    assert acc.contribution.tolist() == [13.0, 14.0] == x.grad.tolist()
