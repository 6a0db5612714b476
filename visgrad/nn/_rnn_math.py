"""The recurrences of RNN, LSTM and GRU, in the op order of PyTorch's native CPU kernels.

ATen's ``_rnn_impl`` projects a layer's whole input at once (``linear(input, w_ih, b_ih)``),
unbinds it into steps, runs the cell per step (hidden projection first, then ``add_`` of the
step's input), and stacks the outputs; a reverse direction runs the same over the reversed steps
and the two are concatenated. Writing the same ops in the same order gives the same graph —
``StackBackward0``, ``AddBackward0``, ``UnsafeSplitBackward0``, ``SigmoidBackward0`` ... — and
the same events as PyTorch records when it takes this path (float64; for float32 LSTMs PyTorch
builds with oneDNN record one ``MkldnnRnnLayerBackward0`` node per layer instead).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from visgrad.nn import functional as F
from visgrad.ops.join import cat, stack
from visgrad.ops.linalg import matmul
from visgrad.ops.pointwise import relu, tanh
from visgrad.tensor import Tensor

Params = tuple[Tensor, Tensor, Tensor | None, Tensor | None, Tensor | None]
"""(w_ih, w_hh, b_ih, b_hh, w_hr) of one layer and direction."""

EMPTY_SEQUENCE = "Expected sequence length to be larger than 0 in RNN"


# Cells take the step's projected input as a function: the layers project the whole sequence
# before the loop, the *Cell modules project inside the cell — after the hidden projection for
# RNN and LSTM, before it for GRU, as ATen's cells order them.
Input = Callable[[], Tensor]


def simple_cell(nonlinearity: Callable[[Tensor], Tensor]) -> Callable[..., Tensor]:
    """The Elman cell: ``f(h W_hhᵀ + b_hh + x_proj)``."""

    def cell(x: Input, h: Tensor, p: Params) -> Tensor:
        return nonlinearity(F.linear(h, p[1], p[3]).add_(x()))

    return cell


tanh_cell = simple_cell(tanh)
relu_cell = simple_cell(relu)


def lstm_cell(x: Input, hc: tuple[Tensor, Tensor], p: Params) -> tuple[Tensor, Tensor]:
    """One LSTM step from the projected input ``x``: gates i, f, g, o, then (h, c)."""
    h, c = hc
    gates = F.linear(h, p[1], p[3]).add_(x())
    i, f, g, o = gates.unsafe_chunk(4, 1)
    i, f, g, o = i.sigmoid_(), f.sigmoid_(), g.tanh_(), o.sigmoid_()
    cy = (f * c).add_(i * g)
    hy = o * cy.tanh()
    if p[4] is not None:
        hy = matmul(hy, p[4].t())
    return hy, cy


def gru_cell(x: Input, h: Tensor, p: Params) -> Tensor:
    """One GRU step from the projected input ``x``: reset r, update z, new n."""
    xr, xz, xn = x().unsafe_chunk(3, 1)
    hr, hz, hn = F.linear(h, p[1], p[3]).unsafe_chunk(3, 1)
    r = hr.add_(xr).sigmoid_()
    z = hz.add_(xz).sigmoid_()
    n = xn.add(hn.mul_(r)).tanh_()
    return (h - n).mul_(z).add_(n)


def _output(hidden: Any) -> Tensor:
    return hidden[0] if isinstance(hidden, tuple) else hidden


def _run(cell: Callable, steps: Sequence[Tensor], hidden: Any, p: Params) -> tuple[list, Any]:
    if not steps:
        raise RuntimeError(EMPTY_SEQUENCE)
    outs = []
    for x in steps:
        hidden = cell(lambda x=x: x, hidden, p)
        outs.append(_output(hidden))
    return outs, hidden


def layer(cell: Callable, x: Tensor, hidden: Any, p: Params) -> tuple[Tensor, Any]:
    """One direction of one layer over a (seq, batch, features) input."""
    outs, final = _run(cell, F.linear(x, p[0], p[2]).unbind(0), hidden, p)
    return stack(outs, 0), final


def bidirectional_layer(
    cell: Callable, x: Tensor, hidden: tuple[Any, Any], p: tuple[Params, Params]
) -> tuple[Tensor, tuple[Any, Any]]:
    """Both directions of one layer; outputs concatenated on the feature dim."""
    fw_out, fw_final = layer(cell, x, hidden[0], p[0])
    steps = F.linear(x, p[1][0], p[1][2]).unbind(0)[::-1]
    outs, rev_final = _run(cell, steps, hidden[1], p[1])
    rev_out = stack(outs[::-1], 0)
    return cat([fw_out, rev_out], fw_out.dim() - 1), (fw_final, rev_final)


def stack_layers(
    cell: Callable,
    x: Tensor,
    hiddens: list[Any],
    params: list[Params],
    num_layers: int,
    dropout: float,
    train: bool,
    bidirectional: bool,
) -> tuple[Tensor, list[Any]]:
    """All layers, dropout between them while training; final hiddens in PyTorch's order."""
    finals: list[Any] = []
    d = 2 if bidirectional else 1
    for i in range(num_layers):
        if bidirectional:
            pair_h = (hiddens[2 * i], hiddens[2 * i + 1])
            x, (fw, rev) = bidirectional_layer(cell, x, pair_h, (params[2 * i], params[2 * i + 1]))
            finals += [fw, rev]
        else:
            x, final = layer(cell, x, hiddens[i * d], params[i * d])
            finals.append(final)
        if dropout != 0 and train and i < num_layers - 1:
            x = F.dropout(x, dropout, True)
    return x, finals
