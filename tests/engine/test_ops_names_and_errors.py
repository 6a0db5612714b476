"""grad_fn names and graph structure, ``_saved_*`` values, error texts and result dtypes, each
as PyTorch 2.13 shows them (reference/pytorch-autograd.md §2, §3, §3b)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import visgrad as torch
import visgrad.nn.functional as F


def tree(fn: Any) -> str:
    """The graph below ``fn`` as ``Name(child, ...)``; leaves are ``Acc``, no-grad inputs ``None``."""
    if fn is None:
        return "None"
    name = fn.name().replace("torch::autograd::AccumulateGrad", "Acc")
    kids = [tree(f) for f, _ in fn.next_functions]
    return f"{name}({', '.join(kids)})" if kids else name


def env() -> dict[str, Any]:
    rng = np.random.default_rng(0)

    def t(*shape: int, rg: bool = True) -> torch.Tensor:
        return torch.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=rg)

    return {
        "torch": torch,
        "F": F,
        "a": t(2, 3),
        "b": t(2, 3),
        "v": t(2),
        "v3": t(3),
        "m": t(3, 4),
        "c": t(4, 2, 3),
        "w": t(5, 3),
        "bias": t(5),
        "k": t(3, rg=False),
        "tgt": torch.tensor([0, 2]),
    }


GRAPHS = {
    "a + b": "AddBackward0(Acc, Acc)",
    "a + 1": "AddBackward0(Acc, None)",
    "1 + a": "AddBackward0(Acc, None)",
    "a - 1": "SubBackward0(Acc, None)",
    "1 - a": "RsubBackward1(Acc)",
    "2 * a": "MulBackward0(Acc, None)",
    "a / 2": "DivBackward0(Acc, None)",
    "2 / a": "MulBackward0(ReciprocalBackward0(Acc), None)",
    "torch.div(a, b, rounding_mode='floor')": "DivBackward2(Acc, Acc)",
    "a.div(3, rounding_mode='trunc')": "DivBackward2(Acc, None)",
    "torch.div(2, a, rounding_mode='floor')": "DivBackward2(None, Acc)",
    "(a * 1).div_(b, rounding_mode='trunc')": "DivBackward2(MulBackward0(Acc, None), Acc)",
    "-a": "NegBackward0(Acc)",
    "a ** 2": "PowBackward0(Acc)",
    "a ** b": "PowBackward1(Acc, Acc)",
    "2 ** a": "PowBackward2(Acc)",
    "a.exp().log()": "LogBackward0(ExpBackward0(Acc))",
    "a.log1p()": "Log1PBackward0(Acc)",
    "a.clamp(min=0)": "ClampBackward1(Acc)",
    "torch.maximum(a, b)": "MaximumBackward0(Acc, Acc)",
    "torch.where(a > 0, a, b)": "WhereBackward0(Acc, Acc)",
    "a.T": "PermuteBackward0(Acc)",
    "a.t()": "TBackward0(Acc)",
    "a.transpose(0, 1)": "TransposeBackward0(Acc)",
    "a.view(6)": "ViewBackward0(Acc)",
    "a.reshape(6)": "ViewBackward0(Acc)",
    "a.flatten()": "ViewBackward0(Acc)",
    "a.t().reshape(6)": "UnsafeViewBackward0(CloneBackward0(TBackward0(Acc)))",
    "a.t().reshape(3, 2)": "ReshapeAliasBackward0(TBackward0(Acc))",
    "v.expand(2, 2)": "ExpandBackward0(Acc)",
    "v.unsqueeze(0).squeeze(0)": "SqueezeBackward1(UnsqueezeBackward0(Acc))",
    "v.unsqueeze(0).squeeze()": "SqueezeBackward0(UnsqueezeBackward0(Acc))",
    "a.clone()": "CloneBackward0(Acc)",
    "a.t().contiguous()": "CloneBackward0(TBackward0(Acc))",
    "a.double()": "ToCopyBackward0(Acc)",
    "a.max()": "MaxBackward1(Acc)",
    "a.max(1).values": "MaxBackward0(Acc)",
    "a.min(0)[0]": "MinBackward0(Acc)",
    "a.min()": "MinBackward1(Acc)",
    "a.amax(1)": "AmaxBackward0(Acc)",
    "torch.amin(a, 0)": "AminBackward0(Acc)",
    "a.sum()": "SumBackward0(Acc)",
    "a.sum(1)": "SumBackward1(Acc)",
    "a.mean()": "MeanBackward0(Acc)",
    "a.mean(0)": "MeanBackward1(Acc)",
    "a.var()": "VarBackward0(Acc)",
    "a.std(0)": "StdBackward0(Acc)",
    "a.prod()": "ProdBackward0(Acc)",
    "a.prod(1)": "ProdBackward1(Acc)",
    "a.norm()": "LinalgVectorNormBackward0(Acc)",
    "a.norm(dim=1)": "LinalgVectorNormBackward0(Acc)",
    "a.softmax(1)": "SoftmaxBackward0(Acc)",
    "F.log_softmax(a, 1)": "LogSoftmaxBackward0(Acc)",
    "F.cross_entropy(a, tgt)": "NllLossBackward0(LogSoftmaxBackward0(Acc))",
    "F.cross_entropy(a, F.softmax(b, 1).detach())": "DivBackward1(NegBackward0(SumBackward0(MulBackward0(LogSoftmaxBackward0(Acc), None))))",
    "F.mse_loss(a, b)": "MseLossBackward0(Acc, Acc)",
    "F.binary_cross_entropy(a.sigmoid(), b.sigmoid().detach())": "BinaryCrossEntropyBackward0(SigmoidBackward0(Acc), None)",
    "F.leaky_relu(a)": "LeakyReluBackward0(Acc)",
    "F.gelu(a)": "GeluBackward0(Acc)",
    "F.dropout(a)": "MulBackward0(Acc, None)",
    "a[0]": "SelectBackward0(Acc)",
    "a[:, 1]": "SelectBackward0(Acc)",
    "a[0, 1]": "SelectBackward0(SelectBackward0(Acc))",
    "a[0:1]": "SliceBackward0(Acc)",
    "a[:]": "SliceBackward0(Acc)",
    "a[:, :]": "AliasBackward0(Acc)",
    "a[1:, ::2]": "SliceBackward0(SliceBackward0(Acc))",
    "a[None]": "UnsqueezeBackward0(Acc)",
    "a[:, None, 1]": "SelectBackward0(UnsqueezeBackward0(Acc))",
    "a[[0, 1]]": "IndexBackward0(Acc)",
    "a[torch.tensor([0, 1])]": "IndexBackward0(Acc)",
    "a[a > 0]": "IndexBackward0(Acc)",
    "a[0, [1, 2]]": "IndexBackward0(SelectBackward0(Acc))",
    "torch.cat([a, b])": "CatBackward0(Acc, Acc)",
    "torch.stack([a, b])": "StackBackward0(Acc, Acc)",
    "a.flip(0)": "FlipBackward0(Acc)",
    "a.split(1)[0]": "SplitBackward0(Acc)",
    "a.chunk(2)[1]": "SplitBackward0(Acc)",
    "a.unbind(0)[1]": "UnbindBackward0(Acc)",
    "a @ m": "MmBackward0(Acc, Acc)",
    "torch.mv(a, v3)": "MvBackward0(Acc, Acc)",
    "v @ a": "SqueezeBackward4(MmBackward0(UnsqueezeBackward0(Acc), Acc))",
    "k @ m": "SqueezeBackward4(MmBackward0(None, Acc))",
    "torch.dot(v3, v3)": "DotBackward0(Acc, Acc)",
    "torch.bmm(c, c.transpose(1, 2))": "BmmBackward0(Acc, TransposeBackward0(Acc))",
    "c @ c.transpose(1, 2)": "UnsafeViewBackward0(BmmBackward0(ViewBackward0(ExpandBackward0(Acc)), "
    "ReshapeAliasBackward0(ExpandBackward0(TransposeBackward0(Acc)))))",
    "c @ m": "UnsafeViewBackward0(MmBackward0(ViewBackward0(Acc), Acc))",
    "c @ v3": "UnsafeViewBackward0(MvBackward0(ViewBackward0(Acc), Acc))",
    "F.linear(a, w, bias)": "AddmmBackward0(Acc, Acc, TBackward0(Acc))",
    "F.linear(v3, w, bias)": "ViewBackward0(AddmmBackward0(Acc, ViewBackward0(Acc), TBackward0(Acc)))",
    "F.linear(a, w)": "MmBackward0(Acc, TBackward0(Acc))",
    "F.linear(c, w, bias)": "ViewBackward0(AddmmBackward0(Acc, ViewBackward0(Acc), TBackward0(Acc)))",
    "torch.addmm(bias, a, m.t().t()[:, :1].expand(3, 5))": "AddmmBackward0(Acc, Acc, ExpandBackward0(SliceBackward0(TBackward0(TBackward0(Acc)))))",
}


@pytest.mark.parametrize("expr", list(GRAPHS))
def test_graph_node_names_and_edges_match_pytorch(expr: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = eval(expr, env())
    assert tree(out.grad_fn) == GRAPHS[expr]


def test_views_share_the_version_counter_and_index_copies_do_not() -> None:
    e = env()
    a = e["a"] * 1
    for view in (a[0], a[:, 1:], a[None], a[:, :], a.split(1)[0], a.unbind(0)[1]):
        assert view._version is a._version
    assert a[[0, 1]]._version is not a._version
    assert torch.cat([a, a])._version is not a._version


def test_max_with_dim_returns_named_values_and_indices() -> None:
    r = torch.tensor([[1.0, 5.0, 5.0]]).max(1)
    assert r.values.tolist() == [5.0] and r.indices.tolist() == [1]
    assert r[0].tolist() == [5.0] and r.indices.dtype == torch.int64
    assert repr(torch.tensor([1.0, 5.0, 5.0]).max(0)) == (
        "torch.return_types.max(\nvalues=tensor(5.),\nindices=tensor(1))"
    )
    assert torch.tensor([[3, 1], [0, 7]]).argmax().item() == 3
    assert torch.tensor([[3, 1], [0, 7]]).argmin(1, keepdim=True).tolist() == [[1], [0]]
    assert not torch.argmax(env()["a"]).requires_grad


# -- saved values (§3b) -----------------------------------------------------------------------------
def saved(t: torch.Tensor) -> dict[str, Any]:
    fn = t.grad_fn
    return {name: getattr(fn, "_saved_" + name) for name in fn.saved_names()}


def plain(values: dict[str, Any]) -> dict[str, Any]:
    def shape_of(v: Any) -> Any:
        if isinstance(v, tuple) and v and isinstance(v[0], torch.Tensor):
            return tuple(shape_of(x) for x in v)
        return tuple(v.shape) if isinstance(v, torch.Tensor) else v

    return {k: shape_of(v) for k, v in values.items()}


SAVED = {
    "a[1:, ::2]": {"dim": 1, "start": 0, "end": 2**63 - 1, "step": 2, "self_sym_sizes": (1, 3)},
    "a[-1]": {"dim": 0, "index": 2**64 - 1, "self_sym_sizes": (2, 3)},
    "a[[0, 1]]": {"indices": ((2,),), "self_sym_sizes": (2, 3)},
    "torch.cat([a, b], 1)": {"dim": 1},
    "torch.stack([a, b], 1)": {"dim": 1},
    "a.flip(0)": {"dims": (0,)},
    "a.split(1)[1]": {"dim": 0, "self_sym_sizes": (2, 3), "split_size": 1},
    "a.max()": {"self": (2, 3), "result": ()},
    "a.max(1).values": {"dim": 1, "keepdim": False, "indices": (2,), "self_sym_sizes": (2, 3)},
    "a.amax(1)": {"dim": (1,), "keepdim": False, "self": (2, 3), "result": (2,)},
    "a.var(0)": {"correction": 1, "dim": (0,), "keepdim": False, "self": (2, 3)},
    "a.std(1)": {"correction": 1, "dim": (1,), "keepdim": False, "self": (2, 3), "result": (2,)},
    "a.prod(1)": {"dim": 1, "keepdim": False, "self": (2, 3), "result": (2,)},
    "a.norm(dim=1)": {"dim": (1,), "keepdim": False, "ord": 2, "self": (2, 3), "result": (2,)},
    "a.softmax(1)": {"dim": 1, "result": (2, 3)},
    "F.log_softmax(a, 0)": {"dim": 0, "result": (2, 3)},
    "F.mse_loss(a, b)": {"self": (2, 3), "target": (2, 3), "reduction": 1},
    "F.nll_loss(a, tgt, reduction='sum')": {
        "self": (2, 3),
        "target": (2,),
        "weight": None,
        "reduction": 2,
        "ignore_index": 18446744073709551516,
        "total_weight": (),
    },
    "F.binary_cross_entropy(a.sigmoid(), b.sigmoid().detach(), reduction='none')": {
        "self": (2, 3),
        "target": (2, 3),
        "weight": None,
        "reduction": 0,
    },
    "F.leaky_relu(a)": {"self": (2, 3), "negative_slope": 0.01},
    "F.gelu(a)": {"self": (2, 3), "approximate": "none"},
    "F.linear(a, w, bias)": {
        "mat1": (2, 3),
        "mat2": (3, 5),
        "alpha": 1,
        "beta": 1,
        "mat1_sym_sizes": (2, 3),
        "mat1_sym_strides": (3, 1),
        "mat2_sym_sizes": (3, 5),
        "mat2_sym_strides": (1, 3),
    },
    "torch.where(a > 0, a, b)": {"condition": (2, 3)},
    "1 - a": {"alpha": 1},
    "torch.div(a, b, rounding_mode='floor')": {
        "self": (2, 3),
        "other": (2, 3),
        "rounding_mode": "floor",
    },
}


@pytest.mark.parametrize("expr", list(SAVED))
def test_saved_values_match_pytorch(expr: str) -> None:
    assert plain(saved(eval(expr, env()))) == SAVED[expr]


def test_nll_loss_total_weight_counts_weights_of_targets_not_ignored() -> None:
    x = torch.zeros(3, 2, requires_grad=True)
    loss = F.nll_loss(x, torch.tensor([0, -100, 1]), torch.tensor([2.0, 3.0]))
    assert loss.grad_fn._saved_total_weight.item() == 5.0


# -- error texts (§2, and PyTorch's texts for the ops added here) -----------------------------------
ERRORS = [
    (
        "torch.ones(2, 3) @ torch.ones(4, 5)",
        RuntimeError,
        "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)",
    ),
    (
        "torch.mm(torch.ones(2, 3), torch.ones(4, 5))",
        RuntimeError,
        "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)",
    ),
    (
        "torch.ones(3) @ torch.ones(4, 5)",
        RuntimeError,
        "mat1 and mat2 shapes cannot be multiplied (1x3 and 4x5)",
    ),
    (
        "torch.ones(2, 3) @ torch.ones(4)",
        RuntimeError,
        "size mismatch, got input (2), mat (2x3), vec (4)",
    ),
    (
        "torch.ones(3) @ torch.ones(4)",
        RuntimeError,
        "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of "
        "elements, but got 3 and 4 elements respectively",
    ),
    (
        "torch.ones(7, 2, 3) @ torch.ones(7, 4, 5)",
        RuntimeError,
        "Expected size for first two dimensions of batch2 tensor to be: [7, 3] but got: [7, 4].",
    ),
    (
        "torch.ones(()) @ torch.ones(2, 3)",
        RuntimeError,
        "both arguments to matmul need to be at least 1D, but they are 0D and 2D",
    ),
    (
        "torch.ones(2, 3) + torch.ones(4)",
        RuntimeError,
        "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1",
    ),
    (
        "torch.ones(5, 2, 3) - torch.ones(4, 2, 3)",
        RuntimeError,
        "The size of tensor a (5) must match the size of tensor b (4) at non-singleton dimension 0",
    ),
    (
        "torch.ones(4, 6).t().view(24)",
        RuntimeError,
        "view size is not compatible with input tensor's size and stride (at least one dimension "
        "spans across two contiguous subspaces). Use .reshape(...) instead.",
    ),
    ("torch.ones(4, 6).view(5, 5)", RuntimeError, "shape '[5, 5]' is invalid for input of size 24"),
    (
        "torch.ones(4, 6).reshape(5, 5)",
        RuntimeError,
        "shape '[5, 5]' is invalid for input of size 24",
    ),
    (
        "torch.ones(3).expand(2, 4)",
        RuntimeError,
        "The expanded size of the tensor (4) must match the existing size (3) at non-singleton "
        "dimension 1.  Target sizes: [2, 4].  Tensor sizes: [3]",
    ),
    ("a[5]", IndexError, "index 5 is out of bounds for dimension 0 with size 2"),
    ("a[0, 9]", IndexError, "index 9 is out of bounds for dimension 1 with size 3"),
    ("a[[0, 5]]", IndexError, "index 5 is out of bounds for dimension 0 with size 2"),
    ("a[0, 0, 0]", IndexError, "too many indices for tensor of dimension 2"),
    (
        "a[torch.tensor([True, False, True])]",
        IndexError,
        "The shape of the mask [3] at index 0 does not match the shape of the indexed tensor "
        "[2, 3] at index 0",
    ),
    ("a[::-1]", ValueError, "step must be greater than zero"),
    (
        "a[1.5]",
        IndexError,
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
        "indices (got float)",
    ),
    (
        "torch.cat([a, torch.ones(2, 5)], 0)",
        RuntimeError,
        "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 5 for "
        "tensor number 1 in the list.",
    ),
    (
        "torch.cat([a, torch.ones(4)])",
        RuntimeError,
        "Tensors must have same number of dimensions: got 2 and 1",
    ),
    ("torch.cat([])", ValueError, "torch.cat(): expected a non-empty list of Tensors"),
    (
        "torch.cat([a, a], 2)",
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    (
        "torch.stack([a, torch.ones(3, 3)])",
        RuntimeError,
        "stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 3] at "
        "entry 1",
    ),
    (
        "a.split(0)",
        RuntimeError,
        "split_size can only be 0 if dimension size is 0, but got dimension size of 2",
    ),
    ("a.chunk(0)", RuntimeError, "chunk expects `chunks` to be greater than 0, got: 0"),
    (
        "torch.tensor([]).max()",
        RuntimeError,
        "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
        "reduction dim with the 'dim' argument.",
    ),
    (
        "a.max(5)",
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 5)",
    ),
    (
        "a.var(3)",
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 3)",
    ),
    (
        "F.softmax(a, 2)",
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    ("F.nll_loss(a, torch.tensor([0, 5]))", IndexError, "Target 5 is out of bounds."),
    (
        "F.nll_loss(a, torch.tensor([0, 1, 1]))",
        ValueError,
        "Expected input batch_size (2) to match target batch_size (3).",
    ),
    (
        "F.cross_entropy(a, torch.tensor([0]))",
        ValueError,
        "Expected input batch_size (2) to match target batch_size (1).",
    ),
    (
        "F.nll_loss(a, torch.tensor([0.0, 1.0]))",
        RuntimeError,
        "expected target dtype to be Long or Byte, but got Float",
    ),
    (
        "F.binary_cross_entropy(a.sigmoid(), torch.ones(3))",
        ValueError,
        "Using a target size (torch.Size([3])) that is different to the input size "
        "(torch.Size([2, 3])) is deprecated. Please ensure they have the same size.",
    ),
    (
        "F.binary_cross_entropy(a * 5, torch.ones(2, 3))",
        RuntimeError,
        "all elements of input should be between 0 and 1",
    ),
    ("F.mse_loss(a, b, reduction='avg')", ValueError, "avg is not a valid value for reduction"),
    (
        "F.linear(a, torch.ones(2, 5))",
        RuntimeError,
        "mat1 and mat2 shapes cannot be multiplied (2x3 and 5x2)",
    ),
    ("F.dropout(a, 1.5)", ValueError, "dropout probability has to be between 0 and 1, but got 1.5"),
]


@pytest.mark.parametrize(("expr", "kind", "text"), ERRORS, ids=[e[0] for e in ERRORS])
def test_error_text_matches_pytorch(expr: str, kind: type, text: str) -> None:
    e = env()
    e["a"] = torch.ones(2, 3) * 0.5
    with pytest.raises(kind) as info:
        eval(expr, e)
    assert str(info.value) == text


def test_mse_loss_with_a_broadcasting_target_warns_as_pytorch_does() -> None:
    with pytest.warns(UserWarning) as record:
        F.mse_loss(torch.ones(3, 4), torch.ones(4))
    assert str(record[0].message) == (
        "Using a target size (torch.Size([4])) that is different to the input size "
        "(torch.Size([3, 4])). This will likely lead to incorrect results due to broadcasting. "
        "Please ensure they have the same size."
    )


def test_softmax_without_dim_warns_and_picks_pytorch_implicit_dim() -> None:
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = F.softmax(torch.ones(2, 4))
    assert out.tolist() == [[0.25] * 4] * 2


# -- dtypes --------------------------------------------------------------------------------------------
def test_result_dtypes_follow_pytorch_promotion() -> None:
    f, i = torch.ones(2), torch.tensor([1, 2])
    assert f.dtype == torch.float32 and i.dtype == torch.int64
    assert (i * 1.5).dtype == torch.float32
    assert (i * f).dtype == torch.float32
    assert (i + 1).dtype == torch.int64
    assert (f > 0).dtype == torch.bool and not (torch.ones(2, requires_grad=True) > 0).requires_grad
    assert (i / 2).dtype == torch.float32
    assert i.sum().dtype == torch.int64 and i.prod().dtype == torch.int64
    assert i.max().dtype == torch.int64 and f.argmax().dtype == torch.int64
    assert torch.cat([i, i]).dtype == torch.int64
    assert torch.cat([i, f]).dtype == torch.float32
    assert (f.double() * f).dtype == torch.float64
    assert (f.double() * torch.tensor(2.0)).dtype == torch.float64
    # PyTorch's softmax kernels take floats only: an int tensor needs dtype=.
    assert F.softmax(i, 0, dtype=torch.float32).dtype == torch.float32
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        F.softmax(i, 0)
    assert i[[0, 1]].dtype == torch.int64 and i[i > 1].tolist() == [2]
