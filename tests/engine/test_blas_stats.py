"""What the ``blas_stats`` fixtures cannot say: ``Tensor.unfold`` is a view, the in-place fused
products' gradients (their update events carry no attributes for the formula test), and ``cov``'s
warning when no degrees of freedom are left (texts from torch 2.13's runs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import visgrad as torch
from tests.engine.gradcheck_util import check_grad


def test_unfold_is_a_view_with_pytorchs_strides() -> None:
    x = torch.zeros(3, 8)
    u = x.unfold(1, 3, 2)
    assert u._base is x and u.stride() == (8, 2, 1) and u.is_contiguous() is False
    x[0, 2] = 100.0  # the windows overlap: one element, two windows
    assert u[0, 0, 2].item() == 100.0 and u[0, 1, 0].item() == 100.0


def test_unfold_of_a_scalar_is_one_window() -> None:
    s = torch.tensor(2.5, requires_grad=True)
    u = s.unfold(0, 1, 1)
    assert repr(u) == "tensor([2.5000], grad_fn=<UnfoldBackward0>)"
    u.sum().backward()
    assert s.grad.item() == 1.0


def test_unfold_gradient_adds_overlapping_windows() -> None:
    x = torch.zeros(8, dtype=torch.float64, requires_grad=True)
    x.unfold(0, 3, 2).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 2.0, 1.0, 2.0, 1.0, 1.0, 0.0]


IN_PLACE: dict[str, tuple[Callable[..., Any], tuple[tuple[int, ...], ...]]] = {
    "addmv_": (lambda c, m, v: (c * 1).addmv_(m, v, beta=0.5, alpha=-1), ((2,), (2, 3), (3,))),
    "torch.addmv_": (lambda c, m, v: torch.addmv_(c * 1, m, v, alpha=2), ((2,), (2, 3), (3,))),
    "addr_": (lambda c, x, y: (c * 1).addr_(x, y, beta=2, alpha=3), ((2, 3), (2,), (3,))),
    "addbmm_": (lambda c, x, y: (c * 1).addbmm_(x, y, beta=-1), ((2, 3), (2, 2, 2), (2, 2, 3))),
    "baddbmm_": (
        lambda c, x, y: (c * 1).baddbmm_(x, y, alpha=0.5),
        ((2, 2, 3), (2, 2, 4), (2, 4, 3)),
    ),
    "addmm_": (lambda c, x, y: (c * 1).addmm_(x, y, beta=2), ((2, 3), (2, 4), (4, 3))),
}


@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_in_place_fused_product_gradient_matches_finite_differences(name: str) -> None:
    fn, shapes = IN_PLACE[name]
    rng = np.random.default_rng(len(name))
    leaves = [torch.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    check_grad(fn, *leaves)


def test_in_place_fused_product_keeps_the_tensor_and_bumps_its_version() -> None:
    c = torch.zeros(2)
    v0 = int(c._version.value)
    out = c.addmv_(torch.ones(2, 3), torch.ones(3), beta=0, alpha=2)
    assert out is c and c.tolist() == [6.0, 6.0] and c._version.value == v0 + 1


def test_addmv_with_beta_zero_ignores_a_nan_input() -> None:
    y = torch.addmv(torch.full((2,), float("nan")), torch.ones(2, 3), torch.ones(3), beta=0)
    assert y.tolist() == [3.0, 3.0]


def test_cov_without_degrees_of_freedom_warns_as_pytorch() -> None:
    with pytest.warns(UserWarning) as seen:
        c = torch.cov(torch.tensor([[1.0], [2.0]]))
    assert [str(w.message) for w in seen] == [
        "cov(): degrees of freedom is <= 0. Correction should be strictly less than the number "
        "of observations."
    ]
    assert np.isnan(c._data).all()
