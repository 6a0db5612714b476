"""float32 transcendental functions agree with PyTorch's MKL results on nearly every element
(fixture: scripts/torch_fixtures/vml_pointwise.py): visgrad rounds the double result once,
which VML's high-accuracy mode gives far more often than NumPy's float32 loops."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import visgrad as torch

DATA = dict(
    np.load(Path(__file__).resolve().parents[1] / "fixtures" / "torch" / "vml_pointwise.npz")
)
OPS = sorted(k[:-2] for k in DATA if k.endswith("_x"))
NUMPY = {"asin": np.arcsin, "acos": np.arccos, "atan": np.arctan}
# The share of elements where visgrad's float32 result is not PyTorch's, at most (measured on
# 5,000 inputs: sin and cos 5%, asin 6%, acos 9%, the others under 1%). tanh still runs NumPy's
# float32 loop (see pointwise._correctly_rounded): 32% differ.
MOST = {"sin": 0.07, "cos": 0.07, "asin": 0.08, "acos": 0.11, "tanh": 0.36}


@pytest.mark.parametrize("op", OPS)
def test_float32_results_agree_with_pytorch(op: str) -> None:
    x, want = DATA[f"{op}_x"], DATA[f"{op}_y"]
    got = getattr(torch, op)(torch.tensor(x)).numpy()
    assert got.dtype == np.float32
    differ = float(np.mean(got != want))
    assert differ <= MOST.get(op, 0.01), differ
    numpy32 = float(np.mean(NUMPY.get(op, getattr(np, op, None))(x) != want))
    assert differ <= numpy32  # never worse than NumPy's own float32 loop
