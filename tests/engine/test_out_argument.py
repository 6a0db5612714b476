"""``out=`` on the torch namespace's functions, and NumPy's ``axis``/``keepdims`` names."""

from __future__ import annotations

import inspect
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import visgrad as torch
from visgrad.ops import registry

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "torch"
RECORDED = json.loads((FIXTURES / "out_arguments.json").read_text())
PYTORCH_NAMES = set(json.loads((FIXTURES / "api_names.json").read_text())["torch"])


def test_out_is_accepted_exactly_where_pytorch_accepts_it():
    with_out, unknown = set(RECORDED["with_out"]), set(RECORDED["unknown"])
    checked, wrong = 0, []
    for name, fn in registry.namespace("torch").items():
        if name.endswith("_") or name not in PYTORCH_NAMES or name in unknown:
            continue
        checked += 1
        if ("out" in inspect.signature(fn).parameters) != (name in with_out):
            wrong.append(name)
    assert not wrong, "out= differs from PyTorch's: see NO_OUT in visgrad/ops/out.py"
    assert checked > 140


def test_out_receives_the_result_and_is_returned():
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    result = torch.empty(2, 2)
    assert torch.add(a, a, out=result) is result
    assert result.tolist() == [[2.0, 4.0], [6.0, 8.0]]
    y = torch.zeros(2, 2, dtype=torch.float64)
    torch.matmul(a, a.T, out=y)
    assert y.dtype == torch.float64 and y.tolist() == [[5.0, 11.0], [11.0, 25.0]]
    v, i = torch.empty(0), torch.empty(0, dtype=torch.long)
    torch.sort(torch.tensor([3.0, 1.0, 2.0]), out=(v, i))
    assert v.tolist() == [1.0, 2.0, 3.0] and i.tolist() == [1, 2, 0]


def test_out_of_another_shape_is_resized_with_pytorchs_warning():
    out = torch.empty(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        torch.mul(torch.ones(3), 2, out=out)  # an empty out is resized silently
    assert out.tolist() == [2.0, 2.0, 2.0]
    with pytest.warns(UserWarning, match=r"had shape \[3\], which does not match .* \[2\]"):
        torch.mul(torch.ones(2), 3, out=out)
    assert out.tolist() == [3.0, 3.0]


def test_out_errors_are_pytorchs():
    with pytest.raises(
        RuntimeError, match="^result type Float can't be cast to the desired output type Long$"
    ):
        torch.add(torch.ones(2), 1, out=torch.empty(2, dtype=torch.long))
    w = torch.ones(2, requires_grad=True)
    msg = (
        r"^add\(\): functions with out=\.\.\. arguments don't support automatic differentiation, "
        r"but one of the arguments requires grad\.$"
    )
    with pytest.raises(RuntimeError, match=msg):
        torch.add(w, 1, out=torch.empty(2))
    with torch.no_grad():
        out = torch.add(w, 1, out=torch.empty(2))
    assert out.tolist() == [2.0, 2.0] and not out.requires_grad


def test_numpy_names_for_dim_and_keepdim():
    a = torch.arange(6.0).reshape(2, 3)
    assert a.sum(1, keepdims=True).shape == (2, 1)
    assert torch.mean(a, axis=0).tolist() == [1.5, 2.5, 3.5]
    assert a.max(axis=1, keepdims=True).values.tolist() == [[2.0], [5.0]]
    assert torch.cat([a, a], axis=1).shape == (2, 6)
    assert np.allclose(a.softmax(axis=1).sum(1).numpy(), 1.0)
    with pytest.raises(TypeError, match="got both 'dim' and 'axis'"):
        a.sum(dim=0, axis=1)


def test_namespace_functions_take_pytorchs_input_and_other_keywords() -> None:
    x = torch.tensor([[1.0, -2.0], [3.0, 4.0]])
    y = torch.tensor([[2.0, 2.0], [1.0, 0.5]])
    assert torch.sum(input=x).item() == 6.0
    assert torch.add(x, other=y).tolist() == [[3.0, 0.0], [4.0, 4.5]]
    assert torch.mul(input=x, other=y).tolist() == [[2.0, -4.0], [3.0, 2.0]]
    assert torch.matmul(input=x, other=y).tolist() == (x @ y).tolist()
    assert torch.max(input=x, dim=1).indices.tolist() == [0, 1]
    with pytest.raises(TypeError):
        torch.add(x, y, other=y)  # ``other`` given twice stays an error


def test_a_named_result_written_to_out_comes_back_as_pytorchs_out_type():
    x = torch.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
    v, i = torch.empty(0), torch.empty(0, dtype=torch.long)
    r = torch.max(x, 1, out=(v, i))
    assert r.values is v and r.indices is i and tuple(r) == (v, i)
    assert type(r).__name__ == "max_out"
    assert repr(r) == (
        "torch.return_types.max_out(\nvalues=tensor([3., 5.]),\nindices=tensor([0, 1]))"
    )
