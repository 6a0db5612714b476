"""``nn.RNNCell``, ``nn.LSTMCell``, ``nn.GRUCell``: one step of each recurrence."""

from __future__ import annotations

import math
from typing import Any

from visgrad import dtypes
from visgrad.factories import empty, zeros
from visgrad.nn import _rnn_math as R
from visgrad.nn import functional as F
from visgrad.nn import init
from visgrad.nn.module import Module
from visgrad.nn.parameter import Parameter
from visgrad.tensor import Tensor


class RNNCellBase(Module):
    """``weight_ih`` (chunks·hidden, input), ``weight_hh``, ``bias_ih``, ``bias_hh``."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        num_chunks: int,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        dt = dtype if dtype is not None else dtypes.default_float
        self.weight_ih = Parameter(empty(num_chunks * hidden_size, input_size, dtype=dt))
        self.weight_hh = Parameter(empty(num_chunks * hidden_size, hidden_size, dtype=dt))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, dtype=dt))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, dtype=dt))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every parameter from U(-1/√hidden_size, 1/√hidden_size), in registration order."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nonlinearity = self.__dict__.get("nonlinearity", "tanh")
        if nonlinearity != "tanh":
            s += f", nonlinearity={nonlinearity}"
        return s

    def _step(self, cell: Any, x: Tensor, hidden: Any) -> Any:
        p = (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, None)
        return cell(lambda: F.linear(x, p[0], p[2]), hidden, p)

    def _unsqueezed(self, x: Tensor, hx: Any, what: str) -> tuple[Tensor, bool]:
        name = type(self).__name__
        if x.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {x.dim()}D instead")
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {hx.dim()}D instead")
        batched = x.dim() == 2
        return (x if batched else x.unsqueeze(0)), batched

    def _check(self, x: Tensor, hx: Tensor, label: int) -> None:
        if x.size(1) != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {x.size(1)} expected {self.input_size}"
            )
        if x.size(0) != hx.size(0):
            raise RuntimeError(
                f"Input batch size {x.size(0)} doesn't match hidden{label} batch size {hx.size(0)}"
            )
        if hx.size(1) != self.hidden_size:
            raise RuntimeError(
                f"hidden{label} has inconsistent hidden_size: got {hx.size(1)}, expected "
                f"{self.hidden_size}"
            )


class RNNCell(RNNCellBase):
    """``h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)`` (or relu)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        x, batched = self._unsqueezed(input, hx, "hidden")
        if hx is None:
            hx = zeros(x.size(0), self.hidden_size, dtype=x.dtype)
        elif not batched:
            hx = hx.unsqueeze(0)
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        self._check(x, hx, 0)
        cell = R.tanh_cell if self.nonlinearity == "tanh" else R.relu_cell
        h = self._step(cell, x, hx)
        return h if batched else h.squeeze(0)


class GRUCell(RNNCellBase):
    """One GRU step: reset and update gates over a candidate state."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
        dtype: Any = None,
    ) -> None:  # fmt: skip
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        x, batched = self._unsqueezed(input, hx, "hidden")
        if hx is None:
            hx = zeros(x.size(0), self.hidden_size, dtype=x.dtype)
        elif not batched:
            hx = hx.unsqueeze(0)
        self._check(x, hx, 0)
        h = self._step(R.gru_cell, x, hx)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; ``hx`` is ``(h, c)``."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
        dtype: Any = None,
    ) -> None:  # fmt: skip
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: Any = None) -> tuple[Tensor, Tensor]:  # noqa: A002
        x, batched = self._unsqueezed(input, hx[0] if hx is not None else None, "hx[0]")
        if hx is None:
            z = zeros(x.size(0), self.hidden_size, dtype=x.dtype)
            hx = (z, z)
        elif not batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        self._check(x, hx[0], 0)
        self._check(x, hx[1], 1)
        h, c = self._step(R.lstm_cell, x, tuple(hx))
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))
