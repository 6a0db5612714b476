"""Every differentiable op in the table against float64 central differences.

Shapes and values are drawn by hypothesis (broadcasting each way, size-1 dims, 0-d tensors);
values stay away from the kinks (0 for abs / relu, clamp bounds, ties for max / min), which are
checked exactly, with PyTorch's verified values, at the end of the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import visgrad as torch
import visgrad.nn.functional as NF
from tests.engine.gradcheck_util import (
    check_grad,
    differentiable_nodes,
    numerical_jacobian,
    recorded_nodes,
)
from tests.engine.layer_rows import LAYER_ROWS, LAYER_UNIQUE
from tests.engine.loss_rows import LOSS_ROWS
from tests.engine.math_rows import MATH_ROWS, UNIQUE_ROWS
from tests.engine.more_math_rows import MORE_MATH_ROWS, MORE_UNIQUE
from tests.engine.program_rows import PROGRAM_ROWS
from visgrad.ops.loss import binary_cross_entropy_with_logits

SETTINGS = settings(max_examples=12, deadline=None, derandomize=True)

# Values on a 0.1 grid shifted off zero: never 0, never on a clamp bound, distinct when unique.
AWAY = st.integers(-25, 25).map(lambda i: i / 10 + 0.0137)
POS = st.floats(0.3, 3.0)
INSIDE = st.floats(-0.85, 0.85)  # asin, acos, atanh: inside (-1, 1), away from the poles
ABOVE_ONE = st.floats(1.2, 3.0)  # acosh
PROB = st.floats(0.05, 0.95)


def shapes(min_dims: int = 0, max_dims: int = 3) -> st.SearchStrategy:
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=3)


def leaf(
    data: st.DataObject,
    shape: tuple[int, ...],
    elements: Any = AWAY,
    *,
    unique: bool = False,
    rg: bool = True,
) -> torch.Tensor:
    arr = data.draw(hnp.arrays(np.float64, shape, elements=elements, unique=unique))
    return torch.tensor(np.array(arr, dtype=np.float64), requires_grad=rg)


def a_dim(data: st.DataObject, ndim: int) -> int:
    return data.draw(st.integers(-max(ndim, 1), max(ndim, 1) - 1))


def _wc(a: Any) -> Any:
    """A well-conditioned square matrix: ``a + 3 * I``."""
    return a + 3 * torch.eye(a.shape[-1], dtype=a.dtype)


def _spread(a: Any) -> Any:
    """``a / 10`` plus a fixed matrix with singular values 2, 4, 6, ...: distinct and apart, as
    the decompositions' gradients need."""
    m, n = a.shape[-2:]
    base = [
        [2.0 * (i + 1) if i == j else 0.3 * (i - j) / (1 + abs(i - j)) for j in range(n)]
        for i in range(m)
    ]
    return a / 10 + torch.tensor(base, dtype=a.dtype)


def _spd(a: Any) -> Any:
    """A symmetric positive-definite matrix made from ``a``."""
    return a @ a.mT + a.shape[-1] * torch.eye(a.shape[-1], dtype=a.dtype)


# -- unary elementwise ------------------------------------------------------------------------------
UNARY: dict[str, tuple[Callable[[Any], Any], Any]] = {
    "neg": (lambda a: -a, AWAY),
    "exp": (torch.exp, AWAY),
    "log": (torch.log, POS),
    "log1p": (torch.log1p, POS),
    "sqrt": (torch.sqrt, POS),
    "abs": (torch.abs, AWAY),
    "sign": (torch.sign, AWAY),
    "sin": (torch.sin, AWAY),
    "cos": (torch.cos, AWAY),
    "tanh": (torch.tanh, AWAY),
    "tan": (torch.tan, INSIDE),
    "sinh": (torch.sinh, AWAY),
    "cosh": (torch.cosh, AWAY),
    "asin": (torch.asin, INSIDE),
    "acos": (torch.acos, INSIDE),
    "atan": (torch.atan, AWAY),
    "asinh": (torch.asinh, AWAY),
    "acosh": (torch.acosh, ABOVE_ONE),
    "atanh": (torch.atanh, INSIDE),
    "deg2rad": (torch.deg2rad, AWAY),
    "rad2deg": (torch.rad2deg, AWAY),
    "sigmoid": (torch.sigmoid, AWAY),
    "relu": (torch.relu, AWAY),
    "reciprocal": (torch.reciprocal, AWAY),
    "clamp": (lambda a: torch.clamp(a, min=-0.5, max=0.5), AWAY),
    "clamp_min": (lambda a: a.clamp(min=0), AWAY),
    "pow_int": (lambda a: a**3, AWAY),
    "pow_float": (lambda a: a**1.7, POS),
    "pow_zero": (lambda a: a**0, AWAY),
    "rpow": (lambda a: 2.5**a, AWAY),
    "rsub": (lambda a: 1 - a, AWAY),
    "rdiv": (lambda a: 2 / a, AWAY),
    "leaky_relu": (NF.leaky_relu, AWAY),
    "leaky_relu_slope": (lambda a: NF.leaky_relu(a, 0.2), AWAY),
    "gelu": (NF.gelu, AWAY),
    "gelu_tanh": (lambda a: NF.gelu(a, approximate="tanh"), AWAY),
    "double": (lambda a: a.double() * 2, AWAY),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@SETTINGS
@given(data=st.data())
def test_unary_op_gradient_matches_finite_differences(name: str, data: st.DataObject) -> None:
    fn, elements = UNARY[name]
    check_grad(fn, leaf(data, data.draw(shapes()), elements))


# -- binary elementwise with broadcasting -----------------------------------------------------------
BINARY: dict[str, tuple[Callable[[Any, Any], Any], Any, Any]] = {
    "add": (lambda a, b: a + b, AWAY, AWAY),
    "add_alpha": (lambda a, b: torch.add(a, b, alpha=2.5), AWAY, AWAY),
    "sub": (lambda a, b: a - b, AWAY, AWAY),
    "sub_alpha": (lambda a, b: torch.sub(a, b, alpha=0.5), AWAY, AWAY),
    "mul": (lambda a, b: a * b, AWAY, AWAY),
    "div": (lambda a, b: a / b, AWAY, AWAY),
    "pow": (lambda a, b: a**b, POS, AWAY),
    "maximum": (torch.maximum, AWAY, AWAY),
    "minimum": (torch.minimum, AWAY, AWAY),
    "where": (lambda a, b: torch.where(a > b, a, b * 2), AWAY, AWAY),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@SETTINGS
@given(data=st.data())
def test_binary_op_gradient_matches_finite_differences_under_broadcasting(
    name: str, data: st.DataObject
) -> None:
    fn, ea, eb = BINARY[name]
    sa, sb = data.draw(
        hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)
    ).input_shapes
    a = leaf(data, sa, ea)
    b = leaf(data, sb, eb)
    if name in ("maximum", "minimum", "where"):
        # Ties are a kink; shift b off a's grid.
        b = torch.tensor(b._data + 0.05, dtype=torch.float64, requires_grad=True)
    check_grad(fn, a, b)


def test_float32_round_trip_passes_the_gradient_back_as_float64() -> None:
    # Central differences cannot see through float32 rounding, so this one is exact.
    a = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
    (a.float() * 3).sum().backward()
    assert a.grad.dtype == torch.float64
    assert a.grad.tolist() == [3.0, 3.0]


def test_scalar_operands_and_int_tensor_operands_give_float_grads() -> None:
    a = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
    n = torch.tensor([1, 2])
    check_grad(lambda a: a * n + 3 - a / 2, a)


# -- reductions over every dim, with and without keepdim --------------------------------------------
REDUCE_ALL: dict[str, tuple[Callable[[Any], Any], Any, bool]] = {
    "sum": (lambda a: a.sum(), AWAY, False),
    "mean": (lambda a: a.mean(), AWAY, False),
    "nansum": (lambda a: a.nansum(), AWAY, False),
    "nanmean": (lambda a: a.nanmean(), AWAY, False),
    "var": (lambda a: a.var(), AWAY, False),
    "var_biased": (lambda a: a.var(unbiased=False), AWAY, False),
    "std": (lambda a: a.std(correction=0), AWAY, True),
    "prod": (lambda a: a.prod(), AWAY, False),
    "norm": (lambda a: a.norm(), AWAY, False),
    "norm_p1": (lambda a: a.norm(p=1), AWAY, False),
    "norm_p3": (lambda a: a.norm(p=3), AWAY, False),
    "norm_inf": (lambda a: a.norm(p=float("inf")), AWAY, True),
    "max": (lambda a: a.max(), AWAY, True),
    "min": (lambda a: a.min(), AWAY, True),
    "amax": (lambda a: a.amax(), AWAY, True),
    "amin": (lambda a: a.amin(), AWAY, True),
}


@pytest.mark.parametrize("name", sorted(REDUCE_ALL))
@SETTINGS
@given(data=st.data())
def test_full_reduction_gradient_matches_finite_differences(name: str, data: st.DataObject) -> None:
    fn, elements, unique = REDUCE_ALL[name]
    shape = data.draw(shapes(min_dims=1) if name == "var" else shapes())
    if name == "var":
        shape = (2,) + shape[1:]
    if name == "std":
        shape = (2,) + shape  # std of one value (or of equal values) is 0, where sqrt has a kink
    a = leaf(data, shape, elements, unique=unique)
    check_grad(fn, a)


REDUCE_DIM: dict[str, tuple[Callable[[Any, int, bool], Any], bool]] = {
    "sum": (lambda a, d, k: a.sum(d, keepdim=k), False),
    "sum_tuple": (lambda a, d, k: a.sum((d,), keepdim=k), False),
    "mean": (lambda a, d, k: a.mean(d, keepdim=k), False),
    "nansum": (lambda a, d, k: a.nansum(d, keepdim=k), False),
    "var": (lambda a, d, k: a.var(d, keepdim=k, correction=0), False),
    "std": (lambda a, d, k: a.std(d, keepdim=k, correction=0), True),
    "prod": (lambda a, d, k: a.prod(d, keepdim=k), False),
    "norm": (lambda a, d, k: a.norm(dim=d, keepdim=k), False),
    "amax": (lambda a, d, k: a.amax(d, keepdim=k), True),
    "amin": (lambda a, d, k: torch.amin(a, d, keepdim=k), True),
    "max_dim": (lambda a, d, k: a.max(d, keepdim=k).values, True),
    "min_dim": (lambda a, d, k: a.min(d, keepdim=k)[0], True),
    "softmax": (lambda a, d, k: NF.softmax(a, d), False),
    "log_softmax": (lambda a, d, k: NF.log_softmax(a, d), False),
    "cumulative_view": (lambda a, d, k: a.unsqueeze(d).squeeze(d), False),
}


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("name", sorted(REDUCE_DIM))
@SETTINGS
@given(data=st.data())
def test_reduction_over_each_dim_gradient_matches_finite_differences(
    name: str, keepdim: bool, data: st.DataObject
) -> None:
    fn, unique = REDUCE_DIM[name]
    shape = data.draw(shapes(min_dims=1))
    if name == "std":
        shape = tuple(max(s, 2) for s in shape)  # a single value has std 0, a sqrt kink
    a = leaf(data, shape, unique=unique)
    for d in range(-a.ndim, a.ndim):
        check_grad(lambda a, d=d: fn(a, d, keepdim), a)


def test_prod_with_zeros_uses_the_product_of_the_others() -> None:
    a = torch.tensor([[0.0, 2.0, 3.0], [0.0, 0.0, 4.0]], dtype=torch.float64, requires_grad=True)
    check_grad(lambda a: a.prod(1), a)
    check_grad(lambda a: a[0].prod(), a)


# -- shape ops, indexing and joins ------------------------------------------------------------------
SHAPE: dict[str, Callable[[Any], Any]] = {
    "T": lambda a: a.T * 1,
    "t": lambda a: a.reshape(a.numel(), 1).t(),
    "transpose": lambda a: a.reshape(-1, 1).transpose(0, 1),
    "permute": lambda a: a.reshape(1, -1, 1).permute(2, 0, 1),
    "reshape": lambda a: a.reshape(-1),
    "reshape_copy": lambda a: a.reshape(1, -1).t().reshape(-1),
    "view": lambda a: a.view(a.numel(), 1),
    "flatten": lambda a: a.flatten(),
    "unsqueeze": lambda a: a.unsqueeze(0),
    "squeeze": lambda a: a.unsqueeze(-1).squeeze(),
    "squeeze_dim": lambda a: a.unsqueeze(0).squeeze(0),
    "expand": lambda a: a.expand(2, *a.shape),
    "expand_ones": lambda a: a.reshape(1, -1).expand(3, -1),
    "clone": lambda a: a.clone(),
    "contiguous": lambda a: a.reshape(1, -1).t().contiguous(),
    "flip": lambda a: a.reshape(-1).flip(0),
    "flip_all": lambda a: a.flip(tuple(range(a.ndim))),
    "cat": lambda a: torch.cat([a.reshape(-1), a.reshape(-1) * 2, a.reshape(-1)[:1]]),
    "stack": lambda a: torch.stack([a, a * 3], dim=-1 if a.ndim else 0),
    "split": lambda a: torch.stack([p.sum() * i for i, p in enumerate(a.reshape(-1).split(2))]),
    "chunk": lambda a: torch.stack(
        [p.sum() * (i + 1) for i, p in enumerate(a.reshape(-1).chunk(2))]
    ),
    "unbind": lambda a: torch.stack([p * (i + 1) for i, p in enumerate(a.reshape(-1).unbind(0))]),
    "unsafe_chunk": lambda a: torch.cat(
        [p.sigmoid_() * (i + 1) for i, p in enumerate((a.reshape(-1) * 1).unsafe_chunk(2))]
    ),
    "select": lambda a: a.reshape(-1)[0],
    "select_neg": lambda a: a.reshape(-1)[-1],
    "slice": lambda a: a.reshape(-1)[1:],
    "slice_step": lambda a: a.reshape(-1)[::2],
    "index_list": lambda a: a.reshape(-1)[[0, 0, -1]],
    "index_mask": lambda a: a[a > 0] if a.ndim else a * 1,
    "index_none_ellipsis": lambda a: a[None, ...],
    "narrow": lambda a: a.reshape(-1).narrow(0, 0, 1),
    "hstack": lambda a: torch.hstack([a, a * 2]),
    "vstack": lambda a: torch.vstack([a, a * 2]),
    "dstack": lambda a: torch.dstack([a, a * 2]),
    "column_stack": lambda a: torch.column_stack([a, a * 2]),
    "atleast_3d": lambda a: torch.atleast_3d(a) * 1,
    "ravel": lambda a: a.reshape(1, -1).t().ravel(),
    "fliplr": lambda a: torch.fliplr(a.reshape(1, -1)),
    "flipud": lambda a: a.reshape(-1).flipud(),
    "sum_to_size": lambda a: a.reshape(1, -1).expand(3, -1).sum_to_size(1, a.numel()),
    "sum_to_size_drop": lambda a: a.reshape(1, -1).expand(2, -1).sum_to_size(a.numel()),
    "mH": lambda a: a.reshape(1, -1).mH,
    "H": lambda a: a.reshape(-1, 1).H,
    "adjoint": lambda a: torch.adjoint(a.reshape(1, 1, -1)),
}


@pytest.mark.parametrize("name", sorted(SHAPE))
@SETTINGS
@given(data=st.data())
def test_shape_index_and_join_op_gradient_matches_finite_differences(
    name: str, data: st.DataObject
) -> None:
    a = leaf(data, data.draw(shapes()))
    check_grad(SHAPE[name], a)


INDEX_2D: dict[str, Callable[[Any], Any]] = {
    "row": lambda a: a[1],
    "element": lambda a: a[1, 2],
    "col": lambda a: a[:, 1],
    "rows_cols_slices": lambda a: a[1:, ::2],
    "negative_slice": lambda a: a[-2:, -3:-1],
    "int_and_list": lambda a: a[0, [1, 3, 1]],
    "list_and_slice": lambda a: a[[0, 2], 1:3],
    "two_lists": lambda a: a[[0, 1, 1], [3, 2, 2]],
    "tensor_index": lambda a: a[torch.tensor([2, 0, 2])],
    "bool_rows": lambda a: a[torch.tensor([True, False, True])],
    "mask_2d": lambda a: a[a > 0.1],
    "none_middle": lambda a: a[:, None, 1],
    "ellipsis_last": lambda a: a[..., 3],
    "alias": lambda a: a[:, :],
    "chained": lambda a: a[1][2:],
}


@pytest.mark.parametrize("name", sorted(INDEX_2D))
@SETTINGS
@given(data=st.data())
def test_indexing_a_matrix_gradient_matches_finite_differences(
    name: str, data: st.DataObject
) -> None:
    a = leaf(data, (3, 4))
    check_grad(INDEX_2D[name], a)


@SETTINGS
@given(data=st.data())
def test_cat_and_stack_of_several_inputs_along_each_dim(data: st.DataObject) -> None:
    shape = data.draw(shapes(min_dims=1))
    for d in range(len(shape)):
        other = list(shape)
        other[d] = data.draw(st.integers(1, 3))
        a, b = leaf(data, shape), leaf(data, tuple(other))
        check_grad(lambda a, b, d=d: torch.cat([a, b, a], d), a, b)
    c = leaf(data, shape)
    for d in range(-len(shape) - 1, len(shape) + 1):
        check_grad(lambda a, c, d=d: torch.stack([a, c], d), leaf(data, shape), c)


# -- linear algebra ---------------------------------------------------------------------------------
MATMUL_SHAPES = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)),
    ((2, 3), (5, 3, 4)),
    ((5, 2, 3), (5, 3, 4)),
    ((5, 2, 3), (1, 3, 4)),
    ((2, 1, 2, 3), (5, 3, 2)),
    ((4, 2, 3), (3,)),
    ((3,), (4, 3, 2)),
]


@pytest.mark.parametrize(("sa", "sb"), MATMUL_SHAPES)
@settings(max_examples=4, deadline=None, derandomize=True)
@given(data=st.data())
def test_matmul_gradient_matches_finite_differences(sa: Any, sb: Any, data: st.DataObject) -> None:
    check_grad(torch.matmul, leaf(data, sa), leaf(data, sb))


@SETTINGS
@given(data=st.data())
def test_mm_mv_dot_bmm_addmm_gradients_match_finite_differences(data: st.DataObject) -> None:
    n, k, m = (data.draw(st.integers(1, 3)) for _ in range(3))
    a, b = leaf(data, (n, k)), leaf(data, (k, m))
    check_grad(torch.mm, a, b)
    check_grad(torch.mv, a, leaf(data, (k,)))
    check_grad(torch.dot, leaf(data, (k,)), leaf(data, (k,)))
    check_grad(torch.bmm, leaf(data, (2, n, k)), leaf(data, (2, k, m)))
    for bias_shape in [(n, m), (m,), (1, m), ()]:
        check_grad(
            lambda c, a, b: torch.addmm(c, a, b, beta=0.5, alpha=2.0), leaf(data, bias_shape), a, b
        )


@pytest.mark.parametrize("x_shape", [(4,), (3, 4), (2, 3, 4)])
@pytest.mark.parametrize("with_bias", [True, False])
@settings(max_examples=4, deadline=None, derandomize=True)
@given(data=st.data())
def test_linear_gradient_matches_finite_differences(
    x_shape: Any, with_bias: bool, data: st.DataObject
) -> None:
    x, w = leaf(data, x_shape), leaf(data, (2, 4))
    if with_bias:
        check_grad(NF.linear, x, w, leaf(data, (2,)))
    else:
        check_grad(NF.linear, x, w)


# -- losses -----------------------------------------------------------------------------------------
REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@SETTINGS
@given(data=st.data())
def test_mse_and_bce_losses_gradients_match_finite_differences(
    reduction: str, data: st.DataObject
) -> None:
    shape = data.draw(shapes())
    x, t = leaf(data, shape), leaf(data, shape)
    check_grad(lambda x, t: NF.mse_loss(x, t, reduction=reduction), x, t)
    p, y = leaf(data, shape, PROB), leaf(data, shape, PROB)
    w = leaf(data, shape, POS, rg=False)
    check_grad(lambda p, y: NF.binary_cross_entropy(p, y, reduction=reduction), p, y)
    check_grad(lambda p, y: NF.binary_cross_entropy(p, y, w, reduction=reduction), p, y)
    pw = leaf(data, shape[-1:], POS, rg=False)
    check_grad(
        lambda z, y: binary_cross_entropy_with_logits(z, y, w, reduction=reduction, pos_weight=pw),
        leaf(data, shape),
        y,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@SETTINGS
@given(data=st.data())
def test_nll_and_cross_entropy_gradients_match_finite_differences(
    reduction: str, data: st.DataObject
) -> None:
    n, c = data.draw(st.integers(1, 4)), data.draw(st.integers(2, 4))
    target = torch.tensor(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    weight = leaf(data, (c,), POS, rg=False)
    logits = leaf(data, (n, c))
    check_grad(lambda x: NF.nll_loss(x, target, reduction=reduction), logits)
    check_grad(lambda x: NF.nll_loss(x, target, weight, reduction=reduction), logits)
    check_grad(lambda x: NF.cross_entropy(x, target, weight, reduction=reduction), logits)
    ignored = torch.tensor(np.where(np.arange(n) == 0, -100, target._data))
    if n > 1:
        check_grad(lambda x: NF.cross_entropy(x, ignored, reduction=reduction), logits)
    check_grad(lambda x: NF.cross_entropy(x[0], target[0], reduction=reduction), logits)
    probs = torch.tensor(np.full((n, c), 1.0 / c))
    check_grad(lambda x: NF.cross_entropy(x, probs, weight, reduction=reduction), logits)
    # Spatial targets: (N, C, d) input with (N, d) targets.
    x3 = leaf(data, (n, c, 2))
    t3 = torch.tensor(np.stack([target._data, target._data[::-1]], axis=1))
    check_grad(lambda x: NF.cross_entropy(x, t3, weight, reduction=reduction), x3)


def test_dropout_gradient_is_the_mask_it_applied() -> None:
    torch.manual_seed(0)
    x = torch.ones(1000, dtype=torch.float64, requires_grad=True)
    y = NF.dropout(x, p=0.25)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._data, y._data)
    assert set(np.unique(y._data)) == {0.0, 1 / 0.75}
    assert NF.dropout(x, p=0.25, training=False) is x


# -- the op table: one row per op (the recipe in CONTRIBUTING.md adds a row here) -----------------
@dataclass(frozen=True)
class Row:
    """``fn`` applied to one float64 leaf per shape, values drawn from ``elements``."""

    fn: Callable[..., Any]
    shapes: tuple[tuple[int, ...], ...]
    elements: Any = AWAY
    atol: float = 1e-5
    rtol: float = 1e-3


def second(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``x -> d(fn(x).sum())/dx`` with ``create_graph``: gradchecks the backward's own nodes."""

    def grad_of(x: Any) -> Any:
        (g,) = torch.autograd.grad(fn(x).sum(), x, create_graph=True)
        return g

    return grad_of


_OFF = torch.tensor([[0.001, 0.002, 0.003], [0.004, 0.005, 0.006]], dtype=torch.float64)


def _written(a: Any, how: Callable[[Any], Any]) -> Any:
    """``how`` applied in place to a non-leaf copy of ``a`` (an in-place op in the graph)."""
    c = a * 1
    how(c)
    return c


def _through_view(a: Any) -> Any:
    c = a * 1
    v = c[0]
    v.mul_(2)  # a write through a view: CopySlices on c, AsStridedBackward0 on v
    return v * c.sum()


def _max_pool_twice(a: Any, v: Any) -> Any:
    """The max pool's gradient, differentiated in its cotangent ``v`` against ``a``: records both
    backward nodes of the max pool (the scatter, and the gather that is its derivative)."""
    (g,) = torch.autograd.grad(NF.max_pool2d(a, 2, 1), a, v, create_graph=True)
    (gg,) = torch.autograd.grad(g, v, a, create_graph=True)
    return gg, g


_PERM = np.array([[0, 2, 1], [2, 0, 1]])
_BILINEAR_W = np.linspace(-1.0, 1.0, 18).reshape(2, 3, 3)
_IDX = np.array([[0, 2, 1], [1, 1, 0]])

OPS: dict[str, Row] = {
    "addmm": Row(lambda c, a, b: torch.addmm(c, a, b, beta=0.5, alpha=2.0), ((3,), (2, 4), (4, 3))),
    "baddbmm": Row(
        lambda c, a, b: torch.baddbmm(c, a, b, beta=0.5, alpha=2.0), ((3,), (2, 2, 4), (2, 4, 3))
    ),
    "split_with_sizes": Row(
        lambda a: torch.cat([p * (i + 1) for i, p in enumerate(a.split([1, 2], dim=1))], 1),
        ((2, 3),),
    ),
    # torch.linalg (well-conditioned: ``_wc`` adds 3 * I; symmetric / SPD inputs are built)
    "linalg_inv": Row(lambda a: torch.linalg.inv(_wc(a)), ((2, 3, 3),)),
    "linalg_det": Row(lambda a: torch.det(_wc(a)), ((3, 3),)),
    "linalg_slogdet": Row(lambda a: torch.linalg.slogdet(_wc(a))[1], ((2, 2, 2),)),
    "linalg_solve": Row(lambda a, b: torch.linalg.solve(_wc(a), b), ((3, 3), (2, 3, 2))),
    "linalg_solve_vec": Row(lambda a, b: torch.linalg.solve(_wc(a), b), ((3, 3), (3,))),
    "linalg_solve_right": Row(
        lambda a, b: torch.linalg.solve(_wc(a), b, left=False), ((3, 3), (2, 3))
    ),
    "linalg_cholesky": Row(lambda a: torch.linalg.cholesky(_spd(a), upper=True), ((2, 3, 3),)),
    "cholesky": Row(lambda a: torch.cholesky(_spd(a)), ((3, 3),)),
    "linalg_qr": Row(lambda a: torch.linalg.qr(_spread(a)), ((4, 3),)),
    "linalg_qr_wide": Row(lambda a: torch.linalg.qr(_spread(a))[1], ((2, 3),)),
    "linalg_eigh": Row(lambda a: torch.linalg.eigh(_spread(a + a.mT)), ((3, 3),)),
    "linalg_eigh_vectors": Row(lambda a: torch.linalg.eigh(_spread(a + a.mT))[1], ((2, 3, 3),)),
    "linalg_svd": Row(lambda a: torch.linalg.svd(_spread(a), full_matrices=False), ((4, 3),)),
    "linalg_svd_vh": Row(lambda a: torch.linalg.svd(_spread(a), full_matrices=False)[2], ((2, 3),)),
    "linalg_svdvals": Row(lambda a: torch.linalg.svdvals(_spread(a)), ((2, 3, 4),)),
    "linalg_pinv": Row(lambda a: torch.linalg.pinv(_spread(a)), ((4, 3),)),
    "linalg_matrix_power": Row(lambda a: torch.linalg.matrix_power(_wc(a), -3), ((3, 3),)),
    "linalg_multi_dot": Row(
        lambda a, b, c: torch.linalg.multi_dot([a, b, c]), ((3,), (3, 4), (4, 2))
    ),
    "linalg_cross": Row(lambda a, b: torch.linalg.cross(a, b), ((2, 3), (1, 3))),
    "linalg_matrix_norm_nuc": Row(
        lambda a: torch.linalg.matrix_norm(_spread(a), "nuc"), ((2, 3, 3),)
    ),
    "linalg_matrix_norm_inf": Row(
        lambda a: torch.norm(_spread(a), float("inf"), dim=(0, 1)), ((3, 4),)
    ),
    "mm": Row(torch.mm, ((2, 3), (3, 2))),
    "mv": Row(torch.mv, ((2, 3), (3,))),
    "dot": Row(torch.dot, ((3,), (3,))),
    "bmm": Row(torch.bmm, ((2, 2, 3), (2, 3, 2))),
    "matmul_vec_mat": Row(torch.matmul, ((3,), (3, 2))),
    "matmul_batched": Row(torch.matmul, ((2, 2, 3), (3, 2))),
    "linear": Row(NF.linear, ((2, 4), (3, 4), (3,))),
    "mse_loss": Row(NF.mse_loss, ((2, 3), (2, 3))),
    "binary_cross_entropy": Row(NF.binary_cross_entropy, ((2, 3), (2, 3)), PROB),
    "bce_with_logits": Row(binary_cross_entropy_with_logits, ((2, 3), (2, 3)), PROB),
    "nll_loss": Row(lambda x: NF.nll_loss(x, torch.tensor([0, 2])), ((2, 3),)),
    "cross_entropy_probs": Row(
        lambda x: NF.cross_entropy(x, torch.tensor(np.full((2, 3), 1 / 3))), ((2, 3),)
    ),
    "rsub_tensors": Row(lambda a, b: torch.rsub(a, b, alpha=2.0), ((2, 3), (3,))),
    # Divisors above |a|: never a multiple of one (the kink), gradients for both sides.
    "remainder": Row(lambda a, b: a % (b.abs() + 3.3), ((2, 3), (3,))),
    "div_floor": Row(lambda a, b: a.div(b.abs() + 3.3, rounding_mode="floor"), ((2, 3), (3,))),
    "div_trunc": Row(
        lambda a, b: torch.div(a, b.abs() + 3.3, rounding_mode="trunc"), ((2, 3),) * 2
    ),
    "rsqrt": Row(torch.rsqrt, ((2, 3),), POS),
    "exp2": Row(torch.exp2, ((2, 3),)),
    "log2": Row(torch.log2, ((2, 3),), POS),
    "log10": Row(torch.log10, ((2, 3),), POS),
    "floor": Row(torch.floor, ((2, 3),)),
    "ceil": Row(torch.ceil, ((2, 3),)),
    "round": Row(torch.round, ((2, 3),)),
    "round_decimals": Row(lambda a: torch.round(a, decimals=1), ((2, 3),)),
    "clamp_min_number": Row(lambda a: torch.clamp_min(a, 0.2), ((2, 3),)),
    "clamp_max_number": Row(lambda a: torch.clamp_max(a, 0.2), ((2, 3),)),
    "clamp_min_tensor": Row(lambda a, b: torch.clamp_min(a, b + 0.05), ((2, 3), (3,))),
    "clamp_max_tensor": Row(lambda a, b: torch.clamp_max(a, b + 0.05), ((2, 3), (3,))),
    "nan_to_num": Row(torch.nan_to_num, ((2, 3),)),
    "masked_fill": Row(lambda a: a.masked_fill(a > 0.5, 2.0), ((2, 3),)),
    "logsumexp": Row(lambda a: torch.logsumexp(a, 1), ((2, 3),)),
    "cumsum": Row(lambda a: torch.cumsum(a, 1), ((2, 3),)),
    "cumprod": Row(lambda a: torch.cumprod(a, 1), ((2, 3),)),
    "cumprod_dim0": Row(lambda a: a.cumprod(0), ((3, 2),)),
    # A zero in the row: the gradient the closed form cannot give (0 / 0) is computed directly.
    "cumprod_zero": Row(
        lambda a: torch.cat([a[:, :1], a[:, 1:2] * 0, a[:, 2:]], 1).cumprod(1), ((2, 4),)
    ),
    "cumprod_second_order": Row(second(lambda a: a.cumprod(1)), ((2, 3),)),
    "sort": Row(lambda a: torch.sort(a, 1).values, ((2, 3),)),
    "topk": Row(lambda a: torch.topk(a, 2).values, ((2, 3),)),
    "gather": Row(lambda a: torch.gather(a, 1, torch.tensor(_IDX)), ((2, 3),)),
    "index_select": Row(lambda a: torch.index_select(a, 1, torch.tensor([2, 0, 2])), ((2, 3),)),
    "repeat": Row(lambda a: a.repeat(2, 1), ((2, 3),)),
    "tril": Row(torch.tril, ((3, 3),)),
    "triu": Row(lambda a: torch.triu(a, 1), ((3, 3),)),
    "diag_embed": Row(torch.diag, ((3,),)),
    "diagonal": Row(torch.diag, ((3, 3),)),
    "diagonal_view": Row(lambda a: a.diagonal(-1, 2, 0), ((3, 2, 4),)),
    "diagonal_backward": Row(second(lambda a: a.diagonal(1) ** 2), ((3, 4),)),
    "trace": Row(lambda a: a.trace(), ((3, 4),)),
    "roll": Row(lambda a: a.roll((1, -2), (0, 1)), ((3, 4),)),
    "roll_flat": Row(lambda a: a.roll(2), ((2, 3),)),
    "expm1": Row(torch.expm1, ((2, 3),)),
    "lgamma": Row(torch.lgamma, ((2, 3),), POS),
    "digamma": Row(torch.digamma, ((2, 3),), POS),
    "polygamma": Row(lambda a: torch.polygamma(2, a), ((2, 3),), POS),
    "polygamma_inplace": Row(lambda a: (a * 1).polygamma_(1), ((2, 3),), POS),
    "lgamma_second_order": Row(second(torch.lgamma), ((2, 3),), POS),
    "logit": Row(torch.logit, ((2, 3),), PROB),
    # eps=0.3: inputs below 0.3 or above 0.7 are clamped (gradient 0), the rest pass. The
    # values sit on a grid at least 0.0137 from both bounds, where the clamp is a kink.
    "logit_eps": Row(
        lambda a: torch.logit(a, eps=0.3),
        ((2, 3),),
        st.integers(1, 18).map(lambda i: i / 20 + 0.0137),
    ),
    "i0": Row(torch.i0, ((2, 3),)),
    "trunc": Row(torch.trunc, ((2, 3),)),
    "frac": Row(torch.frac, ((2, 3),)),
    "sgn": Row(torch.sgn, ((2, 3),)),
    # Divisors above |a|: never a multiple of one (the kink), gradients for both sides.
    "fmod_tensor": Row(lambda a, b: torch.fmod(a, b.abs() + 3.3), ((2, 3), (3,))),
    "fmod_number": Row(lambda a: torch.fmod(a, 0.7), ((2, 3),)),
    "reshape_alias": Row(lambda a: a.t().reshape(3, 1, 2), ((2, 3),)),
    # Exact in test_float32_round_trip_passes_the_gradient_back_as_float64. Small values: there
    # a float32 step is ~1% of the finite-difference step.
    "to_float32": Row(lambda a: a.float() * 3, ((2, 3),), st.floats(0.01, 0.1), 0.02, 0.02),
    "setitem": Row(lambda a, v: _written(a, lambda c: c.__setitem__(0, v * 2)), ((2, 3), (3,))),
    "copy_": Row(lambda a, b: _written(a, lambda c: c.copy_(b)) * a, ((2, 3), (2, 3))),
    "zero_": Row(lambda a: _written(a, lambda c: c.zero_()) + a * a, ((2, 3),)),
    "fill_number": Row(lambda a: _written(a, lambda c: c.fill_(2.0)) * a, ((2, 3),)),
    "fill_tensor": Row(lambda a, v: _written(a, lambda c: c.fill_(v * 3)) * a, ((2, 3), ())),
    "write_through_view": Row(_through_view, ((2, 3),)),
    # Backward formulas that record nodes of their own (create_graph=True).
    "select_twice": Row(second(lambda a: a[1] ** 3), ((2, 3),)),
    "slice_twice": Row(second(lambda a: a[:, 1:] ** 3), ((2, 3),)),
    "index_twice": Row(second(lambda a: a[[0, 0, 1]] ** 3), ((2, 3),)),
    "gather_twice": Row(second(lambda a: torch.gather(a, 1, torch.tensor(_IDX)) ** 3), ((2, 3),)),
    "scatter_reduce_prod_twice": Row(
        second(
            lambda a: a.scatter_reduce(1, torch.tensor([[0, 0], [2, 2]]), a[:, :2], "prod") ** 3
        ),
        ((2, 3),),
    ),
    "scatter_reduce_mean_twice": Row(
        second(
            lambda a: a.scatter_reduce(1, torch.tensor([[0, 0], [2, 2]]), a[:, 1:], "mean") ** 3
        ),
        ((2, 3),),
    ),
    "index_put_twice": Row(
        second(lambda a: a.index_put((torch.tensor([0, 0]),), a[1] ** 2, True) ** 3), ((2, 3),)
    ),
    "index_select_twice": Row(
        second(lambda a: torch.index_select(a, 1, torch.tensor([2, 0])) ** 3), ((2, 3),)
    ),
    "sort_twice": Row(second(lambda a: torch.sort(a, 1).values ** 3), ((2, 3),)),
    "view_write_twice": Row(second(lambda a: _through_view(a) ** 2), ((2, 3),)),
    # Layers (tests/engine/test_gradcheck_nn_ops.py draws their arguments; these rows cover nodes).
    "conv2d": Row(lambda x, w, b: NF.conv2d(x, w, b, 2, 1), ((1, 2, 4, 4), (2, 2, 2, 2), (2,))),
    "conv2d_same_even": Row(
        lambda x, w: NF.conv2d(x, w, padding="same"), ((1, 1, 3, 3), (1, 1, 2, 2))
    ),
    "conv_transpose1d": Row(
        lambda x, w: NF.conv_transpose1d(x, w, stride=2), ((1, 2, 3), (2, 2, 2))
    ),
    **{
        f"pad_{mode}{k}d": Row(
            lambda x, m=mode, k=k: NF.pad(x, (1, 1) * k, mode=m), ((1,) + (3,) * k,)
        )
        for mode in ("reflect", "replicate")
        for k in (1, 2, 3)
    },
    "pad_replicate_twice": Row(
        second(lambda a: NF.pad(a, (2, 1), mode="replicate") ** 2), ((2, 3),)
    ),
    **{
        f"interpolate_{mode}{k}d": Row(
            lambda x, m=mode, k=k, s=scale: NF.interpolate(x, scale_factor=s, mode=m),
            ((1, 2) + (2,) * k,),
        )
        for mode, k, scale in (
            ("nearest", 1, 2.0),
            ("nearest", 2, 1.5),
            ("nearest", 3, 2.0),
            ("nearest-exact", 1, 1.5),
            ("nearest-exact", 2, 2.0),
            ("nearest-exact", 3, 1.5),
            ("linear", 1, 1.5),
            ("bilinear", 2, 2.5),
            ("trilinear", 3, 1.5),
        )
    },  # fmt: skip
    "interpolate_bilinear_twice": Row(
        second(lambda a: NF.interpolate(a, size=(3, 4), mode="bilinear") ** 2), ((1, 1, 2, 3),)
    ),
    "max_pool2d": Row(lambda x: NF.max_pool2d(x, 2, 1), ((1, 1, 3, 3),)),
    "max_pool3d": Row(lambda x: NF.max_pool3d(x, 2, 1), ((1, 1, 2, 2, 3),)),
    "max_pool2d_twice": Row(_max_pool_twice, ((1, 3, 3), (1, 2, 2))),
    "avg_pool2d": Row(lambda x: NF.avg_pool2d(x, 2, 1, 1, True, False), ((1, 1, 3, 3),)),
    "avg_pool3d": Row(lambda x: NF.avg_pool3d(x, 2, 1), ((1, 1, 2, 2, 3),)),
    "avg_pool2d_twice": Row(second(lambda a: NF.avg_pool2d(a, 2, 1) ** 2), ((1, 3, 3),)),
    "adaptive_avg_pool2d": Row(lambda x: NF.adaptive_avg_pool2d(x, (2, 3)), ((1, 1, 3, 4),)),
    "adaptive_avg_twice": Row(second(lambda a: NF.adaptive_avg_pool2d(a, 2) ** 2), ((1, 3, 3),)),
    "adaptive_max_pool2d": Row(lambda x: NF.adaptive_max_pool2d(x, (2, 3)), ((1, 1, 3, 4),)),
    "batch_norm": Row(
        lambda x, w, b: NF.batch_norm(x, None, None, w, b, training=True), ((3, 2), (2,), (2,))
    ),
    "layer_norm": Row(lambda x, w, b: NF.layer_norm(x, (3,), w, b), ((2, 3), (3,), (3,))),
    "group_norm": Row(lambda x, w, b: NF.group_norm(x, 2, w, b), ((2, 4, 2), (4,), (4,))),
    # Shifted so that the formula check (inputs drawn in 0.3..0.9) meets both slopes.
    "prelu": Row(lambda x, w: NF.prelu(x - 0.6, w), ((2, 3, 2), (3,))),
    "prelu_twice": Row(
        second(lambda a: NF.prelu(a, torch.tensor([0.3, -0.2], dtype=torch.float64)) ** 3),
        ((3, 2),),
    ),
    "pixel_shuffle": Row(lambda x: NF.pixel_shuffle(x, 2), ((1, 8, 2, 3),)),
    "pixel_unshuffle": Row(lambda x: NF.pixel_unshuffle(x, 2), ((2, 4, 2),)),
    "bilinear": Row(NF.bilinear, ((3, 2), (3, 4), (2, 2, 4), (2,))),
    "bilinear_twice": Row(
        second(lambda a: NF.bilinear(a, a**2, torch.tensor(_BILINEAR_W)) ** 2), ((2, 3),)
    ),
    "unfold": Row(lambda x: NF.unfold(x, 2, padding=1, stride=(1, 2)), ((1, 2, 3, 3),)),
    "fold": Row(lambda x: NF.fold(x, (3, 4), 2, dilation=(1, 2)), ((1, 8, 4),)),
    "instance_norm": Row(
        lambda x, w, b: NF.instance_norm(x, weight=w, bias=b), ((2, 3, 4), (3,), (3,))
    ),
    "embedding": Row(lambda w: NF.embedding(torch.tensor([[0, 2], [1, 2]]), w), ((3, 2),)),
    "embedding_twice": Row(
        second(lambda w: NF.embedding(torch.tensor([0, 2, 2]), w) ** 2), ((3, 2),)
    ),
    "sdpa_flash": Row(
        lambda q, k, v: NF.scaled_dot_product_attention(q, k, v, is_causal=True),
        ((1, 2, 3, 2),) * 3,
    ),
    "sdpa_math": Row(NF.scaled_dot_product_attention, ((2, 3, 2), (2, 2, 2), (2, 2, 1))),
    "gelu_twice": Row(second(lambda a: NF.gelu(a) ** 2), ((2, 3),)),
    "gelu_tanh_twice": Row(second(lambda a: NF.gelu(a, approximate="tanh") ** 2), ((2, 3),)),
    "einsum": Row(lambda a, b: torch.einsum("ij,kj->ik", a, b), ((2, 3), (2, 3))),
    "einsum_diagonal": Row(lambda a: torch.einsum("iij->j", a), ((2, 2, 3),)),
    "einsum_diagonal_twice": Row(second(lambda a: torch.einsum("ii->i", a) ** 3), ((3, 3),)),
    # Distinct indices per row: with repeats the last write wins, and the gradient (PyTorch's
    # too) still reaches every source element.
    "scatter": Row(lambda a, b: a.scatter(1, torch.tensor(_PERM), b), ((2, 3), (2, 3))),
    "scatter_value": Row(lambda a: a.scatter(1, torch.tensor(_PERM[:, :2]), 2.0), ((2, 3),)),
    "scatter_add": Row(lambda a, b: a.scatter_add(1, torch.tensor(_IDX), b), ((2, 3), (2, 3))),
    "index_add": Row(
        lambda a, b: a.index_add(0, torch.tensor([1, 1]), b, alpha=0.5), ((2, 3), (2, 3))
    ),
    "index_copy": Row(lambda a, b: a.index_copy(1, torch.tensor([2, 0]), b), ((2, 3), (2, 2))),
    "index_fill": Row(lambda a: a.index_fill(1, torch.tensor([1]), -1.0), ((2, 3),)),
    **{
        f"scatter_reduce_{r}{'' if inc else '_exclude_self'}": Row(
            # Offsets off the 0.1 grid keep amax / amin away from ties (a kink).
            lambda a, s, r=r, inc=inc: (a + _OFF).scatter_reduce(
                0, torch.tensor([[0, 1, 0], [0, 0, 1]]), s + 2 * _OFF + 0.011, r, include_self=inc
            ),
            ((2, 3), (2, 3)),
        )
        for r in ("sum", "prod", "mean", "amax", "amin")
        for inc in (True, False)
    },
    "scatter_reduce_": Row(
        lambda a, s: _written(
            a, lambda c: c.scatter_reduce_(1, torch.tensor([[2], [0]]), s, "prod")
        ),
        ((2, 3), (2, 1)),
    ),
    "fill_diagonal_": Row(
        lambda a: _written(a, lambda c: c.fill_diagonal_(0.5, wrap=True)) * 3, ((5, 2),)
    ),
    "index_put_accumulate": Row(
        lambda a, v: a.index_put((torch.tensor([1, 0, 1]), torch.tensor([2, 0, 2])), v, True),
        ((2, 3), (3,)),
    ),
    "index_put_broadcast": Row(
        lambda a, v: a.index_put((torch.tensor([1]),), v * 2), ((2, 3), (3,))
    ),
    "index_put_": Row(
        lambda a, v: _written(a, lambda c: c.index_put_((c > 0,), v, accumulate=True)) * a,
        ((2, 3), ()),
    ),
    "setitem_index": Row(
        lambda a, v: _written(a, lambda c: c.__setitem__((slice(None), [2, 0]), v)), ((2, 3), (2,))
    ),
    "index_fill_tensor": Row(lambda a, v: a.index_fill(0, torch.tensor([0]), v), ((2, 3), ())),
    "masked_scatter": Row(lambda a, b: a.masked_scatter(a > 0.5, b), ((2, 3), (7,))),
    "masked_select": Row(lambda a: a.masked_select(a > 0.5), ((2, 3),)),
    "pack_padded_sequence": Row(
        lambda x: torch._pack_padded_sequence(x, torch.tensor([3, 3, 1]), False)[0],
        ((4, 3, 2),),
    ),
    "pack_padded_sequence_batch_first_twice": Row(
        second(lambda x: torch._pack_padded_sequence(x, torch.tensor([2, 1]), True)[0] ** 2),
        ((2, 3),),
    ),
    "atan2": Row(torch.atan2, ((2, 3), (3,)), elements=POS),
    "atan2_twice": Row(second(lambda a: torch.atan2(a, a * a + 1) ** 2), ((2, 3),)),
    "tan_twice": Row(second(lambda a: torch.tan(a) ** 2), ((2, 3),), elements=INSIDE),
    "asin_twice": Row(second(lambda a: torch.asin(a) ** 2), ((2, 3),), elements=INSIDE),
    "silu": Row(NF.silu, ((2, 3),)),
    "softplus": Row(lambda a: NF.softplus(a, 2.0, 3.0), ((2, 3),)),
    "elu": Row(NF.elu, ((2, 3),)),
    "elu_inplace": Row(lambda a: NF.elu(a * 1, 0.5, inplace=True), ((2, 3),)),
    "celu": Row(lambda a: NF.celu(a, 0.6), ((2, 3),)),
    "celu_inplace": Row(lambda a: NF.celu_(a * 1, 0.6), ((2, 3),)),
    "hardtanh": Row(NF.hardtanh, ((2, 3),)),
    "mish": Row(NF.mish, ((2, 3),)),
    "logsigmoid": Row(NF.logsigmoid, ((2, 3),)),
    "hardswish": Row(NF.hardswish, ((2, 3),)),
    "hardsigmoid": Row(NF.hardsigmoid, ((2, 3),)),
    "threshold": Row(lambda a: NF.threshold(a, 0.35, -1.0), ((2, 3),)),
    "threshold_inplace": Row(lambda a: NF.threshold_(a * 1, 0.35, -1.0), ((2, 3),)),
    "leaky_relu_inplace": Row(lambda a: NF.leaky_relu_(a * 1, 0.2), ((2, 3),)),
    "glu": Row(NF.glu, ((2, 4),)),
    "smooth_l1_loss": Row(lambda a, b: NF.smooth_l1_loss(a, b, beta=0.55), ((2, 3), (2, 3))),
    "huber_loss": Row(lambda a, b: NF.huber_loss(a, b, delta=0.65), ((2, 3), (2, 3))),
    "pairwise_distance": Row(lambda a, b: NF.pairwise_distance(a, b + 0.05), ((2, 3), (2, 3))),
    "xlogy": Row(torch.xlogy, ((2, 3), (2, 3)), POS),
    **{name: Row(*row) for name, row in MATH_ROWS.items()},
    **{name: Row(*row) for name, row in LOSS_ROWS.items()},
    **{name: Row(*row) for name, row in LAYER_ROWS.items()},
    **{name: Row(*row) for name, row in PROGRAM_ROWS.items()},
    **{name: Row(*row) for name, row in MORE_MATH_ROWS.items()},
}


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=4, deadline=None, derandomize=True)
@given(data=st.data())
def test_op_table_gradient_matches_finite_differences(name: str, data: st.DataObject) -> None:
    row = OPS[name]
    # Ties are kinks of sort, topk and the max pools.
    unique = (
        name in ("sort", "topk", "sort_twice")
        or "max_pool" in name
        or name in UNIQUE_ROWS | LAYER_UNIQUE | MORE_UNIQUE
    )
    check_grad(
        row.fn,
        *(leaf(data, s, row.elements, unique=unique) for s in row.shapes),
        atol=row.atol,
        rtol=row.rtol,
    )


# -- higher order ----------------------------------------------------------------------------------
def test_second_derivatives_of_softmax_and_indexing_match_finite_differences() -> None:
    x = torch.tensor([[0.3, -1.2, 2.0], [0.5, 0.1, -0.4]], dtype=torch.float64, requires_grad=True)

    def first(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def grad_of(x: Any) -> Any:
            (g,) = torch.autograd.grad(fn(x), x, create_graph=True)
            return g

        return grad_of

    for fn in [
        lambda x: (NF.log_softmax(x, 1) ** 2).sum(),
        lambda x: (x[0, [0, 2]] ** 3).sum() + (x[1:, ::2] ** 3).sum(),
        lambda x: (torch.cat([x, x * x]) ** 2).sum(),
        lambda x: x.var(1).sum() + x.norm(),
    ]:
        check_grad(first(fn), x)


# -- exact values at the kinks (PyTorch 2.13, reference §4) ----------------------------------------
def _grad(fn: Callable[[Any], Any], values: list[float]) -> list[float]:
    x = torch.tensor(values, requires_grad=True)
    fn(x).sum().backward()
    return x.grad.tolist()


def test_relu_abs_and_leaky_relu_gradients_at_zero() -> None:
    assert _grad(torch.relu, [0.0, 1.0, -1.0]) == [0.0, 1.0, 0.0]
    assert _grad(torch.abs, [0.0, 2.0, -2.0]) == [0.0, 1.0, -1.0]
    assert _grad(NF.leaky_relu, [0.0, 1.0]) == pytest.approx([0.01, 1.0])


def test_clamp_boundary_passes_the_gradient() -> None:
    assert _grad(lambda x: x.clamp(min=0), [0.0, -1.0, 1.0]) == [1.0, 0.0, 1.0]
    assert _grad(lambda x: x.clamp(-1, 1), [-1.0, 1.0, 2.0]) == [1.0, 1.0, 0.0]


def test_sqrt_and_log_at_zero_give_inf_and_pow_gives_zero() -> None:
    assert _grad(torch.sqrt, [0.0]) == [float("inf")]
    assert _grad(torch.log, [0.0]) == [float("inf")]
    assert _grad(lambda x: x**2, [0.0]) == [0.0]
    assert _grad(lambda x: x**0, [3.0]) == [0.0]


def test_full_max_min_and_amax_split_ties_evenly() -> None:
    assert _grad(lambda x: x.max(), [1.0, 3.0, 3.0]) == [0.0, 0.5, 0.5]
    assert _grad(lambda x: x.amax(), [1.0, 3.0, 3.0]) == [0.0, 0.5, 0.5]
    assert _grad(lambda x: x.min(), [1.0, 1.0, 3.0, 1.0]) == pytest.approx([1 / 3, 1 / 3, 0, 1 / 3])
    assert _grad(lambda x: x.reshape(2, 2).amax(1), [2.0, 2.0, 1.0, 0.0]) == [0.5, 0.5, 1.0, 0.0]


def test_max_with_dim_sends_the_gradient_to_the_first_index_it_picked() -> None:
    assert _grad(lambda x: x.max(0).values, [1.0, 3.0, 3.0]) == [0.0, 1.0, 0.0]
    assert _grad(lambda x: x.amin(0), [1.0, 1.0]) == [0.5, 0.5]


def test_maximum_tie_gives_half_to_each_side() -> None:
    a = torch.tensor([2.0, 1.0], requires_grad=True)
    b = torch.tensor([2.0, 3.0], requires_grad=True)
    torch.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 0.0]
    assert b.grad.tolist() == [0.5, 1.0]


def test_norm_of_the_zero_vector_has_zero_gradient() -> None:
    assert _grad(lambda x: x.norm(), [0.0, 0.0, 0.0]) == [0.0, 0.0, 0.0]
    assert _grad(lambda x: x.reshape(1, 3).norm(dim=1), [0.0, 0.0, 0.0]) == [0.0, 0.0, 0.0]


def test_std_and_var_gradients_match_pytorch_values() -> None:
    assert _grad(lambda x: x.std(), [1.0, 3.0, 3.0]) == pytest.approx(
        [-0.5774, 0.2887, 0.2887], abs=1e-4
    )
    assert _grad(lambda x: x.var(unbiased=False), [1.0, 3.0, 3.0]) == pytest.approx(
        [-0.8889, 0.4444, 0.4444], abs=1e-4
    )


def test_prod_gradient_with_one_and_two_zeros() -> None:
    assert _grad(lambda x: x.prod(), [0.0, 2.0, 3.0]) == [6.0, 0.0, 0.0]
    assert _grad(lambda x: x.prod(), [0.0, 0.0, 3.0]) == [0.0, 0.0, 0.0]


def test_binary_cross_entropy_clamps_the_log_at_minus_100() -> None:
    loss = NF.binary_cross_entropy(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 0.0]))
    assert loss.item() == 100.0


def test_numerical_jacobian_of_a_linear_map_is_its_matrix() -> None:
    m = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=torch.float64)
    x = torch.tensor([0.5, -0.5], dtype=torch.float64, requires_grad=True)
    np.testing.assert_allclose(numerical_jacobian(lambda x: torch.mv(m, x), [x], 0), m._data)


def test_every_differentiable_node_is_in_a_gradcheck_table() -> None:
    rng = np.random.default_rng(0)

    def x(*shape: int) -> torch.Tensor:
        return torch.tensor(rng.uniform(0.3, 0.9, shape), requires_grad=True)

    seen: set[type] = set()
    for fn, _ in UNARY.values():
        seen |= recorded_nodes(fn, x(2, 3))
    for fn, _, _ in BINARY.values():
        seen |= recorded_nodes(fn, x(2, 3), x(3))
    for fn, _, _ in REDUCE_ALL.values():
        seen |= recorded_nodes(fn, x(2, 3))
    for fn, _ in REDUCE_DIM.values():
        seen |= recorded_nodes(lambda a, fn=fn: fn(a, 1, False), x(2, 3))
    for fn in SHAPE.values():
        seen |= recorded_nodes(fn, x(2, 3))
    for fn in INDEX_2D.values():
        seen |= recorded_nodes(fn, x(3, 4))
    for row in OPS.values():
        seen |= recorded_nodes(row.fn, *(x(*s) for s in row.shapes))
    missing = sorted(c.__name__ for c in differentiable_nodes() if c not in seen)
    assert missing == [], "add a row for each to a table above (OPS for a new op)"
