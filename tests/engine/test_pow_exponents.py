"""``x ** e`` equals PyTorch's bit for bit, including the exponents PyTorch multiplies out."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import visgrad

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "torch" / "pow_exponents.json"
DATA = json.loads(FIXTURE.read_text())


def _decode(values: list) -> np.ndarray:
    return np.array([float(v) for v in values])


@pytest.mark.parametrize("key", sorted(DATA["results"]))
def test_pow_by_number_matches_torch_bit_for_bit(key: str) -> None:
    dtype, exponent = key.split(" ")
    e = float(exponent) if "." in exponent else int(exponent)
    x = visgrad.tensor(_decode(DATA["inputs"]), dtype=getattr(visgrad, dtype))
    r = x**e
    assert r.dtype == getattr(visgrad, dtype)
    expected = _decode(DATA["results"][key]).astype(dtype)
    np.testing.assert_array_equal(r.numpy(), expected)


@pytest.mark.parametrize("exponent", [2, 3, -2, -0.5])
def test_pow_by_number_of_a_0d_tensor_is_a_0d_tensor(exponent: float) -> None:
    r = visgrad.tensor(1.5) ** exponent
    assert r.shape == () and r.dtype == visgrad.float32
    assert r.item() == pytest.approx(1.5**exponent)
