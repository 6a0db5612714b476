"""Special functions at their poles, zeros, infinities and NaN, as PyTorch gives them.

The random cases (values, gradients, graphs, in-place forms, errors) are the ``special_math``
topic of ``test_nn_ops_vs_torch``; here are the points where a library's conventions show:
digamma's sign at ±0, lgamma's infinities at the poles, sinc's 1 at 0, sgn of NaN.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import visgrad as torch

POINTS = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "torch" / "special_math.json").read_text()
)["points"]


def _same(got: np.ndarray, want: list[str], what: str) -> None:
    want_a = np.array([float(v) for v in want])
    # Infinities, NaN and the sign of zero exactly; finite values to float64's last digits.
    assert np.array_equal(np.isnan(got), np.isnan(want_a)), (what, got, want_a)
    fin = np.isfinite(want_a)
    assert np.array_equal(got[~fin & ~np.isnan(want_a)], want_a[~fin & ~np.isnan(want_a)]), what
    np.testing.assert_allclose(got[fin], want_a[fin], rtol=1e-13, atol=0, err_msg=what)
    zero = want_a == 0
    assert np.array_equal(np.signbit(got[zero]), np.signbit(want_a[zero])), (what, got, want_a)


@pytest.mark.parametrize("op", sorted(POINTS))
def test_values_and_gradients_at_the_special_points_match_pytorch(op: str) -> None:
    row = POINTS[op]
    x = torch.tensor([float(v) for v in row["x"]], dtype=torch.float64, requires_grad=True)
    y = getattr(torch, op)(x)
    y.backward(torch.ones_like(y))
    _same(y._data, row["out"], f"{op} values")
    _same(x.grad._data, row["grad"], f"{op} gradients")


def test_polygamma_checks_its_order_before_anything_else() -> None:
    x = torch.tensor([1.0])
    with pytest.raises(RuntimeError, match=r"^polygamma\(n, x\) does not support negative n\.$"):
        x.polygamma(-2)
    with pytest.raises(TypeError, match="argument 'n'"):
        torch.polygamma(True, x)
