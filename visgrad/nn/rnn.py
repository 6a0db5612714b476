"""``nn.RNN``, ``nn.LSTM``, ``nn.GRU``: PyTorch's parameters (names, shapes, initialisation
order), checks, error texts and printouts; the recurrence is in ``_rnn_math``.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable
from typing import Any

from visgrad import dtypes
from visgrad.factories import empty, zeros
from visgrad.nn import _rnn_math as R
from visgrad.nn import _rnn_packed as P
from visgrad.nn import init
from visgrad.nn.module import Module
from visgrad.nn.parameter import Parameter
from visgrad.nn.utils.rnn import PackedSequence
from visgrad.ops.join import stack
from visgrad.tensor import Tensor

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}
_CELLS = {"LSTM": R.lstm_cell, "GRU": R.gru_cell, "RNN_TANH": R.tanh_cell, "RNN_RELU": R.relu_cell}


def _check_sizes(hidden_size: Any, num_layers: int, dropout: Any, proj_size: int) -> None:
    if (
        not isinstance(dropout, numbers.Number)
        or isinstance(dropout, bool)
        or not 0 <= dropout <= 1
    ):
        raise ValueError(
            "dropout should be a number in range [0, 1] representing the probability of an "
            "element being zeroed"
        )
    if not isinstance(hidden_size, int):
        raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


class RNNBase(Module):
    """What RNN, LSTM and GRU share: ``mode`` is RNN_TANH, RNN_RELU, LSTM or GRU."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.mode = mode
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first = bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, proj_size
        _check_sizes(hidden_size, num_layers, dropout, proj_size)
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}",
                UserWarning,
                stacklevel=3,
            )
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        dt = dtype if dtype is not None else dtypes.default_float
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        directions = 2 if bidirectional else 1
        for layer in range(num_layers):
            for direction in range(directions):
                in_size = input_size if layer == 0 else real_hidden * directions
                shapes = [("weight_ih_l{}{}", (gate_size, in_size))]
                shapes.append(("weight_hh_l{}{}", (gate_size, real_hidden)))
                if bias:
                    shapes += [("bias_ih_l{}{}", (gate_size,)), ("bias_hh_l{}{}", (gate_size,))]
                if proj_size > 0:
                    shapes.append(("weight_hr_l{}{}", (proj_size, hidden_size)))
                suffix = "_reverse" if direction == 1 else ""
                names = []
                for fmt, shape in shapes:
                    name = fmt.format(layer, suffix)
                    setattr(self, name, Parameter(empty(shape, dtype=dt)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every parameter from U(-1/√hidden_size, 1/√hidden_size), in registration order."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self) -> None:
        """A no-op (PyTorch packs the weights for cuDNN)."""

    @property
    def _flat_weights(self) -> list[Tensor | None]:
        return [getattr(self, n, None) for n in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        return [[getattr(self, w) for w in weights] for weights in self._all_weights]

    def _layer_params(self) -> list[R.Params]:
        out = []
        for names in self._all_weights:
            got = {n.split("_l")[0]: getattr(self, n) for n in names}
            out.append(
                (
                    got["weight_ih"],
                    got["weight_hh"],
                    got.get("bias_ih"),
                    got.get("bias_hh"),
                    got.get("weight_hr"),
                )  # fmt: skip
            )
        return out

    # -- checks ---------------------------------------------------------------------------------
    def _expected_hidden(self, x: Tensor, size: int) -> tuple[int, int, int]:
        batch = x.size(0) if self.batch_first else x.size(1)
        return (self.num_layers * (2 if self.bidirectional else 1), batch, size)

    def _check_input(self, x: Tensor) -> None:
        w = self._flat_weights[0]
        if x.dtype != w.dtype:
            raise ValueError(f"input must have the type {w.dtype}, got type {x.dtype}")
        if x.dim() != 3:
            raise RuntimeError(f"input must have 3 dimensions, got {x.dim()}")
        if self.input_size != x.size(-1):
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                f"got {x.size(-1)}"
            )

    @staticmethod
    def _check_hidden(hx: Tensor, expected: tuple[int, ...], what: str = "hidden") -> None:
        if tuple(hx.shape) != expected:
            raise RuntimeError(f"Expected {what} size {expected}, got {list(hx.shape)}")

    def _prepare(self, x: Tensor, name: str) -> tuple[Tensor, bool]:
        if x.dim() not in (2, 3):
            tail = " tensor" if name == "RNN" else ""
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {x.dim()}D{tail} instead")
        batched = x.dim() == 3
        if not batched:
            x = x.unsqueeze(0 if self.batch_first else 1)
        return x, batched

    def _run(self, x: Tensor, hidden: Callable[[], list[Any]]) -> tuple[Tensor, list[Any]]:
        # As ATen: the input is transposed before the initial state is unbound per layer.
        if self.batch_first:
            x = x.transpose(0, 1)
        out, finals = R.stack_layers(
            _CELLS[self.mode], x, hidden(), self._layer_params(), self.num_layers, self.dropout,
            self.training, self.bidirectional,
        )  # fmt: skip
        return (out.transpose(0, 1) if self.batch_first else out), finals

    def _packed(self, seq: PackedSequence, hx: Any) -> tuple[PackedSequence, Any]:
        """``forward`` of a PackedSequence: as PyTorch, the hidden state given is put in the
        sorted order and the final one back in the caller's; no size checks (a mismatch fails
        in the step that meets it, as there)."""
        data, batch_sizes, sorted_indices, unsorted_indices = seq
        lstm = self.mode == "LSTM"
        directions = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is None:
            top = int(batch_sizes[0])
            h0 = zeros(self.num_layers * directions, top, real_hidden, dtype=data.dtype)
            c0 = zeros(self.num_layers * directions, top, self.hidden_size, dtype=data.dtype)
            hx = (h0, c0) if lstm else h0
        elif sorted_indices is not None:
            hx = _permuted(hx, sorted_indices)
        hiddens = (
            list(zip(hx[0].unbind(0), hx[1].unbind(0), strict=True)) if lstm else list(hx.unbind(0))
        )
        out, finals = P.stack_layers(
            _CELLS[self.mode], data, [int(b) for b in batch_sizes.tolist()], hiddens,
            self._layer_params(), self.num_layers, self.dropout, self.training, self.bidirectional,
        )  # fmt: skip
        h: Any = (
            (stack([f[0] for f in finals], 0), stack([f[1] for f in finals], 0))
            if lstm
            else stack(finals, 0)
        )
        if unsorted_indices is not None:
            h = _permuted(h, unsorted_indices)
        return PackedSequence(out, batch_sizes, sorted_indices, unsorted_indices), h

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


def _permuted(hx: Any, order: Tensor) -> Any:
    """The hidden state (or LSTM pair) with its batch dim in ``order``."""
    if isinstance(hx, tuple):
        return tuple(h.index_select(1, order) for h in hx)
    return hx.index_select(1, order)


class _SingleHidden(RNNBase):
    """RNN and GRU: one hidden state ``h``."""

    def forward(self, input: Any, hx: Tensor | None = None) -> tuple[Any, Tensor]:  # noqa: A002
        if isinstance(input, PackedSequence):
            return self._packed(input, hx)
        name = "RNN" if self.mode.startswith("RNN") else "GRU"
        x, batched = self._prepare(input, name)
        if hx is None:
            expected = self._expected_hidden(x, self.hidden_size)
            hx = zeros(*expected, dtype=x.dtype)
        else:
            want = 3 if batched else 2
            if hx.dim() != want:
                kind = "batched 3-D" if batched else "unbatched 2-D"
                raise RuntimeError(
                    f"For {kind} input, hx should also be {want}-D but got {hx.dim()}-D tensor"
                )
            if not batched:
                hx = hx.unsqueeze(1)
        self._check_input(x)
        self._check_hidden(hx, self._expected_hidden(x, self.hidden_size))
        out, finals = self._run(x, lambda: list(hx.unbind(0)))
        h = stack(finals, 0)
        if not batched:
            out, h = out.squeeze(0 if self.batch_first else 1), h.squeeze(1)
        return out, h


class RNN(_SingleHidden):
    """Elman RNN: ``h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh)`` (or relu)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            nonlinearity, args = args[3], args[:3] + args[4:]
        else:
            nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", *args, **kwargs)
        self.nonlinearity = nonlinearity


class GRU(_SingleHidden):
    """Gated recurrent unit: reset and update gates over a candidate state."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory: input, forget, cell and output gates; state ``(h, c)``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input: Any, hx: Any = None) -> tuple[Any, tuple[Tensor, Tensor]]:  # noqa: A002
        if isinstance(input, PackedSequence):
            return self._packed(input, hx)
        x, batched = self._prepare(input, "LSTM")
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is None:
            h0 = zeros(*self._expected_hidden(x, real_hidden), dtype=x.dtype)
            c0 = zeros(*self._expected_hidden(x, self.hidden_size), dtype=x.dtype)
            hx = (h0, c0)
        else:
            want = 3 if batched else 2
            if hx[0].dim() != want or hx[1].dim() != want:
                kind = "batched 3-D" if batched else "unbatched 2-D"
                raise RuntimeError(
                    f"For {kind} input, hx and cx should also be {want}-D but got "
                    f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors"
                )
            if not batched:
                hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        self._check_input(x)
        self._check_hidden(hx[0], self._expected_hidden(x, real_hidden), "hidden[0]")
        self._check_hidden(hx[1], self._expected_hidden(x, self.hidden_size), "hidden[1]")
        out, finals = self._run(x, lambda: list(zip(hx[0].unbind(0), hx[1].unbind(0), strict=True)))
        h = stack([f[0] for f in finals], 0)
        c = stack([f[1] for f in finals], 0)
        if not batched:
            out = out.squeeze(0 if self.batch_first else 1)
            h, c = h.squeeze(1), c.squeeze(1)
        return out, (h, c)
