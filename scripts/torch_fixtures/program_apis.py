"""PyTorch's values, gradients, graphs, error texts, warnings and reprs for the APIs real programs
call that visgrad added for them: ``rms_norm`` and ``nn.RMSNorm``.

Each call is written as visgrad and PyTorch both spell it; the test evaluates the same text with
visgrad on the same inputs. Writes ``tests/fixtures/torch/program_apis.json`` and ``.npz``.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from _cases import C, N, write
from torch import nn

Spec = dict[str, tuple[tuple[int, ...], str]]
X, W = ((2, 3, 4), N), ((4,), N)
CASES: dict[str, tuple[str, Spec, str]] = {
    "rms_norm": ("F.rms_norm(x, (4,), w)", {"x": X, "w": W}, "float64"),
    "rms_norm_f32": ("F.rms_norm(x, [4], w, 1e-5)", {"x": X, "w": W}, "float32"),
    "rms_norm_eps_none_f32": ("F.rms_norm(x * 1e-4, (4,))", {"x": X}, "float32"),
    "rms_norm_eps_none_f64": ("F.rms_norm(x * 1e-8, (4,))", {"x": X}, "float64"),
    "rms_norm_two_dims": ("F.rms_norm(x, (3, 4), w, eps=1e-3)", {"x": X, "w": ((3, 4), N)},
                          "float64"),
    "rms_norm_all_dims": ("torch.rms_norm(x, [2, 3, 4], None, 0.5)", {"x": X}, "float32"),
    "rms_norm_half": ("F.rms_norm(x.half(), (4,), w.half())", {"x": X, "w": W}, "float32"),
    "rms_norm_half_no_weight": ("F.rms_norm(x.half(), (3, 4), eps=1e-2)", {"x": X}, "float32"),
    "rms_norm_weight_double": ("F.rms_norm(x, (4,), w.double())", {"x": X, "w": W}, "float32"),
    "rms_norm_weight_half": ("F.rms_norm(x, (4,), w.half())", {"x": X, "w": W}, "float32"),
    "rms_norm_half_weight_float": ("F.rms_norm(x.half(), (4,), w)", {"x": X, "w": W}, "float32"),
    "rms_norm_transposed": ("F.rms_norm(x.transpose(0, 2), (2,))", {"x": X}, "float64"),
    "rms_norm_no_grad_input": ("F.rms_norm(x, (4,), w)", {"x": (X[0], C), "w": W}, "float64"),
    "rms_norm_empty": ("F.rms_norm(x[:, :0], (4,), w)", {"x": X, "w": W}, "float64"),
    "rms_norm_size": ("F.rms_norm(x, x.shape[1:], eps=1)", {"x": X}, "float64"),
    "rms_norm_module": ("torch.nn.RMSNorm(4)(x)", {"x": X}, "float32"),
    "rms_norm_module_eps": ("torch.nn.RMSNorm([3, 4], eps=1e-6, dtype=torch.float64)(x)",
                            {"x": X}, "float64"),
    "rms_norm_module_no_affine": ("torch.nn.RMSNorm(4, elementwise_affine=False)(x)", {"x": X},
                                  "float32"),
}  # fmt: skip

ERRORS: dict[str, tuple[str, Spec]] = {
    "rms_norm_weight_shape": ("F.rms_norm(x, (4,), torch.ones(3))", {"x": X}),
    "rms_norm_input_shape": ("F.rms_norm(x, (5,))", {"x": X}),
    "rms_norm_empty_shape": ("F.rms_norm(x, ())", {"x": X}),
    "rms_norm_long": ("F.rms_norm(x.long(), (4,))", {"x": X}),
    "rms_norm_bool": ("F.rms_norm(x > 0, (4,))", {"x": X}),
    "rms_norm_eps_str": ("F.rms_norm(x, (4,), eps='a')", {"x": X}),
    "rms_norm_shape_int": ("F.rms_norm(x, 4)", {"x": X}),
    "rms_norm_shape_float": ("F.rms_norm(x, (4.0,))", {"x": X}),
    "rms_norm_too_many_dims": ("F.rms_norm(x.long(), [1, 2, 3, 4, 5])", {"x": X}),
    "rms_norm_scalar": ("F.rms_norm(x.sum(), (1,))", {"x": X}),
    "rms_norm_weight_first": ("F.rms_norm(x, (2, 3, 4, 5), torch.ones(3))", {"x": X}),
    "rms_norm_shape_before_dtype": ("F.rms_norm(x.long(), (5,))", {"x": X}),
    "rms_norm_none": ("F.rms_norm(None, (4,))", {}),
    "rms_norm_out": ("torch.rms_norm(x, (4,), out=x)", {"x": X}),
    "rms_norm_module_long": ("torch.nn.RMSNorm(4)(x.long())", {"x": X}),
}

REPRS: list[tuple[str, list[Any], dict[str, Any]]] = [
    ("RMSNorm", [4], {}),
    ("RMSNorm", [[3, 4]], {"eps": 1e-3, "elementwise_affine": False}),
    ("RMSNorm", [(2,)], {"eps": 1e-6}),
]

WARNS = [
    "F.rms_norm(x, (4,), x[0, 0].double())",
    "F.rms_norm(x.half(), (4,), x[0, 0])",
    "F.rms_norm(x, (4,), x[0, 0].long())",
]


_WARN_RUN = """
import sys, warnings, torch
x = torch.ones(2, 3, 4)
with warnings.catch_warnings(record=True) as seen:
    warnings.simplefilter("always")
    for _ in range(2):
        eval(sys.argv[1], {"F": torch.nn.functional, "torch": torch}, {"x": x})
for w in seen:
    print(str(w.message).split(" (Triggered internally")[0])
"""


def _warning(call: str) -> dict[str, Any]:
    """The warnings of ``call`` run twice in a fresh process: PyTorch warns once a process."""
    run = subprocess.run(
        [sys.executable, "-c", _WARN_RUN, call], capture_output=True, text=True, check=True
    )
    return {"call": call, "warnings": run.stdout.splitlines()}


def main() -> None:
    reprs = [
        {"cls": c, "args": a, "kwargs": k, "repr": repr(getattr(nn, c)(*a, **k))}
        for c, a, k in REPRS
    ]
    warns = [_warning(c) for c in WARNS]
    write("program_apis", CASES, ERRORS, 20261205, {"reprs": reprs, "warns": warns})


if __name__ == "__main__":
    main()
