"""The core engine's PyTorch behaviours (reference/pytorch-autograd.md, tiers 1 and 2, §2, §4, §5)."""

import warnings

import numpy as np
import pytest

import visgrad as torch

BACKWARD_TWICE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)


def _raises(fn, text, exc=RuntimeError):
    with pytest.raises(exc) as e:
        fn()
    assert str(e.value) == text


# -- backward twice, retain_graph ---------------------------------------------------------------------
def test_second_backward_without_retain_graph_raises_when_saved_values_needed():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (a * a).sum()
    y.backward()
    _raises(y.backward, BACKWARD_TWICE)


def test_second_backward_works_when_no_saved_values_needed_and_accumulates():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (a + 1).sum()
    y.backward()
    y.backward()
    assert a.grad.tolist() == [2.0, 2.0]


def test_reading_saved_tensor_after_backward_raises():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    y = a.exp()
    assert y.grad_fn._saved_result.tolist() == y.tolist()
    y.sum().backward()
    _raises(lambda: y.grad_fn._saved_result, BACKWARD_TWICE)


def test_retain_graph_allows_again_then_next_call_frees():
    a = torch.tensor([3.0], requires_grad=True)
    y = (a * a).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert a.grad.tolist() == [12.0]
    _raises(y.backward, BACKWARD_TWICE)


def test_autograd_grad_twice_raises():
    a = torch.tensor([1.0], requires_grad=True)
    y = (a * a).sum()
    torch.autograd.grad(y, a)
    _raises(lambda: torch.autograd.grad(y, a), BACKWARD_TWICE)


# -- implicit gradients and argument errors -----------------------------------------------------------
@pytest.mark.parametrize("shape", [(), (1,), (1, 1)])
def test_backward_without_argument_on_single_element_outputs(shape):
    x = torch.ones(shape, requires_grad=True)
    (x * 3).backward()
    assert x.grad.shape == shape and x.grad.tolist() == (np.full(shape, 3.0)).tolist()


def test_backward_on_non_scalar_needs_gradient():
    x = torch.ones(3, requires_grad=True)
    y = x * 2
    _raises(y.backward, "grad can be implicitly created only for scalar outputs")
    _raises(
        lambda: torch.autograd.grad(y, x), "grad can be implicitly created only for scalar outputs"
    )
    z = torch.ones(0, requires_grad=True) * 2
    _raises(z.backward, "grad can be implicitly created only for scalar outputs")


def test_backward_on_tensor_without_grad():
    t = torch.ones(2).sum()
    _raises(t.backward, "element 0 of tensors does not require grad and does not have a grad_fn")
    _raises(
        lambda: torch.ones(2).backward(torch.ones(2)),
        "element 0 of tensors does not require grad and does not have a grad_fn",
    )


def test_gradient_of_wrong_shape():
    x = torch.ones(3, requires_grad=True)
    _raises(
        lambda: (x * 2).backward(torch.ones(4)),
        "Mismatch in shape: grad_output[0] has a shape of torch.Size([4]) and output[0] has a "
        "shape of torch.Size([3]).",
    )
    _raises(
        lambda: (x * 2).sum().backward(torch.ones(1)),
        "Mismatch in shape: grad_output[0] has a shape of torch.Size([1]) and output[0] has a "
        "shape of torch.Size([]).",
    )


def test_backward_with_python_number_or_list():
    y = (torch.ones(1, requires_grad=True) * 2).sum()
    _raises(lambda: y.backward(1.0), "'float' object is not iterable", TypeError)


def test_backward_vector_jacobian_product_and_scaled_seed():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).backward(torch.tensor([1.0, 0.5]))
    assert x.grad.tolist() == [2.0, 2.0]
    x.grad = None
    (x * x).sum().backward(torch.tensor(2.0))
    assert x.grad.tolist() == [4.0, 8.0]


def test_leaf_backward_on_itself():
    x = torch.tensor(3.0, requires_grad=True)
    x.backward()
    assert x.grad.tolist() == 1.0


# -- .grad of non-leaves, requires_grad_ --------------------------------------------------------------
def test_grad_of_non_leaf_warns_and_is_none():
    x = torch.ones(2, requires_grad=True)
    h = x * 2
    with pytest.warns(UserWarning, match=r"^The \.grad attribute of a Tensor that is not a leaf"):
        assert h.grad is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.grad is None


def test_requires_grad_on_non_leaf():
    x = torch.ones(2, requires_grad=True)
    h = x * 2
    text = (
        "you can only change requires_grad flags of leaf variables. If you want to use a computed "
        "variable in a subgraph that doesn't require differentiation use var_no_grad = "
        "var.detach()."
    )
    _raises(lambda: h.requires_grad_(False), text)

    def assign():
        h.requires_grad = False

    _raises(assign, text)
    assert h.requires_grad_(True) is h


def test_requires_grad_on_integer_tensors():
    _raises(
        lambda: torch.tensor([1, 2, 3], requires_grad=True),
        "Only Tensors of floating point and complex dtype can require gradients",
    )
    _raises(
        lambda: torch.tensor([1, 2]).requires_grad_(),
        "only Tensors of floating point dtype can require gradients",
    )


def test_retain_grad():
    x = torch.ones(2, requires_grad=True)
    h = x * 2
    h.retain_grad()
    assert h.retains_grad
    (h * 3).sum().backward()
    assert h.grad.tolist() == [3.0, 3.0]
    x.retain_grad()
    assert not x.retains_grad
    _raises(torch.ones(2).retain_grad, "can't retain_grad on Tensor that has requires_grad=False")


# -- hooks --------------------------------------------------------------------------------------------
def test_tensor_hook_replaces_grad_and_can_be_removed():
    x = torch.ones(2, requires_grad=True)
    h = x * 2
    handle = h.register_hook(lambda g: g * 10)
    h.sum().backward()
    assert x.grad.tolist() == [20.0, 20.0]
    handle.remove()
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_leaf_hook_runs_before_accumulation():
    x = torch.ones(2, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()) or g * 0.5)
    (x * 4).sum().backward()
    assert seen == [[4.0, 4.0]] and x.grad.tolist() == [2.0, 2.0]


def test_hook_errors():
    _raises(
        lambda: torch.ones(2).register_hook(lambda g: g),
        "cannot register a hook on a tensor that doesn't require gradient",
    )
    x = torch.ones(2, requires_grad=True)
    (x * 1).register_hook(lambda g: torch.ones(3))
    h = x * 1
    h.register_hook(lambda g: torch.ones(3))
    _raises(lambda: h.sum().backward(), "hook '<lambda>' has changed the size of value")


def test_post_accumulate_grad_hook():
    x = torch.ones(2, requires_grad=True)
    seen = []
    x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    (x * 3).sum().backward()
    assert seen == [[3.0, 3.0]]
    _raises(
        lambda: (x * 1).register_post_accumulate_grad_hook(lambda t: None),
        "post accumulate grad hooks cannot be registered on non-leaf tensors",
    )


# -- inputs=, autograd.grad ---------------------------------------------------------------------------
def test_backward_inputs_accumulates_only_listed_leaves():
    a = torch.ones(2, requires_grad=True)
    b = torch.ones(2, requires_grad=True)
    (a * b * 2).sum().backward(inputs=[a])
    assert a.grad.tolist() == [2.0, 2.0] and b.grad is None


def test_autograd_grad_returns_tuple_and_leaves_grad_alone():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    (g,) = torch.autograd.grad((a * a).sum(), a)
    assert g.tolist() == [2.0, 4.0] and a.grad is None


def test_autograd_grad_unused_inputs():
    a = torch.ones(2, requires_grad=True)
    b = torch.ones(2, requires_grad=True)
    _raises(
        lambda: torch.autograd.grad((a * 2).sum(), [a, b]),
        "The differentiated Tensor at index 1 appears to not have been used in the graph. Set "
        "allow_unused=True if this is the desired behavior.",
    )
    ga, gb = torch.autograd.grad((a * 2).sum(), [a, b], allow_unused=True)
    assert gb is None and ga.tolist() == [2.0, 2.0]
    ga, gb = torch.autograd.grad((a * 2).sum(), [a, b], materialize_grads=True)
    assert gb.tolist() == [0.0, 0.0]
    _raises(
        lambda: torch.autograd.grad((a * 2).sum(), [torch.ones(2)]),
        "One of the differentiated Tensors does not require grad",
    )


def test_create_graph_higher_order_cube():
    x = torch.tensor(2.0, requires_grad=True)
    (d1,) = torch.autograd.grad(x**3, x, create_graph=True)
    assert d1.item() == 12.0 and type(d1.grad_fn).__name__ == "MulBackward0"
    (d2,) = torch.autograd.grad(d1, x)
    assert d2.item() == 12.0


def test_backward_create_graph_warns():
    x = torch.tensor(2.0, requires_grad=True)
    with pytest.warns(UserWarning, match="Using backward\\(\\) with create_graph=True"):
        (x**3).backward(create_graph=True)
    assert x.grad.item() == 12.0 and x.grad.requires_grad


# -- accumulation and zeroing -------------------------------------------------------------------------
def test_accumulation_updates_the_same_grad_object():
    w = torch.ones(2, requires_grad=True)
    values, ids = [], []
    for _ in range(3):
        (w * 3).sum().backward()
        values.append(w.grad.tolist())
        ids.append(id(w.grad))
    assert values == [[3.0, 3.0], [6.0, 6.0], [9.0, 9.0]]
    assert len(set(ids)) == 1


def test_zero_leaves_zeros_and_none_restarts():
    w = torch.ones(2, requires_grad=True)
    (w * 3).sum().backward()
    w.grad.zero_()
    assert w.grad.tolist() == [0.0, 0.0]
    w.grad = None
    (w * 3).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0]


def test_tensor_used_twice_sums_paths():
    x = torch.tensor(2.0, requires_grad=True)
    (x * x + x).backward()
    assert x.grad.item() == 5.0


def test_broadcast_gradients_reduce_to_input_shapes():
    A = torch.ones(2, 3, requires_grad=True)
    bias = torch.ones(3, requires_grad=True)
    s = torch.ones(1, 3, requires_grad=True)
    k = torch.ones(2, 1, requires_grad=True)
    sc = torch.tensor(2.0, requires_grad=True)
    ((A + bias + s + k) * sc).sum().backward()
    assert bias.grad.tolist() == [4.0, 4.0, 4.0] and bias.grad.shape == (3,)
    assert s.grad.tolist() == [[4.0, 4.0, 4.0]]
    assert k.grad.tolist() == [[6.0], [6.0]]
    assert sc.grad.item() == 24.0 and sc.grad.shape == ()
    assert A.grad.tolist() == [[2.0] * 3] * 2
    p = torch.ones(3, 1, requires_grad=True)
    q = torch.ones(1, 4, requires_grad=True)
    (p * q).sum().backward()
    assert p.grad.tolist() == [[4.0]] * 3 and q.grad.tolist() == [[3.0] * 4]


def test_tutorial_jacobian_product_example():
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(torch.ones_like(out), retain_graph=True)
    first = np.where(np.eye(4, 5) == 1, 4.0, 2.0)
    assert inp.grad.tolist() == first.tolist()
    out.backward(torch.ones_like(out), retain_graph=True)
    assert inp.grad.tolist() == (2 * first).tolist()
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    assert inp.grad.tolist() == first.tolist()
    names = []
    fn = out.grad_fn
    while fn is not None:
        names.append(type(fn).__name__)
        fn = fn.next_functions[0][0] if fn.next_functions else None
    assert names == ["TBackward0", "PowBackward0", "AddBackward0", "AccumulateGrad"]


# -- modes and depth ----------------------------------------------------------------------------------
def test_no_grad_detach_and_leaves():
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        y = x * 2
        z = torch.ones(2, requires_grad=True)
    assert not y.requires_grad and y.is_leaf and z.requires_grad
    d = (x * 2).detach()
    assert d.is_leaf and not d.requires_grad


def test_hundred_thousand_op_chain_backpropagates_without_recursion_error():
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0001 + 0.0001
    y.backward()
    assert x.grad.item() == pytest.approx(1.0001**100_000, rel=5e-3)
    del y
