"""PyTorch's values, gradients, graphs and error texts for the math names real programs use that
visgrad lacked: fmax / fmin, copysign, nextafter, float_power, gcd / lcm, signbit, isposinf /
isneginf, isreal. Writes ``tests/fixtures/torch/more_math.json`` and ``more_math.npz``.
"""

from __future__ import annotations

from _cases import C, N, write

NAN_AT_1 = "torch.tensor([1.0, float('nan'), 1.0, 1.0, float('nan')])"
CASES = {
    "fmax": ("torch.fmax(a, b)", {"a": ((3, 4), N), "b": ((4,), N)}, "float64"),
    "fmax_nan": (f"torch.fmax(a * {NAN_AT_1}, b)", {"a": ((5,), N), "b": ((5,), N)}, "float32"),
    "fmax_nan_other": (f"a.fmax(b * {NAN_AT_1})", {"a": ((5,), N), "b": ((5,), N)}, "float32"),
    "fmax_ties": ("torch.fmax(a, a.detach() * 1)", {"a": ((4,), N)}, "float64"),
    "fmax_int": ("torch.fmax(torch.tensor([1, 5, -2]), torch.tensor([2.5, 1.0, -3.0]))", {},
                 "float32"),
    "fmax_bool": ("torch.fmax(a > 0, a < 0.5)", {"a": ((6,), C)}, "float32"),
    "fmin": ("torch.fmin(a, b)", {"a": ((2, 3), N), "b": ((2, 1), N)}, "float64"),
    "fmin_nan": (f"torch.fmin(b * {NAN_AT_1}, a)", {"a": ((5,), N), "b": ((5,), N)}, "float32"),
    "fmin_ties": ("a.fmin(a.detach() * 1)", {"a": ((4,), N)}, "float64"),
    "copysign": ("torch.copysign(a, b)", {"a": ((3, 4), N), "b": ((4,), N)}, "float64"),
    "copysign_zeros": (
        "torch.copysign(a * torch.tensor([0.0, -0.0, 1.0, float('nan')]), b)",
        {"a": ((4,), N), "b": ((4,), N)},
        "float32",
    ),
    "copysign_number": ("a.copysign(-2)", {"a": ((2, 3), N)}, "float32"),
    "copysign_int": ("torch.copysign(torch.tensor([1, -2, 3]), torch.tensor([-1, 1, 0]))", {},
                     "float32"),
    "copysign_int_number": ("torch.copysign(torch.tensor([1, 2]), -0.0)", {}, "float32"),
    "copysign_inplace": ("(a * 1).copysign_(b)", {"a": ((2, 3), N), "b": ((3,), N)}, "float64"),
    "nextafter": ("torch.nextafter(a, b)", {"a": ((3, 4), N), "b": ((4,), N)}, "float32"),
    "nextafter_f64": ("a.nextafter(b)", {"a": ((5,), N), "b": ((5,), N)}, "float64"),
    "nextafter_zero": ("torch.nextafter(a * 0, b)", {"a": ((5,), C), "b": ((5,), C)}, "float32"),
    "nextafter_promotes": ("torch.nextafter(a, b.double())", {"a": ((3,), C), "b": ((3,), C)},
                           "float32"),
    "float_power": ("torch.float_power(a, 2)", {"a": ((3, 4), N)}, "float32"),
    "float_power_f64": ("a.float_power(2.5)", {"a": ((3,), "pos")}, "float64"),
    "float_power_tensor": ("torch.float_power(a, b)", {"a": ((2, 3), "pos"), "b": ((3,), N)},
                           "float32"),
    "float_power_base": ("torch.float_power(2, a)", {"a": ((2, 3), N)}, "float32"),
    "float_power_int": ("torch.float_power(torch.tensor([1, 2, 3]), torch.tensor([2, -1, 0]))",
                        {}, "float32"),
    "float_power_negative": ("torch.float_power(a - 1, 0.5)", {"a": ((5,), "prob")}, "float64"),
    "float_power_inplace": ("(a * 1).float_power_(b)", {"a": ((4,), "pos"), "b": ((4,), N)},
                            "float64"),
    "gcd": ("torch.gcd(torch.tensor([4, -6, 0, 9, 7]), torch.tensor([6, 4, 0, -3, 0]))", {},
            "float32"),
    "gcd_int32": ("torch.tensor([12, 18], dtype=torch.int32).gcd(torch.tensor([8]))", {},
                  "float32"),
    "gcd_inplace": ("torch.tensor([12, 18, 5]).gcd_(torch.tensor([8, 12, 0]))", {}, "float32"),
    "lcm": ("torch.lcm(torch.tensor([4, -6, 0, 9, 7]), torch.tensor([6, 4, 3, -3, 0]))", {},
            "float32"),
    "lcm_int8": ("torch.lcm(torch.tensor([3, -4], dtype=torch.int8), torch.tensor([5, 6],"
                 " dtype=torch.int8))", {}, "float32"),
    "signbit": ("torch.signbit(a * torch.tensor([1.0, -0.0, 0.0, float('nan'), 1.0, 1.0]))",
                {"a": ((6,), N)}, "float32"),
    "signbit_int": ("torch.tensor([-2, 0, 3]).signbit()", {}, "float32"),
    "signbit_bool": ("torch.signbit(a > 0)", {"a": ((4,), C)}, "float32"),
    "isposinf": ("torch.isposinf(torch.tensor([1.0, float('inf'), -float('inf'), float('nan')]))",
                 {}, "float32"),
    "isneginf": ("torch.tensor([1.0, float('inf'), -float('inf'), float('nan')]).isneginf()", {},
                 "float64"),
    "isposinf_int": ("torch.isposinf(torch.tensor([1, 2]))", {}, "float32"),
    "isneginf_grad": ("torch.isneginf(a)", {"a": ((3,), N)}, "float32"),
    "isreal": ("torch.isreal(a)", {"a": ((2, 3), N)}, "float32"),
    "isreal_int": ("torch.tensor([1, 2]).isreal()", {}, "float32"),
}  # fmt: skip

ERRORS = {
    "fmax_number": ("torch.fmax(a, 2.0)", {"a": ((3,), C)}),
    "fmax_shape": ("torch.fmax(a, b)", {"a": ((3,), C), "b": ((2,), C)}),
    "fmin_number": ("a.fmin(1)", {"a": ((3,), C)}),
    "copysign_shape": ("torch.copysign(a, b)", {"a": ((3,), C), "b": ((2,), C)}),
    "copysign_list": ("torch.copysign(a, [1.0])", {"a": ((3,), C)}),
    "copysign_inplace_int": ("torch.tensor([1, 2]).copysign_(a)", {"a": ((2,), C)}),
    "nextafter_long": ("torch.nextafter(torch.tensor([1, 2]), torch.tensor([1, 2]))", {}),
    "nextafter_number": ("torch.nextafter(a, 1.0)", {"a": ((3,), C)}),
    "nextafter_shape": ("a.nextafter(b)", {"a": ((3,), C), "b": ((2,), C)}),
    "float_power_numbers": ("torch.float_power(2, 3)", {}),
    "float_power_inplace_float": ("a.float_power_(2)", {"a": ((3,), C)}),
    "float_power_inplace_tensor": ("a.float_power_(a)", {"a": ((3,), C)}),
    "float_power_string": ("torch.float_power(a, 'x')", {"a": ((3,), C)}),
    "gcd_float": ("torch.gcd(a, a)", {"a": ((3,), C)}),
    "gcd_mixed": ("torch.gcd(torch.tensor([4, 6]), a)", {"a": ((2,), C)}),
    "gcd_number": ("torch.gcd(torch.tensor([4, 6]), 2)", {}),
    "lcm_bool": ("torch.lcm(torch.tensor([True]), torch.tensor([True]))", {}),
    "lcm_shape": ("torch.lcm(torch.tensor([4, 6]), torch.tensor([1, 2, 3]))", {}),
    "gcd_inplace_promotes": (
        "torch.tensor([4], dtype=torch.int32).gcd_(torch.tensor([[2, 3]]))", {}),
    "signbit_list": ("torch.signbit([1.0])", {}),
    "isposinf_number": ("torch.isposinf(1.0)", {}),
}  # fmt: skip


def main() -> None:
    write("more_math", CASES, ERRORS, 20261204)


if __name__ == "__main__":
    main()
