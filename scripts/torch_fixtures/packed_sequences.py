"""``torch.nn.utils.rnn`` packing and RNN/LSTM/GRU over packed sequences: values, graphs,
gradients and error texts. Writes ``tests/fixtures/torch/packed_sequences.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch.nn.utils import rnn

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "packed_sequences.json"
# x: a padded (T=4, B=3, 2) batch; a, b, c: sequences of lengths 2, 3, 1.
CALLS = [
    "rnn.pack_padded_sequence(x, [4, 2, 1])",
    "rnn.pack_padded_sequence(x, torch.tensor([3, 3, 3]))",
    "rnn.pack_padded_sequence(x, [1, 4, 2], enforce_sorted=False)",
    "rnn.pack_padded_sequence(x.transpose(0, 1), [2, 1, 2], batch_first=True, enforce_sorted=False)",
    "rnn.pack_padded_sequence(x, [5, 2, 1])",
    "rnn.pack_sequence([b, a, c])",
    "rnn.pack_sequence([a, b, c], enforce_sorted=False)",
    "rnn.pad_packed_sequence(rnn.pack_padded_sequence(x, [4, 2, 1]))",
    "rnn.pad_packed_sequence(rnn.pack_padded_sequence(x, [1, 4, 2], enforce_sorted=False), batch_first=True)",
    "rnn.pad_packed_sequence(rnn.pack_sequence([b, a, c]), padding_value=-1.0, total_length=5)",
    "rnn.unpack_sequence(rnn.pack_sequence([a, b, c], enforce_sorted=False))",
    "rnn.unpad_sequence(rnn.pad_sequence([a, b, c]), torch.tensor([2, 3, 1]))",
    "rnn.invert_permutation(torch.tensor([2, 0, 3, 1]))",
]
ERRORS = [
    "rnn.pack_padded_sequence(x, [4, 2, 0])",
    "rnn.pack_padded_sequence(x, [1, 2, 4])",
    "rnn.pack_padded_sequence(x, [4, 2])",
    "rnn.pack_padded_sequence(torch.ones(0, 3), [1, 1, 1])",
    "rnn.pad_packed_sequence(rnn.pack_padded_sequence(x, [4, 2, 1]), total_length=2)",
]
MODULES = [
    (mode, layers, bidirectional, batch_first)
    for mode in ("LSTM", "GRU", "RNN")
    for layers, bidirectional, batch_first in ((1, False, False), (2, True, True))
]


def _env() -> dict:
    g = torch.Generator().manual_seed(7)
    x = torch.randn(4, 3, 2, generator=g, dtype=torch.float64).requires_grad_()
    seqs = {
        k: torch.randn(n, 2, generator=g, dtype=torch.float64).requires_grad_()
        for k, n in (("a", 2), ("b", 3), ("c", 1))
    }
    return {"torch": torch, "rnn": rnn, "x": x, **seqs}


def _flat(out) -> list:
    """Every tensor of a result (a PackedSequence, tuple or list) in order, None kept."""
    if isinstance(out, torch.Tensor) or out is None:
        return [out]
    return [t for part in out for t in _flat(part)]


def _grads(env: dict) -> dict:
    return {k: env[k].grad.tolist() for k in ("x", "a", "b", "c") if env[k].grad is not None}


def _record(out, env: dict) -> dict:
    parts = _flat(out)
    floats = [t for t in parts if t is not None and t.is_floating_point() and t.requires_grad]
    loss = sum(
        (t * torch.arange(1.0, t.numel() + 1, dtype=t.dtype).reshape(t.shape)).sum() for t in floats
    )
    failed = None
    try:
        if floats:
            loss.backward()
    except Exception as e:  # noqa: BLE001 - recording whatever PyTorch raises
        failed = {"type": type(e).__name__, "message": str(e)}
    return {
        "backward_error": failed,
        "values": [None if t is None else t.tolist() for t in parts],
        "dtypes": [None if t is None else str(t.dtype) for t in parts],
        "grad_fns": [None if t is None or t.grad_fn is None else t.grad_fn.name() for t in parts],
        "grads": _grads(env),
    }


def main() -> None:
    calls = {c: _record(eval(c, env := _env()), env) for c in CALLS}  # noqa: S307 - fixed calls
    errors = {}
    for call in ERRORS:
        try:
            eval(call, _env())  # noqa: S307
        except Exception as e:  # noqa: BLE001 - recording whatever PyTorch raises
            errors[call] = {"type": type(e).__name__, "message": str(e)}
    modules = {}
    for mode, layers, bi, bf in MODULES:
        torch.manual_seed(11)
        m = getattr(torch.nn, mode)(
            2, 3, num_layers=layers, bidirectional=bi, batch_first=bf
        ).double()
        env = _env()
        x = env["x"].transpose(0, 1) if bf else env["x"]
        packed = rnn.pack_padded_sequence(x, [2, 4, 1], batch_first=bf, enforce_sorted=False)
        out, hidden = m(packed)
        rec = _record((out, hidden), env)
        rec["weight_grads"] = {n: p.grad.tolist() for n, p in m.named_parameters()}
        modules[f"{mode} layers={layers} bidirectional={bi} batch_first={bf}"] = rec
    doc = {"torch": torch.__version__, "calls": calls, "errors": errors, "modules": modules}
    OUT.write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
