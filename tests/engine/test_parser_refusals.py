"""What PyTorch's argument parser refuses in reductions, and what it lets through (issue 9)."""

from __future__ import annotations

import pytest

import visgrad as torch


def test_keepdim_without_dim_fits_no_signature() -> None:
    x = torch.ones(2, 3)
    with pytest.raises(TypeError) as e:
        torch.sum(x, keepdim=True)
    assert str(e.value) == (
        "sum() received an invalid combination of arguments - got (Tensor, keepdim=bool), "
        "but expected one of:"
    )
    with pytest.raises(TypeError, match=r"got \(keepdim=bool, \)"):
        x.max(keepdim=False)


def test_an_explicit_none_dim_keeps_every_dim() -> None:
    x = torch.ones(2, 3, requires_grad=True)
    y = torch.sum(x, None, True)
    assert y.shape == (1, 1)
    assert type(y.grad_fn).__name__ == "SumBackward1"
    y.backward()
    assert x.grad.tolist() == [[1.0] * 3] * 2


def test_a_bool_dim_is_refused_but_std_takes_a_positional_unbiased() -> None:
    x = torch.tensor([[1.0, 2.0], [3.0, 5.0]])
    with pytest.raises(TypeError, match=r"max\(\) received an invalid combination .*dim=bool"):
        torch.max(x, dim=True)
    with pytest.raises(TypeError, match=r"got \(Tensor, dim=bool\)"):
        torch.std(x, dim=True)
    assert torch.std(x, False).item() == pytest.approx(1.479019945774904)


def test_squeeze_of_no_dims_changes_nothing() -> None:
    assert torch.squeeze(torch.zeros(1, 2), ()).shape == (1, 2)
