"""``torch.linalg`` and its ``torch.*`` / Tensor aliases against PyTorch 2.13: values, output
dtypes, result types, gradients, graphs, warnings and error texts.

The fixtures come from ``scripts/torch_fixtures/linalg_ops.py``; each case is a call written as
both libraries spell it, run here on the same inputs. Tolerances: PyTorch's CPU build factors
with MKL's LAPACK and we with OpenBLAS's through NumPy, so decompositions, inverses and solves
agree to a few units of rounding times the condition number, not bit for bit: float64 to 1e-9
relative, float32 to 1e-4. Outputs whose sign LAPACK is free to choose (singular and eigen
vectors) are recorded through sign-free functions where a gradient is taken. PyTorch's C++
warnings end in `` (Triggered internally at <its source file>)``; that tail names a file of
PyTorch's build and is the one part of a warning not reproduced.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import visgrad as torch
from tests.engine.test_nn_ops_vs_torch import EXCEPTIONS, graph
from visgrad.ops import linalg_warnings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "torch"
DOC = json.loads((FIXTURES / "linalg_ops.json").read_text())
ARRAYS = np.load(FIXTURES / "linalg_ops.npz")
TOL = {"float64": {"rtol": 1e-9, "atol": 1e-10}, "float32": {"rtol": 1e-4, "atol": 1e-5}}
GRAD_KINDS = ("normal", "wc", "sym", "spd", "spread")
EXCEPTIONS = {**EXCEPTIONS, "_LinAlgError": torch.linalg.LinAlgError}


def _run(call: str, env: dict[str, Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return eval(call, {"torch": torch}, dict(env))  # noqa: S307 - fixture calls


@pytest.mark.parametrize("name", sorted(DOC["cases"]))
def test_values_gradients_and_graph_match_pytorch(name: str) -> None:
    case = DOC["cases"][name]
    tol = TOL[case["dtype"]]
    env = {
        k: torch.tensor(ARRAYS[f"{name}/in/{k}"].copy(), requires_grad=kind in GRAD_KINDS)
        for k, (_, kind) in case["inputs"].items()
    }
    out = _run(case["call"], env)
    outs = tuple(out) if isinstance(out, tuple) else (out,)
    assert (type(out).__name__ if isinstance(out, tuple) else None) == case["result_type"]
    assert len(outs) == case["outputs"]
    want = [ARRAYS[f"{name}/out{i}"] for i in range(len(outs))]
    signs = _column_signs(case["result_type"], outs, want)
    for i, o in enumerate(outs):
        assert o.shape == want[i].shape and o._data.dtype == want[i].dtype, (i, o.shape, o.dtype)
        np.testing.assert_allclose(o._data, want[i], **tol, err_msg=f"output {i}")
    y = outs[0]
    if "grad_fn" not in case:
        assert not y.requires_grad
        return
    assert y.grad_fn.name() == case["grad_fn"]
    assert graph(y) == case["graph"]
    # PyTorch's loss sum(v * U) is sum(v * signs * U) in our signs: the same function of A.
    v = ARRAYS[f"{name}/v"]
    y.backward(torch.tensor(np.asarray(v * signs, dtype=v.dtype)))
    for k, t in env.items():
        if k in case["grads"]:
            assert t.grad is not None, k
            want = ARRAYS[f"{name}/grad/{k}"]
            np.testing.assert_allclose(t.grad._data, want, **tol, err_msg=f"grad of {k}")
        else:
            assert t.grad is None, k


_SVD_TYPES = {"linalg_svd": "Vh", "svd": "V"}


def _column_signs(result_type: str | None, outs: tuple[Any, ...], want: list[Any]) -> Any:
    """For an SVD, flip our singular vectors' signs to PyTorch's (LAPACK builds may choose
    either: MKL's and OpenBLAS's do differ); 1 for everything else. Checks that U's and V's
    flips agree, so the factorization itself is the same."""
    if result_type not in _SVD_TYPES or not outs[0]._data.size:
        return 1.0
    u, v = outs[0]._data, outs[2]._data
    su = np.where(np.sum(u * want[0], axis=-2, keepdims=True) < 0, -1.0, 1.0)
    k = outs[1]._data.shape[-1]
    vrows = v if result_type == "linalg_svd" else np.swapaxes(v, -1, -2)
    wrows = want[2] if result_type == "linalg_svd" else np.swapaxes(want[2], -1, -2)
    sv = np.where(np.sum(vrows * wrows, axis=-1) < 0, -1.0, 1.0)
    np.testing.assert_array_equal(su[..., 0, :k], sv[..., :k], err_msg="U and V flip together")
    outs[0]._data *= su
    flip_v = sv[..., :, None] if result_type == "linalg_svd" else sv[..., None, :]
    outs[2]._data *= flip_v
    return su


@pytest.mark.parametrize("name", sorted(DOC["errors"]))
def test_bad_arguments_raise_pytorchs_error(name: str) -> None:
    err = DOC["errors"][name]
    rng = np.random.default_rng(0)
    env = {
        k: torch.tensor(rng.standard_normal(shape).astype(np.float32))
        for k, (shape, _) in err["inputs"].items()
    }
    with pytest.raises(EXCEPTIONS[err["type"]]) as info:
        _run(err["call"], env)
    assert type(info.value) is EXCEPTIONS[err["type"]]
    assert str(info.value).split("\n")[0] == err["message"]


def _without_build_tail(text: str) -> str:
    return text.split(" (Triggered internally at ")[0]


@pytest.mark.parametrize("name", sorted(DOC["warnings"]))
def test_warnings_are_pytorchs_and_come_once(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    row = DOC["warnings"][name]
    monkeypatch.setattr(linalg_warnings, "_GIVEN", set())  # as in a fresh interpreter
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            eval(row["call"], {"torch": torch})  # noqa: S307 - fixture calls
    got = [f"{w.category.__name__}: {w.message}" for w in caught]
    assert got == [_without_build_tail(w) for w in row["warnings"]]
