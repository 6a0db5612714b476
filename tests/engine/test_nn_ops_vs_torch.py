"""Layers' ops against PyTorch 2.13: values, gradients, graphs, error texts and layer reprs.

The fixtures come from ``scripts/torch_fixtures/nnops.py``: each case is a call written as both
libraries spell it, run here on the same inputs with visgrad. float64 agrees to rounding; float32
to a few units in the last place (PyTorch's vectorised exp and sums round differently).
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
from visgrad import nn

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "torch"
TOPICS = (
    "nnops",
    "tensor_ops",
    "attention_layers",
    "logical_ops",
    "nnmods",
    "math_ops",
    "special_math",
    "transformer_layers",
    "order_ops",
    "margin_losses",
    "blas_stats",
    "class_losses",
    "program_ops",
    "parametrizations",
    "embedding_bags",
    "ctc_losses",
    "extra_layers",
    "lazy_layers",
    "program_apis",
    "stacking_ops",
    "index_puts",
    "more_math",
)
DOCS = {t: json.loads((FIXTURES / f"{t}.json").read_text()) for t in TOPICS}
ARRAYS = {t: np.load(FIXTURES / f"{t}.npz") for t in TOPICS}
CASES = [(t, n) for t in TOPICS for n in sorted(DOCS[t]["cases"])]
ERRORS = [(t, n) for t in TOPICS for n in sorted(DOCS[t]["errors"])]
TOL = {"float64": {"rtol": 1e-9, "atol": 1e-11}, "float32": {"rtol": 2e-5, "atol": 2e-6}}


def graph(t: torch.Tensor) -> list[str]:
    lines: list[str] = []

    def walk(fn: Any, depth: int) -> None:
        if fn is None:
            lines.append("  " * depth + "None")
            return
        name = fn.name().replace("torch::autograd::", "")
        lines.append("  " * depth + name)
        if name != "AccumulateGrad":
            for nxt, _ in fn.next_functions:
                walk(nxt, depth + 1)

    walk(t.grad_fn, 0)
    return lines


def _inputs(arrays: Any, name: str, case: dict) -> dict[str, torch.Tensor]:
    env = {}
    for k, (_, kind) in case["inputs"].items():
        a = arrays[f"{name}/in/{k}"]
        grad = a.dtype.kind == "f" and kind in ("normal", "pos", "prob", "wide")
        env[k] = torch.tensor(a.copy(), requires_grad=grad)
    return env


def _run(call: str, env: dict[str, torch.Tensor]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return eval(call, {"F": F, "torch": torch}, dict(env))  # noqa: S307 - fixture calls


@pytest.mark.parametrize(("topic", "name"), CASES)
def test_values_gradients_and_graph_match_pytorch(topic: str, name: str) -> None:
    case, arrays = DOCS[topic]["cases"][name], ARRAYS[topic]
    tol = TOL[case["dtype"]]
    env = _inputs(arrays, name, case)
    out = _run(case["call"], env)
    outs = out if isinstance(out, tuple) else (out,)
    assert len(outs) == case["outputs"]
    for i, o in enumerate(outs):
        want = arrays[f"{name}/out{i}"]
        assert o.shape == want.shape and o._data.dtype == want.dtype, (o.shape, o.dtype)
        np.testing.assert_allclose(o._data, want, **tol, err_msg=f"output {i}")
    for k in case["after"]:
        np.testing.assert_allclose(env[k]._data, arrays[f"{name}/after/{k}"], **tol, err_msg=k)
    y = outs[0]
    if "grad_fn" not in case:
        assert not y.requires_grad
        return
    assert y.grad_fn.name() == case["grad_fn"]
    assert graph(y) == case["graph"]
    y.backward(torch.tensor(arrays[f"{name}/v"]))
    for k, t in env.items():
        if k in case["grads"]:
            assert t.grad is not None, k
            np.testing.assert_allclose(
                t.grad._data, arrays[f"{name}/grad/{k}"], **tol, err_msg=f"grad of {k}"
            )
        else:
            assert t.grad is None, k


EXCEPTIONS = {
    "RuntimeError": RuntimeError,
    "ValueError": ValueError,
    "IndexError": IndexError,
    "TypeError": TypeError,
    "NotImplementedError": NotImplementedError,
    "AssertionError": AssertionError,
    "AttributeError": AttributeError,  # PyTorch's Python code reading a number's attribute
}


def _draw_error_inputs(spec: dict[str, list[Any]]) -> dict[str, torch.Tensor]:
    rng = np.random.default_rng(0)
    env = {}
    for k, (shape, kind) in spec.items():
        if kind.startswith("index:"):
            a = rng.integers(0, int(kind.split(":")[1]), size=shape).astype(np.int64)
        else:
            a = rng.standard_normal(shape).astype(np.float32)
        env[k] = torch.tensor(a)
    return env


@pytest.mark.parametrize(("topic", "name"), ERRORS)
def test_bad_arguments_raise_pytorchs_error(topic: str, name: str) -> None:
    err = DOCS[topic]["errors"][name]
    env = _draw_error_inputs(err["inputs"])
    with pytest.raises(EXCEPTIONS[err["type"]]) as info:
        _run(err["call"], env)
    assert type(info.value) is EXCEPTIONS[err["type"]]
    assert str(info.value).split("\n")[0] == err["message"]


@pytest.mark.parametrize(
    "row",
    [r for t in TOPICS for r in DOCS[t].get("reprs", [])],
    ids=lambda r: f"{r['cls']}{r['args']}{r['kwargs']}",
)
def test_layer_repr_matches_pytorch(row: dict[str, Any]) -> None:
    layer = getattr(nn, row["cls"])(*row["args"], **row["kwargs"])
    assert repr(layer) == row["repr"]
