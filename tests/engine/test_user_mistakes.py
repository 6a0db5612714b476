"""User mistakes get PyTorch's errors, never a raw NumPy traceback; floor division and remainder."""

import numpy as np
import pytest

import visgrad as torch
from tests.engine.gradcheck_util import check_grad


@pytest.mark.parametrize(
    "make, exc, text",
    [
        (
            lambda: torch.randn(2, 3).permute(0, 0),
            RuntimeError,
            "permute(): duplicate dims are not allowed.",
        ),
        (
            lambda: torch.randn(-1),
            RuntimeError,
            "Trying to create tensor with negative dimension -1: [-1]",
        ),
        (lambda: torch.ones("x"), TypeError, "must be tuple of ints"),
        (
            lambda: torch.tensor([[1, 2], [3]]),
            ValueError,
            "expected sequence of length 2 at dim 1 (got 1)",
        ),
        (
            lambda: torch.where(torch.ones(2, 3) > 0, torch.ones(2, 3), torch.ones(4)),
            RuntimeError,
            "The size of tensor a (3) must match the size of tensor b (4) at non-singleton "
            "dimension 1",
        ),
    ],
)
def test_mistakes_raise_pytorchs_error(make, exc, text):
    with pytest.raises(exc) as e:
        make()
    assert text in str(e.value)
    assert "numpy" not in e.traceback[-1].path.parts


def test_floor_division_and_remainder_follow_pythons_sign_convention():
    a = torch.tensor([5.0, -7.0, 3.0])
    np.testing.assert_array_equal((a // 2).numpy(), [2.0, -4.0, 1.0])
    np.testing.assert_array_equal((a % 2).numpy(), [1.0, 1.0, 1.0])
    assert (7 // torch.tensor([2, 3])).tolist() == [3, 2]
    assert (torch.tensor([5, -7]) % 3).tolist() == [2, 2]


def test_remainder_gradients_match_finite_differences():
    a = torch.tensor([5.3, -7.1, 3.7], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([2.0, 3.0, -2.0], dtype=torch.float64, requires_grad=True)
    check_grad(torch.remainder, a, b)
    assert (a % b).grad_fn.name() == "RemainderBackward1"  # remainder.Tensor, as in PyTorch


def test_moving_to_the_cpu_keeps_the_tensor_and_the_module():
    t = torch.ones(2)
    model = torch.nn.Linear(2, 1)
    assert t.to("cpu") is t and model.to("cpu") is model


@pytest.mark.parametrize(
    "move",
    [
        lambda t, model: t.to("cuda"),
        lambda t, model: t.to(torch.device("cuda", 0)),
        lambda t, model: t.to(device="cuda:0"),
        lambda t, model: model.to("cuda"),
        lambda t, model: model.cuda(),
    ],
    ids=[
        "tensor_to_cuda",
        "tensor_to_device_cuda_0",
        "tensor_to_device_keyword",
        "module_to_cuda",
        "module_cuda",
    ],
)
def test_moving_to_a_gpu_says_visgrad_is_cpu_only(move):
    with pytest.raises(AssertionError, match="visgrad runs on the CPU only"):
        move(torch.ones(2), torch.nn.Linear(2, 1))


def test_default_dtype_governs_factories_int_promotion_and_printing():
    torch.set_default_dtype(torch.float64)
    try:
        assert torch.tensor([1.5]).dtype == torch.float64
        assert (torch.tensor([1, 2]) * 1.5).dtype == torch.float64
        assert torch.tensor([1, 4]).sqrt().dtype == torch.float64
        assert repr(torch.tensor([1.5, 2.0])) == "tensor([1.5000, 2.0000])"
        assert repr(torch.tensor([1.5], dtype=torch.float32)) == (
            "tensor([1.5000], dtype=torch.float32)"
        )
    finally:
        torch.set_default_dtype(torch.float32)
    assert (torch.tensor([1, 2]) * 1.5).dtype == torch.float32
