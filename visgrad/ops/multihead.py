"""``F.multi_head_attention_forward``: ``nn.MultiheadAttention``'s computation, op for op as
PyTorch writes it (packed in-projection, heads folded into the batch, ``baddbmm`` → ``softmax`` →
``bmm`` when the weights are wanted, else ``scaled_dot_product_attention``), so the graph has
PyTorch's nodes and the rounding follows PyTorch's order of operations."""

from __future__ import annotations

import math
import warnings

import numpy as np

from visgrad.ops.attention import scaled_dot_product_attention
from visgrad.ops.join import cat
from visgrad.ops.linalg import baddbmm, bmm
from visgrad.ops.multihead_checks import _shape_check, _size
from visgrad.ops.nn_ops import dropout, linear, softmax
from visgrad.ops.pad import pad
from visgrad.ops.registry import declare
from visgrad.tensor import Tensor

__all__ = ["multi_head_attention_forward"]


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, False, None, 0)


def canonical_mask(
    mask: Tensor | None,
    name: str,
    other: np.dtype | None,
    other_name: str,
    dtype: np.dtype,
    check_other: bool = True,
) -> Tensor | None:
    """A bool mask (True: do not attend) as 0 / -inf in ``dtype``; a float mask as it is."""
    if mask is None:
        return None
    md = mask._data.dtype
    if md != np.bool_ and md.kind != "f":
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if check_other and other is not None and md != other:
        warnings.warn(
            f"Support for mismatched {name} and {other_name} is deprecated. Use same type for "
            "both instead.",
            UserWarning,
            stacklevel=3,
        )
    if md == np.bool_:
        return _const(np.where(mask._data, -np.inf, 0.0).astype(dtype))
    return mask


def _dtype(t: Tensor | None) -> np.dtype | None:
    return None if t is None else t._data.dtype


def _split_packed(proj: Tensor, parts: int, e: int) -> Tensor:
    """(..., parts·E) → (parts, ..., E), contiguous, as PyTorch reshapes a packed projection."""
    return proj.unflatten(-1, (parts, e)).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()


def _in_projection_packed(
    q: Tensor, k: Tensor, v: Tensor, w: Tensor, b: Tensor | None
) -> tuple[Tensor, Tensor, Tensor]:
    e = q._data.shape[-1]
    if k is v:
        if q is k:
            proj = _split_packed(linear(q, w, b), 3, e)
            return proj[0], proj[1], proj[2]
        w_q, w_kv = w.split([e, e * 2])
        b_q, b_kv = (None, None) if b is None else b.split([e, e * 2])
        kv = _split_packed(linear(k, w_kv, b_kv), 2, e)
        return linear(q, w_q, b_q), kv[0], kv[1]
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _in_projection(
    q: Tensor, k: Tensor, v: Tensor, ws: tuple[Tensor, Tensor, Tensor], b: Tensor | None
) -> tuple[Tensor, Tensor, Tensor]:
    eq, ek, ev = q._data.shape[-1], k._data.shape[-1], v._data.shape[-1]
    for what, w, want in zip(
        ("query", "key", "value"), ws, ((eq, eq), (eq, ek), (eq, ev)), strict=True
    ):
        if w._data.shape != want:
            raise AssertionError(
                f"expecting {what} weights shape of {want}, but got {_size(w._data.shape)}"
            )
    bs = (None, None, None) if b is None else b.chunk(3)
    for what, bias in zip(("query", "key", "value"), bs, strict=True):
        if bias is not None and bias._data.shape != (eq,):
            raise AssertionError(
                f"expecting {what} bias shape of {(eq,)}, but got {_size(bias._data.shape)}"
            )
    return tuple(linear(x, w, bias) for x, w, bias in zip((q, k, v), ws, bs, strict=True))  # type: ignore[return-value]


@declare("multi_head_attention_forward", torch=False, method=False, functional=True)
def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Tensor | None = None,
    need_weights: bool = True,
    attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None,
    static_v: Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention of ``(L, N, E)`` queries over ``(S, N, E)`` keys and values.

    Returns the ``(L, N, E)`` output and, with ``need_weights``, the attention weights
    (averaged over heads unless ``average_attn_weights=False``); unbatched ``(L, E)`` inputs
    give unbatched results.
    """
    batched = _shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query._data.shape
    padding, attn_mask, is_causal = _masks(
        query, key_padding_mask, attn_mask, is_causal, need_weights
    )
    head_dim = _head_dim(embed_dim, embed_dim_to_check, num_heads)
    separate = (q_proj_weight, k_proj_weight, v_proj_weight) if use_separate_proj_weight else None
    q, k, v = _project(query, key, value, in_proj_weight, in_proj_bias, separate)
    attn_mask = _checked_mask(attn_mask, (bsz * num_heads, tgt_len, key._data.shape[0]))
    if bias_k is not None or bias_v is not None:
        k, v, attn_mask, padding = _append_bias_kv(
            k, v, bias_k, bias_v, (static_k, static_v), attn_mask, padding, bsz
        )
    rows = bsz * num_heads
    q = q.view(tgt_len, rows, head_dim).transpose(0, 1)
    k = _heads(k, static_k, "static_k", rows, head_dim)
    v = _heads(v, static_v, "static_v", rows, head_dim)
    if add_zero_attn:
        k, v = (cat([t, _const(np.zeros((rows, 1, head_dim), t._data.dtype))], 1) for t in (k, v))
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        padding = None if padding is None else pad(padding, (0, 1))
    if padding is not None:
        attn_mask = _with_padding(attn_mask, padding, bsz, num_heads, k._data.shape[1])
    p = dropout_p if training else 0.0
    out_proj = (out_proj_weight, out_proj_bias)
    if need_weights:
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        out, weights = _attend_with_weights(q, k, v, attn_mask, p, out_proj, bsz, tgt_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights
    out = _attend_fused(q, k, v, attn_mask, p, is_causal, out_proj, bsz, tgt_len)
    return (out if batched else out.squeeze(1)), None


def _masks(
    query: Tensor,
    padding: Tensor | None,
    attn_mask: Tensor | None,
    is_causal: bool,
    need_weights: bool,
) -> tuple[Tensor | None, Tensor | None, bool]:
    """Both masks as additive float masks; ``is_causal`` as it stays (PyTorch's rules)."""
    dtype = query._data.dtype
    padding = canonical_mask(padding, "key_padding_mask", _dtype(attn_mask), "attn_mask", dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
            "method `generate_square_subsequent_mask` to create this mask."
        )
    if is_causal and padding is None and not need_weights:
        return padding, None, is_causal  # scaled_dot_product_attention draws the triangle
    attn_mask = canonical_mask(attn_mask, "attn_mask", None, "", dtype, check_other=False)
    return padding, attn_mask, is_causal and padding is None


def _head_dim(embed_dim: int, expected: int, heads: int) -> int:
    if embed_dim != expected:
        raise AssertionError(
            f"was expecting embedding dimension of {expected}, but got {embed_dim}"
        )
    head_dim = embed_dim // heads
    if head_dim * heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {heads}")
    return head_dim


def _project(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    w: Tensor | None,
    b: Tensor | None,
    separate: tuple[Tensor | None, Tensor | None, Tensor | None] | None,
) -> tuple[Tensor, Tensor, Tensor]:
    if separate is not None:
        ks, vs = key._data.shape[:2], value._data.shape[:2]
        if ks != vs:
            raise AssertionError(
                f"key's sequence and batch dims {_size(ks)} do not match value's {_size(vs)}"
            )
        for name, sw in zip("qkv", separate, strict=True):
            if sw is None:
                raise AssertionError(
                    f"use_separate_proj_weight is True but {name}_proj_weight is None"
                )
        return _in_projection(query, key, value, separate, b)  # type: ignore[arg-type]
    if key._data.shape != value._data.shape:
        raise AssertionError(
            f"key shape {_size(key._data.shape)} does not match value shape "
            f"{_size(value._data.shape)}"
        )
    if w is None:
        raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
    return _in_projection_packed(query, key, value, w, b)


def _checked_mask(mask: Tensor | None, want: tuple[int, int, int]) -> Tensor | None:
    """``attn_mask`` of (L, S) or (N·heads, L, S), as 3-D."""
    if mask is None:
        return None
    shape = mask._data.shape
    if mask._data.ndim == 2:
        if shape != want[1:]:
            raise RuntimeError(
                f"The shape of the 2D attn_mask is {_size(shape)}, but should be {want[1:]}."
            )
        return mask.unsqueeze(0)
    if mask._data.ndim == 3:
        if shape != want:
            raise RuntimeError(
                f"The shape of the 3D attn_mask is {_size(shape)}, but should be {want}."
            )
        return mask
    raise RuntimeError(f"attn_mask's dimension {mask._data.ndim} is not supported")


def _append_bias_kv(
    k: Tensor,
    v: Tensor,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    static: tuple[Tensor | None, Tensor | None],
    attn_mask: Tensor | None,
    padding: Tensor | None,
    bsz: int,
) -> tuple[Tensor, Tensor, Tensor | None, Tensor | None]:
    """One more key and value (the learnt biases) for every sequence; the masks grow with them."""
    if bias_k is None:
        raise AssertionError("bias_v is set but bias_k is None")
    if bias_v is None:
        raise AssertionError("bias_k is set but bias_v is None")
    if static[0] is not None:
        raise AssertionError("bias cannot be added to static key.")
    if static[1] is not None:
        raise AssertionError("bias cannot be added to static value.")
    k = cat([k, bias_k.repeat(1, bsz, 1)])
    v = cat([v, bias_v.repeat(1, bsz, 1)])
    attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
    padding = None if padding is None else pad(padding, (0, 1))
    return k, v, attn_mask, padding


def _heads(t: Tensor, static: Tensor | None, name: str, rows: int, head_dim: int) -> Tensor:
    """(S, N, E) → (N·heads, S, head_dim), or the caller's precomputed ``static_k``/``static_v``."""
    if static is None:
        return t.view(t._data.shape[0], rows, head_dim).transpose(0, 1)
    if static._data.shape[0] != rows:
        raise AssertionError(f"expecting {name}.size(0) of {rows}, but got {static._data.shape[0]}")
    if static._data.shape[2] != head_dim:
        raise AssertionError(
            f"expecting {name}.size(2) of {head_dim}, but got {static._data.shape[2]}"
        )
    return static


def _with_padding(
    attn_mask: Tensor | None, padding: Tensor, bsz: int, heads: int, src_len: int
) -> Tensor:
    kp = padding._data.shape
    if kp[0] != bsz:
        raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got {kp[0]}")
    if kp[1] != src_len:
        raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got {kp[1]}")
    padding = padding.view(bsz, 1, 1, src_len).expand(-1, heads, -1, -1)
    padding = padding.reshape(bsz * heads, 1, src_len)
    return padding if attn_mask is None else attn_mask + padding


def _attend_with_weights(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    attn_mask: Tensor | None,
    p: float,
    out_proj: tuple[Tensor, Tensor | None],
    bsz: int,
    tgt_len: int,
) -> tuple[Tensor, Tensor]:
    """The explicit path: scores, softmax (the weights returned per head), values, projection."""
    q_scaled = q * math.sqrt(1.0 / float(q._data.shape[-1]))
    kt = k.transpose(-2, -1)
    weights = baddbmm(attn_mask, q_scaled, kt) if attn_mask is not None else bmm(q_scaled, kt)
    weights = softmax(weights, dim=-1)
    if p > 0.0:
        weights = dropout(weights, p=p)
    embed_dim = out_proj[0]._data.shape[1]
    out = bmm(weights, v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
    out = linear(out, *out_proj)
    out = out.view(tgt_len, bsz, out._data.shape[1])
    return out, weights.view(bsz, -1, tgt_len, k._data.shape[1])


def _attend_fused(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    attn_mask: Tensor | None,
    p: float,
    is_causal: bool,
    out_proj: tuple[Tensor, Tensor | None],
    bsz: int,
    tgt_len: int,
) -> Tensor:
    """``need_weights=False``: heads back out of the batch, then scaled_dot_product_attention."""
    rows, src_len, head_dim = k._data.shape
    heads = rows // bsz
    if attn_mask is not None:
        if attn_mask._data.shape[0] == 1 and attn_mask._data.ndim == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.view(bsz, heads, -1, src_len)
    q = q.view(bsz, heads, tgt_len, head_dim)
    k = k.view(bsz, heads, src_len, head_dim)
    v = v.view(bsz, heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, heads * head_dim)
    out = linear(out, *out_proj)
    return out.view(tgt_len, bsz, out._data.shape[1])
