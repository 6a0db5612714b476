"""Seeded programs draw PyTorch's numbers bit for bit (fixture recorded from torch 2.13 by
``scripts/torch_fixtures/random_streams.py``): values, what they print, and the generator state after."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import visgrad

FIXTURE = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "torch" / "random_streams.json").read_text()
)
CASES = FIXTURE["cases"]


def _describe(v: object) -> dict[str, object]:
    if isinstance(v, visgrad.Tensor):
        a = np.array(v.detach().numpy(), order="C")
        head = [x.item() for x in a.ravel()[:6]]
        return {
            "dtype": str(a.dtype),
            "shape": list(a.shape),
            "sha256": hashlib.sha256(a.tobytes()).hexdigest(),
            "head": [float(x) if isinstance(x, float) else int(x) for x in head],
        }
    return {"value": v}


def run(source: str) -> dict[str, object]:
    namespace: dict[str, object] = {"torch": visgrad}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, "<case>", "exec"), namespace)  # noqa: S102 - fixture case text
    out = namespace["out"]
    outs = out if isinstance(out, list) else [out]
    state = visgrad.get_rng_state().numpy().tobytes()
    return {
        "out": [_describe(v) for v in outs],
        "printed": printed.getvalue(),
        "state_sha256": hashlib.sha256(state).hexdigest(),
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_matches_pytorch(name: str) -> None:
    want = CASES[name]
    got = run(want["source"])
    assert got["printed"] == want["printed"]
    assert len(got["out"]) == len(want["out"])
    for i, (g, w) in enumerate(zip(got["out"], want["out"], strict=True)):
        if name.startswith("training") and "head" in w:
            # A training run's float32 reductions (sums in mse/cross-entropy and their backward)
            # add in another order than PyTorch's, so its results agree to rounding, not bits;
            # the printed losses above and the generator's words below match exactly.
            assert (g["dtype"], g["shape"]) == (w["dtype"], w["shape"])
            np.testing.assert_allclose(g["head"], w["head"], rtol=1e-5, atol=1e-6)
            continue
        assert g == w, f"output {i}: {g} != {w}"
    assert got["state_sha256"] == want["state_sha256"], "the generator consumed other words"


APPROX = FIXTURE["approx"]


@pytest.mark.parametrize("name", sorted(APPROX))
def test_orthogonal_init_has_pytorchs_signs_and_values_to_rounding(name: str) -> None:
    want = APPROX[name]
    got = run(want["source"])
    namespace: dict[str, object] = {"torch": visgrad}
    exec(compile(want["source"], "<case>", "exec"), namespace)  # noqa: S102 - fixture case text
    values = namespace["out"].numpy().ravel()  # type: ignore[union-attr]
    expected = np.array(want["values"], np.float32)
    assert np.array_equal(np.sign(values), np.sign(expected))
    np.testing.assert_allclose(values, expected, rtol=0, atol=1e-6)
    assert got["state_sha256"] == want["state_sha256"]
