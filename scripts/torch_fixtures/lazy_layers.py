"""PyTorch's values, graphs, error texts, printouts and state-dict keys for ``nn.LazyLinear``:
its parameters drawn at the first forward (after ``torch.manual_seed``), the module it becomes,
and a checkpoint loaded before any forward.

Each call is written as visgrad and PyTorch both spell it; the test evaluates the same text with
visgrad on the same inputs. Writes ``tests/fixtures/torch/lazy_layers.json`` and ``.npz``.
"""

from __future__ import annotations

from typing import Any

import torch
from _cases import C, N, write
from torch import nn

CASES: dict[str, tuple[str, dict[str, tuple[tuple[int, ...], str]], str]] = {
    "lazy_linear": (
        "(lambda _, m, x: (m(x), m.weight.detach(), m.bias.detach()))"
        "(torch.manual_seed(3), torch.nn.LazyLinear(4), x)",
        {"x": ((2, 3), N)},
        "float32",
    ),
    "lazy_linear_no_bias_f64": (
        "(lambda _, m, x: (m(x), m.weight.detach()))"
        "(torch.manual_seed(5), torch.nn.LazyLinear(2, bias=False, dtype=torch.float64), x)",
        {"x": ((4, 2, 5), N)},
        "float64",
    ),
    "lazy_linear_1d": (
        "(lambda _, m, x: (m(x), m(x * 2)))(torch.manual_seed(1), torch.nn.LazyLinear(3), x)",
        {"x": ((6,), N)},
        "float32",
    ),
    "lazy_linear_loaded": (
        "(lambda m, x: (m.load_state_dict(torch.nn.Linear(3, 2).state_dict()), m(x))[1])"
        "(torch.nn.LazyLinear(2), x)",
        {"x": ((2, 3), N)},
        "float32",
    ),
    "lazy_in_sequential": (
        "(lambda _, m, x: m(x))(torch.manual_seed(7), torch.nn.Sequential("
        "torch.nn.LazyLinear(5), torch.nn.ReLU(), torch.nn.LazyLinear(2)), x)",
        {"x": ((3, 4), N)},
        "float32",
    ),
}

ERRORS: dict[str, tuple[str, dict[str, tuple[tuple[int, ...], str]]]] = {
    "shape_before_forward": ("torch.nn.LazyLinear(2).weight.shape", {}),
    "loaded_other_in_features": (
        "(lambda m, x: (m.load_state_dict(torch.nn.Linear(3, 2).state_dict()), m(x)))"
        "(torch.nn.LazyLinear(2), x)",
        {"x": ((1, 4), C)},
    ),
    "load_missing_bias": ("torch.nn.LazyLinear(3).load_state_dict({'weight': torch.zeros(3, 2)})", {}),
}  # fmt: skip

REPRS: list[tuple[str, list[Any], dict[str, Any]]] = [
    ("LazyLinear", [4], {}),
    ("LazyLinear", [2], {"bias": False}),
]


def _after_forward() -> dict[str, Any]:
    torch.manual_seed(0)
    m = nn.LazyLinear(4)
    before = {"repr": repr(m), "weight": repr(m.weight), "state_dict": list(m.state_dict())}
    m(torch.randn(2, 3))
    after = {"repr": repr(m), "class": type(m).__name__, "state_dict": list(m.state_dict())}
    return {"before": before, "after": after}


def main() -> None:
    reprs = [
        {"cls": c, "args": a, "kwargs": k, "repr": repr(getattr(nn, c)(*a, **k))}
        for c, a, k in REPRS
    ]
    write("lazy_layers", CASES, ERRORS, 20261208, {"reprs": reprs, "lifecycle": _after_forward()})


if __name__ == "__main__":
    main()
