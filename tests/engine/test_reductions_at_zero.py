"""std / var / norm where the result is 0: PyTorch's values and gradients (0, never NaN)."""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import visgrad as torch

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "torch" / "reductions_at_zero.json"
CASES = json.loads(FIXTURE.read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['case']}-{c['input']}")
def test_reduction_value_and_gradient_match_pytorch(case):
    x = torch.tensor(case["data"], dtype=torch.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = eval(case["call"], {"x": x})  # fixed expressions from the fixture script
        y.sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), case["value"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), case["grad"], rtol=1e-12, atol=1e-12)


def test_std_of_a_constant_row_has_zero_gradient_under_create_graph():
    x = torch.tensor([[3.0, 3.0], [1.0, 2.0]], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(x.std(dim=1).sum(), x, create_graph=True)
    assert np.isfinite(g.detach().numpy()).all()
    np.testing.assert_allclose(g.detach().numpy()[0], [0.0, 0.0])
