"""RNN, LSTM and GRU layers over a ``PackedSequence``, in the op order of ATen's packed layers.

The packed data holds time step 0 of every sequence, then step 1 of those still running, ...
(``batch_sizes[t]`` rows at step ``t``, longest sequences first). ATen projects the whole data
once, then walks the steps: going forward, when the batch shrinks, the hidden states of the
sequences that just ended are set aside (``narrow``) and concatenated at the end into the final
hidden state; going backward (the reverse direction), it starts from the shortest batch and
concatenates the initial states of the sequences that join. Step outputs are concatenated
(``CatBackward0``), and a bidirectional layer concatenates its two outputs on the last dim.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from visgrad.nn import _rnn_math as R
from visgrad.nn import functional as F
from visgrad.ops.join import cat
from visgrad.tensor import Tensor


def _slice(hidden: Any, lo: int, hi: int) -> Any:
    if isinstance(hidden, tuple):
        return tuple(h.narrow(0, lo, hi - lo) for h in hidden)
    return hidden.narrow(0, lo, hi - lo)


def _concat(hiddens: Sequence[Any]) -> Any:
    if isinstance(hiddens[0], tuple):
        return tuple(cat([h[k] for h in hiddens], 0) for k in range(len(hiddens[0])))
    return cat(list(hiddens), 0)


def forward_layer(
    cell: Callable, data: Tensor, sizes: list[int], hidden: Any, p: R.Params
) -> tuple[Tensor, Any]:
    """One forward direction over packed ``data`` with ``batch_sizes`` ``sizes``."""
    proj = F.linear(data, p[0], p[2])
    outs: list[Tensor] = []
    ended: list[Any] = []
    offset, last = 0, sizes[0]
    for b in sizes:
        step = proj.narrow(0, offset, b)
        offset += b
        if last > b:
            ended.append(_slice(hidden, b, last))
            hidden = _slice(hidden, 0, b)
        last = b
        hidden = cell(lambda step=step: step, hidden, p)
        outs.append(R._output(hidden))
    ended.append(hidden)
    return cat(outs, 0), _concat(ended[::-1])


def reverse_layer(
    cell: Callable, data: Tensor, sizes: list[int], hidden0: Any, p: R.Params
) -> tuple[Tensor, Any]:
    """The reverse direction: from the last step back, sequences joining as the batch grows."""
    proj = F.linear(data, p[0], p[2])
    outs: list[Tensor] = []
    offset, last = data.size(0), sizes[-1]
    hidden = _slice(hidden0, 0, last)
    for b in reversed(sizes):
        if b > last:
            hidden = _concat([hidden, _slice(hidden0, last, b)])
        step = proj.narrow(0, offset - b, b)
        offset -= b
        last = b
        hidden = cell(lambda step=step: step, hidden, p)
        outs.append(R._output(hidden))
    return cat(outs[::-1], 0), hidden


def stack_layers(
    cell: Callable,
    data: Tensor,
    sizes: list[int],
    hiddens: list[Any],
    params: list[R.Params],
    num_layers: int,
    dropout: float,
    train: bool,
    bidirectional: bool,
) -> tuple[Tensor, list[Any]]:
    """All layers over packed data, dropout between them while training; final hiddens in
    PyTorch's order."""
    finals: list[Any] = []
    for i in range(num_layers):
        if bidirectional:
            fw_out, fw = forward_layer(cell, data, sizes, hiddens[2 * i], params[2 * i])
            rev_out, rev = reverse_layer(cell, data, sizes, hiddens[2 * i + 1], params[2 * i + 1])
            data = cat([fw_out, rev_out], -1)
            finals += [fw, rev]
        else:
            data, final = forward_layer(cell, data, sizes, hiddens[i], params[i])
            finals.append(final)
        if dropout != 0 and train and i < num_layers - 1:
            data = F.dropout(data, dropout, True)
    return data, finals
