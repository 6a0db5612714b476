"""``scaled_dot_product_attention``: PyTorch's CPU flash node, or its math composite.

PyTorch picks a backend per call, and the graph shows which: 4-D query, key and value of one
batch and head count (or grouped heads with ``enable_gqa``), equal head dims, no dropout and a
mask that needs no gradient run the fused ``ScaledDotProductFlashAttentionForCpuBackward0``;
anything else runs the math composite (``q·√s @ (kᵀ·√s)``, ``+ mask``, ``_safe_softmax``,
dropout, ``@ v``). We choose the same way, so the user's graph has PyTorch's nodes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from visgrad.ops.base import Op, apply
from visgrad.ops.linalg import matmul
from visgrad.ops.nn_ops import SoftmaxBackward0, dropout
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["scaled_dot_product_attention"]

_C_NAMES = {
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
    "int64": "long int",
    "int32": "int",
    "bool": "bool",
}


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


class SafeSoftmaxBackward0(SoftmaxBackward0):
    """Softmax whose rows of all ``-inf`` give zeros instead of NaN (PyTorch's ``_safe_softmax``)."""

    op_name = "_safe_softmax"

    def forward(self, a: Tensor, dim: int) -> np.ndarray:
        x = a._data
        dead = np.isneginf(x).all(axis=dim, keepdims=True)
        with np.errstate(invalid="ignore"):
            out = super().forward(a, dim)
        return np.where(dead, 0, out).astype(out.dtype, copy=False) if dead.any() else out


def safe_softmax(a: Tensor, dim: int) -> Tensor:
    return apply(SafeSoftmaxBackward0, a, dim=dim)


class MulBackward1(Op):
    """Multiplication by a number inside a composite (PyTorch's ``mul.Scalar``: one edge)."""

    op_name = "mul"
    formulas = {"self": "grad * other"}

    def forward(self, a: Tensor, other: float) -> np.ndarray:
        self.save(other=other)
        x = a._data
        if x.dtype == np.float16:  # computed in float32 with a float32 factor, as ATen's opmath
            return (x.astype(np.float32) * np.float32(other)).astype(x.dtype)
        return (x * other).astype(x.dtype, copy=False)

    def backward(self, g: Tensor) -> Tensor:
        return apply(MulBackward1, g, other=self.saved("other"))


def _float_mask(mask: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """A boolean mask (True attends) as 0 / -inf in the query's dtype."""
    return np.where(mask, 0.0, -np.inf).astype(dtype)


def _causal(length: int, source: int, dtype: np.dtype) -> np.ndarray:
    return _float_mask(np.tril(np.ones((length, source), dtype=bool)), dtype)


def _repeat_heads(t: Tensor, heads: int) -> Tensor:
    """(B, Hk, S, E) → (B, heads, S, E): each key/value head serves ``heads / Hk`` query heads."""
    b, hk, s, e = t._data.shape
    if hk == heads:
        return t
    r = heads // hk
    return t.unsqueeze(2).expand(b, hk, r, s, e).reshape(b, heads, s, e)


class ScaledDotProductFlashAttentionForCpuBackward0(Op):
    op_name = "_scaled_dot_product_flash_attention_for_cpu"
    input_names = ("query", "key", "value")
    differentiable = (0,)
    formulas = {
        "query": "sdpa_backward(grad, query, key, value, mask, is_causal, scale)[0]",
        "key": "sdpa_backward(grad, query, key, value, mask, is_causal, scale)[1]",
        "value": "sdpa_backward(grad, query, key, value, mask, is_causal, scale)[2]",
    }

    def forward(
        self,
        q: Tensor,
        k: Tensor,
        v: Tensor,
        mask: Tensor | None,
        is_causal: bool,
        scale: float | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        qd, kd, vd = q._data, k._data, v._data
        user = None if mask is None else _bias(mask._data, False, 0, 0, qd.dtype)
        heads = qd.shape[1]
        if kd.shape[1] != heads:
            r = heads // kd.shape[1]
            kd, vd = np.repeat(kd, r, axis=1), np.repeat(vd, r, axis=1)
        s = scale if scale is not None else 1.0 / math.sqrt(qd.shape[-1])
        scores = (qd @ kd.swapaxes(-1, -2)) * qd.dtype.type(s)
        bias = _bias(user, is_causal, qd.shape[-2], kd.shape[-2], qd.dtype)
        if bias is not None:
            scores = scores + bias
        top = scores.max(axis=-1, keepdims=True)
        dead = np.isneginf(top)
        top = np.where(dead, 0, top)
        p = np.exp(scores - top)
        total = p.sum(axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = _laid_out_like(np.where(dead, 0, (p @ vd) / total).astype(qd.dtype), qd)
            lse = np.where(dead, np.inf, top + np.log(total))[..., 0].astype(qd.dtype, copy=False)
        self.save(
            query=q,
            key=k,
            value=v,
            attn_mask=_const(user) if user is not None else None,
            dropout_p=0.0,
            is_causal=is_causal,
            scale=scale,
            output=_const(out),
            logsumexp=_const(lse),
        )
        return out, lse

    def backward(self, g: Tensor, _: Any = None) -> tuple[Tensor, Tensor, Tensor]:
        q, k, v = self.saved("query"), self.saved("key"), self.saved("value")
        heads, hk = q._data.shape[1], k._data.shape[1]
        kr, vr = _repeat_heads(k, heads), _repeat_heads(v, heads)
        scale = self.saved("scale")
        s = scale if scale is not None else 1.0 / math.sqrt(q._data.shape[-1])
        mask = self.saved("attn_mask")
        bias = _bias(
            None if mask is None else mask._data,
            self.saved("is_causal"),
            q._data.shape[-2],
            k._data.shape[-2],
            q._data.dtype,
        )
        # The probabilities are recomputed from q and k (as flash attention does), with visgrad
        # ops: under create_graph the second derivative sees their dependence on q and k.
        scores = apply(MulBackward1, matmul(q, kr.transpose(-2, -1)), other=s)
        if bias is not None:
            scores = scores + _const(bias)
        p = safe_softmax(scores, -1)
        gv = matmul(p.transpose(-2, -1), g)
        gp = matmul(g, vr.transpose(-2, -1))
        gs = p * (gp - (gp * p).sum(-1, keepdim=True))
        gq = apply(MulBackward1, matmul(gs, kr), other=s)
        gk = apply(MulBackward1, matmul(gs.transpose(-2, -1), q), other=s)
        if hk != heads:
            b, _, length, e = k._data.shape
            gk = gk.reshape(b, hk, heads // hk, length, e).sum(2)
            gv = gv.reshape(b, hk, heads // hk, length, v._data.shape[-1]).sum(2)
        return gq, gk, gv


def _laid_out_like(out: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``out`` in the memory order of ``q`` (PyTorch's kernel writes into ``empty_like(query)``),
    so a later ``permute(...).reshape`` is a view exactly where it is one in PyTorch."""
    order = sorted(range(q.ndim), key=lambda d: -q.strides[d])
    if order == list(range(q.ndim)):
        return out
    buf = np.empty([out.shape[d] for d in order], dtype=out.dtype)
    laid = buf.transpose(np.argsort(order))
    laid[...] = out
    return laid


def _bias(
    mask: np.ndarray | None, is_causal: bool, length: int, source: int, dtype: np.dtype
) -> np.ndarray | None:
    """The additive mask: the user's (bool as 0 / -inf) and, with ``is_causal``, the triangle."""
    bias = None
    if mask is not None:
        bias = _float_mask(mask, dtype) if mask.dtype == np.bool_ else mask.astype(dtype)
    if is_causal:
        tri = _causal(length, source, dtype)
        bias = tri if bias is None else bias + tri
    return bias


def _validate(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None) -> None:
    qd, kd, vd = q._data, k._data, v._data
    if not (qd.dtype == kd.dtype == vd.dtype):
        names = [_C_NAMES.get(d.dtype.name, d.dtype.name) for d in (qd, kd, vd)]
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{names[0]} key.dtype: {names[1]} and value.dtype: {names[2]} instead."
        )
    if mask is not None:
        md = mask._data.dtype
        if md != np.bool_ and md.kind != "f" and md != qd.dtype:
            raise RuntimeError(
                "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                f"attn_mask.dtype: {_C_NAMES.get(md.name, md.name)} and  query.dtype: "
                f"{_C_NAMES.get(qd.dtype.name, qd.dtype.name)} instead."
            )
    if min(qd.ndim, kd.ndim, vd.ndim) < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got "
            f"query.dim: {qd.ndim} key.dim: {kd.ndim} and value.dim: {vd.ndim} instead."
        )


def _last_stride_one(a: np.ndarray) -> bool:
    return a.shape[-1] == 1 or a.strides[-1] == a.itemsize


def _use_flash(
    q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None, dropout_p: float, enable_gqa: bool
) -> bool:
    qd, kd, vd = q._data, k._data, v._data
    if dropout_p != 0.0 or not (qd.ndim == kd.ndim == vd.ndim == 4):
        return False
    if not (qd.shape[0] == kd.shape[0] == vd.shape[0]) or kd.shape[1] != vd.shape[1]:
        return False
    hq, hk = qd.shape[1], kd.shape[1]
    if hq != hk and not (enable_gqa and hk and hq % hk == 0):
        return False
    if mask is not None and mask.requires_grad:
        return False
    if not (qd.shape[-1] == kd.shape[-1] == vd.shape[-1]):
        return False
    if 0 in (qd.shape[-2], kd.shape[-2]):
        return False
    if not all(_last_stride_one(a) for a in (qd, kd, vd)):
        return False
    return qd.dtype.kind == "f"


def _math(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    mask: Tensor | None,
    dropout_p: float,
    is_causal: bool,
    scale: float | None,
    enable_gqa: bool,
) -> Tensor:
    """PyTorch's math backend, op for op (its graph is what the user sees)."""
    if is_causal and mask is not None:
        raise RuntimeError(
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
            "is_causal=True"
        )
    qd = q._data
    # A negative scale: PyTorch takes the root of its size and puts the sign on the query.
    factor = math.sqrt(abs(scale) if scale is not None else 1.0 / math.sqrt(qd.shape[-1]))
    q_factor = -factor if scale is not None and scale < 0 else factor
    if is_causal:
        mask = _const(_causal(qd.shape[-2], k._data.shape[-2], qd.dtype))
    elif mask is not None and mask._data.dtype == np.bool_:
        mask = _const(_float_mask(mask._data, qd.dtype))
    if enable_gqa and q._data.ndim >= 3 and k._data.shape[-3] != qd.shape[-3]:
        k, v = _repeat_heads(k, qd.shape[-3]), _repeat_heads(v, qd.shape[-3])
    attn = matmul(
        apply(MulBackward1, q, other=q_factor),
        apply(MulBackward1, k.transpose(-2, -1), other=factor),
    )
    if mask is not None:
        attn = attn + mask
    attn = safe_softmax(attn, -1)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p, True)
    return matmul(attn, v)


@declare(
    "scaled_dot_product_attention",
    nodes=(ScaledDotProductFlashAttentionForCpuBackward0, SafeSoftmaxBackward0, MulBackward1),
    torch=False,
    method=False,
    functional=True,
)
def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """``softmax(q kᵀ · scale + mask) v``; a bool mask's True entries take part, ``is_causal``
    masks out the upper triangle, ``scale`` defaults to ``1/√E``."""
    _validate(query, key, value, attn_mask)
    if dropout_p > 1.0:  # a negative one is no dropout, as in PyTorch
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if _use_flash(query, key, value, attn_mask, dropout_p, enable_gqa):
        out, _ = apply(
            ScaledDotProductFlashAttentionForCpuBackward0,
            query,
            key,
            value,
            mask=attn_mask,
            is_causal=bool(is_causal),
            scale=scale,
        )
        return out
    return _math(query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa)
