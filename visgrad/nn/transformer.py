"""``nn.Transformer`` and its encoder and decoder stacks and layers, as PyTorch composes them.

Each layer is built from ``MultiheadAttention``, ``Linear``, ``LayerNorm`` and ``Dropout`` in
PyTorch's order, so a seeded layer draws PyTorch's weights; a stack holds deep copies of one
layer (identical starting weights, as in PyTorch), and ``Transformer`` re-draws every matrix
with Xavier-uniform afterwards, in ``parameters()`` order. PyTorch's inference fast path (eval,
no gradients) computes the same values with fused kernels; here every call runs the composite,
except that an encoder given a padding mask in that mode zeroes the padded positions' outputs,
as PyTorch's nested-tensor path returns them.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from typing import Any

from visgrad.autograd.grad_mode import is_grad_enabled
from visgrad.factories import full
from visgrad.nn import functional as F
from visgrad.nn.activation import GELU
from visgrad.nn.attention import MultiheadAttention
from visgrad.nn.containers import ModuleList
from visgrad.nn.init import xavier_uniform_
from visgrad.nn.layers import Dropout, Linear, ReLU
from visgrad.nn.module import Module
from visgrad.nn.normalization import LayerNorm
from visgrad.ops.multihead import canonical_mask
from visgrad.tensor import Tensor

__all__ = [
    "Transformer",
    "TransformerDecoder",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerEncoderLayer",
]

Activation = str | Callable[[Tensor], Tensor]


def _activation(activation: Activation) -> Callable[[Tensor], Tensor]:
    if not isinstance(activation, str):
        return activation
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


def _square_subsequent_mask(sz: int, dtype: Any = None) -> Tensor:
    """-inf above the diagonal, 0 on and below it: position i attends to 0..i."""
    return full((sz, sz), float("-inf"), dtype=dtype).triu(diagonal=1)


def _seq_len(src: Tensor, batch_first: bool) -> int:
    size = src.size()
    return size[0] if len(size) == 2 else size[1 if batch_first else 0]


def _is_causal(mask: Tensor | None, is_causal: bool | None, size: int | None) -> bool:
    """PyTorch's ``_detect_is_causal_mask``: a hint, or a mask equal to the causal one."""
    if is_causal is None and mask is not None:
        sz = size if size is not None else mask.size(-2)
        causal = _square_subsequent_mask(sz, dtype=mask.dtype)
        if mask.size() != causal.size():
            return False
        return bool((mask == causal).all())
    return is_causal is True


def _clones(module: Module, n: int) -> ModuleList:
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


class _Layer(Module):
    """What both layer kinds share: the feed-forward block and the attention blocks."""

    def _ff_block(self, x: Tensor, dropout: Dropout) -> Tensor:
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return dropout(x)

    @staticmethod
    def _attend(
        attn: MultiheadAttention,
        x: Tensor,
        mem: Tensor,
        mask: Tensor | None,
        padding: Tensor | None,
        is_causal: bool,
        dropout: Dropout,
    ) -> Tensor:
        out = attn(x, mem, mem, attn_mask=mask, key_padding_mask=padding, need_weights=False,
                   is_causal=is_causal)[0]  # fmt: skip
        return dropout(out)

    def _build(self, d_model: int, nhead: int, dim_feedforward: int, dropout: float,
               layer_norm_eps: float, batch_first: bool, norm_first: bool, bias: bool,
               dtype: Any, norms: int) -> None:  # fmt: skip
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        for i in range(1, norms + 1):
            setattr(
                self, f"norm{i}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
            )
        for i in range(1, norms + 1):
            setattr(self, f"dropout{i}", Dropout(dropout))


class TransformerEncoderLayer(_Layer):
    """Self-attention then a feed-forward block, each with a residual and a LayerNorm."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: Activation = F.relu,
                 layer_norm_eps: float = 1e-05, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, dtype=dtype)  # fmt: skip
        self._build(d_model, nhead, dim_feedforward, dropout, layer_norm_eps, batch_first,
                    norm_first, bias, dtype, norms=2)  # fmt: skip
        activation = _activation(activation)
        if activation is F.relu or isinstance(activation, ReLU):
            self.activation_relu_or_gelu = 1
        elif activation is F.gelu or isinstance(activation, GELU):
            self.activation_relu_or_gelu = 2
        else:
            self.activation_relu_or_gelu = 0
        self.activation = activation

    def forward(self, src: Tensor, src_mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None,
                is_causal: bool = False) -> Tensor:  # fmt: skip
        padding = canonical_mask(src_key_padding_mask, "src_key_padding_mask",
                                 None if src_mask is None else src_mask._data.dtype,
                                 "src_mask", src._data.dtype)  # fmt: skip
        mask = canonical_mask(src_mask, "src_mask", None, "", src._data.dtype, check_other=False)
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), mask, padding, is_causal)
            return x + self._ff_block(self.norm2(x), self.dropout2)
        x = self.norm1(x + self._sa_block(x, mask, padding, is_causal))
        return self.norm2(x + self._ff_block(x, self.dropout2))

    def _sa_block(self, x: Tensor, mask: Tensor | None, padding: Tensor | None,
                  is_causal: bool) -> Tensor:  # fmt: skip
        return self._attend(self.self_attn, x, x, mask, padding, is_causal, self.dropout1)


class TransformerDecoderLayer(_Layer):
    """Self-attention, attention over the encoder's memory, then a feed-forward block."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: Activation = F.relu,
                 layer_norm_eps: float = 1e-05, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__()
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, batch_first=batch_first, bias=bias, dtype=dtype
        )
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                                 batch_first=batch_first, bias=bias,
                                                 dtype=dtype)  # fmt: skip
        self._build(d_model, nhead, dim_feedforward, dropout, layer_norm_eps, batch_first,
                    norm_first, bias, dtype, norms=3)  # fmt: skip
        self.activation = _activation(activation)

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor | None = None,
                memory_mask: Tensor | None = None,
                tgt_key_padding_mask: Tensor | None = None,
                memory_key_padding_mask: Tensor | None = None, tgt_is_causal: bool = False,
                memory_is_causal: bool = False) -> Tensor:  # fmt: skip
        sa = (tgt_mask, tgt_key_padding_mask, tgt_is_causal)
        mha = (memory_mask, memory_key_padding_mask, memory_is_causal)
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), *sa)
            x = x + self._mha_block(self.norm2(x), memory, *mha)
            return x + self._ff_block(self.norm3(x), self.dropout3)
        x = self.norm1(x + self._sa_block(x, *sa))
        x = self.norm2(x + self._mha_block(x, memory, *mha))
        return self.norm3(x + self._ff_block(x, self.dropout3))

    def _sa_block(self, x: Tensor, mask: Tensor | None, padding: Tensor | None,
                  is_causal: bool = False) -> Tensor:  # fmt: skip
        return self._attend(self.self_attn, x, x, mask, padding, is_causal, self.dropout1)

    def _mha_block(self, x: Tensor, mem: Tensor, mask: Tensor | None, padding: Tensor | None,
                   is_causal: bool = False) -> Tensor:  # fmt: skip
        return self._attend(self.multihead_attn, x, mem, mask, padding, is_causal, self.dropout2)


class TransformerEncoder(Module):
    """``num_layers`` copies of ``encoder_layer`` in sequence, then an optional ``norm``."""

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int,
                 norm: Module | None = None, enable_nested_tensor: bool = True,
                 mask_check: bool = True) -> None:  # fmt: skip
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check
        why = _why_not_nested(encoder_layer)
        if enable_nested_tensor and why:
            warnings.warn(
                f"enable_nested_tensor is True, but self.use_nested_tensor is False because {why}",
                stacklevel=2,
            )
        self.use_nested_tensor = enable_nested_tensor and not why

    def forward(self, src: Tensor, mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None,
                is_causal: bool | None = None) -> Tensor:  # fmt: skip
        padding = canonical_mask(src_key_padding_mask, "src_key_padding_mask",
                                 None if mask is None else mask._data.dtype, "mask",
                                 src._data.dtype)  # fmt: skip
        mask = canonical_mask(mask, "mask", None, "", src._data.dtype, check_other=False)
        first = self.layers[0]
        causal = _is_causal(mask, is_causal, _seq_len(src, first.self_attn.batch_first))
        output = src
        for mod in self.layers:
            output = mod(output, src_mask=mask, is_causal=causal, src_key_padding_mask=padding)
        if self._nested(src, mask, padding):
            # PyTorch ran the layers on the unpadded tokens and pads the result with zeros.
            keep = (padding._data == 0)[..., None]  # type: ignore[union-attr]
            output = output * Tensor._make(keep.astype(output._data.dtype), False, None, 0)
        if self.norm is not None:
            output = self.norm(output)
        return output

    def _nested(self, src: Tensor, mask: Tensor | None, padding: Tensor | None) -> bool:
        """Whether PyTorch would take its nested-tensor path (inference, left-aligned padding)."""
        if not self.use_nested_tensor or self.layers[0].training or src.dim() != 3:
            return False
        if padding is None or mask is not None:
            return False
        layer = self.layers[0]
        if is_grad_enabled() and any(p.requires_grad for p in layer.parameters()):
            return False
        if is_grad_enabled() and src.requires_grad:
            return False
        pad = padding._data != 0
        # Left-aligned: in each row, the kept tokens come first.
        return not self.mask_check or bool((pad[:, 1:] >= pad[:, :-1]).all())


def _why_not_nested(layer: Module) -> str:
    enc = "encoder_layer"
    if not isinstance(layer, TransformerEncoderLayer):
        return f"{enc} was not TransformerEncoderLayer"
    attn = layer.self_attn
    checks = [
        (layer.norm_first, f"{enc}.norm_first was True"),
        (not attn.batch_first, f"{enc}.self_attn.batch_first was not True"
         "(use batch_first for better inference performance)"),
        (not attn._qkv_same_embed_dim, f"{enc}.self_attn._qkv_same_embed_dim was not True"),
        (attn.in_proj_bias is None, f"{enc}.self_attn was passed bias=False"),
        (not layer.activation_relu_or_gelu, f"{enc}.activation_relu_or_gelu was not True"),
        (layer.norm1.eps != layer.norm2.eps, f"{enc}.norm1.eps was not equal to {enc}.norm2.eps"),
        (attn.num_heads % 2 == 1, f"{enc}.self_attn.num_heads is odd"),
    ]  # fmt: skip
    return next((why for failed, why in checks if failed), "")


class TransformerDecoder(Module):
    """``num_layers`` copies of ``decoder_layer``, each attending to the same memory."""

    def __init__(self, decoder_layer: TransformerDecoderLayer, num_layers: int,
                 norm: Module | None = None) -> None:  # fmt: skip
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor | None = None,
                memory_mask: Tensor | None = None,
                tgt_key_padding_mask: Tensor | None = None,
                memory_key_padding_mask: Tensor | None = None,
                tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> Tensor:  # fmt: skip
        output = tgt
        seq_len = _seq_len(tgt, self.layers[0].self_attn.batch_first)
        causal = _is_causal(tgt_mask, tgt_is_causal, seq_len)
        for mod in self.layers:
            output = mod(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                         tgt_key_padding_mask=tgt_key_padding_mask,
                         memory_key_padding_mask=memory_key_padding_mask,
                         tgt_is_causal=causal, memory_is_causal=memory_is_causal)  # fmt: skip
        if self.norm is not None:
            output = self.norm(output)
        return output


class Transformer(Module):
    """An encoder stack and a decoder stack, each ending in a LayerNorm (Vaswani et al.)."""

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: Activation = F.relu,
                 custom_encoder: Any = None, custom_decoder: Any = None,
                 layer_norm_eps: float = 1e-05, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__()
        args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                batch_first, norm_first, bias)  # fmt: skip
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(*args, dtype=dtype)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
            self.encoder = TransformerEncoder(layer, num_encoder_layers, norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            dlayer = TransformerDecoderLayer(*args, dtype=dtype)
            dnorm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
            self.decoder = TransformerDecoder(dlayer, num_decoder_layers, dnorm)
        for p in self.parameters():
            if p.dim() > 1:
                xavier_uniform_(p)
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(self, src: Tensor, tgt: Tensor, src_mask: Tensor | None = None,
                tgt_mask: Tensor | None = None, memory_mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None,
                tgt_key_padding_mask: Tensor | None = None,
                memory_key_padding_mask: Tensor | None = None,
                src_is_causal: bool | None = None, tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> Tensor:  # fmt: skip
        batch = 0 if self.batch_first else 1
        if src.dim() == 3 and src.size(batch) != tgt.size(batch):
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.size(-1) != self.d_model or tgt.size(-1) != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)  # fmt: skip
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)  # fmt: skip

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
        """The causal mask: -inf above the diagonal, 0 elsewhere."""
        return _square_subsequent_mask(sz, dtype=dtype)
