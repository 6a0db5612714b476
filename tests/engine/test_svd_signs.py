"""``torch.linalg.svd``'s singular vectors carry PyTorch's signs, not only its subspaces.

The fixture (``scripts/torch_fixtures/svd_signs.py``) holds PyTorch's U, S and Vh for tall, square
and wide matrices, among them the wide shapes (``11 m / 6 <= n < 20 m``) where MKL's path and
reference LAPACK's give other signs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import visgrad as torch
from visgrad import _lapack_svd

FIXTURE = np.load(Path(__file__).resolve().parents[1] / "fixtures" / "torch" / "svd_signs.npz")
NAMES = sorted({k.split("/")[0] for k in FIXTURE.files})


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("name", NAMES)
def test_singular_vectors_have_pytorchs_signs(name: str, full: bool) -> None:
    tag = "full" if full else "thin"
    u, s, vh = torch.linalg.svd(torch.tensor(FIXTURE[f"{name}/a"]), full_matrices=full)
    for got, key in ((u, "U"), (s, "S"), (vh, "Vh")):
        want = FIXTURE[f"{name}/{tag}/{key}"]
        assert got.shape == want.shape
        np.testing.assert_allclose(got._data, want, rtol=1e-9, atol=1e-10, err_msg=key)


def test_the_wide_path_is_taken_where_reference_lapack_would_differ() -> None:
    a = FIXTURE["3x6/a"]
    u, _, _ = np.linalg.svd(a, full_matrices=False)
    assert not np.allclose(u, FIXTURE["3x6/thin/U"], atol=1e-6)  # reference LAPACK's signs
    np.testing.assert_allclose(_lapack_svd.gesdd(a, False)[0], FIXTURE["3x6/thin/U"], atol=1e-10)


def test_float32_keeps_its_dtype_on_the_wide_path() -> None:
    a = FIXTURE["3x6/a"].astype(np.float32)
    u, s, vh = _lapack_svd.gesdd(a, True)
    assert u.dtype == s.dtype == vh.dtype == np.float32
    np.testing.assert_allclose((u * s) @ vh[:3], a, atol=1e-5)
