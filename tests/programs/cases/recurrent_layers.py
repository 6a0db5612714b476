"""RNN, LSTM, GRU and their cells: seeded parameters, outputs, states, gradients, printouts."""

import torch
import torch.nn as nn


def graph(fn, depth=0, seen=None, out=None):
    """grad_fn names depth first (each node once): the shape of the recorded graph."""
    seen = set() if seen is None else seen
    out = [] if out is None else out
    if fn is None or fn in seen or depth > 40:
        return out
    seen.add(fn)
    out.append(fn.name())
    for f, _ in fn.next_functions:
        graph(f, depth + 1, seen, out)
    return out


torch.manual_seed(0)
configs = [
    (nn.RNN, dict(input_size=3, hidden_size=4)),
    (
        nn.RNN,
        dict(input_size=3, hidden_size=4, num_layers=2, nonlinearity="relu", batch_first=True),
    ),
    (nn.LSTM, dict(input_size=3, hidden_size=5)),
    (
        nn.LSTM,
        dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True, batch_first=True),
    ),
    (nn.LSTM, dict(input_size=3, hidden_size=4, proj_size=2, bias=False)),
    (nn.GRU, dict(input_size=3, hidden_size=4)),
    (nn.GRU, dict(input_size=3, hidden_size=2, num_layers=3, bidirectional=True)),
]
for cls, kw in configs:
    m = cls(**kw)
    print(m)
    print([(n, tuple(p.shape)) for n, p in m.named_parameters()])
    print(m.weight_hh_l0[0])
    x = torch.randn(2, 5, 3) if m.batch_first else torch.randn(5, 2, 3)
    x.requires_grad_(True)
    out, h = m(x)
    hs = h if isinstance(h, tuple) else (h,)
    # PyTorch's float32 LSTM runs oneDNN (MkldnnRnnLayerBackward0) and its batch_first output
    # comes from an in-place transpose_ (TransposeBackward1): names only for the others.
    plain = cls is not nn.LSTM and not m.batch_first
    print(out.shape, [tuple(t.shape) for t in hs], out.grad_fn.name() if plain else "")
    print(out[-1])
    loss = out.pow(2).sum() + sum(t.sum() for t in hs)
    loss.backward()
    print(f"{loss.item():.4f}", x.grad[0])
    print(m.weight_ih_l0.grad[:2])
    # Unbatched input and an explicit initial state.
    out1, h1 = m(x[0].detach(), None if cls is not nn.LSTM else None)
    print(out1.shape)

# A float64 model records the same graph as PyTorch's native CPU path.
torch.manual_seed(1)
for cls in (nn.RNN, nn.GRU, nn.LSTM):
    m = cls(2, 3, num_layers=2, bidirectional=True).double()
    out, h = m(torch.randn(3, 1, 2, dtype=torch.float64, requires_grad=True))
    hs = h if isinstance(h, tuple) else (h,)
    print(cls.__name__, graph(out.grad_fn)[:40])
    print(cls.__name__, len(graph(hs[0].grad_fn)), graph(hs[-1].grad_fn)[:12])

# Initial states that require grad.
torch.manual_seed(2)
lstm = nn.LSTM(2, 3)
h0 = torch.randn(1, 4, 3, requires_grad=True)
c0 = torch.randn(1, 4, 3, requires_grad=True)
out, (h, c) = lstm(torch.randn(6, 4, 2), (h0, c0))
(out.sum() + c.sum()).backward()
print(h0.grad[0, :2], c0.grad[0, :2])

# Cells.
torch.manual_seed(3)
for cell in (
    nn.RNNCell(3, 4),
    nn.RNNCell(3, 4, bias=False, nonlinearity="relu"),
    nn.GRUCell(3, 4),
    nn.LSTMCell(3, 4),
):
    print(cell, [(n, tuple(p.shape)) for n, p in cell.named_parameters()])
    x = torch.randn(2, 3, requires_grad=True)
    hx = None
    for _ in range(3):
        hx = cell(x, hx)
    hy = hx[0] if isinstance(hx, tuple) else hx
    hy.sum().backward()
    print(hy, hy.grad_fn.name(), x.grad)
    print(cell(torch.randn(3)) if not isinstance(cell, nn.LSTMCell) else cell(torch.randn(3))[1])

# Errors as PyTorch words them.
for f in (
    lambda: nn.RNN(3, 4)(torch.zeros(2, 3, 5)),
    lambda: nn.LSTM(3, 4)(torch.zeros(2)),
    lambda: nn.RNN(3, 4)(torch.zeros(2, 1, 3), torch.zeros(1, 2, 4)),
    lambda: nn.LSTM(3, 4)(torch.zeros(2, 1, 3), (torch.zeros(1, 1, 4), torch.zeros(2, 1, 4))),
    lambda: nn.LSTM(3, 4)(torch.zeros(2, 1, 3), (torch.zeros(1, 4), torch.zeros(1, 4))),
    lambda: nn.GRU(3, 4)(torch.zeros(2, 3), torch.zeros(1, 1, 4)),
    lambda: nn.RNNCell(3, 4)(torch.zeros(2, 3), torch.zeros(3, 4)),
    lambda: nn.LSTMCell(3, 4)(torch.zeros(2, 2, 3)),
    lambda: nn.RNN(3, 4, nonlinearity="x"),
    lambda: nn.GRU(3, 4, proj_size=2),
    lambda: nn.LSTM(3, 4, proj_size=4),
    lambda: nn.RNN(3, 4)(torch.zeros(0, 2, 3)),
):
    try:
        f()
    except (ValueError, RuntimeError, TypeError) as e:
        print(type(e).__name__, e)
