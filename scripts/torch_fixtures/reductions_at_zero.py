"""PyTorch's values and gradients of std / var / norm where the result is 0 (constant inputs)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import torch

OUT = (
    Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "reductions_at_zero.json"
)

# (name, call written as visgrad and PyTorch both spell it)
CASES = [
    ("std", "x.std()"),
    ("std_dim0", "x.std(dim=0)"),
    ("std_dim1_keepdim", "x.std(dim=1, keepdim=True)"),
    ("std_biased", "x.std(unbiased=False)"),
    ("var", "x.var()"),
    ("var_dim1", "x.var(dim=1)"),
    ("norm", "x.norm()"),
    ("norm_dim0", "x.norm(dim=0)"),
    ("norm_p1", "x.norm(p=1)"),
    ("norm_p3", "x.norm(p=3)"),
    ("norm_inf", "x.norm(p=float('inf'))"),
]
INPUTS = {
    "zeros": [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
    "constant": [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]],
    "mixed_rows": [[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]],
}


def main() -> None:
    rows = []
    for name, call in CASES:
        for inp_name, data in INPUTS.items():
            x = torch.tensor(data, dtype=torch.float64, requires_grad=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                y = eval(call, {"x": x})  # noqa: S307 - our own fixed expressions
                y.sum().backward()
            rows.append(
                {
                    "case": name,
                    "call": call,
                    "input": inp_name,
                    "data": data,
                    "value": y.detach().tolist(),
                    "grad": x.grad.tolist(),
                }
            )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    lines = ",\n".join(json.dumps(r) for r in rows)
    OUT.write_text(f'{{"torch": "{torch.__version__}", "cases": [\n{lines}\n]}}\n')


if __name__ == "__main__":
    main()
