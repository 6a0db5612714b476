"""PReLU, pixel shuffle, instance norm, bilinear and fold/unfold against float64 central
differences, over hypothesis-drawn shapes and arguments (values against PyTorch are in
``test_nn_ops_vs_torch``, topic ``nnmods``).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import visgrad as torch
import visgrad.nn.functional as F
from tests.engine.gradcheck_util import check_grad
from tests.engine.test_gradcheck_nn_ops import leaf, second_order

SETTINGS = settings(max_examples=10, deadline=None, derandomize=True)


@SETTINGS
@given(
    data=st.data(),
    lead=st.lists(st.integers(1, 3), min_size=0, max_size=3),
    per_channel=st.booleans(),
)
def test_prelu_gradient_matches_finite_differences(
    data: st.DataObject, lead: list[int], per_channel: bool
) -> None:
    x = leaf(data, tuple(lead))
    channels = lead[1] if len(lead) > 1 else 1
    w = leaf(data, (channels if per_channel else 1,))
    check_grad(F.prelu, x, w)
    check_grad(second_order(F.prelu, x, w), x, w)


@SETTINGS
@given(
    data=st.data(),
    lead=st.lists(st.integers(1, 2), min_size=0, max_size=2),
    r=st.integers(1, 3),
    c=st.integers(1, 2),
    h=st.integers(1, 2),
    w=st.integers(1, 3),
)
def test_pixel_shuffle_gradient_matches_finite_differences(
    data: st.DataObject, lead: list[int], r: int, c: int, h: int, w: int
) -> None:
    small = leaf(data, (*lead, c * r * r, h, w))
    big = leaf(data, (*lead, c, h * r, w * r))
    check_grad(lambda a: F.pixel_shuffle(a, r), small)
    check_grad(lambda a: F.pixel_unshuffle(a, r), big)
    # Each undoes the other, exactly.
    back = F.pixel_unshuffle(F.pixel_shuffle(small, r), r)
    np.testing.assert_array_equal(back._data, small._data)
    assert F.pixel_shuffle(small, r).shape == torch.Size((*lead, c, h * r, w * r))


@SETTINGS
@given(
    data=st.data(),
    n=st.integers(1, 3),
    c=st.integers(1, 3),
    spatial=st.lists(st.integers(1, 3), min_size=1, max_size=2).filter(
        lambda s: int(np.prod(s)) > 1
    ),
    affine=st.booleans(),
    use_input_stats=st.booleans(),
)
def test_instance_norm_gradient_matches_finite_differences(
    data: st.DataObject,
    n: int,
    c: int,
    spatial: list[int],
    affine: bool,
    use_input_stats: bool,
) -> None:
    x = leaf(data, (n, c, *spatial))
    w, b = leaf(data, (c,)), leaf(data, (c,))
    rm = torch.tensor(np.linspace(-0.5, 0.5, c))
    rv = torch.tensor(np.linspace(0.5, 1.5, c))

    def norm(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        # Fresh copies: training updates the running statistics in place.
        stats = (rm.clone(), rv.clone()) if not use_input_stats else (None, None)
        return F.instance_norm(
            x, *stats, w if affine else None, b if affine else None, use_input_stats
        )

    check_grad(norm, x, w, b)
    if use_input_stats:
        check_grad(second_order(norm, x, w, b), x, w, b)
        # Each (sample, channel) comes out with mean 0 and (biased) variance 1.
        y = F.instance_norm(x)._data.reshape(n, c, -1)
        np.testing.assert_allclose(y.mean(-1), 0, atol=1e-12)
        np.testing.assert_allclose(y.var(-1), 1 / (1 + 1e-5 / x._data.reshape(n, c, -1).var(-1)))


@SETTINGS
@given(
    data=st.data(),
    lead=st.lists(st.integers(1, 3), min_size=0, max_size=2),
    sizes=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)),
    with_bias=st.booleans(),
)
def test_bilinear_gradient_matches_finite_differences(
    data: st.DataObject, lead: list[int], sizes: tuple[int, int, int], with_bias: bool
) -> None:
    n1, n2, out = sizes
    x1, x2 = leaf(data, (*lead, n1)), leaf(data, (*lead, n2))
    w, b = leaf(data, (out, n1, n2)), leaf(data, (out,))
    if with_bias:
        check_grad(F.bilinear, x1, x2, w, b)
    else:
        check_grad(F.bilinear, x1, x2, w)
    check_grad(second_order(F.bilinear, x1, x2, w), x1, x2, w)
    want = np.einsum("...i,oij,...j->...o", x1._data, w._data, x2._data)
    np.testing.assert_allclose(F.bilinear(x1, x2, w)._data, want, rtol=1e-12, atol=1e-12)


@st.composite
def block_args(draw: st.DrawFn) -> dict[str, tuple[int, int]]:
    pair = lambda lo, hi: (draw(st.integers(lo, hi)), draw(st.integers(lo, hi)))  # noqa: E731
    return {"kernel_size": pair(1, 3), "dilation": pair(1, 2), "padding": pair(0, 1),
            "stride": pair(1, 2)}  # fmt: skip


@SETTINGS
@given(
    data=st.data(),
    args=block_args(),
    batched=st.booleans(),
    c=st.integers(1, 2),
    size=st.tuples(st.integers(3, 5), st.integers(3, 5)),
)
def test_unfold_and_fold_gradients_match_finite_differences(
    data: st.DataObject, args: dict, batched: bool, c: int, size: tuple[int, int]
) -> None:
    k, d, p = args["kernel_size"], args["dilation"], args["padding"]
    reach = [dd * (kk - 1) + 1 for dd, kk in zip(d, k, strict=True)]
    size = tuple(max(n, r - 2 * q) for n, r, q in zip(size, reach, p, strict=True))
    x = leaf(data, ((2,) if batched else ()) + (c, *size))
    check_grad(lambda a: F.unfold(a, **args), x)
    cols = F.unfold(x, **args)
    y = leaf(data, tuple(cols.shape))
    check_grad(lambda a: F.fold(a, size, **args), y)
    check_grad(second_order(lambda a: F.unfold(a, **args) ** 2, x), x)
    # fold is unfold's adjoint: <unfold(x), y> == <x, fold(y)>.
    lhs = float((cols._data * y._data).sum())
    rhs = float((x._data * F.fold(y, size, **args)._data).sum())
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12, atol=1e-12)
