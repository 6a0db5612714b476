"""PyTorch's values, gradients, graphs and error texts for the NumPy-style joins and shape helpers
(hstack, vstack, dstack, column_stack, atleast_*d, ravel, fliplr, flipud). Writes
``tests/fixtures/torch/stacking_ops.json`` and ``stacking_ops.npz``.
"""

from __future__ import annotations

from _cases import C, N, write

M, V, S, T3 = ((2, 3), N), ((3,), N), ((), N), ((2, 3, 4), N)
CASES = {
    "hstack_matrices": ("torch.hstack([a, b])", {"a": M, "b": M}, "float64"),
    "hstack_vectors": ("torch.hstack((v, w))", {"v": V, "w": ((2,), N)}, "float64"),
    "hstack_scalars": ("torch.hstack([s, s])", {"s": S}, "float64"),
    "vstack_mixed": ("torch.vstack([a, v])", {"a": M, "v": V}, "float64"),
    "vstack_scalar": ("torch.vstack([s, s])", {"s": S}, "float32"),
    "row_stack": ("torch.row_stack([v, v])", {"v": V}, "float64"),
    "dstack_vectors": ("torch.dstack([v, v])", {"v": V}, "float64"),
    "dstack_matrices": ("torch.dstack([a, b])", {"a": M, "b": M}, "float64"),
    "dstack_3d": ("torch.dstack([x, x])", {"x": T3}, "float64"),
    "column_stack_vectors": ("torch.column_stack([v, w])", {"v": V, "w": V}, "float64"),
    "column_stack_mixed": ("torch.column_stack([a.t(), v])", {"a": M, "v": V}, "float64"),
    "column_stack_scalars": ("torch.column_stack([s, s])", {"s": S}, "float64"),
    "atleast_1d_scalar": ("torch.atleast_1d(s)", {"s": S}, "float64"),
    "atleast_1d_many": ("torch.atleast_1d(s, v)", {"s": S, "v": V}, "float64"),
    "atleast_1d_list": ("torch.atleast_1d([s, v])", {"s": S, "v": V}, "float64"),
    "atleast_2d_scalar": ("torch.atleast_2d(s)", {"s": S}, "float64"),
    "atleast_2d_vector": ("torch.atleast_2d(v)", {"v": V}, "float64"),
    "atleast_2d_matrix": ("torch.atleast_2d(a * 2)", {"a": M}, "float64"),
    "atleast_3d_scalar": ("torch.atleast_3d(s)", {"s": S}, "float64"),
    "atleast_3d_vector": ("torch.atleast_3d(v)", {"v": V}, "float64"),
    "atleast_3d_matrix": ("torch.atleast_3d(a)", {"a": M}, "float64"),
    "atleast_3d_tuple": ("torch.atleast_3d((a, x))", {"a": M, "x": T3}, "float64"),
    "ravel": ("x.ravel()", {"x": T3}, "float64"),
    "ravel_transposed": ("torch.ravel(a.t())", {"a": M}, "float64"),
    "fliplr": ("torch.fliplr(a)", {"a": M}, "float64"),
    "fliplr_3d": ("x.fliplr()", {"x": T3}, "float32"),
    "flipud": ("torch.flipud(a)", {"a": M}, "float64"),
    "flipud_vector": ("v.flipud()", {"v": V}, "float64"),
    "hstack_ints": ("torch.hstack([i, i.double()])", {"i": ((2, 2), "index:5")}, "float64"),
}
ERRORS = {
    "hstack_empty": ("torch.hstack([])", {}),
    "vstack_empty": ("torch.vstack(())", {}),
    "dstack_empty": ("torch.dstack([])", {}),
    "column_stack_empty": ("torch.column_stack([])", {}),
    "vstack_tensor": ("torch.vstack(a)", {"a": ((2, 3), C)}),
    "hstack_number": ("torch.hstack(3)", {}),
    "hstack_sizes": ("torch.hstack([a, torch.ones(3, 3)])", {"a": ((2, 3), C)}),
    "column_stack_sizes": ("torch.column_stack([a, v])", {"a": ((2, 3), C), "v": ((3,), C)}),
    "vstack_sizes": ("torch.vstack([a, v])", {"a": ((2, 3), C), "v": ((2,), C)}),
    "fliplr_vector": ("torch.fliplr(v)", {"v": ((3,), C)}),
    "flipud_scalar": ("torch.flipud(s)", {"s": ((), C)}),
    "hstack_list_of_numbers": ("torch.hstack([1, 2])", {}),
}


def main() -> None:
    write("stacking_ops", CASES, ERRORS, 20261204)


if __name__ == "__main__":
    main()
