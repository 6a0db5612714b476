"""The layers' ops against float64 central differences, over hypothesis-drawn arguments.

Convolution over rank, stride, padding (numbers and 'same'), dilation, groups, bias and
transposition; pools over kernel, stride, padding, dilation, ceil mode and divisors; the norms;
embedding; attention over masks, causality, scale and grouped heads; padding modes; activations
and losses away from their kinks. Second derivatives (``create_graph``) are checked for the ops
whose backward is itself built from recorded ops.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import visgrad as torch
import visgrad.nn.functional as F
from tests.engine.gradcheck_util import check_grad

SETTINGS = settings(max_examples=10, deadline=None, derandomize=True)
FEW = settings(max_examples=4, deadline=None, derandomize=True)
AWAY = st.integers(-25, 25).map(lambda i: i / 10 + 0.0137)


def leaf(
    data: st.DataObject, shape: tuple[int, ...], elements: Any = AWAY, unique: bool = False
) -> torch.Tensor:
    arr = data.draw(hnp.arrays(np.float64, shape, elements=elements, unique=unique))
    return torch.tensor(np.array(arr, dtype=np.float64), requires_grad=True)


def second_order(fn: Any, *inputs: torch.Tensor) -> Any:
    """A function whose output is the first input's gradient of ``fn`` (with a fixed cotangent)."""

    def grad_of(*xs: torch.Tensor) -> torch.Tensor:
        out = fn(*xs)
        v = torch.tensor(np.cos(np.arange(out.numel(), dtype=np.float64)).reshape(out.shape))
        (g,) = torch.autograd.grad(out, [xs[0]], v, create_graph=True)
        return g

    return grad_of


# -- convolution ----------------------------------------------------------------------------------
@st.composite
def conv_args(draw: Any, transposed: bool) -> dict[str, Any]:
    k = draw(st.integers(1, 2))
    groups = draw(st.integers(1, 2))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(k))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(k))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(k))
    same = not transposed and all(s == 1 for s in stride) and draw(st.booleans())
    padding: Any = "same" if same else tuple(draw(st.integers(0, 2)) for _ in range(k))
    reach = [d * (kk - 1) + 1 for d, kk in zip(dilation, kernel, strict=True)]
    if transposed:
        spatial = tuple(draw(st.integers(1, 4)) for _ in range(k))
        padding = tuple(min(p, (r - 1) // 2) for p, r in zip(padding, reach, strict=True))
        out_pad = tuple(
            draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation, strict=True)
        )
    else:
        pads = (0,) * k if same else padding
        spatial = tuple(
            draw(st.integers(max(r - 2 * p, 1), max(r - 2 * p, 1) + 3))
            for r, p in zip(reach, pads, strict=True)
        )
        out_pad = (0,) * k
    wshape = (cin, cout // groups, *kernel) if transposed else (cout, cin // groups, *kernel)
    return {
        "k": k, "x": (draw(st.integers(1, 2)), cin, *spatial), "w": wshape, "bias": draw(st.booleans()),
        "stride": stride, "padding": padding, "dilation": dilation, "groups": groups,
        "output_padding": out_pad, "cout": cout,
    }  # fmt: skip


def _conv_fn(a: dict[str, Any], transposed: bool) -> Any:
    if transposed:
        f = F.conv_transpose1d if a["k"] == 1 else F.conv_transpose2d
        return lambda x, w, *b: f(x, w, b[0] if b else None, a["stride"], a["padding"],
                                  a["output_padding"], a["groups"], a["dilation"])  # fmt: skip
    f = F.conv1d if a["k"] == 1 else F.conv2d
    return lambda x, w, *b: f(x, w, b[0] if b else None, a["stride"], a["padding"], a["dilation"],
                              a["groups"])  # fmt: skip


@pytest.mark.parametrize("transposed", [False, True])
@SETTINGS
@given(data=st.data())
def test_convolution_gradient_matches_finite_differences(
    transposed: bool, data: st.DataObject
) -> None:
    a = data.draw(conv_args(transposed))
    inputs = [leaf(data, a["x"]), leaf(data, a["w"])]
    if a["bias"]:
        inputs.append(leaf(data, (a["cout"],)))
    check_grad(_conv_fn(a, transposed), *inputs)


@pytest.mark.parametrize("transposed", [False, True])
@FEW
@given(data=st.data())
def test_convolution_second_derivative_matches_finite_differences(
    transposed: bool, data: st.DataObject
) -> None:
    a = data.draw(conv_args(transposed))
    x, w = leaf(data, a["x"]), leaf(data, a["w"])
    fn = _conv_fn(a, transposed)
    check_grad(second_order(fn, x, w), x, w)
    check_grad(second_order(lambda w, x: fn(x, w), w, x), w, x)


# -- padding --------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@SETTINGS
@given(data=st.data())
def test_pad_gradient_matches_finite_differences(mode: str, data: st.DataObject) -> None:
    k = data.draw(st.integers(1, 2))
    shape = (2, *(data.draw(st.integers(2, 4)) for _ in range(k)))
    low = -1 if mode == "constant" else 0
    pad = [data.draw(st.integers(low, shape[-1 - i // 2] - 1)) for i in range(2 * k)]
    x = leaf(data, shape)
    check_grad(lambda x: F.pad(x, pad, mode=mode), x)
    if mode in ("reflect", "replicate"):
        check_grad(second_order(lambda x: F.pad(x, pad, mode=mode) ** 2, x), x)


# -- interpolation --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("mode", "k"),
    [("nearest", 1), ("nearest", 2), ("nearest-exact", 2), ("linear", 1), ("bilinear", 2),
     ("trilinear", 3), ("area", 2)],
)  # fmt: skip
@FEW
@given(data=st.data(), corners=st.booleans(), by_scale=st.booleans())
def test_interpolate_gradient_matches_finite_differences(
    mode: str, k: int, data: st.DataObject, corners: bool, by_scale: bool
) -> None:
    x = leaf(data, (1, 2, *(data.draw(st.integers(1, 3)) for _ in range(k))))
    kw: dict[str, Any] = {"mode": mode}
    if mode in ("linear", "bilinear", "trilinear"):
        kw["align_corners"] = corners
    if by_scale and mode != "area":
        kw["scale_factor"] = data.draw(st.sampled_from([0.6, 1.5, 2.0]))
        if min(x.shape[2:]) * kw["scale_factor"] < 1:
            kw["scale_factor"] = 1.5
    else:
        kw["size"] = tuple(data.draw(st.integers(1, 4)) for _ in range(k))
    check_grad(lambda x: F.interpolate(x, **kw), x)
    if mode != "area":
        check_grad(second_order(lambda x: F.interpolate(x, **kw) ** 2, x), x)


# -- pooling --------------------------------------------------------------------------------------
@st.composite
def pool_args(draw: Any, k: int, dilated: bool) -> dict[str, Any]:
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(k))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(k))
    dilation = tuple(draw(st.integers(1, 2)) if dilated else 1 for _ in range(k))
    # PyTorch allows padding up to half the kernel size (not of the dilated window)
    padding = tuple(draw(st.integers(0, kk // 2)) for kk in kernel)
    spatial = tuple(
        draw(st.integers((kk - 1) * d + 1, (kk - 1) * d + 4))
        for kk, d in zip(kernel, dilation, strict=True)
    )
    return {"kernel": kernel, "stride": stride, "padding": padding, "dilation": dilation,
            "ceil": draw(st.booleans()), "spatial": spatial}  # fmt: skip


@pytest.mark.parametrize("k", [1, 2])
@SETTINGS
@given(data=st.data())
def test_max_pool_gradient_matches_finite_differences(k: int, data: st.DataObject) -> None:
    a = data.draw(pool_args(k, dilated=True))
    # Distinct values: a tie between two window elements is a kink.
    x = leaf(
        data, (2, 2, *a["spatial"]), st.integers(-500, 500).map(lambda i: i / 100), unique=True
    )
    f = F.max_pool1d if k == 1 else F.max_pool2d
    check_grad(lambda x: f(x, a["kernel"], a["stride"], a["padding"], a["dilation"], a["ceil"]), x)


@pytest.mark.parametrize("k", [1, 2])
@SETTINGS
@given(data=st.data(), include=st.booleans(), divisor=st.sampled_from([None, 3]))
def test_avg_pool_gradient_matches_finite_differences(
    k: int, data: st.DataObject, include: bool, divisor: int | None
) -> None:
    a = data.draw(pool_args(k, dilated=False))
    x = leaf(data, (2, 2, *a["spatial"]))

    def fn(x: torch.Tensor) -> torch.Tensor:
        if k == 1:
            return F.avg_pool1d(x, a["kernel"], a["stride"], a["padding"], a["ceil"], include)
        return F.avg_pool2d(x, a["kernel"], a["stride"], a["padding"], a["ceil"], include, divisor)

    check_grad(fn, x)
    check_grad(second_order(lambda x: fn(x) ** 2, x), x)


@SETTINGS
@given(
    data=st.data(),
    h=st.integers(1, 6),
    w=st.integers(1, 6),
    oh=st.integers(1, 4),
    ow=st.integers(1, 4),
)
def test_adaptive_pools_gradient_matches_finite_differences(
    data: st.DataObject, h: int, w: int, oh: int, ow: int
) -> None:
    x = leaf(data, (2, 2, h, w), st.integers(-500, 500).map(lambda i: i / 100), unique=True)
    check_grad(lambda x: F.adaptive_avg_pool2d(x, (oh, ow)), x)
    check_grad(second_order(lambda x: F.adaptive_avg_pool2d(x, (oh, ow)) ** 2, x), x)
    check_grad(lambda x: F.adaptive_max_pool2d(x, (oh, ow)), x)
    check_grad(lambda x: F.adaptive_avg_pool1d(x[:, :, 0], ow), x)


# -- normalisation --------------------------------------------------------------------------------
@SETTINGS
@given(data=st.data(), training=st.booleans(), rank=st.integers(2, 4))
def test_batch_norm_gradient_matches_finite_differences(
    data: st.DataObject, training: bool, rank: int
) -> None:
    shape = (data.draw(st.integers(2, 3)), 2) + tuple(
        data.draw(st.integers(1, 3)) for _ in range(rank - 2)
    )
    x, w, b = leaf(data, shape), leaf(data, (2,)), leaf(data, (2,))
    rm, rv = (
        torch.tensor([0.1, -0.2], dtype=torch.float64),
        torch.tensor([0.5, 2.0], dtype=torch.float64),
    )

    def fn(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return F.batch_norm(x, rm.clone(), rv.clone(), w, b, training=training)

    check_grad(fn, x, w, b)
    check_grad(second_order(fn, x, w, b), x, w, b)


@SETTINGS
@given(
    data=st.data(), lead=hnp.array_shapes(min_dims=1, max_dims=2, max_side=3), k=st.integers(1, 2)
)
def test_layer_norm_gradient_matches_finite_differences(
    data: st.DataObject, lead: tuple[int, ...], k: int
) -> None:
    norm = tuple(data.draw(st.integers(2, 3)) for _ in range(k))
    x, w, b = leaf(data, lead + norm), leaf(data, norm), leaf(data, norm)
    fn = lambda x, w, b: F.layer_norm(x, norm, w, b)  # noqa: E731
    check_grad(fn, x, w, b)
    check_grad(second_order(fn, x, w, b), x, w, b)


@SETTINGS
@given(data=st.data(), groups=st.integers(1, 2), per=st.integers(1, 2), hw=st.integers(1, 3))
def test_group_norm_gradient_matches_finite_differences(
    data: st.DataObject, groups: int, per: int, hw: int
) -> None:
    c = groups * per
    if per * hw == 1:
        hw = 2  # a group of one value has variance 0, a kink of 1/sqrt
    x, w, b = leaf(data, (2, c, hw)), leaf(data, (c,)), leaf(data, (c,))
    fn = lambda x, w, b: F.group_norm(x, groups, w, b)  # noqa: E731
    check_grad(fn, x, w, b)
    check_grad(second_order(fn, x, w, b), x, w, b)


# -- embedding ------------------------------------------------------------------------------------
@SETTINGS
@given(data=st.data(), padding=st.sampled_from([None, 0, -1]))
def test_embedding_gradient_matches_finite_differences(
    data: st.DataObject, padding: int | None
) -> None:
    idx = data.draw(hnp.arrays(np.int64, (2, 3), elements=st.integers(0, 3)))
    w = leaf(data, (4, 3))
    # The padding row gets no gradient by definition: its outputs are masked out of the check.
    keep = np.ones(idx.shape + (1,)) if padding is None else (idx != padding % 4)[..., None] * 1.0
    fn = lambda w: F.embedding(torch.tensor(idx), w, padding_idx=padding) * torch.tensor(keep)  # noqa: E731
    check_grad(fn, w)
    check_grad(second_order(lambda w: fn(w) ** 2, w), w)


@SETTINGS
@given(data=st.data())
def test_embedding_scale_grad_by_freq_divides_each_rows_gradient_by_its_count(
    data: st.DataObject,
) -> None:
    idx = data.draw(hnp.arrays(np.int64, (2, 3), elements=st.integers(0, 3)))
    w = leaf(data, (4, 3))
    v = np.arange(18, dtype=np.float64).reshape(2, 3, 3)
    (scaled,) = torch.autograd.grad(
        F.embedding(torch.tensor(idx), w, scale_grad_by_freq=True), [w], torch.tensor(v)
    )
    counts = np.bincount(idx.ravel(), minlength=4)[idx][..., None]
    (plain,) = torch.autograd.grad(F.embedding(torch.tensor(idx), w), [w], torch.tensor(v / counts))
    np.testing.assert_allclose(scaled._data, plain._data, rtol=1e-12)


# -- attention ------------------------------------------------------------------------------------
@st.composite
def attention_args(draw: Any) -> dict[str, Any]:
    four_d = draw(st.booleans())
    length, source, e = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    heads, kv_heads = (2, draw(st.sampled_from([1, 2]))) if four_d else (0, 0)
    lead_q = (2, heads) if four_d else (2,)
    lead_kv = (2, kv_heads) if four_d else (2,)
    kind = draw(st.sampled_from(["none", "bool", "float", "causal"]))
    mask = None
    if kind == "bool":
        mask = draw(hnp.arrays(np.bool_, (length, source)))
        mask[:, 0] = True
    elif kind == "float":
        mask = draw(hnp.arrays(np.float64, (length, source), elements=st.floats(-2, 2)))
    return {"q": lead_q + (length, e), "k": lead_kv + (source, e), "v": lead_kv + (source, e),
            "mask": mask, "causal": kind == "causal", "gqa": heads != kv_heads,
            "scale": draw(st.sampled_from([None, 0.7]))}  # fmt: skip


@SETTINGS
@given(data=st.data())
def test_attention_gradient_matches_finite_differences(data: st.DataObject) -> None:
    a = data.draw(attention_args())
    q, k, v = leaf(data, a["q"]), leaf(data, a["k"]), leaf(data, a["v"])
    mask = None if a["mask"] is None else torch.tensor(a["mask"])

    def fn(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        return F.scaled_dot_product_attention(
            q, k, v, attn_mask=mask, is_causal=a["causal"], scale=a["scale"], enable_gqa=a["gqa"]
        )

    check_grad(fn, q, k, v)
    check_grad(second_order(fn, q, k, v), q, k, v)


@SETTINGS
@given(data=st.data())
def test_baddbmm_gradient_matches_finite_differences(data: st.DataObject) -> None:
    b, n, k, m = (data.draw(st.integers(1, 3)) for _ in range(4))
    base = data.draw(st.sampled_from([(b, n, m), (n, m), (m,), (1, 1, m), ()]))
    beta, alpha = data.draw(st.sampled_from([(1, 1), (0.5, 2.0), (-1.5, 0.25)]))
    check_grad(
        lambda c, x, y: torch.baddbmm(c, x, y, beta=beta, alpha=alpha),
        leaf(data, base),
        leaf(data, (b, n, k)),
        leaf(data, (b, k, m)),
    )


@FEW
@given(data=st.data())
def test_linear_of_a_strided_input_gradient_matches_finite_differences(
    data: st.DataObject,
) -> None:
    # A transposed 3-D input takes PyTorch's matmul-then-add_ path, not addmm.
    check_grad(
        lambda x, w, b: F.linear(x.transpose(0, 1), w, b),
        leaf(data, (3, 2, 4)),
        leaf(data, (2, 4)),
        leaf(data, (2,)),
    )


@st.composite
def mha_args(draw: Any) -> dict[str, Any]:
    heads = draw(st.sampled_from([1, 2]))
    e = heads * draw(st.integers(1, 2))
    length, source, batch = (
        draw(st.integers(1, 3)),
        draw(st.integers(1, 3)),
        draw(st.integers(1, 2)),
    )
    same = draw(st.sampled_from(["self", "kv", "none"]))
    if same == "self":
        source = length
    mask = draw(st.sampled_from([None, "bool", "float"]))
    return {"heads": heads, "e": e, "L": length, "S": source, "N": batch, "same": same,
            "mask": mask, "padding": draw(st.booleans()), "weights": draw(st.booleans()),
            "average": draw(st.booleans()), "bias_kv": draw(st.booleans()),
            "zero_attn": draw(st.booleans())}  # fmt: skip


@SETTINGS
@given(data=st.data())
def test_multi_head_attention_gradient_matches_finite_differences(data: st.DataObject) -> None:
    a = data.draw(mha_args())
    e, n = a["e"], a["N"]
    rng = np.random.default_rng(0)
    mask = None
    if a["mask"] == "bool":
        m = rng.random((a["L"], a["S"])) > 0.5
        m[:, 0] = False  # every query attends to the first key
        mask = torch.tensor(m)
    elif a["mask"] == "float":
        mask = torch.tensor(rng.standard_normal((a["L"], a["S"])))
    padding = None
    if a["padding"]:
        p = np.zeros((n, a["S"]), dtype=bool)
        p[:, 1:] = rng.random((n, a["S"] - 1)) > 0.5
        padding = torch.tensor(p if a["mask"] != "float" else np.where(p, -np.inf, 0.0))
    q = leaf(data, (a["L"], n, e))
    k = q if a["same"] == "self" else leaf(data, (a["S"], n, e))
    v = k if a["same"] != "none" else leaf(data, (a["S"], n, e))
    w_in, b_in = leaf(data, (3 * e, e)), leaf(data, (3 * e,))
    w_out, b_out = leaf(data, (e, e)), leaf(data, (e,))
    bias_k = leaf(data, (1, 1, e)) if a["bias_kv"] else None
    bias_v = leaf(data, (1, 1, e)) if a["bias_kv"] else None
    extra = [t for t in (bias_k, bias_v) if t is not None]

    def fn(*xs: torch.Tensor) -> torch.Tensor:
        qq, w1, b1, w2, b2 = xs[:5]
        kk = qq if a["same"] == "self" else xs[5]
        vv = kk if a["same"] != "none" else xs[6]
        bk, bv = xs[-2:] if a["bias_kv"] else (None, None)
        out, weights = F.multi_head_attention_forward(
            qq, kk, vv, e, a["heads"], w1, b1, bk, bv, a["zero_attn"], 0.0, w2, b2,
            key_padding_mask=padding, attn_mask=mask, need_weights=a["weights"],
            average_attn_weights=a["average"],
        )  # fmt: skip
        return out if weights is None else torch.cat([out.reshape(-1), weights.reshape(-1)])

    kv = {"self": [], "kv": [k], "none": [k, v]}[a["same"]]
    check_grad(fn, q, w_in, b_in, w_out, b_out, *kv, *extra)


# -- activations and losses -----------------------------------------------------------------------
ACTIVATIONS: dict[str, Any] = {
    "silu": F.silu,
    "softplus": F.softplus,
    "softplus_beta": lambda x: F.softplus(x, beta=2.0, threshold=3.0),
    "elu": lambda x: F.elu(x, 0.7),
    "elu_inplace": lambda x: F.elu(x * 1, 0.7, inplace=True),
    "selu": F.selu,
    "celu": lambda x: F.celu(x, 0.6),
    "celu_inplace": lambda x: F.celu(x * 1, 0.6, inplace=True),
    "hardtanh": lambda x: F.hardtanh(x, -0.55, 1.05),
    "relu6": lambda x: F.relu6(x * 3),
    "mish": F.mish,
    "logsigmoid": F.logsigmoid,
    "hardswish": F.hardswish,
    "hardsigmoid": F.hardsigmoid,
    "threshold": lambda x: F.threshold(x, 0.35, -1.0),
    "glu": lambda x: F.glu(torch.cat([x, x * 0.5 + 0.3], -1)),
    "softsign": F.softsign,
    "tanhshrink": F.tanhshrink,
    "softmin": lambda x: F.softmin(x, -1),
}
SMOOTH = {
    "silu",
    "softplus",
    "softplus_beta",
    "mish",
    "logsigmoid",
    "glu",
    "softsign",
    "tanhshrink",
    "softmin",
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@SETTINGS
@given(data=st.data())
def test_activation_gradient_matches_finite_differences(name: str, data: st.DataObject) -> None:
    x = leaf(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=3)))
    check_grad(ACTIVATIONS[name], x)
    if name in SMOOTH:
        check_grad(second_order(ACTIVATIONS[name], x), x)


LOSSES: dict[str, Any] = {
    "l1": lambda x, t: F.l1_loss(x, t),
    "smooth_l1": lambda x, t: F.smooth_l1_loss(x, t, beta=0.55),
    "smooth_l1_sum": lambda x, t: F.smooth_l1_loss(x, t, reduction="sum"),
    "huber": lambda x, t: F.huber_loss(x, t, delta=0.65),
    "huber_none": lambda x, t: F.huber_loss(x, t, reduction="none"),
    "kl_div": lambda x, t: F.kl_div(x, t.abs(), reduction="batchmean"),
    "kl_div_log": lambda x, t: F.kl_div(x, t, reduction="sum", log_target=True),
    "cosine": lambda x, t: F.cosine_similarity(x, t, dim=-1),
    "pairwise": lambda x, t: F.pairwise_distance(x, t),
    "pairwise_p1": lambda x, t: F.pairwise_distance(x, t, p=1.0),
    "normalize": lambda x, t: F.normalize(x, dim=-1) * t,
    "ce_smoothing": lambda x, t: F.cross_entropy(
        x, torch.tensor([0, 1, 2])[: x.shape[0]], label_smoothing=0.2
    ),
    "ce_smoothing_probs": lambda x, t: F.cross_entropy(x, t.softmax(-1), label_smoothing=0.3),
    "xlogy": lambda x, t: torch.xlogy(x, t.abs()),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
@SETTINGS
@given(data=st.data(), n=st.integers(1, 3), c=st.integers(3, 4))
def test_loss_gradient_matches_finite_differences(
    name: str, data: st.DataObject, n: int, c: int
) -> None:
    x = leaf(data, (n, c))
    # Target on another grid: input - target never lands on the kinks at 0, ±beta or ±delta.
    t = leaf(data, (n, c), st.integers(-25, 25).map(lambda i: i / 10 + 0.0411))
    check_grad(LOSSES[name], x, t)


# -- einsum and writes by index -------------------------------------------------------------------
@st.composite
def einsum_args(draw: Any) -> tuple[str, list[tuple[int, ...]]]:
    """A random equation over up to three operands with shared, summed and diagonal labels."""
    letters = "ijkl"
    sizes = {c: draw(st.integers(1, 3)) for c in letters}
    terms = []
    for _ in range(draw(st.integers(1, 3))):
        term = draw(st.lists(st.sampled_from(letters), min_size=1, max_size=3))
        terms.append("".join(term))
    used = sorted(set("".join(terms)))
    out = draw(st.lists(st.sampled_from(used), unique=True, max_size=len(used)))
    eq = ",".join(terms) + "->" + "".join(out)
    return eq, [tuple(sizes[c] for c in t) for t in terms]


@SETTINGS
@given(data=st.data(), args=einsum_args())
def test_einsum_gradient_matches_finite_differences(data: st.DataObject, args: Any) -> None:
    eq, shapes = args
    inputs = [leaf(data, s) for s in shapes]
    check_grad(lambda *xs: torch.einsum(eq, *xs), *inputs)
    expected = np.einsum(eq, *[x._data for x in inputs])
    np.testing.assert_allclose(torch.einsum(eq, *inputs)._data, expected, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(data=st.data(), rows=st.integers(1, 3), cols=st.integers(1, 4), dim=st.integers(0, 1))
def test_scatter_family_gradient_matches_finite_differences(
    data: st.DataObject, rows: int, cols: int, dim: int
) -> None:
    shape = (rows, cols)
    # A permutation along ``dim``: with repeated indices scatter's last write wins (a kink).
    perm = np.stack([data.draw(st.permutations(range(shape[dim]))) for _ in range(shape[1 - dim])])
    index = torch.tensor(perm if dim == 1 else perm.T)
    picks = data.draw(
        hnp.arrays(np.int64, (data.draw(st.integers(1, 4)),), elements=st.integers(0, rows - 1))
    )
    a, b = leaf(data, shape), leaf(data, shape)
    src = leaf(data, (len(picks), cols))
    check_grad(lambda a, b: a.scatter(dim, index, b), a, b)
    check_grad(lambda a, b: a.scatter_add(dim, index, b), a, b)
    check_grad(lambda a, s: a.index_add(0, torch.tensor(picks), s, alpha=1.5), a, src)
    check_grad(lambda a: (a * 1).index_fill_(0, torch.tensor(picks), 0.5), a)
    mask = torch.tensor(a._data > 0)
    check_grad(lambda a, b: a.masked_scatter(mask, b), a, b)
    check_grad(lambda a: a.masked_select(mask), a)
