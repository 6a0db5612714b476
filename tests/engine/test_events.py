"""The engine's event stream for the tutorial program, and the sink contract."""

import numpy as np
import pytest

import visgrad as torch
from visgrad import events
from visgrad.ops.loss import binary_cross_entropy_with_logits


def _tutorial():
    x = torch.ones(5)
    y = torch.zeros(3)
    w = torch.randn(5, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = binary_cross_entropy_with_logits(z, y)
    loss.backward()
    return x, w, b, z, loss


def test_tutorial_event_sequence_matches_pytorch_execution_order():
    with events.Recorder() as rec:
        x, w, b, z, loss = _tutorial()
    kinds = [e.kind for e in rec.events]
    fwd = [e.grad_fn for e in rec.of(events.ForwardOp) if e.grad_fn]
    assert fwd == [
        "MmBackward0",
        "SqueezeBackward4",
        "AddBackward0",
        "BinaryCrossEntropyWithLogitsBackward0",
    ]
    # PyTorch's CPU engine order (TORCH_LOGS): BCE, Add, AccumulateGrad(b), Squeeze, Mm,
    # AccumulateGrad(w).
    ran = [(e.name, e.tensor) for e in rec.of(events.BackwardNode)]
    assert ran == [
        ("BinaryCrossEntropyWithLogitsBackward0", None),
        ("AddBackward0", None),
        ("torch::autograd::AccumulateGrad", b._id),
        ("SqueezeBackward4", None),
        ("MmBackward0", None),
        ("torch::autograd::AccumulateGrad", w._id),
    ]
    assert kinds[0] == "tensor" and kinds[-1] == "backward_end"
    seqs = [e.seq for e in rec.events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_grad_accumulated_events_carry_the_engine_grads():
    with events.Recorder() as rec:
        x, w, b, z, loss = _tutorial()
    acc = {e.tensor: e for e in rec.of(events.GradAccumulated)}
    np.testing.assert_array_equal(acc[w._id].grad, w.grad.numpy())
    np.testing.assert_array_equal(acc[b._id].grad, b.grad.numpy())
    # d loss / d b = (sigmoid(z) - y) / 3 for BCE-with-logits with mean reduction.
    zz = z.detach().numpy()
    np.testing.assert_allclose(b.grad.numpy(), (1 / (1 + np.exp(-zz))) / 3, rtol=1e-6)
    assert acc[b._id].created is True


def test_forward_event_names_inputs_outputs_and_source_line():
    with events.Recorder() as rec:
        a = torch.tensor([1.0, 2.0], requires_grad=True)
        c = a * 3  # this line
    (op,) = rec.of(events.ForwardOp)
    assert op.op == "mul" and op.grad_fn == "MulBackward0"
    assert op.inputs == (a._id, None) and op.outputs == (c._id,)
    assert op.attrs["constants"] == [3.0]
    assert op.source[0] == __file__ and op.source[2].startswith("test_forward_event")
    np.testing.assert_array_equal(op.values[0], [3.0, 6.0])


def test_event_arrays_are_private_copies():
    with events.Recorder() as rec:
        a = torch.tensor([1.0, 2.0], requires_grad=True)
        b = a * 1
    with torch.no_grad():
        b.numpy(force=True)[0] = 100.0
    (op,) = rec.of(events.ForwardOp)
    assert op.values[0][0] == 1.0
    with pytest.raises(ValueError):
        op.values[0][0] = 5.0


def test_a_gradient_passed_on_is_copied_once_for_the_events_that_show_it():
    x = torch.randn(4, 3)
    w = torch.randn(2, 3, requires_grad=True)
    with events.Recorder() as rec:
        (x @ w.t()).sum().backward()
    mm, t, acc = (e for e in rec.of(events.BackwardNode) if e.name != "SumBackward0")
    assert (mm.name, t.name, acc.name) == (
        "MmBackward0",
        "TBackward0",
        "torch::autograd::AccumulateGrad",
    )
    sent, received, passed_on, stored = (
        mm.grads_out[1],
        t.grads_in[0],
        t.grads_out[0],
        acc.grads_in[0],
    )
    np.testing.assert_array_equal(passed_on, w.grad.numpy())
    np.testing.assert_array_equal(received, w.grad.numpy().T)
    # Each is what a copy of the engine's array would be: read-only, laid out as the array was
    # (as in PyTorch, the product is computed transposed for the column-major ``w.t()``, so the
    # gradient reaching ``w`` is contiguous).
    assert received.flags.f_contiguous and passed_on.flags.c_contiguous
    assert not any(a.flags.writeable for a in (sent, received, passed_on, stored))
    # ... yet all four share the one copy the sending node's event made.
    assert received is sent and stored is passed_on
    assert np.shares_memory(sent, passed_on)


def test_a_hook_that_writes_into_a_gradient_shows_in_the_event_of_the_node_it_ran_on():
    w = torch.ones(3, requires_grad=True)
    u = w * 2

    def scale_in_place(g: torch.Tensor) -> None:
        g.numpy()[:] *= 10  # through NumPy: no version bump tells the engine

    u.register_hook(scale_in_place)
    with events.Recorder() as rec:
        (u * 1).sum().backward()
    nodes = {e.name: e for e in rec.of(events.BackwardNode)}
    np.testing.assert_array_equal(nodes["MulBackward0"].grads_in[0], [10.0, 10.0, 10.0])
    np.testing.assert_array_equal(w.grad.numpy(), [20.0, 20.0, 20.0])


def test_backward_formula_ops_do_not_appear_as_forward_ops():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    loss = (a * a).sum()
    with events.Recorder() as rec:
        loss.backward()
    assert rec.of(events.ForwardOp) == []
    assert [e.name for e in rec.of(events.BackwardNode)] == [
        "SumBackward0",
        "MulBackward0",
        "torch::autograd::AccumulateGrad",
    ]


def test_saved_values_released_event_after_backward():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    loss = (a * a).sum()
    with events.Recorder() as rec:
        loss.backward()
    (rel,) = rec.of(events.SavedReleased)
    assert set(rel.names) == {"self", "other"}


def test_unsubscribe_stops_delivery():
    seen = []
    detach = events.subscribe(seen.append)
    torch.ones(2)
    detach()
    torch.ones(2)
    assert len(seen) == 1


@pytest.mark.parametrize("mode", ["floor", "trunc"])
def test_rounding_division_records_div_backward2_with_its_mode_and_sends_zeros(mode: str) -> None:
    # PyTorch: div(a, b, rounding_mode=...) is DivBackward2, keeping the mode; its gradient is zero.
    a = torch.tensor([1.5, -2.5, 3.0], requires_grad=True)
    b = torch.tensor([0.7, 1.1, -2.0], requires_grad=True)
    with events.Recorder() as rec:
        c = torch.div(a, b, rounding_mode=mode)
        c.sum().backward()
    op, _sum = rec.of(events.ForwardOp)
    assert (op.op, op.grad_fn, op.attrs["rounding_mode"]) == ("div", "DivBackward2", mode)
    assert op.inputs == (a._id, b._id) and op.outputs == (c._id,)
    assert "DivBackward2" in [e.name for e in rec.of(events.BackwardNode)]
    expected = [2.0, -3.0, -2.0] if mode == "floor" else [2.0, -2.0, -1.0]
    assert c.tolist() == expected
    assert a.grad.tolist() == [0.0, 0.0, 0.0] and b.grad.tolist() == [0.0, 0.0, 0.0]
