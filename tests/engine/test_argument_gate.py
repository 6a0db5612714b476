"""The op declarations' argument gate: PyTorch's errors before any kernel runs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import visgrad as torch
import visgrad.nn.functional as F  # noqa: N812 - PyTorch's alias


@pytest.mark.parametrize(
    ("call", "cls", "text"),
    [
        (lambda x: torch.matmul(1.5, x), TypeError,
         "matmul(): argument 'input' (position 1) must be Tensor, not float"),
        (lambda x: torch.cat([1, 2]), TypeError,
         "expected Tensor as element 0 in argument 0, but got int"),
        (lambda x: torch.cat(x), TypeError,
         "cat(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor"),
        (lambda x: x.sum(0, keepdim=1), TypeError,
         "sum(): argument 'keepdim' must be bool, not int"),
        (lambda x: x.transpose(True, 0), TypeError, "argument 'dim0' (position 1) must be int"),
        (lambda x: F.elu(x, alpha="a"), TypeError, "must be Number, not str"),
        (lambda x: torch.clamp(x, "a"), TypeError, "clamp() received an invalid combination"),
        (lambda x: x.add(1, alpha="a"), TypeError, "argument 'alpha' must be Number, not str"),
        (lambda x: x.view(2.0, 3), TypeError, "view() received an invalid combination"),
        (lambda x: torch.exp_(1), TypeError, "exp_(): argument 'input'"),
        (lambda x: torch.ones_like([1]), TypeError, "ones_like(): argument 'input'"),
        (lambda x: torch.pow(3, 2), TypeError, "pow() received an invalid combination"),
        (lambda x: x.sum(dtype="a"), TypeError, "sum() received an invalid combination of "
         "arguments - got (dtype=str, )"),
        (lambda x: torch.arange(5, 1, 0), RuntimeError, "step must be nonzero"),
        (lambda x: torch.arange(5, 1, 1), RuntimeError, "upper bound and lower bound inconsistent"),
        (lambda x: torch.arange(float("inf")), RuntimeError, "unsupported range: 0 -> inf"),
        (lambda x: x.repeat(2, 2**62), RuntimeError, "negative dimension -4611686018427387904"),
        (lambda x: x.bool().relu(), RuntimeError, "Boolean inputs not supported for relu"),
        (lambda x: F.group_norm(x, 0), RuntimeError, "Expected num groups to be greater than 0"),
        (lambda x: F.elu(x.long()), NotImplementedError, "\"elu_cpu\" not implemented for 'Long'"),
        (lambda x: F.mse_loss(1.5, x), AttributeError, "'float' object has no attribute 'size'"),
        (lambda x: torch.matmul(x.double(), x.t()), RuntimeError,
         "expected m1 and m2 to have the same dtype, but got: double != float"),
        (lambda x: torch.where(x, x, x), RuntimeError, "expected condition to be a boolean"),
        (lambda x: x.long() // 0, RuntimeError, "ZeroDivisionError"),
        (lambda x: x.long() % 0, RuntimeError, "ZeroDivisionError"),
        (lambda x: x.narrow(0, 1, -1), RuntimeError, "length must be non-negative"),
        (lambda x: x.narrow(1, 2, 2), RuntimeError, "start (2) + length (2) exceeds dimension"),
        (lambda x: x.narrow(1, 5, 0), IndexError, "start out of range"),
        (lambda x: torch.gather(x, 1, torch.tensor([[-1]])), RuntimeError,
         "index -1 is out of bounds for dimension 1 with size 3"),
        (lambda x: torch.zeros(2**62, 3), RuntimeError, "Storage size calculation overflowed"),
        (lambda x: x + torch.ones(4, 5), RuntimeError, "must match the size of tensor b"),
    ],
)  # fmt: skip
def test_bad_arguments_raise_pytorchs_error(call, cls, text):
    x = torch.ones(2, 3)
    with pytest.raises(cls) as info:
        call(x)
    assert type(info.value) is cls
    assert text in str(info.value)


def test_the_gate_keeps_what_pytorch_accepts():
    x = torch.ones(2, 3)
    assert x.sum(np.int64(1)).shape == (2,)
    assert x.transpose(torch.tensor(1), 0).shape == (3, 2)
    assert F.elu(x, alpha=True).shape == (2, 3)  # a bool is a Number
    assert torch.add(1.5, 2).item() == 3.5  # two numbers: a 0-d tensor
    assert torch.flip(torch.tensor(1.0), (0,)).item() == 1.0
    assert torch.diag(x, 2**62).shape == (0,)


def test_results_pytorch_defines_for_awkward_values():
    u = torch.tensor([2, 5, 0], dtype=torch.uint8)
    assert (u - 1).tolist() == [1, 4, 255]  # the number wraps to the dtype
    assert (u * -1).tolist() == [254, 251, 0]
    assert (u / -1).tolist() == [-2.0, -5.0, -0.0]  # true division is done in floats
    assert torch.sign(torch.tensor([True, False])).tolist() == [True, False]
    one = torch.tensor([1.5], requires_grad=True)
    v = one.var()
    v.backward()
    assert np.isnan(v.item()) and np.isnan(one.grad.item())
    assert np.isnan(torch.round(torch.ones(2), decimals=2**62).numpy()).all()


def test_warnings_point_at_the_callers_line():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        F.softmax(torch.ones(2, 3))
    (w,) = caught
    assert w.filename == __file__


def test_gated_functions_keep_their_signature_and_name():
    import inspect

    assert torch.matmul.__name__ == "matmul"
    assert list(inspect.signature(torch.Tensor.sum).parameters)[:3] == ["a", "dim", "keepdim"]


def test_a_full_max_sends_the_gradient_to_the_nan_it_returns():
    y = torch.tensor([1.0, float("nan"), 0.5], requires_grad=True)
    y.max().backward()
    assert y.grad.tolist() == [0.0, 1.0, 0.0]
