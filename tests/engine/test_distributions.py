"""torch.distributions against PyTorch's fixture: the same seeded samples (the random streams
of multinomial, normal and bernoulli), log-probabilities, entropies, gradients, reprs and
validation errors, whole texts included."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import visgrad as torch
import visgrad.distributions as D  # noqa: N812 - the usual alias

DOC = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "torch" / "distributions.json").read_text()
)


def _env() -> dict:
    leaves = {k: torch.tensor(v, requires_grad=True) for k, v in DOC["leaves"].items()}
    return {"torch": torch, "D": D, **leaves}


@pytest.mark.parametrize("name", sorted(DOC["cases"]))
def test_samples_values_and_gradients_match_pytorch(name: str) -> None:
    case = DOC["cases"][name]
    torch.manual_seed(7)
    env = _env()
    exec(case["code"], env)  # noqa: S102 - the fixture's fixed snippets
    outs = env["out"] if isinstance(env["out"], tuple) else (env["out"],)
    assert len(outs) == len(case["outputs"])
    for i, (o, want) in enumerate(zip(outs, case["outputs"], strict=True)):
        assert repr(o.dtype) == want["dtype"] and list(o.shape) == want["shape"], i
        np.testing.assert_allclose(o.tolist(), want["values"], rtol=1e-6, atol=1e-7, err_msg=f"{i}")
    floats = [o for o in outs if o.requires_grad]
    if floats:
        sum(o.sum() for o in floats).backward()
    got = {k: env[k].grad.tolist() for k in DOC["leaves"] if env[k].grad is not None}
    assert sorted(got) == sorted(case["grads"])
    for k, want in case["grads"].items():
        np.testing.assert_allclose(got[k], want, rtol=1e-6, atol=1e-7, err_msg=k)


@pytest.mark.parametrize("code", sorted(DOC["reprs"]))
def test_repr_matches_pytorch(code: str) -> None:
    assert repr(eval(code, _env())) == DOC["reprs"][code]  # noqa: S307 - fixture's snippets


@pytest.mark.parametrize("code", sorted(DOC["errors"]))
def test_invalid_arguments_raise_pytorchs_error(code: str) -> None:
    want = DOC["errors"][code]
    with pytest.raises(Exception) as info:  # noqa: PT011 - the class is compared below
        eval(code, _env())  # noqa: S307 - the fixture's fixed snippets
    assert type(info.value).__name__ == want["type"]
    assert str(info.value) == want["message"]


@pytest.mark.parametrize("code", sorted(DOC["broadcasts"]))
def test_broadcast_tensors_and_shapes_match_pytorch(code: str) -> None:
    outs = eval(code, _env())  # noqa: S307 - the fixture's fixed snippets
    got = [
        [list(o), None]
        if isinstance(o, torch.Size)
        else [list(o.shape), o.grad_fn.name() if o.grad_fn is not None else None]
        for o in outs
    ]
    assert got == DOC["broadcasts"][code]


def test_validation_can_be_turned_off() -> None:
    m = D.Normal(torch.zeros(2), -torch.ones(2), validate_args=False)
    assert m.scale.tolist() == [-1.0, -1.0]
    with pytest.raises(ValueError, match="must be True or False|^$"):
        D.Distribution.set_default_validate_args(3)  # type: ignore[arg-type]
