"""Recurrent layers: gradients against finite differences, and the events they publish."""

from __future__ import annotations

import pytest

import visgrad as torch
from visgrad import events, nn
from visgrad.autograd import gradcheck


@pytest.mark.parametrize(
    ("cls", "kwargs"),
    [
        (nn.RNN, {"num_layers": 2, "nonlinearity": "relu"}),
        (nn.RNN, {"bidirectional": True, "batch_first": True}),
        (nn.GRU, {"num_layers": 2, "bidirectional": True}),
        (nn.LSTM, {"num_layers": 2}),
        (nn.LSTM, {"bidirectional": True, "proj_size": 2}),
        (nn.LSTM, {"bias": False, "batch_first": True}),
    ],
)
def test_recurrent_layers_gradcheck_in_float64(cls, kwargs):
    torch.manual_seed(0)
    m = cls(2, 3, **kwargs).double()
    x = torch.randn(2, 3, 2, dtype=torch.float64, requires_grad=True)
    params = list(m.parameters())

    def f(x, *ps):
        out, h = m(x)
        hs = h if isinstance(h, tuple) else (h,)
        return (out * out).sum() + sum(
            (t * torch.arange(t.numel(), dtype=t.dtype).reshape(t.shape)).sum() for t in hs
        )

    assert gradcheck(f, (x, *params))


@pytest.mark.parametrize("cls", [nn.RNNCell, nn.GRUCell, nn.LSTMCell])
def test_cells_gradcheck_in_float64(cls):
    torch.manual_seed(1)
    cell = cls(2, 3).double()
    x = torch.randn(4, 2, dtype=torch.float64, requires_grad=True)

    def f(x, *ps):
        h = cell(x)
        h = cell(x * 2, h)
        return h[0].sum() + h[1].pow(2).sum() if isinstance(h, tuple) else h.pow(2).sum()

    assert gradcheck(f, (x, *cell.parameters()))


def test_a_forecaster_reports_each_op_under_its_module():
    class Forecaster(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = nn.LSTM(1, 4, batch_first=True)
            self.head = nn.Linear(4, 1)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.head(out[:, -1])

    model = Forecaster()
    with events.Recorder() as rec:
        model(torch.randn(2, 5, 1)).sum().backward()
    scopes = {(e.module, e.module_classes) for e in rec.of(events.ForwardOp)}
    assert ("lstm", ("Forecaster", "LSTM")) in scopes
    assert ("head", ("Forecaster", "Linear")) in scopes
    made = [e for e in rec.of(events.TensorCreated) if e.op == "zeros"]
    assert [e.module for e in made] == ["lstm", "lstm"]  # h0 and c0
    unsafe = [e for e in rec.of(events.ForwardOp) if e.op == "unsafe_split"]
    assert len(unsafe) == 5 and unsafe[0].grad_fn == "UnsafeSplitBackward0"
