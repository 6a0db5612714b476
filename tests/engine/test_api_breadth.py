"""The torch API users' own scripts reach for: devices, default dtype, extra ops and predicates."""

from __future__ import annotations

import numpy as np
import pytest

import visgrad as torch
from tests.engine.gradcheck_util import check_grad
from visgrad import nn


def _x(*shape: int, seed: int = 0, positive: bool = False) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    if positive:
        a = np.abs(a) + 0.5
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


def _name(t: torch.Tensor) -> str:
    return type(t.grad_fn).__name__


# -- devices, cuda, backends --------------------------------------------------------------------------
def test_device_repr_str_and_equality_follow_pytorch() -> None:
    assert repr(torch.device("cpu")) == "device(type='cpu')"
    assert repr(torch.device("cuda:1")) == "device(type='cuda', index=1)"
    assert str(torch.device("cuda", 0)) == "cuda:0"
    assert torch.device(torch.device("cpu")) == torch.device("cpu")
    assert torch.tensor([1.0]).device == torch.device("cpu")
    assert repr(torch.ones(2).device) == "device(type='cpu')"


def test_unknown_device_type_raises_pytorch_error() -> None:
    with pytest.raises(RuntimeError, match="device type at start of device string: gpu"):
        torch.device("gpu")


def test_cuda_and_mps_report_unavailable() -> None:
    assert torch.cuda.is_available() is False
    assert torch.cuda.device_count() == 0
    assert torch.backends.mps.is_available() is False
    assert torch.backends.cudnn.is_available() is False


def test_tensor_cuda_raises_a_clear_error() -> None:
    with pytest.raises(AssertionError, match="visgrad runs on the CPU only"):
        torch.ones(2).cuda()


# -- default dtype and tensor types ------------------------------------------------------------------
def test_set_default_dtype_changes_float_factories() -> None:
    assert torch.get_default_dtype() == torch.float32
    torch.set_default_dtype(torch.float64)
    try:
        assert torch.get_default_dtype() == torch.float64
        assert torch.ones(2).dtype == torch.float64
        assert torch.tensor([1.5]).dtype == torch.float64
        assert torch.tensor([1]).dtype == torch.int64
    finally:
        torch.set_default_dtype(torch.float32)
    assert torch.zeros(1).dtype == torch.float32


def test_set_default_dtype_rejects_integer_types() -> None:
    with pytest.raises(TypeError, match="only floating-point types are supported"):
        torch.set_default_dtype(torch.int64)


def test_tensor_type_callables_and_isinstance() -> None:
    t = torch.LongTensor([1, 2])
    assert t.dtype == torch.int64 and t.tolist() == [1, 2]
    assert torch.IntTensor([1]).dtype == torch.int32
    assert torch.BoolTensor([1, 0]).tolist() == [True, False]
    assert torch.DoubleTensor(2, 3).shape == (2, 3)
    assert repr(torch.LongTensor) == "<class 'torch.LongTensor'>"
    assert isinstance(torch.ones(2).long(), torch.LongTensor)
    assert not isinstance(torch.ones(2), torch.LongTensor)


def test_type_names_and_converts() -> None:
    x = torch.ones(2)
    assert x.type() == "torch.FloatTensor"
    assert x.type(torch.float64).dtype == torch.float64
    assert x.type("torch.IntTensor").dtype == torch.int32
    assert x.type(torch.LongTensor).dtype == torch.int64


def test_nbytes_itemsize_numel_is_tensor() -> None:
    x = torch.zeros(3, 4, dtype=torch.float64)
    assert (x.nbytes, x.itemsize) == (96, 8)
    assert torch.numel(x) == 12
    assert torch.is_tensor(x) and not torch.is_tensor([1.0])


def test_new_constructors_take_self_dtype() -> None:
    x = torch.tensor([1.0, 2.0], dtype=torch.float64)
    assert x.new_zeros(2, 3).shape == (2, 3) and x.new_zeros(2, 3).dtype == torch.float64
    assert x.new_ones((2,)).tolist() == [1.0, 1.0]
    assert torch.tensor([1, 2]).new_full((2,), 1.5).tolist() == [1, 1]
    assert torch.tensor([1, 2]).new_tensor([1.5]).dtype == torch.int64
    y = torch.ones(2, requires_grad=True).new_tensor([3.0])
    assert y.is_leaf and not y.requires_grad


def test_uniform_and_normal_fill_in_place_under_no_grad() -> None:
    w = torch.zeros(200, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w.uniform_(-1, 1)
    with torch.no_grad():
        assert w.uniform_(-1, 1) is w
    assert w._version == 1
    assert -1 <= w.min().item() and w.max().item() <= 1 and w.std().item() > 0.3
    with torch.no_grad():
        w.normal_(5.0, 0.01)
    assert abs(w.mean().item() - 5.0) < 0.01


# -- predicates ---------------------------------------------------------------------------------------
def test_nan_inf_finite_predicates() -> None:
    x = torch.tensor([1.0, float("nan"), float("inf"), -float("inf")])
    assert torch.isnan(x).tolist() == [False, True, False, False]
    assert torch.isinf(x).tolist() == [False, False, True, True]
    assert x.isfinite().tolist() == [True, False, False, False]
    assert torch.isnan(torch.tensor([1, 2])).dtype == torch.bool


def test_any_all_with_and_without_dim() -> None:
    m = torch.tensor([[True, False], [False, False]])
    assert torch.any(m).item() is True and torch.all(m).item() is False
    assert m.any(dim=1).tolist() == [True, False]
    assert torch.all(torch.tensor([[1, 2], [0, 3]]), dim=0, keepdim=True).tolist() == [
        [False, True]
    ]


def test_allclose_isclose_equal() -> None:
    a = torch.tensor([1.0, 2.0])
    assert torch.allclose(a, a + 1e-9) and not torch.allclose(a, a + 1e-3)
    assert torch.isclose(a, torch.tensor([1.0, 2.1])).tolist() == [True, False]
    assert torch.equal(a, torch.tensor([1.0, 2.0])) is True
    assert torch.equal(a, torch.tensor([1.0, 2.0, 3.0])) is False
    with pytest.raises(RuntimeError, match="^Float did not match Double$"):
        torch.isclose(a, a.double())


# -- values vs NumPy and node names ---------------------------------------------------------------------
def test_unary_values_and_nodes() -> None:
    x = _x(3, 4, positive=True)
    a = x._data
    cases = [
        (torch.square(x), a**2, "PowBackward0"),
        (torch.rsqrt(x), 1 / np.sqrt(a), "RsqrtBackward0"),
        (torch.exp2(x), 2.0**a, "Exp2Backward0"),
        (torch.log2(x), np.log2(a), "Log2Backward0"),
        (torch.round(x), np.round(a), "RoundBackward0"),
        (x.round(decimals=1), np.round(a, 1), "RoundBackward1"),
        (torch.floor(x), np.floor(a), "FloorBackward0"),
        (torch.ceil(x), np.ceil(a), "CeilBackward0"),
        (torch.clamp_min(x, 1.0), np.maximum(a, 1.0), "ClampMinBackward0"),
        (x.clamp_max(1.0), np.minimum(a, 1.0), "ClampMaxBackward0"),
        (torch.logsumexp(x, 1), np.log(np.exp(a).sum(1)), "LogsumexpBackward0"),
        (torch.cumsum(x, 0), np.cumsum(a, 0), "CumsumBackward0"),
        (torch.tril(x), np.tril(a), "TrilBackward0"),
        (x.triu(1), np.triu(a, 1), "TriuBackward0"),
        (x.repeat(2, 1, 3), np.tile(a, (2, 1, 3)), "RepeatBackward0"),
        (torch.tile(x, (2,)), np.tile(a, (1, 2)), "RepeatBackward0"),
        (torch.diag(x), np.diag(a), "DiagonalBackward0_copy"),
        (torch.diag(x[0], -1), np.diag(a[0], -1), "DiagEmbedBackward0"),
        (x.masked_fill(x > 1, 0.0), np.where(a > 1, 0.0, a), "MaskedFillBackward0"),
        (torch.outer(x[0], x[1]), np.outer(a[0], a[1]), "MulBackward0"),
    ]
    for got, want, name in cases:
        np.testing.assert_allclose(got._data, want, rtol=1e-12, err_msg=name)
        assert _name(got) == name


def test_integer_inputs_follow_pytorch_dtypes() -> None:
    ints = torch.tensor([1, 4])
    assert torch.rsqrt(ints).tolist() == [1.0, 0.5]
    assert torch.log2(ints).dtype == torch.float32
    assert torch.square(ints).tolist() == [1, 16]
    assert torch.cumsum(torch.tensor([True, True]), 0).tolist() == [1, 2]
    assert torch.clamp_min(ints, 1.5).tolist() == [1.5, 4.0]
    assert torch.round(torch.tensor([0.5, 1.5, 2.5, -0.5])).tolist() == [0.0, 2.0, 2.0, -0.0]


def test_nan_to_num_defaults_to_dtype_limits() -> None:
    x = torch.tensor([1.0, float("nan"), float("inf"), -float("inf")])
    big = float(np.finfo(np.float32).max)
    assert torch.nan_to_num(x).tolist() == [1.0, 0.0, big, -big]
    assert x.nan_to_num(nan=1.0, posinf=2.0, neginf=-2.0).tolist() == [1.0, 1.0, 2.0, -2.0]


def test_sort_topk_argsort_values_and_indices() -> None:
    v = torch.tensor([3.0, 1.0, 2.0])
    s = torch.sort(v)
    assert s.values.tolist() == [1.0, 2.0, 3.0] and s.indices.tolist() == [1, 2, 0]
    assert torch.sort(v, descending=True).indices.tolist() == [0, 2, 1]
    values, indices = torch.topk(v, 2)
    assert values.tolist() == [3.0, 2.0] and indices.tolist() == [0, 2]
    assert torch.topk(v, 2, largest=False).values.tolist() == [1.0, 2.0]
    assert torch.argsort(v, descending=True).tolist() == [0, 2, 1]
    assert repr(torch.topk(v, 1)).startswith("torch.return_types.topk(\nvalues=tensor([3.])")
    x = _x(3, 4)
    assert _name(x.sort(1)[0]) == "SortBackward0" and _name(x.topk(2)[0]) == "TopkBackward0"
    assert x.sort(0).indices.requires_grad is False


def test_gather_and_index_select_values_and_nodes() -> None:
    x = _x(3, 4)
    idx = torch.tensor([[0, 3], [1, 1], [2, 0]])
    g = torch.gather(x, 1, idx)
    np.testing.assert_array_equal(g._data, np.take_along_axis(x._data, idx._data, 1))
    assert _name(g) == "GatherBackward0"
    s = x.index_select(0, torch.tensor([2, 0]))
    np.testing.assert_array_equal(s._data, x._data[[2, 0]])
    assert _name(s) == "IndexSelectBackward0"


def test_shape_helpers_record_the_usual_nodes() -> None:
    x = _x(2, 3, 4)
    assert (
        torch.swapaxes(x, 0, 2).shape == (4, 3, 2)
        and _name(x.swapaxes(0, 2)) == "TransposeBackward0"
    )
    moved = torch.movedim(x, 0, 2)
    assert moved.shape == (3, 4, 2) and _name(moved) == "PermuteBackward0"
    assert x.movedim((0, 1), (1, 0)).shape == (3, 2, 4)
    u = x.unflatten(2, (2, -1))
    assert u.shape == (2, 3, 2, 2) and _name(u) == "ViewBackward0"
    b = torch.broadcast_to(x[0, 0], (5, 4))
    assert b.shape == (5, 4) and _name(b) == "ExpandBackward0"


# -- errors -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fn", "exc", "text"),
    [
        (lambda x: torch.topk(x, 5), RuntimeError, "selected index k out of range"),
        (
            lambda x: torch.gather(x, 1, torch.tensor([[5]])),
            RuntimeError,
            "index 5 is out of bounds for dimension 1 with size 4",
        ),
        (
            lambda x: torch.gather(x, 1, torch.tensor([0])),
            RuntimeError,
            "Index tensor must have the same number of dimensions as input tensor",
        ),
        (
            lambda x: torch.gather(x, 1, torch.zeros(5, 1, dtype=torch.int64)),
            RuntimeError,
            "Size does not match at dimension 0 expected index [5, 1] to be no larger than self "
            "[3, 4] apart from dimension 1",
        ),
        (
            lambda x: torch.index_select(x, 0, torch.tensor([3])),
            IndexError,
            "index out of range in self",
        ),
        (
            lambda x: torch.index_select(x, 0, torch.tensor([[0]])),
            IndexError,
            "index_select(): Index is supposed to be a vector",
        ),
        (
            lambda x: x.masked_fill(torch.ones(3, 4), 0.0),
            RuntimeError,
            "masked_fill_ only supports boolean masks, but got mask with dtype float",
        ),
        (
            lambda x: x.repeat(2),
            RuntimeError,
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor",
        ),
        (
            lambda x: torch.tril(x[0]),
            RuntimeError,
            "tril: input tensor must have at least 2 dimensions",
        ),
        (lambda x: torch.diag(x[None]), RuntimeError, "diag(): Supports 1D or 2D tensors. Got 3D"),
        (
            lambda x: torch.outer(x, x[0]),
            RuntimeError,
            "outer: Expected 1-D argument self, but got 2-D",
        ),
    ],
)
def test_errors_match_pytorch(fn, exc, text) -> None:  # noqa: ANN001
    with pytest.raises(exc) as info:
        fn(torch.ones(3, 4))
    assert str(info.value) == text


# -- gradients (float64 central differences) ----------------------------------------------------------
_IDX = torch.tensor([[0, 3, 3], [1, 1, 2], [2, 0, 0]])


@pytest.mark.parametrize(
    "fn",
    [
        torch.square,
        torch.rsqrt,
        torch.exp2,
        torch.log2,
        lambda x: torch.clamp_min(x, 1.0),
        lambda x: torch.clamp_max(x, 1.0),
        lambda x: torch.clamp_min(x, torch.tensor([1.0, 0.9, 1.2, 1.1], dtype=torch.float64)),
        lambda x: torch.nan_to_num(x),
        lambda x: x.masked_fill(x > 1.0, 0.0),
        lambda x: torch.logsumexp(x, 1),
        lambda x: torch.logsumexp(x, (0, 1), keepdim=True),
        lambda x: torch.sort(x, 1).values,
        lambda x: torch.sort(x, 0, descending=True)[0],
        lambda x: torch.topk(x, 2).values,
        lambda x: torch.topk(x, 2, dim=0, largest=False)[0],
        lambda x: torch.cumsum(x, 1),
        lambda x: x.cumsum(0),
        lambda x: torch.gather(x, 1, _IDX),
        lambda x: torch.index_select(x, 1, torch.tensor([3, 0, 3])),
        lambda x: x.repeat(2, 1, 3),
        lambda x: x.tile((2,)),
        lambda x: torch.tril(x, -1),
        lambda x: torch.triu(x),
        lambda x: torch.diag(x, 1),
        lambda x: torch.diag(x[1]),
        lambda x: torch.outer(x[0], x[2]),
        lambda x: x.movedim(0, 1),
        lambda x: x.unflatten(1, (2, 2)),
        lambda x: torch.broadcast_to(x[0], (2, 4)),
    ],
)
def test_gradients_match_finite_differences(fn) -> None:  # noqa: ANN001
    check_grad(fn, _x(3, 4, positive=True))


def test_tensor_clamp_bound_gets_the_clipped_gradient() -> None:
    bound = _x(4, seed=1, positive=True)
    check_grad(lambda x, b: torch.clamp_max(x, b), _x(3, 4, positive=True), bound)


def test_rounding_has_zero_gradient() -> None:
    x = _x(3)
    (torch.round(x) + torch.floor(x) + torch.ceil(x)).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: torch.gather(x, 1, _IDX),
        lambda x: torch.sort(x, 1).values,
        lambda x: torch.index_select(x, 0, torch.tensor([2, 2])),
        lambda x: torch.diag(x),
        lambda x: torch.logsumexp(x, 0),
        lambda x: torch.cumsum(x, 1),
    ],
)
def test_second_derivatives_match_finite_differences(fn) -> None:  # noqa: ANN001
    v = torch.tensor(np.random.default_rng(3).standard_normal(fn(_x(3, 4)).shape))

    def first(x: torch.Tensor) -> torch.Tensor:
        (g,) = torch.autograd.grad((fn(x) ** 2 * v).sum(), x, create_graph=True)
        return g

    check_grad(first, _x(3, 4))


# -- a typical user script ----------------------------------------------------------------------------
def test_typical_user_script_runs_unchanged() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    assert device == "cpu"
    torch.manual_seed(0)
    x = torch.randn(64, 2)
    y = (x[:, 0] * x[:, 1] > 0).long()
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2)).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    x, y = x.to(device), y.to(torch.device(device))
    losses = []
    for _ in range(60):
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        pred = model(x).argmax(dim=1)
        acc = (pred == y).float().mean().item()
    assert losses[-1] < losses[0]
    assert acc > 0.75
    assert pred.device == torch.device("cpu")


def test_return_types_are_the_named_tuples_ops_return() -> None:
    x = torch.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
    assert isinstance(torch.max(x, 1), torch.return_types.max)
    assert isinstance(x.min(0), torch.return_types.min)
    assert isinstance(x.sort(), torch.return_types.sort)
    assert isinstance(x.topk(2), torch.return_types.topk)
    assert isinstance(torch.histogram(x, 2), torch.return_types.histogram)
    values, indices = x.max(1)
    assert (values.tolist(), indices.tolist()) == ([3.0, 5.0], [0, 1])
    assert repr(x.max(1)) == (
        "torch.return_types.max(\nvalues=tensor([3., 5.]),\nindices=tensor([0, 1]))"
    )
