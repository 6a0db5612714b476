"""PyTorch's values, gradients, graphs, error texts, warnings and reprs for the APIs real programs
call that visgrad added for them: ``rms_norm`` and ``nn.RMSNorm``, ``take_along_dim``,
``tensor_split``, ``isin``, ``gumbel_softmax`` and ``poisson`` (after a seed: their values are
the stream's draws), ``gradient``, the in-place view ops (``t_``, ``transpose_``, ``swapdims_``,
``swapaxes_``, ``squeeze_``, ``unsqueeze_``), ``affine_grid`` and ``grid_sample``, ``geqrf`` and
``linalg.householder_product``, ``nn.utils.parametrizations.orthogonal``; views of a tensor
written in place read it through the write (AsStridedBackward0).

Each call is written as visgrad and PyTorch both spell it; the test evaluates the same text with
visgrad on the same inputs. Writes ``tests/fixtures/torch/program_apis.json`` and ``.npz``.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from _cases import C, N, P, write
from torch import nn


def seeded(call: str) -> str:
    """``call`` made right after seeding the global stream (its draws are then PyTorch's)."""
    return f"(torch.manual_seed(11), {call})[1]"


Spec = dict[str, tuple[tuple[int, ...], str]]
X, W, A = ((2, 3, 4), N), ((4,), N), ((3, 4), N)
TH = ((2, 2, 3), N)
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
    "rms_norm_transposed_half": ("F.rms_norm(x.transpose(0, 2).half(), (2,), w[:2])",
                                 {"x": X, "w": W}, "float32"),
    "take_along_dim": ("torch.take_along_dim(x, i, 1)", {"x": A, "i": ((3, 2), "index:4")},
                       "float64"),
    "take_along_dim_flat": ("torch.take_along_dim(x, i)", {"x": A, "i": ((2, 5), "index:12")},
                            "float64"),
    "take_along_dim_broadcast": ("x.take_along_dim(i, dim=0)", {"x": A, "i": ((2, 1), "index:3")},
                                 "float32"),
    "take_along_dim_broadcast_input": (
        "torch.take_along_dim(x[:1], i, -2)", {"x": A, "i": ((5, 4), "index:1")}, "float64"
    ),
    "take_along_dim_wraps": ("torch.take_along_dim(x, i - 7, 1)", {"x": A, "i": ((3, 6), "index:20")},
                             "float64"),
    "take_along_dim_sort": ("torch.take_along_dim(x, x.argsort(1, descending=True), 1)",
                            {"x": A}, "float32"),
    "take_along_dim_3d": ("torch.take_along_dim(x, i, 2)", {"x": ((2, 3, 4), N),
                          "i": ((1, 3, 2), "index:4")}, "float64"),
    "take_along_dim_long": ("torch.take_along_dim(x, i, 1)", {"x": ((3, 4), "index:9"),
                            "i": ((3, 2), "index:4")}, "float64"),
    "take_along_dim_out": ("torch.take_along_dim(x, i, 1, out=torch.empty(0))",
                           {"x": (A[0], C), "i": ((3, 2), "index:4")}, "float32"),
    "tensor_split_sections": ("torch.tensor_split(x, 3)", {"x": ((7, 2), N)}, "float64"),
    "tensor_split_many_sections": ("torch.tensor_split(x, 5, dim=1)", {"x": A}, "float64"),
    "tensor_split_indices": ("x.tensor_split([1, 5])", {"x": ((7, 2), N)}, "float64"),
    "tensor_split_indices_unordered": ("torch.tensor_split(x, (3, 1, 9), 1)", {"x": A},
                                       "float32"),
    "tensor_split_negative": ("torch.tensor_split(x, [-1, -3])", {"x": ((7, 2), N)}, "float64"),
    "tensor_split_tensor_sections": ("torch.tensor_split(x, torch.tensor(2), -1)", {"x": A},
                                     "float64"),
    "tensor_split_tensor_indices": ("x.tensor_split(torch.tensor([1, 3]), dim=1)", {"x": A},
                                    "float64"),
    "tensor_split_keywords": ("x.tensor_split(indices=[2], dim=1)", {"x": A}, "float64"),
    "tensor_split_sections_keyword": ("torch.tensor_split(x, sections=2)", {"x": A}, "float64"),
    "tensor_split_empty": ("torch.tensor_split(x, [])", {"x": A}, "float64"),
    "tensor_split_sum": ("sum(p.sum() * (i + 1) for i, p in enumerate(x.tensor_split(3, 1)))",
                         {"x": A}, "float64"),
    "isin": ("torch.isin(x, i)", {"x": ((3, 4), "index:6"), "i": ((3,), "index:6")}, "float64"),
    "isin_invert": ("torch.isin(x, i, invert=True, assume_unique=True)",
                    {"x": ((3, 4), "index:6"), "i": ((3,), "index:6")}, "float64"),
    "isin_promoted": ("torch.isin(x.round(), i)", {"x": ((3, 4), C), "i": ((4,), "index:3")},
                      "float32"),
    "isin_half": ("torch.isin(x.half(), x[0])", {"x": A}, "float32"),
    "isin_scalar_element": ("torch.isin(2, x)", {"x": ((3, 4), "index:6")}, "float64"),
    "isin_scalar_test": ("torch.isin(x, test_element=2.5)", {"x": ((3, 4), "index:6")},
                         "float64"),
    "isin_keywords": ("torch.isin(elements=x, test_elements=x[:1])", {"x": A}, "float64"),
    "isin_nan": ("torch.isin(x.log(), torch.tensor([float('nan')]))", {"x": A}, "float64"),
    "isin_out": ("torch.isin(x, i, out=torch.empty(0, dtype=torch.bool))",
                 {"x": ((3, 4), "index:6"), "i": ((3,), "index:6")}, "float64"),
    "gumbel_softmax": (seeded("F.gumbel_softmax(x)"), {"x": ((4, 5), N)}, "float64"),
    "gumbel_softmax_f32": (seeded("F.gumbel_softmax(x, tau=0.5, dim=0)"), {"x": A}, "float32"),
    "gumbel_softmax_hard": (seeded("F.gumbel_softmax(x, hard=True)"), {"x": ((4, 5), N)},
                            "float64"),
    "gumbel_softmax_hard_dim": (seeded("F.gumbel_softmax(x, 2.0, True, dim=1)"),
                                {"x": ((2, 3, 4), N)}, "float32"),
    "gumbel_softmax_transposed": (seeded("F.gumbel_softmax(x.t(), tau=3)"), {"x": A},
                                  "float64"),
    "poisson": (seeded("torch.poisson(x * 4)"), {"x": ((3, 5), P)}, "float32"),
    "poisson_large": (seeded("torch.poisson(x * 40)"), {"x": ((4, 6), P)}, "float64"),
    "poisson_mixed": (seeded("torch.poisson(torch.tensor([0.0, 9.99, 10.0, 1e3, 1e6, 0.1]))"),
                      {}, "float64"),
    "poisson_half": (seeded("torch.poisson((x * 12).half())"), {"x": (A[0], P)}, "float32"),
    "poisson_generator": ("torch.poisson(x * 15, torch.Generator().manual_seed(4))",
                          {"x": (A[0], P)}, "float64"),
    "poisson_then_rand": (seeded("(torch.poisson(x * 7), torch.rand(3))"), {"x": (A[0], P)}, "float64"),
    "gradient": ("torch.gradient(x)", {"x": ((4, 5), N)}, "float64"),
    "gradient_f32": ("torch.gradient(x, dim=1)", {"x": ((4, 5), N)}, "float32"),
    "gradient_spacing": ("torch.gradient(x, spacing=0.3, dim=0)", {"x": ((4, 5), N)}, "float32"),
    "gradient_spacings": ("torch.gradient(x, spacing=[2.0, 3])", {"x": ((4, 5), N)}, "float64"),
    "gradient_edge2": ("torch.gradient(x, edge_order=2, dim=-1)", {"x": ((4, 5), N)}, "float32"),
    "gradient_edge2_all": ("torch.gradient(x, spacing=0.5, edge_order=2)", {"x": ((3, 4, 3), N)},
                           "float64"),
    "gradient_dims": ("torch.gradient(x, dim=[1, 0], spacing=2)", {"x": ((4, 5), N)}, "float64"),
    "gradient_dim_list": ("torch.gradient(x, dim=(2,))", {"x": ((2, 3, 4), N)}, "float64"),
    "gradient_coordinates": ("torch.gradient(x, spacing=(c.abs().cumsum(0),), dim=0)",
                             {"x": ((4, 5), N), "c": ((4,), C)}, "float64"),
    "gradient_coordinates_f32": ("torch.gradient(x, spacing=[c.abs().cumsum(0) + 1], dim=1)",
                                 {"x": ((3, 5), N), "c": ((5,), C)}, "float32"),
    "gradient_coordinates_edge2": (
        "torch.gradient(x, spacing=(c.abs().cumsum(0), torch.arange(5.) ** 2), edge_order=2)",
        {"x": ((4, 5), N), "c": ((4,), C)}, "float64"),
    "gradient_coordinates_int": ("torch.gradient(x, spacing=[torch.arange(5) ** 2], dim=[1])",
                                 {"x": ((4, 5), N)}, "float32"),
    "gradient_long": ("torch.gradient(x, spacing=2)", {"x": ((4, 5), "index:9")}, "float32"),
    "gradient_long_edge2": ("torch.gradient(x, edge_order=2, dim=0)", {"x": ((4, 5), "index:9")},
                            "float32"),
    "gradient_half": ("torch.gradient(x.half(), spacing=0.1)", {"x": ((4, 5), N)}, "float32"),
    "gradient_tensor_spacing": ("torch.gradient(x, spacing=torch.tensor(2.5))", {"x": ((3, 4), N)},
                                "float64"),
    "gradient_transposed": ("torch.gradient(x.t(), dim=0)", {"x": ((3, 4), N)}, "float64"),
    "t_": ("(x * 1).t_()", {"x": A}, "float64"),
    "t_vector": ("(x * 2).t_()", {"x": ((4,), N)}, "float64"),
    "t_then_op": ("(x * 1).t_().exp() @ x", {"x": ((3, 3), N)}, "float64"),
    "transpose_": ("(x * 1).transpose_(0, 2)", {"x": ((2, 3, 4), N)}, "float32"),
    "transpose_negative": ("(x * 1).transpose_(-1, 0).sin()", {"x": A}, "float64"),
    "swapdims_": ("(x * 1).swapdims_(1, 2)", {"x": ((2, 3, 4), N)}, "float64"),
    "swapaxes_": ("(x * 1).swapaxes_(0, 1)", {"x": A}, "float64"),
    "squeeze_": ("(x * 1).squeeze_()", {"x": ((1, 3, 1, 2), N)}, "float64"),
    "squeeze_dim": ("(x * 1).squeeze_(-2)", {"x": ((1, 3, 1, 2), N)}, "float64"),
    "squeeze_dim_kept": ("(x * 1).squeeze_(1)", {"x": ((1, 3, 1, 2), N)}, "float64"),
    "squeeze_dims": ("(x * 1).squeeze_((0, 2))", {"x": ((1, 3, 1, 2), N)}, "float64"),
    "unsqueeze_": ("(x * 1).unsqueeze_(1)", {"x": A}, "float64"),
    "unsqueeze_end": ("(x * 1).unsqueeze_(-1).unsqueeze_(0)", {"x": A}, "float32"),
    "inplace_view_no_grad": ("x.clone().t_()", {"x": (A[0], C)}, "float64"),
    "inplace_view_of_view": ("(x * 1)[1:].t_()", {"x": A}, "float64"),
    "inplace_view_base_kept": ("(lambda y: (y.view(2, 6).t_(), y)[1])(x * 1)", {"x": A},
                               "float64"),
    "inplace_view_versions": (
        "(lambda y: torch.tensor([int(y._version), int(y.t_()._version),"
        " int(y.squeeze_()._version)]))(x.clone())", {"x": (A[0], C)}, "float64"),
    "inplace_view_shares_buffer": ("(lambda y: (y.t_().mul_(2), y)[1])(x.clone())",
                                   {"x": (A[0], C)}, "float64"),
    "affine_grid": ("F.affine_grid(t, (2, 3, 4, 5), align_corners=False)", {"t": TH}, "float64"),
    "affine_grid_f32": ("F.affine_grid(t, [2, 1, 3, 3], align_corners=True)", {"t": TH}, "float32"),
    "affine_grid_size": ("F.affine_grid(t, torch.Size([2, 1, 1, 4]), False)", {"t": TH},
                         "float64"),
    "affine_grid_3d": ("F.affine_grid(t, (1, 2, 2, 3, 4), align_corners=False)",
                       {"t": ((1, 3, 4), N)}, "float64"),
    "affine_grid_3d_f32": ("F.affine_grid(t, (2, 1, 3, 2, 2), align_corners=True)",
                           {"t": ((2, 3, 4), N)}, "float32"),
    **{f"grid_sample_{m}_{p}_{a}": (
        f"F.grid_sample(x, F.affine_grid(t * 0.8, (2, 3, 4, 6), {a}), '{m}', '{p}', {a})",
        {"x": ((2, 3, 5, 7), N), "t": TH}, "float64")
        for m in ("bilinear", "nearest", "bicubic") for p in ("zeros", "border", "reflection")
        for a in (False, True)},
    "grid_sample_f32": ("F.grid_sample(x, g.tanh() * 1.2, align_corners=False)",
                        {"x": ((2, 2, 4, 5), N), "g": ((2, 3, 3, 2), N)}, "float32"),
    "grid_sample_f32_reflection": (
        "F.grid_sample(x, g * 1.5, padding_mode='reflection', align_corners=True)",
        {"x": ((1, 3, 4, 4), N), "g": ((1, 5, 2, 2), N)}, "float32"),
    "grid_sample_far": ("F.grid_sample(x, g * 4, padding_mode='reflection', align_corners=False)",
                        {"x": ((1, 2, 3, 4), N), "g": ((1, 6, 6, 2), N)}, "float64"),
    "grid_sample_3d": ("F.grid_sample(x, g * 0.9, align_corners=False)",
                       {"x": ((2, 2, 3, 4, 5), N), "g": ((2, 2, 3, 2, 3), N)}, "float64"),
    "grid_sample_3d_border": (
        "F.grid_sample(x, g, mode='nearest', padding_mode='border', align_corners=True)",
        {"x": ((1, 2, 3, 3, 4), N), "g": ((1, 2, 2, 2, 3), N)}, "float64"),
    "grid_sample_3d_reflection": (
        "F.grid_sample(x, g * 2, padding_mode='reflection', align_corners=True)",
        {"x": ((1, 1, 2, 3, 4), N), "g": ((1, 3, 2, 2, 3), N)}, "float32"),
    "grid_sample_input_only": ("F.grid_sample(x, g, align_corners=False)",
                               {"x": ((1, 2, 3, 4), N), "g": ((1, 2, 2, 2), C)}, "float64"),
    "grid_sample_grid_only": ("F.grid_sample(x, g, align_corners=True)",
                              {"x": ((1, 2, 3, 4), C), "g": ((1, 2, 2, 2), N)}, "float64"),
    "spatial_transformer": (
        "F.grid_sample(x, F.affine_grid(t, x.size(), align_corners=False), align_corners=False)",
        {"x": ((2, 1, 6, 6), N), "t": TH}, "float32"),
    "geqrf": ("torch.geqrf(x)", {"x": ((5, 3), C)}, "float64"),
    "geqrf_wide": ("x.geqrf()", {"x": ((2, 3, 4), C)}, "float32"),
    "householder_product": ("torch.linalg.householder_product(*torch.geqrf(x.detach()))",
                            {"x": ((5, 3), N)}, "float64"),
    "householder_product_grads": ("torch.linalg.householder_product(a, t.abs() + 0.5)",
                                  {"a": ((2, 5, 3), N), "t": ((2, 3), N)}, "float64"),
    "householder_product_f32": ("torch.linalg.householder_product(a, t.abs() + 0.5)",
                                {"a": ((4, 4), N), "t": ((4,), N)}, "float32"),
    "householder_product_fewer_tau": ("torch.orgqr(a, t.abs())", {"a": ((5, 3), N),
                                      "t": ((2,), N)}, "float64"),
    "householder_product_no_tau": ("a.orgqr(t[:0])", {"a": ((3, 2), N), "t": ((2,), N)},
                                   "float64"),
    **{f"orthogonal_{name}": (seeded(f"torch.nn.utils.parametrizations.orthogonal("
                                      f"torch.nn.Linear({i}, {o}){kw})(x)"),
                              {"x": ((2, i), N)}, "float32")
       for name, (o, i, kw) in {
           "square": (4, 4, ""), "tall": (5, 3, ""), "wide": (3, 5, ""),
           "cayley": (4, 4, ", orthogonal_map='cayley'"),
           "matrix_exp_tall": (5, 3, ", orthogonal_map='matrix_exp'"),
           "householder_square": (4, 4, ", orthogonal_map='householder'"),
           "no_trivialization": (5, 3, ", use_trivialization=False"),
           "no_trivialization_wide": (3, 5, ", use_trivialization=False"),
       }.items()},
    "orthogonal_weight": (seeded("torch.nn.utils.parametrizations.orthogonal("
                                 "torch.nn.Linear(3, 3, dtype=torch.float64)).weight * x"),
                          {"x": ((3, 3), N)}, "float64"),
    "view_after_base_write": ("(lambda a: (a[0], a.mul_(3))[0])(x * 1)", {"x": A}, "float64"),
    "view_after_view_write": ("(lambda a: (a[:, 1], a[0].mul_(3))[0])(x * 1)", {"x": A},
                              "float64"),
    "view_after_setitem": ("(lambda a: (a.t(), a.__setitem__(1, 7.0))[0])(x * 1)", {"x": A},
                           "float64"),
    "view_of_view_after_write": ("(lambda a: (a[0][1:], a.exp_())[0])(x * 1)", {"x": A},
                                 "float64"),
    "view_after_base_t_": ("(lambda a: (a.t(), a.t_())[0])(x * 1)", {"x": A}, "float64"),
    "view_after_base_write_by_other": ("(lambda a, w: (a[1:], a.mul_(w))[0])(x.detach() * 1, w)",
                                       {"x": A, "w": A}, "float64"),
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
    "take_along_dim_float_index": ("torch.take_along_dim(x, x)", {"x": A}),
    "take_along_dim_dim_range": ("torch.take_along_dim(x, x.long(), dim=2)", {"x": A}),
    "take_along_dim_ndim": ("torch.take_along_dim(x, x[0].long(), 1)", {"x": A}),
    "take_along_dim_flat_bounds": (
        "torch.take_along_dim(x, torch.zeros(2, 2).long() + 20)",
        {"x": A},
    ),
    "take_along_dim_int_index": ("torch.take_along_dim(x, x.int(), 1)", {"x": A}),
    "take_along_dim_broadcast": (
        "torch.take_along_dim(x, torch.zeros(2, 5, dtype=torch.long), 1)",
        {"x": A},
    ),
    "take_along_dim_list": ("torch.take_along_dim(x, [0], 1)", {"x": A}),
    "take_along_dim_float_dim": ("torch.take_along_dim(x, x.long(), dim=1.0)", {"x": A}),
    "take_along_dim_scalar_dim": ("torch.take_along_dim(x.sum(), torch.tensor(0), -1)", {"x": A}),
    "take_along_dim_view": ("torch.take_along_dim(x.t(), x.long())", {"x": A}),
    "take_along_dim_empty_dim": (
        "torch.take_along_dim(x[:, :0], torch.zeros(3, 2, dtype=torch.long), 1)",
        {"x": A},
    ),
    "tensor_split_zero": ("torch.tensor_split(x, 0)", {"x": A}),
    "tensor_split_negative_sections": ("x.tensor_split(-1)", {"x": A}),
    "tensor_split_scalar": ("torch.tensor_split(x.sum(), 2)", {"x": A}),
    "tensor_split_float_tensor": ("torch.tensor_split(x, torch.tensor(2.))", {"x": A}),
    "tensor_split_2d_tensor": ("torch.tensor_split(x, torch.tensor([[1]]))", {"x": A}),
    "tensor_split_int_tensor": ("torch.tensor_split(x, torch.tensor([1]).int())", {"x": A}),
    "tensor_split_bool_tensor": ("torch.tensor_split(x, torch.tensor(True))", {"x": A}),
    "tensor_split_dim_range": ("torch.tensor_split(x, 2, dim=2)", {"x": A}),
    "tensor_split_float": ("torch.tensor_split(x, 2.0)", {"x": A}),
    "tensor_split_float_list": ("torch.tensor_split(x, [1.0])", {"x": A}),
    "tensor_split_none": ("torch.tensor_split(x, None)", {"x": A}),
    "tensor_split_bool": ("torch.tensor_split(x, True)", {"x": A}),
    "tensor_split_float_dim": ("torch.tensor_split(x, (1, 2), dim=1.0)", {"x": A}),
    "tensor_split_tensor_zero": ("torch.tensor_split(x, torch.tensor(0))", {"x": A}),
    "isin_bool": ("torch.isin(x, x > 2)", {"x": A}),
    "isin_bool_elements": ("torch.isin(x > 2, x)", {"x": A}),
    "isin_bool_scalar": ("torch.isin(x, True)", {"x": A}),
    "isin_list": ("torch.isin(x, [2])", {"x": A}),
    "isin_numbers": ("torch.isin(2, 3)", {}),
    "isin_invert_int": ("torch.isin(x, x, invert=1)", {"x": A}),
    "isin_method": ("x.isin(x)", {"x": A}),
    "gradient_spacing_length": ("torch.gradient(x, spacing=[1., 2., 3.])", {"x": A}),
    "gradient_spacing_dim_length": ("torch.gradient(x, spacing=[1., 2.], dim=0)", {"x": A}),
    "gradient_edge_order": ("torch.gradient(x, edge_order=3)", {"x": A}),
    "gradient_dim_twice": ("torch.gradient(x, dim=[0, 0])", {"x": A}),
    "gradient_dim_range": ("torch.gradient(x, dim=2)", {"x": A}),
    "gradient_short": ("torch.gradient(x[:1])", {"x": A}),
    "gradient_short_edge2": ("torch.gradient(x[:2], edge_order=2)", {"x": A}),
    "gradient_coordinates_2d": ("torch.gradient(x, spacing=(torch.ones(3, 1),), dim=0)", {"x": A}),
    "gradient_coordinates_count": ("torch.gradient(x, spacing=(torch.ones(3),))", {"x": A}),
    "gradient_spacing_str": ("torch.gradient(x, spacing='a')", {"x": A}),
    "gradient_positional": ("torch.gradient(x, 1.0)", {"x": A}),
    "gradient_edge_order_float": ("torch.gradient(x, edge_order=2.0)", {"x": A}),
    "gradient_bool": ("torch.gradient(x > 0)", {"x": A}),
    "gradient_dim_float": ("torch.gradient(x, dim=1.0)", {"x": A}),
    "gradient_scalar": ("torch.gradient(x.sum(), dim=0)", {"x": A}),
    "t_leaf": ("x.requires_grad_().t_()", {"x": A}),
    "t_view_of_leaf": ("x.requires_grad_()[0:2].t_()", {"x": A}),
    "t_3d": ("torch.ones(2, 3, 4).t_()", {}),
    "transpose_range": ("x.transpose_(0, 2)", {"x": A}),
    "transpose_float": ("x.transpose_(0, 1.0)", {"x": A}),
    "squeeze_range": ("x.squeeze_(5)", {"x": A}),
    "unsqueeze_range": ("x.unsqueeze_(3)", {"x": A}),
    "unsqueeze_missing": ("x.unsqueeze_()", {"x": A}),
    "t_saved_changed": (
        "(lambda y: ((y * y).sum(), y.t_())[0].backward())(x.requires_grad_() * 2)",
        {"x": A},
    ),
    "squeeze_saved_changed": (
        "(lambda y: ((y * y).sum(), y.squeeze_())[0].backward())(x.requires_grad_()[None] * 2)",
        {"x": A},
    ),
    "affine_grid_long": ("F.affine_grid(x.long(), (1, 1, 2, 2), False)", {"x": ((1, 2, 3), N)}),
    "affine_grid_shape": ("F.affine_grid(x, (1, 1, 2, 2), False)", {"x": ((1, 3, 3), N)}),
    "affine_grid_shape_3d": ("F.affine_grid(x, (1, 1, 2, 2, 2), False)", {"x": ((1, 2, 3), N)}),
    "affine_grid_size_len": ("F.affine_grid(x, (1, 2, 2), False)", {"x": ((1, 2, 3), N)}),
    "affine_grid_empty": ("F.affine_grid(x, (1, 1, 0, 2), False)", {"x": ((1, 2, 3), N)}),
    "affine_grid_batch": ("F.affine_grid(x, (2, 1, 2, 2), False)", {"x": ((3, 2, 3), N)}),
    "grid_sample_mode": ("F.grid_sample(x, x, mode='cubic')", {"x": ((1, 1, 2, 2), N)}),
    "grid_sample_padding": ("F.grid_sample(x, x, padding_mode='wrap')", {"x": ((1, 1, 2, 2), N)}),
    "grid_sample_dtype": (
        "F.grid_sample(x, x.double(), align_corners=False)",
        {"x": ((1, 1, 2, 2), N)},
    ),
    "grid_sample_ndim": ("F.grid_sample(x, x[0], align_corners=False)", {"x": ((1, 1, 2, 2), N)}),
    "grid_sample_3d_input": (
        "F.grid_sample(x[0], x[0], align_corners=False)",
        {"x": ((1, 1, 2, 2), N)},
    ),
    "grid_sample_batch": (
        "F.grid_sample(x, torch.zeros(2, 2, 2, 2), align_corners=False)",
        {"x": ((1, 1, 2, 2), N)},
    ),
    "grid_sample_last": (
        "F.grid_sample(x, torch.zeros(1, 2, 2, 3), align_corners=False)",
        {"x": ((1, 1, 2, 2), N)},
    ),
    "grid_sample_empty": (
        "F.grid_sample(x[:, :, :0], torch.zeros(1, 2, 2, 2), align_corners=False)",
        {"x": ((1, 1, 2, 2), N)},
    ),
    "grid_sample_long": (
        "F.grid_sample(x.long(), torch.zeros(1, 2, 2, 2).long(), align_corners=False)",
        {"x": ((1, 1, 2, 2), N)},
    ),
    "grid_sample_bicubic_3d": (
        "F.grid_sample(torch.zeros(1, 1, 2, 2, 2), torch.zeros(1, 2, 2, 2, 3), 'bicubic',"
        " align_corners=False)",
        {},
    ),
    "grid_sample_none": ("F.grid_sample(None, torch.zeros(1, 2, 2, 2), align_corners=False)", {}),
    "geqrf_vector": ("torch.geqrf(x[0])", {"x": A}),
    "geqrf_long": ("torch.geqrf(x.long())", {"x": A}),
    "geqrf_backward": ("torch.geqrf(x.requires_grad_())[0].sum().backward()", {"x": A}),
    "householder_vector": ("torch.linalg.householder_product(x[0], x[0])", {"x": A}),
    "householder_wide": ("torch.linalg.householder_product(x, x[0, :2])", {"x": A}),
    "householder_tau_long": ("torch.linalg.householder_product(x.T, torch.rand(5))", {"x": A}),
    "householder_tau_ndim": ("torch.linalg.householder_product(x.T, x[:1])", {"x": A}),
    "householder_tau_dtype": ("torch.linalg.householder_product(x.T, x[0].double())", {"x": A}),
    "householder_long": ("torch.linalg.householder_product(x.T.long(), x[0].long())", {"x": A}),
    "householder_batch": ("torch.linalg.householder_product(x.T.expand(2, 4, 3), x)", {"x": A}),
    "orthogonal_vector": (
        "torch.nn.utils.parametrizations.orthogonal(torch.nn.Linear(3, 3), 'bias')",
        {},
    ),
    "orthogonal_missing": ("torch.nn.utils.parametrizations.orthogonal(torch.nn.ReLU())", {}),
    "orthogonal_map": (
        "torch.nn.utils.parametrizations.orthogonal(torch.nn.Linear(3, 3), orthogonal_map='qr')",
        {},
    ),
    "orthogonal_assign": (
        "setattr(torch.nn.utils.parametrizations.orthogonal(torch.nn.Linear(3,"
        " 3), use_trivialization=False), 'weight', torch.eye(3))",
        {},
    ),
    "gumbel_softmax_long": ("F.gumbel_softmax(x.long())", {"x": A}),
    "poisson_negative": ("torch.poisson(-x.abs() - 1)", {"x": A}),
    "poisson_nan": ("torch.poisson(x * float('nan'))", {"x": A}),
    "poisson_long": ("torch.poisson(x.long())", {"x": A}),
    "poisson_list": ("torch.poisson([1.0])", {}),
    "poisson_generator_int": ("torch.poisson(x, 3)", {"x": A}),
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
    "F.gumbel_softmax(x, eps=1e-5)",
    "F.gumbel_softmax(x, 0.5, False, 1e-10)",
    "F.affine_grid(x[:, :2, :3], (2, 1, 3, 4))",
    "F.affine_grid(x[:, :2, :3], (2, 1, 1, 4), align_corners=True)",
    "F.grid_sample(x[None], x[None, :, :, :2])",
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
