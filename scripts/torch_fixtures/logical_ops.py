"""PyTorch's results and error texts for the logical and bitwise ops (``~``, ``&``, ``|``, ``^``,
``logical_*``, their in-place forms). Writes ``tests/fixtures/torch/logical_ops.json`` / ``.npz``.
"""

from __future__ import annotations

from _cases import B, C, write

I = "index:7"  # noqa: E741 - small non-negative integers
CASES = {
    "invert_bool": ("~m", {"m": ((3, 4), B)}, "float32"),
    "invert_int": ("~i", {"i": ((5,), I)}, "float32"),
    "and_bool": ("m & n", {"m": ((3, 4), B), "n": ((3, 4), B)}, "float32"),
    "or_broadcast": ("m | n", {"m": ((3, 4), B), "n": ((4,), B)}, "float32"),
    "xor_int_bool": ("i ^ m", {"i": ((4,), I), "m": ((4,), B)}, "float32"),
    "and_int_number": ("i & 6", {"i": ((5,), I)}, "float32"),
    "rand_number": ("3 & i", {"i": ((5,), I)}, "float32"),
    "or_bool_true": ("m | True", {"m": ((4,), B)}, "float32"),
    "and_bool_one": ("m & 1", {"m": ((4,), B)}, "float32"),
    "bitwise_functions": ("torch.bitwise_or(i, j)", {"i": ((5,), I), "j": ((5,), I)}, "float32"),
    "bitwise_not_function": ("torch.bitwise_not(m)", {"m": ((2, 3), B)}, "float32"),
    "logical_not_float": ("torch.logical_not(x > 0.5)", {"x": ((2, 3), C)}, "float32"),
    "logical_not_method": ("x.logical_not()", {"x": ((4,), "index:2")}, "float32"),
    "logical_and_mixed": (
        "torch.logical_and(x, i)",
        {"x": ((4,), C), "i": ((4,), "index:2")},
        "float32",
    ),
    "logical_or": ("torch.logical_or(m, i)", {"m": ((4,), B), "i": ((4,), "index:2")}, "float32"),
    "logical_xor": ("m.logical_xor(n)", {"m": ((2, 2), B), "n": ((2, 2), B)}, "float32"),
    "logical_requires_grad": ("torch.logical_not(x)", {"x": ((3,), "normal")}, "float32"),
    "mask_of_comparisons": ("(x > 0) & ~(x > 1)", {"x": ((6,), C)}, "float32"),
    "inplace_and": ("m.clone().__iand__(n)", {"m": ((4,), B), "n": ((4,), B)}, "float32"),
    "inplace_or_int": ("i.clone().bitwise_or_(j)", {"i": ((4,), I), "j": ((4,), I)}, "float32"),
    "inplace_xor_number": ("i.clone().__ixor__(5)", {"i": ((4,), I)}, "float32"),
    "inplace_logical_not_float": ("x.clone().logical_not_()", {"x": ((4,), C)}, "float32"),
    "inplace_logical_and_int": (
        "i.clone().logical_and_(x)",
        {"i": ((4,), I), "x": ((4,), C)},
        "float32",
    ),
    "inplace_not_int": ("i.clone().bitwise_not_()", {"i": ((4,), I)}, "float32"),
}
ERRORS = {
    "invert_float": ("~x", {"x": ((3,), C)}),
    "and_float": ("x & x", {"x": ((3,), C)}),
    "or_float_bool": ("x | (x > 0)", {"x": ((3,), C)}),
    "and_int_float_number": ("i & 2.5", {"i": ((3,), I)}),
    "bitwise_not_float": ("torch.bitwise_not(x)", {"x": ((3,), C)}),
    "xor_float_function": ("torch.bitwise_xor(x, i)", {"x": ((3,), C), "i": ((3,), I)}),
    "and_shapes": ("(x > 0) & (y > 0)", {"x": ((3,), C), "y": ((4,), C)}),
    "inplace_bool_from_int": ("(x > 0).bitwise_and_(i)", {"x": ((3,), C), "i": ((3,), I)}),
    # logical_* take tensors only; bitwise_*_ check shapes, then the cast, then the dtype.
    "logical_and_number": ("torch.logical_and(x, 0.5)", {"x": ((3,), C)}),
    "logical_or_inplace_list": ("x.logical_or_([1, 2])", {"x": ((3,), C)}),
    "bitwise_and_inplace_list": ("(x > 0).bitwise_and_([1, 2])", {"x": ((3,), C)}),
    "bitwise_or_inplace_cast": ("(x > 0).long().bitwise_or_(0.5)", {"x": ((3,), C)}),
    "bitwise_xor_inplace_shape": ("(x > 0).bitwise_xor_(x[:2] > 0)", {"x": ((3,), C)}),
}


def main() -> None:
    write("logical_ops", CASES, ERRORS, 20261203)


if __name__ == "__main__":
    main()
