"""PyTorch's values, gradients, graphs and error texts of the writes by index tensors real
programs make: ``index_put`` / ``index_put_``, ``t[idx] = v`` (``IndexPutBackward0``;
``CopySlices`` through a view), ``scatter_reduce`` / ``scatter_reduce_`` (graph networks'
aggregations) and ``fill_diagonal_``. Writes ``tests/fixtures/torch/index_puts.json`` and ``index_puts.npz``.
"""

from __future__ import annotations

from _cases import N, write

A, V = ((3, 4), N), ((4,), N)
I = "torch.tensor([2, 0, 2])"  # noqa: E741 - the index
J = "torch.tensor([1, 3, 1])"


def _set(index: str, value: str) -> str:
    """``t[index] = value`` on a non-leaf copy of ``a``, as an expression."""
    return f"(lambda c, a, v: (c.__setitem__({index}, {value}), c)[1])(a * 1, a, v)"


CASES = {
    "index_put_rows": (f"a.index_put(({I},), v)", {"a": A, "v": V}, "float64"),
    "index_put_accumulate": (
        f"a.index_put(({I},), v, accumulate=True)",
        {"a": A, "v": V},
        "float64",
    ),
    "index_put_pairs": (
        f"torch.index_put(a, ({I}, {J}), v[:3], True)",
        {"a": A, "v": V},
        "float32",
    ),
    "index_put_scalar_value": (
        f"a.index_put(({I}, {J}), v[0], False)",
        {"a": A, "v": V},
        "float64",
    ),
    "index_put_mask": ("a.index_put((a > 0,), v[1] * 2)", {"a": A, "v": V}, "float64"),
    "index_put_row_mask": (
        "a.index_put([torch.tensor([True, False, True])], v, accumulate=True)",
        {"a": A, "v": V},
        "float64",
    ),
    "index_put_broadcast_indices": (
        "a.index_put((torch.tensor([[0], [2]]), torch.tensor([1, 3])), v[:2])",
        {"a": A, "v": V},
        "float64",
    ),
    "index_put_negative": ("a.index_put((torch.tensor([-1]),), v)", {"a": A, "v": V}, "float64"),
    "index_put_int32_index": (
        "a.index_put((torch.tensor([1, 1], dtype=torch.int32),), v, True)",
        {"a": A, "v": V},
        "float64",
    ),
    "index_put_inplace": (
        f"(a * 1).index_put_(({I},), v, accumulate=True)",
        {"a": A, "v": V},
        "float64",
    ),
    "index_put_inplace_function": (
        "torch.index_put_(a * 1, (torch.tensor([1, 0]),), v)",
        {"a": ((2, 4), N), "v": V},
        "float64",
    ),
    "index_put_long": (
        "torch.zeros(3, dtype=torch.long).index_put((torch.tensor([1, 1]),), torch.tensor(7), True)",
        {},
        "float64",
    ),
    "setitem_rows": (_set(I, "v"), {"a": A, "v": V}, "float64"),
    "setitem_list": (_set("[0, 1]", "v.view(1, 4)"), {"a": A, "v": V}, "float64"),
    "setitem_columns": (
        _set(f"(slice(None), {J})", "v[:3].view(3, 1)"),
        {"a": A, "v": V},
        "float64",
    ),
    "setitem_ellipsis": (_set(f"(Ellipsis, {J})", "v[0]"), {"a": A, "v": V}, "float64"),
    "setitem_mask": (_set("a > 0", "v[2] * 3"), {"a": A, "v": V}, "float64"),
    "setitem_mask_number": (_set("a < 0", "0.5"), {"a": A, "v": V}, "float32"),
    "setitem_pairs": (_set(f"({I}, {J})", "v[:3]"), {"a": A, "v": V}, "float64"),
    "setitem_select_and_index": (_set(f"(0, {J})", "v[:3]"), {"a": A, "v": V}, "float64"),
    "setitem_slice_and_index": (
        _set(f"({I}, slice(1, None))", "v[:3]"),
        {"a": A, "v": V},
        "float64",
    ),
    "setitem_view_then_index": (
        "(lambda c, v: (c[1:].__setitem__(torch.tensor([0]), v), c)[1])(a * 1, v)",
        {"a": A, "v": V},
        "float64",
    ),
    "setitem_mask_casts_one_value": (
        _set("a > 0", "v[1].double()"),
        {"a": A, "v": ((4,), N)},
        "float32",
    ),
    "index_put_mask_casts_one_value": (
        "a.index_put((torch.tensor([True, False, True]),), v[:1].double())",
        {"a": A, "v": V},
        "float32",
    ),
    "setitem_basic_leading_ones": (_set("0", "v.view(1, 4)"), {"a": A, "v": V}, "float64"),
    "setitem_basic_expand": (_set("slice(1, None)", "v"), {"a": A, "v": V}, "float64"),
}

SR = "torch.tensor([[0, 1, 0, 2], [0, 0, 2, 2], [1, 1, 1, 1]])"
CASES |= {
    f"scatter_reduce_{r}_{dtype}{'' if inc else '_exclude_self'}": (
        f"a.scatter_reduce(0, {SR}, s, {r!r}, include_self={inc})",
        {"a": A, "s": ((3, 4), N)},
        dtype,
    )
    for r in ("sum", "prod", "mean", "amax", "amin")
    for inc in (True, False)
    for dtype in ("float32", "float64")
}
CASES |= {
    "scatter_reduce_prod_zeros": (
        f"a.masked_fill(a > 0.8, 0).scatter_reduce(0, {SR}, s.masked_fill(s.abs() < 0.5, 0), 'prod')",
        {"a": A, "s": ((3, 4), N)},
        "float64",
    ),
    "scatter_reduce_amax_ties": (
        f"a.scatter_reduce(0, {SR}, a.detach()[[0, 0, 2]] * 1, 'amax')",
        {"a": A},
        "float64",
    ),
    "scatter_reduce_dim1": (
        "torch.scatter_reduce(a, 1, torch.tensor([[3, 3], [0, 1], [2, 2]]), s, reduce='mean')",
        {"a": A, "s": ((3, 2), N)},
        "float64",
    ),
    "scatter_reduce_max": (
        f"a.detach().scatter_reduce(0, {SR}, s.detach(), 'max')",
        {"a": A, "s": ((3, 4), N)},
        "float32",
    ),
    "scatter_reduce_inplace": (
        f"(a * 1).scatter_reduce_(0, {SR}, s, 'amin', include_self=False)",
        {"a": A, "s": ((3, 4), N)},
        "float64",
    ),
    "scatter_reduce_larger_src": (
        "a.detach().scatter_reduce(1, torch.tensor([[0, 0], [3, 1]]), s.detach(), 'amax')",
        {"a": A, "s": ((2, 4), N)},
        "float64",
    ),
    "scatter_reduce_long_mean": (
        "torch.zeros(3, dtype=torch.long).scatter_reduce(0, torch.tensor([0, 0, 1]), "
        "torch.tensor([3, 4, -3]), 'mean')",
        {},
        "float64",
    ),
    "scatter_reduce_long_mean_exclude_self": (
        "torch.ones(3, dtype=torch.long).scatter_reduce(0, torch.tensor([0, 0, 2]), "
        "torch.tensor([3, 4, -5]), 'mean', include_self=False)",
        {},
        "float64",
    ),
    "scatter_reduce_long_amax_exclude_self": (
        "torch.zeros(3, dtype=torch.long).scatter_reduce(0, torch.tensor([0, 2]), "
        "torch.tensor([-3, -4]), 'amax', include_self=False)",
        {},
        "float64",
    ),
}
CASES |= {
    "fill_diagonal": ("(a * 1).fill_diagonal_(2.5)", {"a": A}, "float64"),
    "fill_diagonal_wrap": (
        "(a * 1).fill_diagonal_(-1.0, wrap=True)",
        {"a": ((8, 3), N)},
        "float32",
    ),
    "fill_diagonal_wrap_short": ("(a * 1).fill_diagonal_(7, True)", {"a": ((4, 3), N)}, "float64"),
    "fill_diagonal_wide_wrap": (
        "(a * 1).fill_diagonal_(0, wrap=True)",
        {"a": ((2, 5), N)},
        "float64",
    ),
    "fill_diagonal_cube": ("(a * 1).fill_diagonal_(4.0)", {"a": ((3, 3, 3), N)}, "float64"),
    "fill_diagonal_transposed": ("(a * 1).t().fill_diagonal_(1.0)", {"a": A}, "float64"),
    # Views alive across an in-place write to their base: PyTorch regenerates their grad_fn.
    "view_after_base_write": ("(lambda b: (b.t(), b.mul_(2))[0])(a * 1)", {"a": A}, "float64"),
    "sibling_view_after_write": (
        "(lambda b: (b[1:], b[0].add_(1))[0])(a * 1)",
        {"a": A},
        "float64",
    ),
    "view_after_setitem": (
        "(lambda b: (b.view(-1), b.__setitem__(b > 0, 0.0))[0])(a * 1)",
        {"a": A},
        "float64",
    ),
    "view_of_view_after_write": (
        "(lambda b: (b.t()[1], b.exp_())[0])(a * 1)",
        {"a": A},
        "float64",
    ),
    "fill_diagonal_long": (
        "torch.zeros(3, 3, dtype=torch.long).fill_diagonal_(2.7)",
        {},
        "float64",
    ),
}

ERRORS = {
    "fill_diagonal_1d": ("a[0].fill_diagonal_(1.0)", {"a": A}),
    "fill_diagonal_unequal": ("torch.zeros(2, 3, 2).fill_diagonal_(1.0)", {}),
    "fill_diagonal_str": ("a.fill_diagonal_('x')", {"a": A}),
    "fill_diagonal_tensor": ("a.fill_diagonal_(a[0])", {"a": A}),
    "fill_diagonal_no_value": ("a.fill_diagonal_()", {"a": A}),
    "fill_diagonal_leaf": ("a.requires_grad_().fill_diagonal_(1.0)", {"a": A}),
    "scatter_reduce_larger_src_backward": (
        "a.scatter_reduce(0, torch.tensor([[0, 1]]), a.requires_grad_() * 2, 'sum').sum().backward()",
        {"a": A},
    ),
    "scatter_reduce_reduce": ("a.scatter_reduce(0, torch.tensor([[0]]), a, 'add')", {"a": A}),
    "scatter_reduce_max_backward": (
        "a.requires_grad_().scatter_reduce(0, torch.tensor([[0]]), a, 'max').sum().backward()",
        {"a": A},
    ),
    "scatter_reduce_no_reduce": ("a.scatter_reduce(0, torch.tensor([[0]]), a)", {"a": A}),
    "scatter_reduce_dtypes": (
        "a.scatter_reduce(0, torch.tensor([[0]]), a.double(), 'sum')",
        {"a": A},
    ),
    "scatter_reduce_index_dtype": (
        "a.scatter_reduce(0, torch.tensor([[0.0]]), a, 'sum')",
        {"a": A},
    ),
    "scatter_reduce_out_of_range": ("a.scatter_reduce(0, torch.tensor([[3]]), a, 'sum')", {"a": A}),
    "scatter_reduce_dims": ("a.scatter_reduce(0, torch.tensor([0]), a, 'sum')", {"a": A}),
    "index_put_indices_tensor": ("a.index_put(torch.tensor([0]), a[0])", {"a": A}),
    "index_put_values_number": ("a.index_put((torch.tensor([0]),), 7.0)", {"a": A}),
    "index_put_none_index": ("a.index_put((None, torch.tensor([0])), a[0, 0])", {"a": A}),
    "index_put_empty_indices": ("a.index_put((), a[0, 0])", {"a": A}),
    "index_put_dtypes": ("a.index_put((torch.tensor([0]),), a[0].double())", {"a": A}),
    "index_put_long_values": ("a.index_put((torch.tensor([0]),), torch.tensor(1))", {"a": A}),
    "index_put_out_of_range": ("a.index_put((torch.tensor([3]),), a[0])", {"a": A}),
    "index_put_too_many": (
        "a.index_put((torch.tensor([0]), torch.tensor([0]), torch.tensor([0])), a[0, 0])",
        {"a": A},
    ),
    "index_put_float_index": ("a.index_put((torch.tensor([0.0]),), a[0])", {"a": A}),
    "index_put_value_shape": ("a.index_put((torch.tensor([0, 1]),), a[0, :3])", {"a": A}),
    "index_put_index_shapes": (
        "a.index_put((torch.tensor([0, 1]), torch.tensor([0, 1, 2])), a[0, 0])",
        {"a": A},
    ),
    "index_put_mask_shape": ("a.index_put((torch.tensor([True, False]),), a[0, 0])", {"a": A}),
    "index_put_leaf": (
        "a.requires_grad_().index_put_((torch.tensor([0]),), a[0, 0].detach())",
        {"a": A},
    ),
    "getitem_index_shapes": ("a[torch.tensor([0, 1]), torch.tensor([0, 1, 2])]", {"a": A}),
    "setitem_dtypes": ("a.__setitem__(torch.tensor([0]), a[0].double())", {"a": A}),
    "setitem_long_value": ("a.__setitem__(torch.tensor([0, 1]), torch.tensor(1))", {"a": A}),
    "index_put_accumulate_mask_dtypes": (
        "a.index_put((a > 0,), torch.tensor(1.0).double(), True)",
        {"a": A},
    ),
    "setitem_view_dtypes": ("a[1:].__setitem__(torch.tensor([0]), a[0].double())", {"a": A}),
}


def main() -> None:
    write("index_puts", CASES, ERRORS, 20261205)


if __name__ == "__main__":
    main()
