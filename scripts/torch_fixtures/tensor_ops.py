"""PyTorch's values, gradients, graphs and error texts for einsum, the scatter family, counting
ops and indexing. Writes ``tests/fixtures/torch/tensor_ops.json`` and ``tensor_ops.npz``.
"""

from __future__ import annotations

from _cases import B, C, N, write

IDX2 = "torch.tensor([[0, 2, 1, 0], [1, 0, 2, 2]])"
EIN = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("i,i->", [(3,), (3,)]),
    ("i,j->ij", [(2,), (3,)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("...j,jk->...k", [(2, 5, 3), (3, 4)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
    ("ij,ij->ij", [(2, 3), (2, 3)]),
    ("ijk,jl,lk->i", [(2, 3, 4), (3, 5), (5, 4)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("b i d, b j d -> b i j", [(2, 3, 4), (2, 5, 4)]),
    ("iij->j", [(3, 3, 2)]),
]
CASES = {
    **{
        f"einsum_{i}": (
            f"torch.einsum('{eq}', {', '.join(f'x{k}' for k in range(len(shapes)))})",
            {f"x{k}": (s, N) for k, s in enumerate(shapes)},
            "float64",
        )
        for i, (eq, shapes) in enumerate(EIN)
    },
    "einsum_list": (
        "torch.einsum('ij,jk->ik', [x0, x1])",
        {"x0": ((2, 3), N), "x1": ((3, 4), N)},
        "float32",
    ),
    "scatter_src": (f"x.scatter(0, {IDX2}, s)", {"x": ((3, 4), N), "s": ((2, 4), N)}, "float64"),
    "scatter_value": (f"torch.scatter(x, 0, {IDX2}, 2.5)", {"x": ((3, 4), N)}, "float64"),
    "scatter_inplace": (
        f"(x * 1).scatter_(0, {IDX2}, s)",
        {"x": ((3, 4), N), "s": ((2, 4), N)},
        "float64",
    ),
    "scatter_add": (
        f"x.scatter_add(0, {IDX2}, s)",
        {"x": ((3, 4), N), "s": ((2, 4), N)},
        "float64",
    ),
    "scatter_add_inplace": (
        f"(x * 1).scatter_add_(1, {IDX2}, s)",
        {"x": ((2, 4), N), "s": ((2, 4), N)},
        "float64",
    ),
    "scatter_reduce_legacy": (
        f"torch.zeros(3, 4).scatter(0, {IDX2}, s, reduce='add')",
        {"s": ((2, 4), C)},
        "float32",
    ),
    "index_add": (
        "x.index_add(0, torch.tensor([0, 2, 0]), s, alpha=2.0)",
        {"x": ((3, 4), N), "s": ((3, 4), N)},
        "float64",
    ),
    "index_add_inplace": (
        "(x * 1).index_add_(1, torch.tensor([3, 1]), s)",
        {"x": ((2, 4), N), "s": ((2, 2), N)},
        "float64",
    ),
    "index_copy": (
        "x.index_copy(0, torch.tensor([2, 0]), s)",
        {"x": ((3, 4), N), "s": ((2, 4), N)},
        "float64",
    ),
    "index_copy_inplace": (
        "(x * 1).index_copy_(1, torch.tensor([1]), s)",
        {"x": ((2, 3), N), "s": ((2, 1), N)},
        "float64",
    ),
    "index_fill": ("x.index_fill(1, torch.tensor([0, 2]), -1.5)", {"x": ((3, 4), N)}, "float64"),
    "index_fill_tensor": (
        "x.index_fill(0, torch.tensor([1]), v)",
        {"x": ((3, 4), N), "v": ((), N)},
        "float64",
    ),
    "index_fill_inplace": (
        "(x * 1).index_fill_(0, torch.tensor([0, 2]), 3.0)",
        {"x": ((3, 2), N)},
        "float64",
    ),
    "masked_scatter": (
        "x.masked_scatter(m, s)",
        {"x": ((3, 4), N), "m": ((3, 4), B), "s": ((3, 5), N)},
        "float64",
    ),
    "masked_scatter_broadcast": (
        "x.masked_scatter(m, s)",
        {"x": ((3, 4), N), "m": ((4,), B), "s": ((12,), N)},
        "float64",
    ),
    "masked_select": ("x.masked_select(m)", {"x": ((3, 4), N), "m": ((3, 4), B)}, "float64"),
    "masked_select_fn": (
        "torch.masked_select(x, m)",
        {"x": ((3, 4), N), "m": ((4,), B)},
        "float64",
    ),
    "bincount": ("torch.bincount(i)", {"i": ((12,), "index:5")}, "float64"),
    "bincount_weights": (
        "torch.bincount(i, weights=w, minlength=7)",
        {"i": ((6,), "index:4"), "w": ((6,), C)},
        "float32",
    ),
    "bincount_method": (
        "i.bincount(w.double())",
        {"i": ((6,), "index:4"), "w": ((6,), C)},
        "float32",
    ),
    "histc": ("torch.histc(x, bins=5, min=-1, max=1)", {"x": ((40,), C)}, "float32"),
    "histc_auto": ("x.histc(bins=7)", {"x": ((5, 8), C)}, "float64"),
    "histogram": ("torch.histogram(x, bins=6)", {"x": ((40,), C)}, "float32"),
    "histogram_edges": (
        "torch.histogram(x, torch.tensor([-2.0, -0.5, 0.0, 1.5]), weight=w, density=True)",
        {"x": ((30,), C), "w": ((30,), "const_pos")},
        "float32",
    ),
    "histogram_range": ("torch.histogram(x, 4, range=(-1.0, 2.0))", {"x": ((30,), C)}, "float64"),
    "where_one_arg": ("torch.where(x > 0)", {"x": ((3, 4), C)}, "float64"),
    "nonzero": ("torch.nonzero(x > 0)", {"x": ((3, 4), C)}, "float64"),
    "nonzero_tuple": ("(x > 0).nonzero(as_tuple=True)", {"x": ((2, 3, 2), C)}, "float64"),
    "argwhere": ("torch.argwhere(x > 0.5)", {"x": ((5,), C)}, "float64"),
    "tensor_of_double_tensor": ("torch.tensor(x.double())", {"x": ((2, 3), N)}, "float64"),
    # The sublist form, and contractions over empty dims.
    "einsum_sublists": (
        "torch.einsum(a, [0, 1], b, [1, 2], [0, 2])",
        {"a": ((2, 3), N), "b": ((3, 4), N)},
        "float64",
    ),
    "einsum_empty_rows": (
        "torch.einsum('ij,jk->ik', a, b)",
        {"a": ((0, 3), N), "b": ((3, 2), N)},
        "float64",
    ),
}

ERRORS = {
    "einsum_fewer": ("torch.einsum('ij,jk->ik', a)", {"a": ((2, 3), C)}),
    "einsum_more": ("torch.einsum('ij->ij', a, a)", {"a": ((2, 3), C)}),
    "einsum_output": ("torch.einsum('ij->ik', a)", {"a": ((2, 3), C)}),
    "einsum_size": ("torch.einsum('ij,jk->ik', a, a)", {"a": ((2, 3), C)}),
    "einsum_ndim": ("torch.einsum('ijk->i', a)", {"a": ((2, 3), C)}),
    "einsum_repeat_out": ("torch.einsum('ij->ii', a)", {"a": ((2, 3), C)}),
    "einsum_bad_char": ("torch.einsum('i1->i', a)", {"a": ((2, 3), C)}),
    "scatter_index_dtype": ("x.scatter(0, torch.tensor([[0.0, 1]]), x)", {"x": ((2, 2), C)}),
    "scatter_out_of_range": ("x.scatter(0, torch.tensor([[0, 5]]), x)", {"x": ((2, 2), C)}),
    "scatter_dims": ("x.scatter(0, torch.tensor([0, 1]), x)", {"x": ((2, 2), C)}),
    "scatter_dtype": ("x.scatter(0, torch.tensor([[0, 1]]), x.double())", {"x": ((2, 2), C)}),
    "scatter_add_out_of_range": (
        "x.scatter_add(1, torch.tensor([[0, -3]]), x)",
        {"x": ((2, 2), C)},
    ),
    "index_add_dtype": ("x.index_add(0, torch.tensor([0.0]), x[:1])", {"x": ((2, 2), C)}),
    "index_add_matrix_index": ("x.index_add(0, torch.tensor([[0]]), x[:1])", {"x": ((2, 2), C)}),
    "index_add_shape": ("x.index_add(0, torch.tensor([0, 1]), x[:1])", {"x": ((2, 2), C)}),
    "index_add_out_of_range": ("x.index_add(0, torch.tensor([4]), x[:1])", {"x": ((2, 2), C)}),
    "index_copy_shape": ("x.index_copy(1, torch.tensor([0]), x)", {"x": ((2, 2), C)}),
    "index_fill_vector_value": ("x.index_fill(0, torch.tensor([0]), x[0])", {"x": ((2, 2), C)}),
    "masked_select_float_mask": ("x.masked_select(x)", {"x": ((2, 2), C)}),
    "masked_scatter_float_mask": ("x.masked_scatter(x, x)", {"x": ((2, 2), C)}),
    "bincount_negative": ("torch.bincount(torch.tensor([-1, 2]))", {}),
    "bincount_2d": ("torch.bincount(torch.tensor([[1]]))", {}),
    "bincount_float": ("torch.bincount(torch.tensor([1.0]))", {}),
    "bincount_weights_length": (
        "torch.bincount(torch.tensor([1, 2]), weights=torch.tensor([1.0, 2, 3]))",
        {},
    ),
    "bincount_minlength": ("torch.bincount(torch.tensor([1, 2]), minlength=-1)", {}),
    "histc_long": ("torch.histc(torch.tensor([1, 2]))", {}),
    "histc_bins": ("torch.histc(torch.tensor([1.0, 2]), bins=0)", {}),
    "histc_min_max": ("torch.histc(torch.tensor([1.0, 2]), min=3, max=1)", {}),
    "histogram_bins": ("torch.histogram(torch.tensor([1.0, 2]), bins=0)", {}),
    # An explicit None where only the default may stand for "not given": the method's message
    # leaves out self, the function's names it.
    "max_dim_none_method": ("x.max(dim=None)", {"x": ((2, 3), C)}),
    "max_dim_none": ("torch.max(x, dim=None)", {"x": ((2, 3), C)}),
    "std_unbiased_none": ("torch.std(x, 0, None)", {"x": ((2, 3), C)}),
    "squeeze_dim_none": ("x.squeeze(None)", {"x": ((2, 3), C)}),
    "scatter_value_none": (
        "x.scatter_(1, torch.tensor([[0], [1]]), x, value=None)",
        {"x": ((2, 3), C)},
    ),
    "bernoulli_p_none": ("torch.bernoulli(x, p=None)", {"x": ((2, 3), C)}),
    "repeat_interleave_none": ("x.repeat_interleave(None)", {"x": ((2, 3), C)}),
    "logsumexp_dim_none": ("x.logsumexp(None)", {"x": ((2, 3), C)}),
    "logsumexp_dim_none_torch": ("torch.logsumexp(x, None)", {"x": ((2, 3), C)}),
    "narrow_dim_none": ("x.narrow(None, 0, 1)", {"x": ((2, 3), C)}),
    "normal_size_none": ("torch.normal(x, x, size=None)", {"x": ((2, 3), C)}),
    "tensor_requires_grad_none": ("torch.tensor([1.0], requires_grad=None)", {}),
    "new_tensor_none": ("x.new_tensor(None)", {"x": ((2, 3), C)}),
    "rand_bogus_keyword": ("torch.rand(2, 3, bogus=1)", {}),
    "multinomial_bogus_keyword": ("torch.multinomial(x.abs()[0], 1, bogus=1)", {"x": ((2, 3), C)}),
    "div_rounding_mode": ("x.div(0.5, rounding_mode='a')", {"x": ((2, 3), C)}),
    "true_divide_rounding_mode": (
        "torch.true_divide(x, 0.5, rounding_mode='floor')",
        {"x": ((2, 3), C)},
    ),
    "normalize_eps_none": ("F.normalize(x, eps=None)", {"x": ((2, 3), C)}),
    # Ops whose derivative PyTorch does not implement: recorded, and their backward raises.
    "floor_divide_backward": (
        "torch.floor_divide(x.requires_grad_(), 0.5).sum().backward()",
        {"x": ((2, 3), C)},
    ),
    "rfloordiv_backward": ("(2 // x.requires_grad_()).sum().backward()", {"x": ((2, 3), C)}),
    "histogram_edges_backward": (
        "torch.histogram(x.requires_grad_(), 3)[1].sum().backward()",
        {"x": ((2, 3), C)},
    ),
    "unique_backward": ("x.requires_grad_().unique().sum().backward()", {"x": ((2, 3), C)}),
    "unique_dim_backward": (
        "torch.unique(x.requires_grad_(), dim=0).sum().backward()",
        {"x": ((2, 3), C)},
    ),
    "histogram_range_not_finite": (
        "torch.histogram(x, 3, range=(1.0, float('inf')))",
        {"x": ((4,), C)},
    ),
    "histogram_range_length": ("torch.histogram(x, 3, range=(1.0,))", {"x": ((4,), C)}),
    "histogram_range_order": ("torch.histogram(x, 3, range=(2.0, 1.0))", {"x": ((4,), C)}),
    "histogram_weight_shape": ("torch.histogram(x, 3, weight=x[:2])", {"x": ((4,), C)}),
    "histogram_half": ("torch.histogram(x.half(), 3)", {"x": ((4,), C)}),
    "adaptive_max_pool2d_empty_width": ("F.adaptive_max_pool2d(x, 2)", {"x": ((2, 3, 0), C)}),
    "einsum_sublist_range": ("torch.einsum(a, [0, 60])", {"a": ((2, 3), C)}),
    "einsum_sublist_tensor": ("torch.einsum(a, a, a)", {"a": ((2, 3), C)}),
    "einsum_no_operand": ("torch.einsum('ij')", {}),
    "new_zeros_layout": ("x.new_zeros(2, 3, layout='a')", {"x": ((2, 3), C)}),
    "new_full_pin_memory": ("x.new_full((2,), 1.5, pin_memory=True)", {"x": ((2, 3), C)}),
    # interpolate is PyTorch's Python: no type checks, its own order of failures.
    "interpolate_number": ("F.interpolate(1.5)", {}),
    "interpolate_mode_none": ("F.interpolate(x, mode=None)", {"x": ((1, 1, 4), C)}),
    "interpolate_align_corners_nearest": (
        "F.interpolate(x, 2, align_corners='a')",
        {"x": ((1, 1, 4), C)},
    ),
    "dot_ranks": ("torch.dot(x, x[0])", {"x": ((2, 3), C)}),
    "mv_ranks": ("torch.mv(x[0], x[0])", {"x": ((2, 3), C)}),
    "mv_scalar_matrix": ("torch.mv(x[0, 0], x[0])", {"x": ((2, 3), C)}),
    "count_nonzero_float_dim": ("torch.count_nonzero(x, dim=1.5)", {"x": ((2, 3), C)}),
    "cauchy_sigma": ("x.cauchy_(sigma=-1.5)", {"x": ((2, 3), C)}),
    "cauchy_long": ("x.long().cauchy_()", {"x": ((2, 3), C)}),
    "exponential_int": ("x.int().exponential_()", {"x": ((2, 3), C)}),
    "masked_fill_tensor_value": ("x.masked_fill(x > 0, x)", {"x": ((2, 3), C)}),
    "eye_negative": ("torch.eye(-5)", {}),
    "eye_tensor": ("torch.eye(x)", {"x": ((2, 3), C)}),
    "index_select_matrix_float_index": ("x.index_select(1, x)", {"x": ((2, 3), C)}),
    "index_select_dim1_bounds": ("x.index_select(1, torch.tensor([0, 5]))", {"x": ((2, 3), C)}),
    "where_list": ("torch.where(x > 0, [1, 2], x)", {"x": ((2, 3), C)}),
    "tensor_of_none": ("torch.tensor(None)", {}),
    "narrow_tensor_start": ("x.narrow(1, torch.tensor([1]), 1)", {"x": ((2, 3), C)}),
    "bitwise_and_none": ("torch.bitwise_and(x > 0, None)", {"x": ((2, 3), C)}),
    "interpolate_2d_input_size_str": ("F.interpolate(x, size='a')", {"x": ((2, 3), C)}),
}


def main() -> None:
    write("tensor_ops", CASES, ERRORS, 20260302)


if __name__ == "__main__":
    main()
