"""The APIs real programs call, against PyTorch 2.13 where the shared case table cannot say it:
warnings, random draws and in-place shape changes (``scripts/torch_fixtures/program_apis.py``).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import visgrad as torch
import visgrad.nn.functional as F
from tests.engine.gradcheck_util import check_grad
from visgrad.ops import rms_norm

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "torch"
DOC = json.loads((FIXTURES / "program_apis.json").read_text())


@pytest.mark.parametrize("row", DOC["warns"], ids=lambda r: r["call"])
def test_warnings_are_pytorchs_and_come_once_a_process(
    row: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(rms_norm.WARN_ONCE, "dtype_mismatch", True)
    x = torch.ones(2, 3, 4)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for _ in range(2):
            eval(row["call"], {"F": F, "torch": torch}, {"x": x})  # noqa: S307 - fixture calls
    assert [str(w.message) for w in seen] == row["warnings"]
    package = str(Path(torch.__file__).parent)
    assert not any(w.filename.startswith(package) for w in seen)  # the user's line


def test_hard_gumbel_softmax_is_one_hot_with_the_soft_samples_gradient() -> None:
    x = torch.randn(3, 5, dtype=torch.float64, requires_grad=True)
    v = torch.randn(3, 5, dtype=torch.float64)
    grads, samples = [], []
    for hard in (False, True):
        torch.manual_seed(4)
        y = F.gumbel_softmax(x, tau=0.8, hard=hard)
        (g,) = torch.autograd.grad(y, x, v)
        grads.append(g)
        samples.append(y.detach())
    soft, hard = samples
    assert torch.equal(hard, F.one_hot(soft.argmax(-1), 5).double())
    assert torch.allclose(grads[0], grads[1], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "fn, shape",
    [
        (lambda x: (x * 1).transpose_(0, 2).exp(), (2, 1, 3)),
        (
            lambda x: (x * 1).swapdims_(1, 0) * torch.tensor([[1.0, -2.0], [0.5, 3.0]]).double(),
            (2, 2),
        ),
        (lambda x: (x * 1).swapaxes_(-1, 0).sin(), (2, 3)),
        (lambda x: (x * 1).unsqueeze_(0) * torch.tensor([[1.0], [-2.0]]).double(), (3,)),
        (lambda x: (x * 1).t_().unsqueeze_(-1).squeeze_(0).exp(), (1, 3)),
    ],
    ids=["transpose_", "swapdims_", "swapaxes_", "unsqueeze_", "chain"],
)
def test_inplace_view_op_gradients_match_finite_differences(
    fn: Any, shape: tuple[int, ...]
) -> None:
    # Here, not in the op table: an in-place update's event carries no attributes (dim0, dim),
    # so the formula test could not evaluate these nodes from the events.
    x = torch.tensor(np.random.default_rng(3).uniform(-1, 1, shape), requires_grad=True)
    check_grad(fn, x)


@pytest.mark.parametrize(
    "shape, orthogonal_map",
    [((3, 3), "matrix_exp"), ((3, 3), "cayley"), ((4, 2), "householder"), ((2, 4), "matrix_exp")],
)
def test_orthogonal_weight_gradient_matches_finite_differences(
    shape: tuple[int, int], orthogonal_map: str
) -> None:
    torch.manual_seed(0)
    m = torch.nn.Linear(shape[1], shape[0], dtype=torch.float64)
    torch.nn.utils.parametrizations.orthogonal(m, orthogonal_map=orthogonal_map)
    orth = m.parametrizations.weight[0]
    a = np.random.default_rng(5).uniform(-0.5, 0.5, shape)
    if orthogonal_map == "householder":  # its diagonal holds the signs: -1.5 truncates to -1
        np.fill_diagonal(a, -1.5)
    x = torch.tensor(a, requires_grad=True)
    check_grad(orth, x)
    w = orth(x.detach())
    small = w.mT @ w if shape[0] >= shape[1] else w @ w.mT
    assert torch.allclose(small, torch.eye(min(shape), dtype=torch.float64), atol=1e-12)
