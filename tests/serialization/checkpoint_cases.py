"""Checkpoint contents written once for both libraries (``torch`` is passed in).

``scripts/torch_fixtures/checkpoints.py`` saves them with PyTorch into
``tests/fixtures/torch/checkpoints/``, saves them with visgrad into
``tests/fixtures/visgrad/checkpoints/``, and records (``describe``) what ``torch.load`` with
``weights_only=True`` reads back from visgrad's files.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any


def _model(torch: Any) -> Any:
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    with torch.no_grad():
        for k, p in enumerate(model.parameters()):
            vals = [math.sin(i + 3 * k) for i in range(p.numel())]
            p.copy_(torch.tensor(vals).reshape(p.shape))
    return model


def _optimizer_state(torch: Any, model: Any) -> Any:
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(2):
        opt.zero_grad()
        model(torch.ones(2, 3)).pow(2).sum().backward()
        opt.step()
    return opt.state_dict()


def objects(torch: Any) -> dict[str, Any]:
    """Name -> the object each checkpoint holds."""
    model = _model(torch)
    base = torch.arange(24, dtype=torch.float64).reshape(4, 6)
    leaf = torch.tensor([0.5, -1.5], requires_grad=True)
    return {
        "tensor": torch.arange(12, dtype=torch.float32).reshape(3, 4),
        "state_dict": model.state_dict(),
        "nested": {
            "epoch": 7,
            "step": 2**40,
            "neg": -3,
            "lr": 0.001,
            "name": "run-\u00e9",
            "losses": [0.5, 0.25, 1e-30],
            "flags": (True, False, None),
            "shape": torch.Size([2, 3]),
            "dtype": torch.float64,
            "device": torch.device("cpu"),
            "blob": b"\x00\xffab",
            "tags": {"a", "b"},
            "z": 1 + 2j,
            "model": model.state_dict(),
            "optimizer": _optimizer_state(torch, _model(torch)),
            "order": OrderedDict([("b", 1), ("a", 2)]),
        },
        "dtypes": {
            "float16": torch.tensor([1.5, -2.25], dtype=torch.float16),
            "float32": torch.tensor([[1.0, 2.0]], dtype=torch.float32),
            "float64": torch.tensor([math.pi], dtype=torch.float64),
            "int8": torch.tensor([-128, 127], dtype=torch.int8),
            "uint8": torch.tensor([0, 255], dtype=torch.uint8),
            "int16": torch.tensor([-32768], dtype=torch.int16),
            "int32": torch.tensor([2**31 - 1], dtype=torch.int32),
            "int64": torch.tensor([-(2**62), 2**62], dtype=torch.int64),
            "bool": torch.tensor([True, False, True]),
            "scalar": torch.tensor(3.25),
            "empty": torch.zeros(0, 3),
        },
        "views": {
            "base": base,
            "row": base[1],
            "col": base[:, 2],
            "t": base.t(),
            "block": base[1:3, ::2],
        },
        "parameter": {"p": torch.nn.Parameter(torch.tensor([1.0, 2.0])), "leaf": leaf},
    }


def describe(obj: Any) -> Any:
    """A JSON-able account of ``obj`` that means the same for both libraries."""
    name = type(obj).__name__
    if hasattr(obj, "dtype") and hasattr(obj, "tolist") and hasattr(obj, "requires_grad"):
        return {
            "$tensor": str(obj.dtype),
            "shape": list(obj.shape),
            "values": _floats(obj.tolist()),
            "requires_grad": bool(obj.requires_grad),
            "parameter": name == "Parameter",
        }
    if name == "Size":
        return {"$size": list(obj)}
    if name == "dtype":
        return {"$dtype": str(obj)}
    if name == "device":
        return {"$device": str(obj)}
    if isinstance(obj, dict):
        out = {"$dict": name, "items": [[describe(k), describe(v)] for k, v in obj.items()]}
        meta = getattr(obj, "_metadata", None)
        if meta is not None:
            out["metadata"] = describe(meta)
        return out
    if isinstance(obj, (list, tuple)):
        return {f"${name}": [describe(x) for x in obj]}
    if isinstance(obj, set):
        return {"$set": sorted(describe(x) for x in obj)}
    if isinstance(obj, bytes):
        return {"$bytes": obj.hex()}
    if isinstance(obj, complex):
        return {"$complex": [obj.real, obj.imag]}
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else {"$float": repr(obj)}
    return obj


def _floats(v: Any) -> Any:
    if isinstance(v, list):
        return [_floats(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return {"$float": repr(v)}
    return v
