"""``torch.nn.utils.rnn.pad_sequence``: padded values, graphs, gradients and error texts.
Writes ``tests/fixtures/torch/rnn_utils.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch.nn.utils.rnn import pad_sequence

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "rnn_utils.json"
SEQS = {
    "a": [[1.0, 2.0], [3.0, 4.0]],
    "b": [[5.0, 6.0], [7.0, 8.0], [9.0, 10.0]],
    "c": [[0.5, -1.0]],
}
CALLS = [
    "pad_sequence([a, b, c])",
    "pad_sequence([a, b, c], batch_first=True)",
    "pad_sequence([a, b, c], batch_first=True, padding_value=-1.0, padding_side='left')",
    "pad_sequence([a, c], padding_side='left')",
    "pad_sequence((b, a))",
    "pad_sequence([a[:, 0], b[:, 1]], batch_first=True)",
]
ERRORS = [
    "pad_sequence([])",
    "pad_sequence([a, torch.ones(2, 3)])",
    "pad_sequence([a], padding_side='middle')",
]


def _seqs() -> dict:
    return {k: torch.tensor(v, requires_grad=True) for k, v in SEQS.items()}


def main() -> None:
    calls = {}
    for call in CALLS:
        env = {"torch": torch, "pad_sequence": pad_sequence, **_seqs()}
        out = eval(call, env)  # noqa: S307 - our fixed calls
        out.backward(torch.arange(out.numel(), dtype=out.dtype).reshape(out.shape))
        grads = {k: env[k].grad.tolist() for k in SEQS if env[k].grad is not None}
        calls[call] = {"values": out.tolist(), "grad_fn": out.grad_fn.name(), "grads": grads}
    errors = {}
    for call in ERRORS:
        try:
            eval(call, {"torch": torch, "pad_sequence": pad_sequence, **_seqs()})  # noqa: S307
        except Exception as e:  # noqa: BLE001 - recording whatever PyTorch raises
            errors[call] = {"type": type(e).__name__, "message": str(e)}
    doc = {"torch": torch.__version__, "seqs": SEQS, "calls": calls, "errors": errors}
    OUT.write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
