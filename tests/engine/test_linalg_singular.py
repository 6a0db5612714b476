"""det's gradient at singular matrices, as PyTorch gives it: 0 where det is exactly 0 in a
plain backward (LU with zero pivots nudged to eps), the adjugate through the SVD under
``create_graph`` (``|det| < 100 eps``), and finite either way."""

from __future__ import annotations

import numpy as np

import visgrad as torch
from tests.engine.gradcheck_util import check_grad, numerical_jacobian


def _rank_two() -> torch.Tensor:
    rng = np.random.default_rng(3)
    q1, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    q2, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    return torch.tensor(q1 @ np.diag([3.0, 1.0, 0.0]) @ q2.T, requires_grad=True)


def test_create_graph_gradient_of_a_singular_det_is_its_adjugate() -> None:
    a = _rank_two()
    (g,) = torch.autograd.grad(torch.linalg.det(a), a, create_graph=True)
    assert g.requires_grad
    adjugate = numerical_jacobian(torch.linalg.det, [a], 0).reshape(3, 3)
    assert np.abs(adjugate).max() > 0.1  # rank n - 1: the adjugate is not zero
    np.testing.assert_allclose(g._data, adjugate, atol=1e-8)


def test_second_derivative_through_a_singular_det_matches_finite_differences() -> None:
    a = _rank_two()

    def first(x: torch.Tensor) -> torch.Tensor:
        return torch.autograd.grad(torch.linalg.det(x), x, create_graph=True)[0]

    check_grad(first, a)


def test_plain_backward_of_an_exactly_singular_det_is_zero_and_batches_mix() -> None:
    a = torch.tensor(
        [[[1.0, 2.0, 0.0], [3.0, 4.0, 0.0], [5.0, 6.0, 0.0]], [[2.0, 1.0, 0.0], [1.0, 3.0, 1.0],
         [0.0, 1.0, 4.0]]],
        dtype=torch.float64,
        requires_grad=True,
    )  # fmt: skip
    torch.linalg.det(a).sum().backward()
    np.testing.assert_array_equal(a.grad._data[0], np.zeros((3, 3)))
    want = np.linalg.det(a._data[1]) * np.linalg.inv(a._data[1]).T
    np.testing.assert_allclose(a.grad._data[1], want, rtol=1e-12)
