"""What the fixtures of ``math_ops`` cannot say: printouts and named results, as PyTorch 2.13
prints them (values from ``scripts/torch_fixtures/math_ops.py``'s runs)."""

from __future__ import annotations

import pytest

import visgrad as torch


def test_heaviside_records_pytorchs_not_implemented_node() -> None:
    x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    y = torch.heaviside(x, torch.tensor(0.5))
    assert repr(y) == "tensor([0.0000, 0.5000, 1.0000], grad_fn=<NotImplemented>)"
    assert y.grad_fn.name() == "torch::autograd::NotImplemented"
    with pytest.raises(RuntimeError, match=r"^derivative for aten::heaviside is not implemented$"):
        y.sum().backward()


def test_frexp_returns_a_named_mantissa_and_int32_exponent() -> None:
    r = torch.frexp(torch.tensor([8.0, 0.75]))
    assert isinstance(r, torch.return_types.frexp)
    assert repr(r) == (
        "torch.return_types.frexp(\n"
        "mantissa=tensor([0.5000, 0.7500]),\n"
        "exponent=tensor([4, 0], dtype=torch.int32))"
    )
    assert r.mantissa.tolist() == [0.5, 0.75] and r.exponent.tolist() == [4, 0]


def test_ldexp_gradient_is_zero_for_negative_integer_exponents_as_in_pytorch() -> None:
    # PyTorch takes pow(2, other) in integer arithmetic in the backward: 2 ** -2 is 0 there.
    a = torch.ones(3, dtype=torch.float64, requires_grad=True)
    y = torch.ldexp(a, torch.tensor([1, -2, 3]))
    assert y.tolist() == [2.0, 0.25, 8.0]
    y.sum().backward()
    assert a.grad.tolist() == [2.0, 0.0, 8.0]
