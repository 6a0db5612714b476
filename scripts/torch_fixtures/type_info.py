"""PyTorch's ``finfo`` / ``iinfo`` (reprs and fields), its promotion functions
(``promote_types``, ``result_type``, ``can_cast``) over every pair of the dtypes visgrad has,
their error texts, and ``torch.compile``'s wrapper. Writes ``tests/fixtures/torch/type_info.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "type_info.json"
FLOATS = ["float16", "float32", "float64"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]
ALL = [*FLOATS, *INTS, "bool"]
# Operands of result_type: tensors with dims, 0-d tensors and Python numbers.
OPERANDS = [f"torch.ones(2, dtype=torch.{d})" for d in ALL]
OPERANDS += [f"torch.tensor(1, dtype=torch.{d})" for d in ALL]
OPERANDS += ["True", "3", "2.5"]
ERRORS = [
    "torch.finfo(torch.int64)",
    "torch.finfo(torch.bool)",
    "torch.iinfo(torch.float32)",
    "torch.iinfo(torch.bool)",
    "torch.promote_types(1, torch.float32)",
    "torch.promote_types(torch.float32, 'x')",
    "torch.can_cast(1.0, torch.int64)",
    "torch.can_cast(torch.int64, None)",
    "torch.compile(3)",
    "torch.compile(lambda x: x, mode='default', options={})",
]


def error(call: str) -> dict:
    try:
        eval(call)  # noqa: S307 - our fixed calls
    except Exception as e:  # noqa: BLE001 - recording whatever PyTorch raises
        return {"type": type(e).__name__, "message": str(e).split("\n")[0]}
    raise AssertionError(f"{call} did not raise")


def main() -> None:
    fields = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")
    doc = {
        "torch": torch.__version__,
        "finfo": {
            d: {
                "repr": repr(torch.finfo(getattr(torch, d))),
                **{k: getattr(torch.finfo(getattr(torch, d)), k) for k in fields},
            }
            for d in FLOATS
        },
        "finfo_default": repr(torch.finfo()),
        "iinfo": {
            d: {
                "repr": repr(torch.iinfo(getattr(torch, d))),
                **{k: getattr(torch.iinfo(getattr(torch, d)), k) for k in ("bits", "max", "min")},
            }
            for d in INTS
        },
        "promote_types": {
            f"{a} {b}": str(torch.promote_types(getattr(torch, a), getattr(torch, b)))
            for a in ALL
            for b in ALL
        },
        "can_cast": {
            f"{a} {b}": torch.can_cast(getattr(torch, a), getattr(torch, b))
            for a in ALL
            for b in ALL
        },
        "result_type": {
            f"{a} | {b}": str(torch.result_type(eval(a), eval(b)))  # noqa: S307
            for a in OPERANDS
            for b in OPERANDS
        },
        "errors": {call: error(call) for call in ERRORS},
        "compile": {
            "repr": repr(torch.compile(torch.nn.Linear(2, 3))),
            "state_dict": list(torch.compile(torch.nn.Linear(2, 3)).state_dict()),
        },
    }
    OUT.write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
