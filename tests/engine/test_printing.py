"""visgrad's tensor reprs match PyTorch's character for character.

Every expected string below was printed by real PyTorch 2.13 (CPU) for the same values and print
options and pasted here verbatim, so these tests need no torch at run time.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest

from visgrad._printing import (
    format_parameter,
    format_tensor,
    get_printoptions,
    printoptions,
    set_printoptions,
)

nan, inf = np.nan, np.inf


@pytest.fixture(autouse=True)
def _default_printoptions() -> Iterator[None]:
    """Print options are global, so every test starts and ends with PyTorch's defaults."""
    set_printoptions(profile="default")
    yield
    set_printoptions(profile="default")


CASES = [
    pytest.param(
        np.eye(4, 5, dtype=np.float32) * 2 + 2,
        {"dtype_name": "float32"},
        {},
        (
            "tensor([[4., 2., 2., 2., 2.],\n"
            "        [2., 4., 2., 2., 2.],\n"
            "        [2., 2., 4., 2., 2.],\n"
            "        [2., 2., 2., 4., 2.]])"
        ),
        id="jacobian",
    ),
    pytest.param(
        ((np.eye(4, 5, dtype=np.float32) + 1) ** 2).T,
        {"dtype_name": "float32", "suffixes": ["grad_fn=<TBackward0>"]},
        {},
        (
            "tensor([[4., 1., 1., 1.],\n"
            "        [1., 4., 1., 1.],\n"
            "        [1., 1., 4., 1.],\n"
            "        [1., 1., 1., 4.],\n"
            "        [1., 1., 1., 1.]], grad_fn=<TBackward0>)"
        ),
        id="transpose_grad_fn",
    ),
    pytest.param(
        np.array(0.8618431091308594, dtype=np.float32),
        {"dtype_name": "float32", "suffixes": ["grad_fn=<BinaryCrossEntropyWithLogitsBackward0>"]},
        {},
        "tensor(0.8618, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)",
        id="bce_scalar",
    ),
    pytest.param(
        np.array([1, 2, 3]),
        {"dtype_name": "int64"},
        {},
        "tensor([1, 2, 3])",
        id="int_vector",
    ),
    pytest.param(
        np.array([[1, -20, 300], [4000, 5, -6]]),
        {"dtype_name": "int64"},
        {},
        ("tensor([[   1,  -20,  300],\n        [4000,    5,   -6]])"),
        id="int_matrix",
    ),
    pytest.param(
        np.array(7),
        {"dtype_name": "int64"},
        {},
        "tensor(7)",
        id="int64_scalar",
    ),
    pytest.param(
        np.array([1, 2], dtype=np.int32),
        {"dtype_name": "int32"},
        {},
        "tensor([1, 2], dtype=torch.int32)",
        id="int32",
    ),
    pytest.param(
        np.array([0, 255], dtype=np.uint8),
        {"dtype_name": "uint8"},
        {},
        "tensor([  0, 255], dtype=torch.uint8)",
        id="uint8",
    ),
    pytest.param(
        np.array([True, False]),
        {"dtype_name": "bool"},
        {},
        "tensor([ True, False])",
        id="bool_vector",
    ),
    pytest.param(
        np.array([[True, False], [False, True]]),
        {"dtype_name": "bool"},
        {},
        ("tensor([[ True, False],\n        [False,  True]])"),
        id="bool_matrix",
    ),
    pytest.param(
        np.array(False),
        {"dtype_name": "bool"},
        {},
        "tensor(False)",
        id="bool_scalar",
    ),
    pytest.param(
        np.zeros((0, 3), dtype=np.float32),
        {"dtype_name": "float32"},
        {},
        "tensor([], size=(0, 3))",
        id="empty_2d",
    ),
    pytest.param(
        np.zeros(0, dtype=np.float32),
        {"dtype_name": "float32"},
        {},
        "tensor([])",
        id="empty_1d",
    ),
    pytest.param(
        np.zeros(0, dtype=np.int64),
        {"dtype_name": "int64"},
        {},
        "tensor([], dtype=torch.int64)",
        id="empty_int64",
    ),
    pytest.param(
        np.zeros((2, 0), dtype=bool),
        {"dtype_name": "bool"},
        {},
        "tensor([], size=(2, 0), dtype=torch.bool)",
        id="empty_bool_2d",
    ),
    pytest.param(
        np.zeros((0, 3), dtype=np.float32),
        {"dtype_name": "float32", "suffixes": ["requires_grad=True"]},
        {},
        "tensor([], size=(0, 3), requires_grad=True)",
        id="empty_requires_grad",
    ),
    pytest.param(
        np.array(1e-5, dtype=np.float32),
        {"dtype_name": "float32"},
        {},
        "tensor(1.0000e-05)",
        id="sci_scalar",
    ),
    pytest.param(
        np.array([1.0, 1e10], dtype=np.float32),
        {"dtype_name": "float32"},
        {},
        "tensor([1.0000e+00, 1.0000e+10])",
        id="sci_wide_range",
    ),
    pytest.param(
        np.array([1e9, 3.0], dtype=np.float32),
        {"dtype_name": "float32"},
        {},
        "tensor([1.0000e+09, 3.0000e+00])",
        id="sci_large_integral",
    ),
    pytest.param(
        np.array([[1e-6, 2.5, -300.0], [4e3, 0.0, 1e-2]], dtype=np.float32),
        {"dtype_name": "float32"},
        {},
        (
            "tensor([[ 1.0000e-06,  2.5000e+00, -3.0000e+02],\n"
            "        [ 4.0000e+03,  0.0000e+00,  1.0000e-02]])"
        ),
        id="sci_mixed_matrix",
    ),
    pytest.param(
        np.array([0.5, 500.0], dtype=np.float32),
        {"dtype_name": "float32"},
        {},
        "tensor([  0.5000, 500.0000])",
        id="sci_not_at_ratio_1000",
    ),
    pytest.param(
        np.array([0.5, 500.5], dtype=np.float32),
        {"dtype_name": "float32"},
        {},
        "tensor([5.0000e-01, 5.0050e+02])",
        id="sci_just_past_ratio_1000",
    ),
    pytest.param(
        np.array([nan, inf, -inf], dtype=np.float32),
        {"dtype_name": "float32"},
        {},
        "tensor([nan, inf, -inf])",
        id="nan_inf",
    ),
    pytest.param(
        np.array([1.5, nan, -0.0, inf], dtype=np.float32),
        {"dtype_name": "float32"},
        {},
        "tensor([1.5000,    nan, -0.0000,    inf])",
        id="nan_inf_with_values",
    ),
    pytest.param(
        np.array([2.0, nan, -inf, 10.0], dtype=np.float32),
        {"dtype_name": "float32"},
        {},
        "tensor([ 2., nan, -inf, 10.])",
        id="nan_inf_with_integers",
    ),
    pytest.param(
        np.array(nan, dtype=np.float32),
        {"dtype_name": "float32"},
        {},
        "tensor(nan)",
        id="nan_scalar",
    ),
    pytest.param(
        np.array([-0.0, 0.0], dtype=np.float32),
        {"dtype_name": "float32"},
        {},
        "tensor([-0., 0.])",
        id="negative_zero",
    ),
    pytest.param(
        np.array(-0.0, dtype=np.float32),
        {"dtype_name": "float32"},
        {},
        "tensor(-0.)",
        id="negative_zero_scalar",
    ),
    pytest.param(
        np.array([-1.25, 3.5, -100.0], dtype=np.float32),
        {"dtype_name": "float32"},
        {},
        "tensor([  -1.2500,    3.5000, -100.0000])",
        id="negatives",
    ),
    pytest.param(
        np.array([9.99996, 1.5], dtype=np.float32),
        {"dtype_name": "float32"},
        {},
        "tensor([10.0000,  1.5000])",
        id="rounding_widens",
    ),
    pytest.param(
        np.array([1.0, 2.0]),
        {"dtype_name": "float64"},
        {},
        "tensor([1., 2.], dtype=torch.float64)",
        id="float64",
    ),
    pytest.param(
        np.array([1.25, -2.5]),
        {"dtype_name": "float64", "suffixes": ["requires_grad=True"]},
        {},
        "tensor([ 1.2500, -2.5000], dtype=torch.float64, requires_grad=True)",
        id="float64_requires_grad",
    ),
    pytest.param(
        np.array([1.0, 2.0]),
        {"dtype_name": "float64", "dtype_text": "visgrad.float64"},
        {},
        "tensor([1., 2.], dtype=visgrad.float64)",
        id="float64_custom_dtype_text",
    ),
    pytest.param(
        np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 10,
        {"dtype_name": "float32"},
        {},
        (
            "tensor([[[-10.,  -9.,  -8.,  -7.],\n"
            "         [ -6.,  -5.,  -4.,  -3.],\n"
            "         [ -2.,  -1.,   0.,   1.]],\n"
            "\n"
            "        [[  2.,   3.,   4.,   5.],\n"
            "         [  6.,   7.,   8.,   9.],\n"
            "         [ 10.,  11.,  12.,  13.]]])"
        ),
        id="three_d",
    ),
    pytest.param(
        np.arange(2000, dtype=np.float32) / 7,
        {"dtype_name": "float32"},
        {},
        (
            "tensor([0.0000e+00, 1.4286e-01, 2.8571e-01,  ..., 2.8529e+02, 2.8543e+02,\n"
            "        2.8557e+02])"
        ),
        id="summarised_2000",
    ),
    pytest.param(
        np.arange(2000),
        {"dtype_name": "int64"},
        {},
        "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])",
        id="summarised_2000_int",
    ),
    pytest.param(
        np.arange(3000, dtype=np.float32).reshape(3, 1000) * 0.5,
        {"dtype_name": "float32"},
        {},
        (
            "tensor([[0.0000e+00, 5.0000e-01, 1.0000e+00,  ..., 4.9850e+02, 4.9900e+02,\n"
            "         4.9950e+02],\n"
            "        [5.0000e+02, 5.0050e+02, 5.0100e+02,  ..., 9.9850e+02, 9.9900e+02,\n"
            "         9.9950e+02],\n"
            "        [1.0000e+03, 1.0005e+03, 1.0010e+03,  ..., 1.4985e+03, 1.4990e+03,\n"
            "         1.4995e+03]])"
        ),
        id="summarised_3x1000",
    ),
    pytest.param(
        np.arange(3000).reshape(1000, 3) % 7 == 0,
        {"dtype_name": "bool"},
        {},
        (
            "tensor([[ True, False, False],\n"
            "        [False, False, False],\n"
            "        [False,  True, False],\n"
            "        ...,\n"
            "        [False, False, False],\n"
            "        [False, False,  True],\n"
            "        [False, False, False]])"
        ),
        id="summarised_1000x3",
    ),
    pytest.param(
        np.arange(3 * 4 * 5, dtype=np.float32).reshape(3, 4, 5),
        {"dtype_name": "float32"},
        {"threshold": 20, "edgeitems": 1},
        (
            "tensor([[[ 0.,  ...,  4.],\n"
            "         ...,\n"
            "         [15.,  ..., 19.]],\n"
            "\n"
            "        ...,\n"
            "\n"
            "        [[40.,  ..., 44.],\n"
            "         ...,\n"
            "         [55.,  ..., 59.]]])"
        ),
        id="summarised_3d",
    ),
    pytest.param(
        np.linspace(-1, 1, 1500, dtype=np.float32),
        {"dtype_name": "float32", "suffixes": ["grad_fn=<MulBackward0>"]},
        {},
        (
            "tensor([-1.0000, -0.9987, -0.9973,  ...,  0.9973,  0.9987,  1.0000],\n"
            "       grad_fn=<MulBackward0>)"
        ),
        id="summarised_grad_fn",
    ),
    pytest.param(
        np.linspace(-3, 3, 30, dtype=np.float32),
        {"dtype_name": "float32"},
        {},
        (
            "tensor([-3.0000, -2.7931, -2.5862, -2.3793, -2.1724, -1.9655, -1.7586, -1.5517,\n"
            "        -1.3448, -1.1379, -0.9310, -0.7241, -0.5172, -0.3103, -0.1034,  0.1034,\n"
            "         0.3103,  0.5172,  0.7241,  0.9310,  1.1379,  1.3448,  1.5517,  1.7586,\n"
            "         1.9655,  2.1724,  2.3793,  2.5862,  2.7931,  3.0000])"
        ),
        id="long_row_30",
    ),
    pytest.param(
        np.linspace(-3, 3, 30, dtype=np.float32),
        {"dtype_name": "float32", "suffixes": ["requires_grad=True"]},
        {},
        (
            "tensor([-3.0000, -2.7931, -2.5862, -2.3793, -2.1724, -1.9655, -1.7586, -1.5517,\n"
            "        -1.3448, -1.1379, -0.9310, -0.7241, -0.5172, -0.3103, -0.1034,  0.1034,\n"
            "         0.3103,  0.5172,  0.7241,  0.9310,  1.1379,  1.3448,  1.5517,  1.7586,\n"
            "         1.9655,  2.1724,  2.3793,  2.5862,  2.7931,  3.0000],\n"
            "       requires_grad=True)"
        ),
        id="long_row_requires_grad",
    ),
    pytest.param(
        np.full(9, 2.469, dtype=np.float32),
        {"dtype_name": "float32", "suffixes": ["grad_fn=<MulBackward0>"]},
        {},
        (
            "tensor([2.4690, 2.4690, 2.4690, 2.4690, 2.4690, 2.4690, 2.4690, 2.4690, 2.4690],\n"
            "       grad_fn=<MulBackward0>)"
        ),
        id="suffix_wraps_to_new_line",
    ),
    pytest.param(
        np.full(8, 2.469, dtype=np.float32),
        {"dtype_name": "float32", "suffixes": ["grad_fn=<MulBackward0>"]},
        {},
        (
            "tensor([2.4690, 2.4690, 2.4690, 2.4690, 2.4690, 2.4690, 2.4690, 2.4690],\n"
            "       grad_fn=<MulBackward0>)"
        ),
        id="suffix_fits",
    ),
    pytest.param(
        np.array(
            [
                2.1269280110429727,
                1.4632824673380311,
                0.9130152523999525,
                0.5130152523999526,
                0.26328246733803123,
                0.1269280110429725,
            ],
            dtype=np.float64,
        ),
        {"dtype_name": "float64", "suffixes": ["grad_fn=<BinaryCrossEntropyWithLogitsBackward0>"]},
        {"linewidth": 60},
        (
            "tensor([2.1269, 1.4633, 0.9130, 0.5130, 0.2633, 0.1269],\n"
            "       dtype=torch.float64,\n"
            "       grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)"
        ),
        id="dtype_and_grad_fn_wrap",
    ),
    pytest.param(
        np.arange(24, dtype=np.float32).reshape(2, 12) * 1.5,
        {"dtype_name": "float32"},
        {"linewidth": 40},
        (
            "tensor([[ 0.0000,  1.5000,  3.0000,\n"
            "          4.5000,  6.0000,  7.5000,\n"
            "          9.0000, 10.5000, 12.0000,\n"
            "         13.5000, 15.0000, 16.5000],\n"
            "        [18.0000, 19.5000, 21.0000,\n"
            "         22.5000, 24.0000, 25.5000,\n"
            "         27.0000, 28.5000, 30.0000,\n"
            "         31.5000, 33.0000, 34.5000]])"
        ),
        id="row_wraps_in_matrix",
    ),
    pytest.param(
        np.array([3.14159, 2.71828], dtype=np.float32),
        {"dtype_name": "float32"},
        {"precision": 2},
        "tensor([3.14, 2.72])",
        id="precision_2",
    ),
    pytest.param(
        np.array([1e-6, 1.0], dtype=np.float32),
        {"dtype_name": "float32"},
        {"sci_mode": False},
        "tensor([0.0000, 1.0000])",
        id="sci_mode_off",
    ),
    pytest.param(
        np.array([1.0, 2.0], dtype=np.float32),
        {"dtype_name": "float32"},
        {"sci_mode": True},
        "tensor([1.0000e+00, 2.0000e+00])",
        id="sci_mode_on",
    ),
    pytest.param(
        np.array([0.0, 0.0], dtype=np.float32),
        {"dtype_name": "float32"},
        {"sci_mode": True},
        "tensor([0., 0.])",
        id="sci_mode_on_only_zeros",
    ),
    pytest.param(
        np.arange(10, dtype=np.float32),
        {"dtype_name": "float32"},
        {"threshold": 5, "edgeitems": 2},
        "tensor([0., 1.,  ..., 8., 9.])",
        id="threshold_5_edgeitems_2",
    ),
    pytest.param(
        np.arange(12, dtype=np.float32),
        {"dtype_name": "float32"},
        {"threshold": 5, "edgeitems": 2, "linewidth": 30},
        ("tensor([ 0.,  1.,  ..., 10.,\n        11.])"),
        id="linewidth_30",
    ),
    pytest.param(
        np.array([1.23456, 100.5], dtype=np.float32),
        {"dtype_name": "float32"},
        {"profile": "short"},
        "tensor([  1.23, 100.50])",
        id="profile_short",
    ),
    pytest.param(
        np.arange(4, dtype=np.float32),
        {"dtype_name": "float32"},
        {"edgeitems": 0},
        "tensor([0., 1., 2., 3.], size=(4,))",
        id="edgeitems_0_full",
    ),
    pytest.param(
        np.ones((2, 3)),
        {"dtype_name": "float64"},
        {"edgeitems": 0, "threshold": 3},
        "tensor([...], size=(2, 3), dtype=torch.float64)",
        id="edgeitems_0_summarised",
    ),
]


@pytest.mark.parametrize(("data", "kwargs", "options", "expected"), CASES)
def test_format_tensor_matches_torch(
    data: np.ndarray, kwargs: dict[str, object], options: dict[str, object], expected: str
) -> None:
    with printoptions(**options):
        assert format_tensor(data, **kwargs) == expected


def test_brief_examples() -> None:
    """The printouts quoted in visgrad's spec."""
    loss = np.array(0.6819, dtype=np.float32)
    suffix = ["grad_fn=<BinaryCrossEntropyWithLogitsBackward0>"]
    assert (
        format_tensor(loss, dtype_name="float32", suffixes=suffix)
        == "tensor(0.6819, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)"
    )
    grad = np.array([[4, 2, 2], [2, 4, 2]], dtype=np.float32)
    assert (
        format_tensor(grad, dtype_name="float32") == "tensor([[4., 2., 2.],\n        [2., 4., 2.]])"
    )
    ints = np.array([1, 2], dtype=np.int32)
    assert format_tensor(ints, dtype_name="int32") == "tensor([1, 2], dtype=torch.int32)"


def test_prefix_sets_continuation_indent() -> None:
    text = format_tensor(np.eye(2, dtype=np.float32), dtype_name="float32", prefix="Tensor(")
    assert text == "Tensor([[1., 0.],\n        [0., 1.]])"


def test_non_default_default_dtype() -> None:
    """Under ``torch.set_default_dtype(torch.float64)`` float32 is the one that gets named."""
    f64 = np.array([1.5, 2.0])
    f32 = f64.astype(np.float32)
    kw = {"default_dtype_name": "float64"}
    assert format_tensor(f64, dtype_name="float64", **kw) == "tensor([1.5000, 2.0000])"
    assert (
        format_tensor(f32, dtype_name="float32", **kw)
        == "tensor([1.5000, 2.0000], dtype=torch.float32)"
    )
    empty = np.zeros(0, dtype=np.float32)
    assert format_tensor(empty, dtype_name="float32", **kw) == "tensor([], dtype=torch.float32)"


def test_float16_prints_through_float32() -> None:
    data = np.array([1.5, 65504.0], dtype=np.float16)
    assert (
        format_tensor(data, dtype_name="float16")
        == "tensor([1.5000e+00, 6.5504e+04], dtype=torch.float16)"
    )


def test_unsupported_dtype_is_rejected() -> None:
    with pytest.raises(TypeError, match="cannot print"):
        format_tensor(np.array([1 + 2j]), dtype_name="complex128")


def test_parameter() -> None:
    weight = np.array([[0.5, -0.25], [1.0, 2.0]], dtype=np.float32)
    assert format_parameter(weight, dtype_name="float32") == (
        "Parameter containing:\n"
        "tensor([[ 0.5000, -0.2500],\n"
        "        [ 1.0000,  2.0000]], requires_grad=True)"
    )


def test_parameter_float64() -> None:
    assert (
        format_parameter(np.array([1.0, 2.0]), dtype_name="float64")
        == "Parameter containing:\ntensor([1., 2.], dtype=torch.float64, requires_grad=True)"
    )


def test_parameter_without_grad() -> None:
    data = np.array([1.0, 2.0], dtype=np.float32)
    assert (
        format_parameter(data, dtype_name="float32", requires_grad=False)
        == "Parameter containing:\ntensor([1., 2.])"
    )


def test_parameter_suffix_wraps() -> None:
    data = np.linspace(0, 1, 12, dtype=np.float32)
    assert format_parameter(data, dtype_name="float32") == (
        "Parameter containing:\n"
        "tensor([0.0000, 0.0909, 0.1818, 0.2727, 0.3636, 0.4545, 0.5455, 0.6364, 0.7273,\n"
        "        0.8182, 0.9091, 1.0000], requires_grad=True)"
    )


def test_defaults_are_torch_defaults() -> None:
    assert get_printoptions() == {
        "precision": 4,
        "threshold": 1000,
        "edgeitems": 3,
        "linewidth": 80,
        "sci_mode": None,
    }


def test_set_printoptions_resets_sci_mode_when_omitted() -> None:
    set_printoptions(precision=2, sci_mode=True)
    set_printoptions(linewidth=60)
    assert get_printoptions() == {
        "precision": 2,
        "threshold": 1000,
        "edgeitems": 3,
        "linewidth": 60,
        "sci_mode": None,
    }


def test_profiles_and_overrides() -> None:
    set_printoptions(profile="short")
    assert get_printoptions()["precision"] == 2
    assert get_printoptions()["edgeitems"] == 2
    set_printoptions(profile="full", precision=7)
    assert get_printoptions()["threshold"] == math.inf
    assert get_printoptions()["precision"] == 7
    set_printoptions(profile="no-such-profile")
    assert get_printoptions()["precision"] == 7


def test_full_profile_never_summarises() -> None:
    set_printoptions(profile="full")
    text = format_tensor(np.arange(1001, dtype=np.float32), dtype_name="float32")
    assert "..." not in text
    assert text.count("\n") == 100
    assert text.endswith(" 999.,\n        1000.])")


def test_printoptions_context_restores() -> None:
    with printoptions(precision=1, sci_mode=False):
        inner = format_tensor(np.array([1e-6, 1.0], dtype=np.float32), dtype_name="float32")
    assert inner == "tensor([0.0, 1.0])"
    assert get_printoptions()["precision"] == 4
    assert get_printoptions()["sci_mode"] is None
