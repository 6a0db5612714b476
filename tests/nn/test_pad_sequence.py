"""nn.utils.rnn.pad_sequence against PyTorch's fixture: values, graph, gradients, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import visgrad as torch
from visgrad.nn.utils.rnn import pad_sequence

DOC = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "torch" / "rnn_utils.json").read_text()
)


def _env() -> dict:
    seqs = {k: torch.tensor(v, requires_grad=True) for k, v in DOC["seqs"].items()}
    return {"torch": torch, "pad_sequence": pad_sequence, **seqs}


@pytest.mark.parametrize("call", sorted(DOC["calls"]))
def test_padded_values_graph_and_gradients_match_pytorch(call: str) -> None:
    want, env = DOC["calls"][call], _env()
    out = eval(call, env)  # noqa: S307 - the fixture's fixed calls
    assert out.tolist() == want["values"]
    assert out.grad_fn.name() == want["grad_fn"]
    out.backward(torch.arange(out.numel(), dtype=out.dtype).reshape(out.shape))
    got = {k: env[k].grad.tolist() for k in DOC["seqs"] if env[k].grad is not None}
    assert got == want["grads"]


@pytest.mark.parametrize("call", sorted(DOC["errors"]))
def test_bad_sequences_raise_pytorchs_error(call: str) -> None:
    want = DOC["errors"][call]
    with pytest.raises(Exception) as info:  # noqa: PT011 - the class is compared below
        eval(call, _env())  # noqa: S307
    assert (type(info.value).__name__, str(info.value)) == (want["type"], want["message"])
