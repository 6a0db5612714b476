"""PyTorch's ``retain_grad()`` gradient of every named tensor of a few programs, and its values.

Each program is source text run with ``torch`` bound to PyTorch here and to visgrad in the tests;
``keep(name, t)`` marks the tensors to compare (PyTorch retains their grad; visgrad needs
nothing) and ``data`` holds the inputs, so no random stream has to match.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

OUT = (
    Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "intermediate_grads.json"
)

PROGRAMS = {
    "tutorial": """
x = torch.ones(5)
y = torch.zeros(3)
w = torch.tensor(data["w"], requires_grad=True)
b = torch.tensor(data["b"], requires_grad=True)
z = keep("z", torch.matmul(x, w) + b)
loss = keep("loss", torch.nn.functional.binary_cross_entropy_with_logits(z, y))
loss.backward()
keep("w", w); keep("b", b)
""",
    "mlp": """
x = torch.tensor(data["x"])
t = torch.tensor(data["t"])
w1 = torch.tensor(data["w1"], requires_grad=True)
w2 = torch.tensor(data["w2"], requires_grad=True)
h = keep("h", torch.matmul(x, w1))
a = keep("a", h.relu())
out = keep("out", torch.matmul(a, w2))
d = keep("d", out - t)
loss = keep("loss", (d ** 2).mean())
loss.backward()
keep("w1", w1); keep("w2", w2)
""",
    "broadcasting": """
x = torch.tensor(data["x"], requires_grad=True)
r = torch.tensor(data["r"], requires_grad=True)
s = keep("s", x * r)
u = keep("u", s.sum(dim=0))
v = keep("v", u.tanh() + r.squeeze(0).sum())
loss = keep("loss", v.mean())
loss.backward()
keep("x", x); keep("r", r)
""",
    "scalar_reuse": """
w = torch.tensor(2.0, requires_grad=True)
p = keep("p", w * 3)
q = keep("q", p + w * 4)
r = keep("r", q * w + w * 5)
loss = keep("loss", r * r)
loss.backward()
keep("w", w)
""",
}


def _data(rng: np.random.Generator) -> dict[str, dict]:
    def a(*shape: int) -> list:
        return rng.standard_normal(shape).round(3).tolist()

    return {
        "tutorial": {"w": a(5, 3), "b": a(3)},
        "mlp": {"x": a(4, 3), "t": a(4, 1), "w1": a(3, 5), "w2": a(5, 1)},
        "broadcasting": {"x": a(4, 1), "r": a(1, 3)},
        "scalar_reuse": {},
    }


def run(source: str, data: dict) -> dict[str, dict]:
    kept: dict[str, torch.Tensor] = {}

    def keep(name: str, t: torch.Tensor) -> torch.Tensor:
        if not t.is_leaf:
            t.retain_grad()
        kept[name] = t
        return t

    exec(source, {"torch": torch, "data": data, "keep": keep})  # noqa: S102 - our own programs
    return {n: {"value": t.detach().tolist(), "grad": t.grad.tolist()} for n, t in kept.items()}


def main() -> None:
    data = _data(np.random.default_rng(0))
    rows = [
        {"name": n, "source": src, "data": data[n], "tensors": run(src, data[n])}
        for n, src in PROGRAMS.items()
    ]
    lines = ",\n".join(json.dumps(r) for r in rows)
    OUT.write_text(f'{{"torch": "{torch.__version__}", "programs": [\n{lines}\n]}}\n')


if __name__ == "__main__":
    main()
