"""PyTorch's special functions and truncating ops: erf, erfc, lgamma, digamma, polygamma, logit,
sinc, i0, trunc / fix, frac, sgn, fmod, cumprod and the ``torch.special`` names for them — values,
gradients, graphs, in-place forms, integer inputs, error texts, and the values at the poles and
zeros. Writes ``tests/fixtures/torch/special_math.json`` / ``.npz``.
"""

from __future__ import annotations

import math

import torch
from _cases import C, N, P, write

I = "index:7"  # noqa: E741 - small non-negative integers
W = "wide"
UNARY = {
    "erf": W,
    "erfc": W,
    "lgamma": W,
    "digamma": W,
    "sinc": W,
    "i0": W,
    "trunc": W,
    "fix": W,
    "frac": W,
    "sgn": N,
}
CASES: dict = {}
for op, kind in UNARY.items():
    for dt in ("float32", "float64"):
        CASES[f"{op}_{dt}"] = (f"torch.{op}(x) * 1", {"x": ((3, 4), kind)}, dt)
    CASES[f"{op}_method"] = (f"x.{op}()", {"x": ((5,), kind)}, "float32")
    CASES[f"{op}_inplace"] = (f"(x * 1).{op}_()", {"x": ((5,), kind)}, "float64")
for op in ("erf", "erfc", "lgamma", "digamma", "sinc", "i0", "trunc", "sgn"):
    CASES[f"{op}_int"] = (f"torch.{op}(i)", {"i": ((5,), I)}, "float32")
CASES.update(
    {
        "polygamma_1": ("torch.polygamma(1, x)", {"x": ((3, 4), P)}, "float64"),
        "polygamma_3_float32": ("torch.polygamma(3, x)", {"x": ((3, 4), P)}, "float32"),
        "polygamma_method": ("x.polygamma(2)", {"x": ((5,), P)}, "float64"),
        "polygamma_0_is_digamma": ("torch.polygamma(0, x)", {"x": ((5,), W)}, "float64"),
        "polygamma_inplace": ("(x * 1).polygamma_(1)", {"x": ((5,), P)}, "float64"),
        "lgamma_second_order": (
            "torch.autograd.grad(torch.lgamma(x).sum(), x, create_graph=True)[0] * 1",
            {"x": ((5,), P)},
            "float64",
        ),
        "digamma_second_order": (
            "torch.autograd.grad(x.digamma().sum(), x, create_graph=True)[0] * 1",
            {"x": ((5,), P)},
            "float64",
        ),
        "logit": ("torch.logit(p)", {"p": ((3, 4), "prob")}, "float64"),
        "logit_eps": ("torch.logit(p, eps=0.2)", {"p": ((3, 4), "prob")}, "float64"),
        "logit_float32": ("p.logit()", {"p": ((6,), "prob")}, "float32"),
        "logit_inplace": ("(p * 1).logit_(0.1)", {"p": ((6,), "prob")}, "float64"),
        "fmod_number": ("torch.fmod(x, 0.7)", {"x": ((3, 4), W)}, "float64"),
        "fmod_tensor": ("torch.fmod(x, y)", {"x": ((3, 4), W), "y": ((4,), P)}, "float64"),
        "fmod_float32": ("x.fmod(y)", {"x": ((2, 3), W), "y": ((2, 3), P)}, "float32"),
        "fmod_inplace": ("(x * 1).fmod_(1.5)", {"x": ((5,), W)}, "float64"),
        "fmod_int": ("torch.fmod(i - 3, 2)", {"i": ((6,), I)}, "float32"),
        "fmod_int_float": ("torch.fmod(i - 3, 2.5)", {"i": ((6,), I)}, "float32"),
        "cumprod": ("torch.cumprod(x, 1)", {"x": ((3, 4), N)}, "float32"),
        "cumprod_float64_dim0": ("x.cumprod(0)", {"x": ((3, 4), W)}, "float64"),
        "cumprod_negative_dim": ("x.cumprod(-1)", {"x": ((2, 3, 2), N)}, "float64"),
        "cumprod_int": ("torch.cumprod(i, 0)", {"i": ((5,), I)}, "float32"),
        "cumprod_dtype": ("torch.cumprod(i, 0, dtype=torch.float64)", {"i": ((5,), I)}, "float32"),
        "cumprod_inplace": ("(x * 1).cumprod_(0)", {"x": ((4,), N)}, "float64"),
        "cumprod_with_zero": ("torch.cumprod(x * (x > -0.5), 0)", {"x": ((6,), N)}, "float64"),
        "special_erf": ("torch.special.erf(x)", {"x": ((4,), W)}, "float64"),
        "special_erfc": ("torch.special.erfc(x)", {"x": ((4,), W)}, "float64"),
        "special_gammaln": ("torch.special.gammaln(x)", {"x": ((4,), P)}, "float64"),
        "special_digamma": ("torch.special.digamma(x)", {"x": ((4,), P)}, "float64"),
        "special_psi": ("torch.special.psi(x)", {"x": ((4,), P)}, "float64"),
        "special_polygamma": ("torch.special.polygamma(2, x)", {"x": ((4,), P)}, "float64"),
        "special_logit": ("torch.special.logit(p, eps=0.1)", {"p": ((4,), "prob")}, "float64"),
        "special_expit": ("torch.special.expit(x)", {"x": ((4,), W)}, "float64"),
        "special_sinc": ("torch.special.sinc(x)", {"x": ((4,), W)}, "float64"),
        "special_i0": ("torch.special.i0(x)", {"x": ((4,), W)}, "float64"),
        "special_xlogy": ("torch.special.xlogy(x, p)", {"x": ((4,), N), "p": ((4,), P)}, "float64"),
        "special_log_softmax": ("torch.special.log_softmax(x, 1)", {"x": ((2, 3), N)}, "float64"),
        "special_softmax": ("torch.special.softmax(x, 0)", {"x": ((2, 3), N)}, "float64"),
        "special_logsumexp": ("torch.special.logsumexp(x, 1)", {"x": ((2, 3), N)}, "float64"),
        "special_expm1": ("torch.special.expm1(x)", {"x": ((4,), N)}, "float64"),
        "special_exp2": ("torch.special.exp2(x)", {"x": ((4,), N)}, "float64"),
        "special_log1p": ("torch.special.log1p(x)", {"x": ((4,), P)}, "float64"),
        "special_round": ("torch.special.round(x * 3)", {"x": ((4,), N)}, "float64"),
    }
)
ERRORS = {
    "polygamma_negative": ("torch.polygamma(-1, x)", {"x": ((3,), C)}),
    "polygamma_float_order": ("torch.polygamma(1.5, x)", {"x": ((3,), C)}),
    "frac_int": ("torch.frac(i)", {"i": ((3,), I)}),
    "fmod_int_by_zero": ("torch.fmod(i, 0)", {"i": ((3,), I)}),
    "fmod_shapes": ("torch.fmod(x, y)", {"x": ((3,), C), "y": ((4,), C)}),
    "cumprod_dim": ("torch.cumprod(x, 2)", {"x": ((3, 4), C)}),
}
# Poles, zeros, infinities and NaN: the values (and gradients) PyTorch gives there.
POINTS = [0.0, -0.0, 1.0, 2.0, -1.0, -2.0, -2.5, 0.5, 1e-8, 30.0, math.inf, -math.inf, math.nan]
POINT_CALLS = ["erf", "erfc", "lgamma", "digamma", "sinc", "i0", "trunc", "frac", "sgn"]


def points() -> dict:
    out = {}
    for op in POINT_CALLS:
        x = torch.tensor(POINTS, dtype=torch.float64, requires_grad=True)
        y = getattr(torch, op)(x)
        y.backward(torch.ones_like(y))
        out[op] = {"x": [repr(v) for v in POINTS], "out": [repr(v) for v in y.tolist()],
                   "grad": [repr(v) for v in x.grad.contiguous().clone().tolist()]}  # fmt: skip
    return out


def main() -> None:
    write("special_math", CASES, ERRORS, 20261204, extra={"points": points()})


if __name__ == "__main__":
    main()
