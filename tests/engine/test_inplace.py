"""In-place ops: PyTorch's leaf rules, recording on non-leaves, version counter, events."""

import numpy as np
import pytest

import visgrad as torch
from visgrad import events
from visgrad.autograd import gradcheck

LEAF = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
HINT = (
    "Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
    "with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)


def _raises(fn, text):
    with pytest.raises(RuntimeError) as e:
        fn()
    assert str(e.value) == text


# -- leaves -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "op",
    [lambda a: a.add_(1), lambda a: a.__iadd__(1), lambda a: a.zero_(), lambda a: a.mul_(2)],
)
def test_inplace_on_leaf_that_requires_grad_raises(op):
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    _raises(lambda: op(a), LEAF)
    assert a._version == 0
    assert a.tolist() == [1.0, 2.0, 3.0]


def test_augmented_assignment_on_leaf_raises():
    a = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        a += 1


@pytest.mark.parametrize(
    "op",
    [
        lambda a: a.__setitem__(0, 5.0),
        lambda a: a[:2].add_(1),
        lambda a: a.view(3).mul_(2),
    ],
)
def test_inplace_on_view_of_leaf_raises_view_text(op):
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    _raises(lambda: op(a), VIEW_OF_LEAF)


def test_inplace_on_leaf_allowed_under_no_grad_and_bumps_version():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with torch.no_grad():
        w -= 0.5 * w.grad
        w.add_(1.0)
        w[0] = 10.0
    assert w.tolist() == [10.0, 1.0]
    assert w._version == 3
    assert w.is_leaf and w.requires_grad and w.grad_fn is None


def test_augmented_assignment_returns_the_same_object():
    x = torch.ones(3, requires_grad=True)
    b = x * 1
    before = id(b)
    b += 1
    b *= 3
    b -= 1
    b /= 5
    b **= 2
    assert id(b) == before
    assert np.allclose(b.detach().numpy(), 1.0)
    assert type(b.grad_fn).__name__ == "PowBackward0"
    assert b._version == 5


# -- recording on non-leaves --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("op", "name"),
    [
        (lambda b: b.add_(1), "AddBackward0"),
        (lambda b: b.sub_(1), "SubBackward0"),
        (lambda b: b.mul_(2), "MulBackward0"),
        (lambda b: b.div_(2), "DivBackward0"),
        (lambda b: b.pow_(2), "PowBackward0"),
        (lambda b: b.clamp_(min=0), "ClampBackward1"),
        (lambda b: b.zero_(), "ZeroBackward0"),
        (lambda b: b.fill_(2.0), "FillBackward2"),
        (lambda b: b.neg_(), "NegBackward0"),
        (lambda b: b.exp_(), "ExpBackward0"),
        (lambda b: b.copy_(torch.ones(3)), "CopyBackwards"),
        (lambda b: b.__setitem__(0, 7.0), "CopySlices"),
    ],
)
def test_inplace_on_nonleaf_rebases_grad_fn(op, name):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = x * 1
    op(b)
    assert type(b.grad_fn).__name__ == name
    assert b._version == 1
    assert b.requires_grad and not b.is_leaf


def test_node_names_of_copy_nodes():
    x = torch.ones(3, requires_grad=True)
    b = x * 1
    b[0] = 7
    assert b.grad_fn.name() == "torch::autograd::CopySlices"
    c = x * 1
    c.copy_(torch.zeros(3))
    assert c.grad_fn.name() == "torch::autograd::CopyBackwards"
    assert repr(b).endswith("grad_fn=<CopySlices>)")


def test_inplace_chain_gradient():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    b = x * 2
    b.add_(1)
    b.mul_(3)
    b.sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]
    assert b.tolist() == [9.0, 15.0]


def test_inplace_mul_by_tensor_uses_old_value_for_gradient():
    x = torch.tensor([2.0, 3.0], requires_grad=True)
    y = torch.tensor([5.0, 7.0], requires_grad=True)
    b = x * 1
    b.mul_(y)
    b.sum().backward()
    assert x.grad.tolist() == [5.0, 7.0]
    assert y.grad.tolist() == [2.0, 3.0]


def test_write_through_slice_view_records_copyslices_on_base():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = x * 1
    v = b[0:2]
    v.mul_(2)
    assert type(b.grad_fn).__name__ == "CopySlices"
    assert type(v.grad_fn).__name__ == "AsStridedBackward0"
    assert b.grad_fn.next_functions[1] == (None, 0)
    assert b.tolist() == [2.0, 4.0, 3.0]
    assert v._version == b._version == 1
    b.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 1.0]


def test_setitem_with_value_that_requires_grad():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = x * 2
    b[1:] = b[:2] * 10
    assert b.tolist() == [2.0, 20.0, 40.0]
    b.sum().backward()
    assert x.grad.tolist() == [22.0, 20.0, 0.0]


def test_setitem_on_plain_tensor_with_grad_value_makes_nonleaf():
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    z = torch.zeros(3)
    z[0] = w.sum()
    assert not z.is_leaf and z.requires_grad
    (z * torch.tensor([2.0, 1.0, 1.0])).sum().backward()
    assert w.grad.tolist() == [2.0, 2.0]


def test_inplace_with_grad_operand_on_plain_tensor():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    z = torch.zeros(2)
    z.add_(w)
    assert type(z.grad_fn).__name__ == "AddBackward0"
    assert z.grad_fn.next_functions[0] == (None, 0)
    assert type(z.grad_fn.next_functions[1][0]).__name__ == "AccumulateGrad"


def test_copy_gives_zero_gradient_to_overwritten_tensor():
    x = torch.ones(3, requires_grad=True)
    w = torch.ones(3, requires_grad=True)
    b = x * 1
    b.copy_(w)
    b.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    assert w.grad.tolist() == [1.0, 1.0, 1.0]


def test_inplace_ops_pass_gradcheck():
    x = torch.tensor([0.3, -0.7, 1.1], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([1.5, 0.4, -0.2], dtype=torch.float64, requires_grad=True)

    def f(a, b):
        c = a * 1
        c.mul_(b)
        c.add_(a.sin(), alpha=2)
        c[1:] = c[:2].clone() * b[1:]
        c.exp_()
        return c

    assert gradcheck(f, (x, y))


# -- version counter ----------------------------------------------------------------------------------
def test_version_counter_is_shared_with_views_and_detach_but_not_data():
    x = torch.ones(4, requires_grad=True)
    b = x * 1
    v = b.view(2, 2)
    d = b.detach()
    assert b._version == 0
    b.add_(1)
    assert (b._version, v._version, d._version) == (1, 1, 1)
    d.mul_(2)
    assert (b._version, v._version) == (2, 2)
    b.data.zero_()
    assert b._version == 2


def test_saved_output_modified_reports_the_saving_node():
    a = torch.ones(3, requires_grad=True)
    b = a.exp()
    b.add_(1)
    text = (
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [3]], which is output 0 of Exp, is at version 1; expected "
        f"version 0 instead. {HINT}"
    )
    _raises(lambda: b.sum().backward(), text)


def test_saved_input_modified_reports_current_grad_fn():
    a = torch.ones(3, requires_grad=True)
    b = a + 1
    c = b * b
    b.mul_(2)
    with pytest.raises(
        RuntimeError, match=r"\[torch.FloatTensor \[3\]\], which is output 0 of Mul,"
    ):
        c.sum().backward()


def test_saved_leaf_modified_omits_output_clause():
    w = torch.ones(3, 4, requires_grad=True)
    a = torch.ones(3, 4)
    c = w * a
    a.add_(1)
    text = (
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [3, 4]] is at version 1; expected version 0 instead. "
        f"{HINT}"
    )
    _raises(lambda: c.sum().backward(), text)


def test_write_through_view_invalidates_saved_base():
    x = torch.ones(3, requires_grad=True)
    b = x * 1
    c = b * b
    b[0] = 5
    with pytest.raises(
        RuntimeError, match="output 0 of torch::autograd::CopySlices, is at version 1"
    ):
        c.sum().backward()


def test_self_operand_modified_in_place_raises():
    x = torch.ones(3, requires_grad=True)
    b = x * 1
    b.mul_(b)
    with pytest.raises(RuntimeError, match="output 0 of Mul, is at version 1; expected version 0"):
        b.sum().backward()


# -- shape and dtype errors -----------------------------------------------------------------------------
def test_inplace_broadcast_to_larger_shape_raises():
    a = torch.zeros(2, 3)
    _raises(
        lambda: a.add_(torch.ones(4, 2, 3)),
        "output with shape [2, 3] doesn't match the broadcast shape [4, 2, 3]",
    )


def test_inplace_float_result_into_int_tensor_raises():
    a = torch.zeros(2, 3, dtype=torch.long)
    _raises(lambda: a.add_(1.5), "result type Float can't be cast to the desired output type Long")


def test_inplace_smaller_operand_broadcasts():
    a = torch.zeros(2, 3)
    a.add_(torch.tensor([1.0, 2.0, 3.0]))
    assert a.tolist() == [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]


# -- events --------------------------------------------------------------------------------------------
def test_inplace_publishes_update_event():
    x = torch.ones(2, requires_grad=True)
    b = x * 1
    with events.Recorder() as rec:
        b.add_(3)
    (ev,) = rec.of(events.InplaceUpdate)
    assert ev.tensor == b._id and ev.op == "add_" and ev.version == 1
    assert ev.recorded and ev.grad_fn == "AddBackward0" and ev.node == b.grad_fn.id
    assert ev.value.tolist() == [4.0, 4.0]
    assert ev.source is not None and ev.source[0] == __file__
    assert ev.grad_of is None


def test_zeroing_a_grad_publishes_grad_reset_for_its_leaf():
    inp = torch.ones(2, requires_grad=True)
    (inp * 3).sum().backward()
    with events.Recorder() as rec:
        inp.grad.zero_()
    (upd,) = rec.of(events.InplaceUpdate)
    (reset,) = rec.of(events.GradReset)
    assert upd.grad_of == inp._id and not upd.recorded
    assert reset.tensor == inp._id and reset.how == "zero"
    assert reset.grad.tolist() == [0.0, 0.0]


def test_optimizer_style_update_event_is_not_recorded():
    w = torch.ones(2, requires_grad=True)
    with events.Recorder() as rec, torch.no_grad():
        w.sub_(torch.tensor([0.5, 0.25]))
    (ev,) = rec.of(events.InplaceUpdate)
    assert ev.tensor == w._id and not ev.recorded and ev.node is None
    assert ev.value.tolist() == [0.5, 0.75]


# -- setitem shapes, as PyTorch's copy into a view and index_put --------------------------------------
def test_setitem_drops_leading_one_dims_of_the_value():
    z = torch.zeros(3, 4)
    z[0] = torch.ones(1, 4)
    z[:, 1] = torch.full((1, 1, 3), 2.0)
    assert z.tolist() == [[1.0, 2.0, 1.0, 1.0], [0.0, 2.0, 0.0, 0.0], [0.0, 2.0, 0.0, 0.0]]


def test_setitem_of_value_with_leading_ones_passes_gradient_in_its_shape():
    w = torch.ones(1, 4, requires_grad=True)
    z = torch.zeros(3, 4)
    z[1] = w * 2
    (z * torch.arange(12.0).reshape(3, 4)).sum().backward()
    assert z.grad_fn.name() == "torch::autograd::CopySlices"
    assert w.grad.tolist() == [[8.0, 10.0, 12.0, 14.0]]


def test_setitem_none_index_writes_the_whole_tensor():
    z = torch.zeros(2, 3)
    z[None] = 1
    assert z.tolist() == [[1.0] * 3] * 2


@pytest.mark.parametrize(
    ("idx", "shape", "text"),
    [
        (
            0,
            (2, 4),
            "expand(torch.FloatTensor{[2, 4]}, size=[4]): the number of sizes provided (1) must "
            "be greater or equal to the number of dimensions in the tensor (2)",
        ),
        (
            slice(0, 2),
            (3, 4),
            "The expanded size of the tensor (2) must match the existing size (3) at "
            "non-singleton dimension 0.  Target sizes: [2, 4].  Tensor sizes: [3, 4]",
        ),
        (
            [0, 1],
            (2, 2, 4),
            "shape mismatch: value tensor of shape [2, 2, 4] cannot be broadcast to indexing "
            "result of shape [2, 4]",
        ),
    ],
)
@pytest.mark.parametrize("grad", [False, True])
def test_setitem_shape_errors_are_pytorchs(idx, shape, text, grad):
    z = torch.zeros(3, 4, requires_grad=grad).clone()
    value = torch.ones(*shape, requires_grad=grad)
    _raises(lambda: z.__setitem__(idx, value), text)


def test_copy_does_not_drop_leading_ones():
    _raises(
        lambda: torch.zeros(3, 4).copy_(torch.ones(1, 3, 4)),
        "output with shape [3, 4] doesn't match the broadcast shape [1, 3, 4]",
    )
