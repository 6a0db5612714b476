"""PyTorch's values, gradients, graphs and error texts for the math ops real programs reach for:
lerp, hypot, logaddexp, erf and erfinv, sinc, frexp / ldexp, heaviside. Writes
``tests/fixtures/torch/math_ops.json`` and ``math_ops.npz``.
"""

from __future__ import annotations

from _cases import C, N, write

CASES = {
    "lerp_scalar": ("torch.lerp(a, b, 0.3)", {"a": ((3, 4), N), "b": ((3, 4), N)}, "float64"),
    "lerp_big_weight": ("a.lerp(b, 0.8)", {"a": ((2, 5), N), "b": ((5,), N)}, "float32"),
    "lerp_tensor": (
        "torch.lerp(a, b, w)",
        {"a": ((3, 4), N), "b": ((3, 4), N), "w": ((4,), "prob")},
        "float64",
    ),
    "lerp_tensor_f32": (
        "torch.lerp(a, b, w * 2)",
        {"a": ((9,), N), "b": ((9,), N), "w": ((9,), "prob")},
        "float32",
    ),
    "lerp_inplace": ("(a * 1).lerp_(b, 0.25)", {"a": ((2, 3), N), "b": ((2, 3), N)}, "float64"),
    "hypot": ("torch.hypot(a, b)", {"a": ((3, 4), N), "b": ((4,), N)}, "float64"),
    "hypot_f32": ("a.hypot(b)", {"a": ((10,), N), "b": ((10,), N)}, "float32"),
    "logaddexp": ("torch.logaddexp(a, b)", {"a": ((3, 4), "wide"), "b": ((3, 4), N)}, "float64"),
    "logaddexp_f32": ("a.logaddexp(b)", {"a": ((11,), "wide"), "b": ((11,), N)}, "float32"),
    "logaddexp_inf": (
        "torch.logaddexp(torch.tensor([float('-inf'), float('inf'), 1.0]), a)",
        {"a": ((3,), N)},
        "float32",
    ),
    "logaddexp2": ("torch.logaddexp2(a, b)", {"a": ((3, 4), "wide"), "b": ((4,), N)}, "float64"),
    "erf": ("torch.erf(a)", {"a": ((3, 4), "wide")}, "float64"),
    "erf_f32": ("a.erf()", {"a": ((12,), N)}, "float32"),
    "erfc": ("torch.erfc(a)", {"a": ((3, 4), N)}, "float64"),
    "erfinv": ("torch.erfinv(a * 3 - 0.7)", {"a": ((3, 4), "prob")}, "float64"),
    "erfinv_f32": ("(a * 3 - 0.7).erfinv()", {"a": ((12,), "prob")}, "float32"),
    "sinc": ("torch.sinc(a)", {"a": ((3, 4), "wide")}, "float64"),
    "sinc_zero": ("torch.sinc(a * torch.tensor([0.0, 1.0, 2.0]))", {"a": ((3,), N)}, "float32"),
    "frexp": ("torch.frexp(a * 10)", {"a": ((3, 4), N)}, "float64"),
    "frexp_f32": ("a.frexp()", {"a": ((6,), "wide")}, "float32"),
    "ldexp": ("torch.ldexp(a, torch.tensor([1, -2, 3]))", {"a": ((2, 3), N)}, "float64"),
    "ldexp_float_exp": ("torch.ldexp(a, b)", {"a": ((2, 3), N), "b": ((3,), N)}, "float64"),
    "ldexp_int": ("torch.ldexp(torch.tensor([1, 2]), torch.tensor([3, 1]))", {}, "float32"),
    "heaviside": ("torch.heaviside(a, torch.tensor(0.5))", {"a": ((3, 4), C)}, "float32"),
    "heaviside_zeros": (
        "torch.heaviside(a * torch.tensor([0.0, 1.0, 0.0]), b)",
        {"a": ((3,), C), "b": ((3,), C)},
        "float64",
    ),
}

ERRORS = {
    "lerp_end_dtype": ("torch.lerp(a, a.double(), 0.5)", {"a": ((3,), C)}),
    "lerp_weight_dtype": ("torch.lerp(a, a, a.double())", {"a": ((3,), C)}),
    "lerp_shape": ("torch.lerp(a, b, 0.5)", {"a": ((3,), C), "b": ((2,), C)}),
    "lerp_long": ("torch.lerp(torch.tensor([1, 2]), torch.tensor([1, 2]), 0.5)", {}),
    "hypot_number": ("torch.hypot(a, 2.0)", {"a": ((3,), C)}),
    "hypot_shape": ("torch.hypot(a, b)", {"a": ((3,), C), "b": ((2,), C)}),
    "logaddexp_number": ("torch.logaddexp(a, 2.0)", {"a": ((3,), C)}),
    "logaddexp_long": ("torch.logaddexp(torch.tensor([1, 2]), torch.tensor([1, 2]))", {}),
    "heaviside_dtypes": ("torch.heaviside(a, a.double())", {"a": ((3,), C)}),
    "heaviside_backward": (
        "torch.heaviside(a.requires_grad_(), a.detach()).sum().backward()",
        {"a": ((3,), C)},
    ),
    "frexp_long": ("torch.frexp(torch.tensor([1, 2]))", {}),
}


def main() -> None:
    write("math_ops", CASES, ERRORS, 20261203)


if __name__ == "__main__":
    main()
