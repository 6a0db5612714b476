"""Packed sequences against PyTorch's fixture (scripts/torch_fixtures/packed_sequences.py):
packing and padding values, graphs, gradients and error texts, and RNN/LSTM/GRU over packed
input (outputs, final states, input and weight gradients)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import visgrad as torch
from visgrad import nn
from visgrad.nn.utils import rnn

DOC = json.loads(
    (
        Path(__file__).resolve().parents[1] / "fixtures" / "torch" / "packed_sequences.json"
    ).read_text()
)


def _env() -> dict[str, Any]:
    g = torch.Generator().manual_seed(7)
    x = torch.randn(4, 3, 2, generator=g, dtype=torch.float64).requires_grad_()
    seqs = {
        k: torch.randn(n, 2, generator=g, dtype=torch.float64).requires_grad_()
        for k, n in (("a", 2), ("b", 3), ("c", 1))
    }
    return {"torch": torch, "rnn": rnn, "x": x, **seqs}


def _flat(out: Any) -> list[Any]:
    if isinstance(out, torch.Tensor) or out is None:
        return [out]
    return [t for part in out for t in _flat(part)]


def _check(out: Any, env: dict[str, Any], want: dict[str, Any], exact: bool = True) -> None:
    parts = _flat(out)
    same = (
        (lambda a, b: a == b) if exact else (lambda a, b: np.allclose(a, b, rtol=1e-10, atol=1e-12))
    )
    assert len(parts) == len(want["values"])
    for t, v, dt, fn in zip(parts, want["values"], want["dtypes"], want["grad_fns"], strict=True):
        assert (t is None) == (v is None)
        if t is not None:
            assert same(t.tolist(), v) and str(t.dtype) == dt
            assert (None if t.grad_fn is None else t.grad_fn.name()) == fn
    floats = [t for t in parts if t is not None and t.is_floating_point() and t.requires_grad]
    if floats:
        loss = sum(
            (t * torch.arange(1.0, t.numel() + 1, dtype=t.dtype).reshape(t.shape)).sum()
            for t in floats
        )
        if want["backward_error"] is None:
            loss.backward()
        else:
            with pytest.raises(Exception) as info:  # noqa: PT011 - compared below
                loss.backward()
            got = {"type": type(info.value).__name__, "message": str(info.value)}
            assert got == want["backward_error"]
    grads = {k: env[k].grad.tolist() for k in ("x", "a", "b", "c") if env[k].grad is not None}
    assert grads.keys() == want["grads"].keys()
    for k, g in grads.items():
        assert same(g, want["grads"][k]), k


@pytest.mark.parametrize("call", sorted(DOC["calls"]))
def test_packing_matches_pytorch(call: str) -> None:
    env = _env()
    _check(eval(call, env), env, DOC["calls"][call])  # noqa: S307 - the fixture's fixed calls


@pytest.mark.parametrize("call", sorted(DOC["errors"]))
def test_bad_packing_raises_pytorchs_error(call: str) -> None:
    want = DOC["errors"][call]
    with pytest.raises(Exception) as info:  # noqa: PT011 - the class is compared below
        eval(call, _env())  # noqa: S307
    assert (type(info.value).__name__, str(info.value)) == (want["type"], want["message"])


@pytest.mark.parametrize("key", sorted(DOC["modules"]))
def test_recurrent_layers_over_packed_sequences_match_pytorch(key: str) -> None:
    mode, *flags = key.split()
    opts = {
        k: v == "True" if v in ("True", "False") else int(v)
        for k, v in (f.split("=") for f in flags)
    }
    torch.manual_seed(11)
    m = getattr(nn, mode)(
        2, 3, num_layers=opts["layers"], bidirectional=opts["bidirectional"],
        batch_first=opts["batch_first"],
    ).double()  # fmt: skip
    env = _env()
    x = env["x"].transpose(0, 1) if opts["batch_first"] else env["x"]
    packed = rnn.pack_padded_sequence(
        x, [2, 4, 1], batch_first=opts["batch_first"], enforce_sorted=False
    )
    out, hidden = m(packed)
    assert isinstance(out, rnn.PackedSequence)
    want = DOC["modules"][key]
    _check((out, hidden), env, want, exact=False)
    for name, p in m.named_parameters():
        assert np.allclose(p.grad.tolist(), want["weight_grads"][name], rtol=1e-10, atol=1e-12), (
            name
        )


def test_packed_sequence_prints_and_converts_as_pytorch() -> None:
    p = rnn.pack_padded_sequence(torch.ones(2, 2, 1), [2, 1])
    assert repr(p) == (
        "PackedSequence(data=tensor([[1.],\n        [1.],\n        [1.]]), "
        "batch_sizes=tensor([2, 1]), sorted_indices=None, unsorted_indices=None)"
    )
    assert p.double().data.dtype == torch.float64 and p.to(torch.float32) is p
    data, sizes, *_ = p
    assert data.shape == (3, 1) and sizes.tolist() == [2, 1] and not p.is_cuda
