"""autograd.Function, autograd.functional, gradcheck/gradgradcheck and anomaly mode."""

import warnings

import numpy as np
import pytest

import visgrad as torch
from visgrad import events
from visgrad.autograd import Function, GradcheckError, gradcheck, gradgradcheck
from visgrad.autograd import functional as F


def _f64(*values):
    return torch.tensor(list(values), dtype=torch.float64, requires_grad=True)


# -- custom Function ----------------------------------------------------------------------------------
class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        result = x.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * result


def test_custom_function_node_is_named_without_trailing_zero():
    x = torch.tensor([0.0, 1.0], requires_grad=True)
    y = Exp.apply(x)
    assert type(y.grad_fn).__name__ == "ExpBackward"
    assert y.grad_fn.name() == "ExpBackward"
    assert repr(y).endswith("grad_fn=<ExpBackward>)")
    y.sum().backward()
    assert np.allclose(x.grad.numpy(), [1.0, np.e])


def test_custom_function_forward_runs_without_grad():
    seen = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            seen.append(torch.is_grad_enabled())
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    y = Probe.apply(torch.ones(2, requires_grad=True))
    assert seen == [False] and type(y.grad_fn).__name__ == "ProbeBackward"


@pytest.mark.parametrize(
    "between, message",
    [
        (lambda y: y.sum().backward(), "Trying to backward through the graph a second time"),
        (lambda y: y.add_(1), "which is output 0 of ExpBackward, is at version 1"),
    ],
    ids=["freed_after_backward", "version_checked"],
)
def test_custom_function_saved_tensors(between, message):
    y = Exp.apply(torch.ones(2, requires_grad=True))
    between(y)
    with pytest.raises(RuntimeError, match=message):
        y.sum().backward()


def test_custom_function_wrong_number_of_grads():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    x = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError) as e:
        Bad.apply(x, x).sum().backward()
    assert str(e.value) == (
        "function BadBackward returned an incorrect number of gradients (expected 2, got 1)"
    )


def test_custom_function_wrong_grad_shape():
    class BadShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return torch.ones(5)

    x = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError) as e:
        BadShape.apply(x).sum().backward()
    assert str(e.value) == (
        "Function BadShapeBackward returned an invalid gradient at index 0 - got [5] but expected "
        "shape compatible with [2]"
    )


def test_setup_context_style_and_needs_input_grad():
    needs = []

    class Scale(Function):
        @staticmethod
        def forward(x, k):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.k = inputs[1]
            needs.append(ctx.needs_input_grad)

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    x = torch.ones(3, requires_grad=True)
    Scale.apply(x, 3.0).sum().backward()
    assert needs == [(True, False)]
    assert x.grad.tolist() == [3.0, 3.0, 3.0]


def test_mark_non_differentiable_and_materialize_grads():
    got = []

    class SortLike(Function):
        @staticmethod
        def forward(ctx, x):
            idx = torch.tensor(np.argsort(x.detach().numpy()))
            ctx.mark_non_differentiable(idx)
            ctx.set_materialize_grads(False)
            return x * 1, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            got.append(g_idx)
            return g

    x = torch.tensor([3.0, 1.0], requires_grad=True)
    y, idx = SortLike.apply(x)
    assert not idx.requires_grad and idx.tolist() == [1, 0]
    y.sum().backward()
    assert got == [None] and x.grad.tolist() == [1.0, 1.0]


def test_mark_dirty_rebases_modified_input():
    class AddOne(Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    a = torch.ones(2, requires_grad=True)
    b = a * 2
    out = AddOne.apply(b)
    assert out is b and type(b.grad_fn).__name__ == "AddOneBackward"
    b.sum().backward()
    assert a.grad.tolist() == [2.0, 2.0]


def test_instantiating_function_warns_deprecation():
    with pytest.warns(DeprecationWarning, match="should not be instantiated"):
        Exp()


def test_custom_function_publishes_forward_event():
    x = torch.ones(2, requires_grad=True)
    with events.Recorder() as rec:
        y = Exp.apply(x)
    ops = [e for e in rec.of(events.ForwardOp) if e.grad_fn == "ExpBackward"]
    assert len(ops) == 1 and ops[0].op == "Exp" and ops[0].outputs == (y._id,)
    assert ops[0].inputs == (x._id,)


def test_custom_function_gradchecks():
    assert gradcheck(Exp.apply, (_f64(0.5, -1.0, 2.0),))


# -- functional ---------------------------------------------------------------------------------------
def test_jacobian_shape_and_values():
    x = torch.tensor([1.0, 2.0, 3.0])
    j = F.jacobian(lambda a: a**2, x)
    assert j.shape == (3, 3) and not j.requires_grad
    assert j.tolist() == [[2.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 6.0]]
    m = F.jacobian(lambda a: a.sum(), torch.ones(2, 3))
    assert m.shape == (2, 3)


def test_jacobian_tuple_inputs_and_outputs():
    j = F.jacobian(lambda a, b: (a * b, a.sum()), (torch.ones(2), torch.ones(2) * 3))
    assert j[0][0].tolist() == [[3.0, 0.0], [0.0, 3.0]]
    assert j[0][1].tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert j[1][0].tolist() == [1.0, 1.0] and j[1][1].tolist() == [0.0, 0.0]


def test_jacobian_strict_texts():
    with pytest.raises(RuntimeError) as e:
        F.jacobian(lambda a: torch.ones(3), torch.ones(3), strict=True)
    assert str(e.value) == (
        "Output 0 of the user-provided function does not require gradients. The outputs must be "
        "computed in a differentiable manner from the input when running in strict mode."
    )
    with pytest.raises(RuntimeError, match="is independent of input 1. This is not allowed"):
        F.jacobian(lambda a, b: a * 2, (torch.ones(3), torch.ones(2)), strict=True)
    assert F.jacobian(lambda a: torch.ones(2), torch.ones(3)).tolist() == [[0.0] * 3] * 2


def test_jacobian_create_graph_is_differentiable():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    j = F.jacobian(lambda a: a**3, x, create_graph=True)
    assert j.requires_grad
    j.sum().backward()
    assert x.grad.tolist() == [6.0, 12.0]


def test_hessian_vhp_hvp():
    f = lambda a: (a**3).sum()  # noqa: E731
    x = torch.tensor([1.0, 2.0])
    assert F.hessian(f, x).tolist() == [[6.0, 0.0], [0.0, 12.0]]
    out, v = F.vhp(f, x, torch.ones(2))
    assert out.item() == 9.0 and v.tolist() == [6.0, 12.0]
    assert F.hvp(f, x, torch.tensor([1.0, 0.0]))[1].tolist() == [6.0, 0.0]


def test_vjp_and_jvp():
    out, g = F.vjp(lambda a: a**2, torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0]))
    assert out.tolist() == [1.0, 4.0] and g.tolist() == [2.0, 4.0] and not out.requires_grad
    out, jv = F.jvp(lambda a: a**2, torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0]))
    assert out.tolist() == [1.0, 4.0] and jv.tolist() == [2.0, 4.0]
    _, jv = F.jvp(lambda a: a.sum() * a, torch.tensor([1.0, 2.0]), torch.tensor([1.0, 0.0]))
    assert jv.tolist() == [4.0, 2.0]


def test_vjp_and_jvp_vector_errors():
    with pytest.raises(RuntimeError) as e:
        F.vjp(lambda a: a * 2, torch.ones(3))
    assert str(e.value) == (
        "The vector v can only be None if the user-provided function returns a single Tensor with "
        "a single element."
    )
    with pytest.raises(RuntimeError) as e:
        F.vjp(lambda a: a * 2, torch.ones(3), torch.ones(4))
    assert str(e.value) == "v has invalid size: should be torch.Size([3]) but got torch.Size([4])."
    with pytest.raises(RuntimeError, match="only be None if the input to the user-provided"):
        F.jvp(lambda a: a * 2, torch.ones(3))


# -- gradcheck ----------------------------------------------------------------------------------------
class Wrong(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 3


def test_gradcheck_passes_for_correct_gradients():
    x, y = _f64(0.3, -1.2), _f64(0.5, 0.1, 2.0)
    assert gradcheck(lambda a, b: (a.exp() * b.sum()).sin(), (x, y))
    assert gradgradcheck(lambda a, b: (a.exp() * b.sum()).sin(), (x, y))


def test_gradcheck_mismatch_text():
    x, y = _f64(1.0, 1.0), _f64(1.0, 1.0, 1.0)
    with pytest.raises(GradcheckError) as e:
        gradcheck(lambda a, b: Wrong.apply(a).sum() * b, (x, y))
    assert isinstance(e.value, RuntimeError)
    assert str(e.value) == (
        "Jacobian mismatch for output 0 with respect to input 0,\n"
        "numerical:tensor([[2.0000, 2.0000, 2.0000],\n"
        "        [2.0000, 2.0000, 2.0000]], dtype=torch.float64)\n"
        "analytical:tensor([[3., 3., 3.],\n"
        "        [3., 3., 3.]], dtype=torch.float64)\n"
    )
    assert gradcheck(Wrong.apply, (x,), raise_exception=False) is False


def test_gradgradcheck_catches_wrong_second_derivative():
    class WrongSecond(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x.detach() ** 2  # detached: the second derivative is lost

    x = _f64(1.0, 2.0)
    assert gradcheck(WrongSecond.apply, (x,))
    assert gradgradcheck(WrongSecond.apply, (x,), raise_exception=False) is False


def test_gradcheck_warns_on_float32_and_needs_an_input_with_grad():
    with pytest.warns(UserWarning) as w:
        gradcheck(lambda a: a * 2, (torch.ones(2, requires_grad=True),), eps=1e-2, atol=1e-2)
    assert str(w[0].message) == (
        "Input #0 requires gradient and is not a double precision floating point or complex. "
        "This check will likely fail if all the inputs are not of double precision floating point "
        "or complex. "
    )
    with pytest.raises(ValueError) as e:
        gradcheck(lambda a: a * 2, (torch.ones(2, dtype=torch.float64),))
    assert str(e.value) == (
        "gradcheck expects at least one input tensor to require gradient, but none of them have "
        "requires_grad=True."
    )


# -- anomaly mode -------------------------------------------------------------------------------------
def test_anomaly_nan_in_backward_raises_with_node_name():
    a = torch.tensor([-1.0, 4.0], requires_grad=True)
    with torch.autograd.set_detect_anomaly(True):
        y = (a * 1).sqrt().sum()
        with pytest.raises(RuntimeError) as e:
            y.backward()
    assert str(e.value) == "Function 'SqrtBackward0' returned nan values in its 0th output."
    assert not torch.is_anomaly_enabled()


def test_set_detect_anomaly_function_and_context_manager():
    assert not torch.is_anomaly_enabled()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        torch.autograd.set_detect_anomaly(True, check_nan=False)
    try:
        assert torch.is_anomaly_enabled() and not torch.is_anomaly_check_nan_enabled()
    finally:
        torch.autograd.set_detect_anomaly(False)
    assert not torch.is_anomaly_enabled()
    with torch.autograd.set_detect_anomaly(True):
        assert torch.is_anomaly_enabled() and torch.is_anomaly_check_nan_enabled()
    assert not torch.is_anomaly_enabled()


def test_detect_anomaly_warns_and_changes_version_hint():
    with pytest.warns(UserWarning) as w:
        ctx = torch.autograd.detect_anomaly()
    assert str(w[0].message) == (
        "Anomaly Detection has been enabled. This mode will increase the runtime and should only "
        "be enabled for debugging."
    )
    a = torch.ones(3, requires_grad=True)
    with ctx:
        b = a.exp()
        b.add_(1)
        with pytest.raises(RuntimeError) as e, pytest.warns(UserWarning, match="Error detected in"):
            b.sum().backward()
    assert str(e.value).endswith(
        "Hint: the backtrace further above shows the operation that failed to compute its "
        "gradient. The variable in question was changed in there or anywhere later. Good luck!"
    )
    assert not torch.is_anomaly_enabled()
