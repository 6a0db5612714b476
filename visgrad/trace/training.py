"""Training statistics per iteration, folded from events as they arrive (no Qt).

``TraceModel`` feeds ``TrainingStats.observe`` every event it appends, right after folding it, with
the iteration the event is in and the folded tensors. Everything is computed then, at the head of
the log, and kept as small numbers (norms, ratios, histogram counts), so it survives the memory
budget dropping the events' arrays and costs the traced program nothing.

Per iteration (numbered as ``TraceModel`` cuts them):

- **loss**: the value of the root of the iteration's first ``backward()`` (NaN if not a number).
- **grad norm** of each parameter: ‖.grad‖ as the iteration's backward passes left it.
- **update ratio** of each parameter: ‖θ_after − θ_before‖ / ‖θ_before‖ over the updates after
  the iteration's backward (an optimizer step, or ``p -= lr * p.grad`` under ``no_grad``).
- **learning rate** of each optimizer's parameter group, from ``OptimizerStep``.
- **layers**: each recorded tanh / sigmoid / relu output, with histograms of its values and of its
  gradient, the fraction of saturated units (``|tanh| > 0.97``, sigmoid within 0.03 of 0 or 1,
  relu at 0) and of dead units (saturated for every example of the batch).
- **markers**: NaN/Inf loss, exploding or vanishing gradients (the gradients' RMS across
  parameters spread by more than ``SPREAD``; which one by whether they grow or shrink towards the
  input), and a gradient added onto a ``.grad`` an earlier iteration left (no ``zero_grad``; the
  fold's index finds those, ``TraceModel.unzeroed_grads``).

A parameter is a leaf whose ``.grad`` an ``AccumulateGrad`` node filled. Arrays the wire replaced
by an ``ArraySummary`` still give norms; update ratios and histograms need the array itself.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from visgrad import events as ev_
from visgrad.trace.training_measures import (
    Histogram,
    histogram,
    layer_range,
    norm_of,
    saturation,
    scalar_of,
    size_of,
    update_ratio,
)

NAN = math.nan
RATIO_GUIDE = 1e-3  # the update-to-data ratio a healthy step is near (log10 ≈ -3)
SPREAD = 1e3  # gradient RMS across parameters spread wider than this: exploding / vanishing
ACTIVATIONS = ("tanh", "sigmoid", "relu")


@dataclass(slots=True)
class LayerStats:
    """One activation op of an iteration: what its outputs and their gradients looked like."""

    index: int  # 1-based among the iteration's activations
    op: str  # "tanh" | "sigmoid" | "relu"
    tensor: int
    node: int
    source: tuple[str, int, str] | None
    activation: Histogram | None
    saturated: float  # fraction of elements saturated (relu: exactly 0)
    dead: float  # fraction of units (last axis) saturated for every example; NaN for 1-D
    gradient: Histogram | None = None
    grad_norm: float = NAN

    @property
    def label(self) -> str:
        """``tanh 2 · line 31``: the op, its count among the iteration's activations, its line."""
        where = f" · line {self.source[1]}" if self.source else ""
        return f"{self.op} {self.index}{where}"


@dataclass(frozen=True, slots=True)
class Marker:
    """Something worth a look at one iteration."""

    iteration: int
    kind: str  # "nan_loss" | "exploding" | "vanishing" | "unzeroed"
    tick: int
    text: str
    tensor: int | None = None


@dataclass(slots=True)
class IterationStats:
    """What one iteration did (the columns of ``TrainingStats`` hold its per-parameter numbers)."""

    number: int
    start_tick: int
    loss_tick: int = -1  # the BackwardBegin whose root gave the loss
    loss: float = NAN
    loss_api: str = ""  # "backward" or "grad": the call whose root gave the loss
    backward: bool = False
    layers: list[LayerStats] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)


class TrainingStats:
    """Per-iteration losses, gradient norms, update ratios, learning rates, layers and markers."""

    def __init__(self, unzeroed: Sequence[Any] = ()) -> None:
        """``unzeroed``: the model's growing list of ``UnzeroedGrad`` (read, never changed)."""
        self.iterations: list[IterationStats] = []
        self.params: list[int] = []  # tensor ids in the order their first gradient arrived
        self._created: dict[int, int] = {}  # parameter -> seq it was created at
        self.grad_norm: dict[int, array[float]] = {}  # per parameter, one entry per iteration
        self.update_ratio: dict[int, array[float]] = {}
        self.lr: dict[
            tuple[int, int], array[float]
        ] = {}  # (optimizer instance, group) per iteration
        self.optimizers: dict[int, str] = {}  # instance -> class name
        self._value: dict[int, Any] = {}  # each parameter's latest value
        self._before: dict[int, Any] = {}  # value before this iteration's first update
        self._grad: dict[int, Any] = {}  # .grad this iteration's backward left
        # Gradients added onto an earlier iteration's .grad, as the fold's index found them.
        self._unzeroed: Sequence[Any] = unzeroed
        self._unzeroed_seen = 0
        self._layer_of_node: dict[int, LayerStats] = {}
        self._settled = 0  # iterations whose numbers are final
        # Kept as they change so a view of 10,000 iterations reads them without a Python loop:
        self.losses: array[float] = array("d")  # each iteration's loss (see ``column``)
        self.trained = 0  # iterations that ran a backward()
        self._marked: dict[int, None] = {}  # iterations that ever held a marker

    # -- feeding -----------------------------------------------------------------------------------
    def observe(self, ev: ev_.Event, tick: int, iteration: int, tensors: dict[int, Any]) -> None:
        """Fold one event (already applied to ``tensors``) of ``iteration`` at ``tick``."""
        its = self.iterations
        if len(its) < iteration:
            self._settle_all()
            while len(its) < iteration:
                its.append(IterationStats(len(its) + 1, tick))
            self._layer_of_node = {}
        handler = _HANDLERS.get(type(ev))
        if handler is not None:
            handler(self, ev, tick, its[-1], tensors)

    def _forward(
        self, ev: ev_.ForwardOp, tick: int, it: IterationStats, tensors: dict[int, Any]
    ) -> None:
        if ev.op not in ACTIVATIONS or ev.node is None or not ev.values or not ev.outputs:
            return
        y = ev.values[0]
        hist, sat, dead = None, NAN, NAN
        if isinstance(y, np.ndarray) and y.dtype.kind == "f" and y.size:
            lo, hi = layer_range(ev.op, y)
            hist = histogram(y, lo, hi)
            sat, dead = saturation(ev.op, y)
        layer = LayerStats(
            len(it.layers) + 1, ev.op, ev.outputs[0], ev.node, ev.source, hist, sat, dead
        )
        it.layers.append(layer)
        self._layer_of_node[ev.node] = layer

    def _backward_node(
        self, ev: ev_.BackwardNode, tick: int, it: IterationStats, tensors: dict[int, Any]
    ) -> None:
        layer = self._layer_of_node.get(ev.node)
        if layer is None or layer.gradient is not None or not ev.grads_in:
            return
        g = ev.grads_in[0]
        layer.grad_norm = norm_of(g)
        if isinstance(g, np.ndarray) and g.dtype.kind == "f" and g.size:
            layer.gradient = histogram(g)

    def _backward_begin(
        self, ev: ev_.BackwardBegin, tick: int, it: IterationStats, tensors: dict[int, Any]
    ) -> None:
        if not it.backward:
            it.backward = True
            self.trained += 1
        # The loss is the root of the iteration's first backward(); failing that, of its first
        # autograd.grad().
        if not ev.roots or it.loss_api == "backward" or (it.loss_api and ev.api != "backward"):
            return
        ts = tensors.get(ev.roots[0])
        it.loss = scalar_of(ts.value if ts is not None else None)
        it.loss_tick, it.loss_api = tick, ev.api
        _put(self.losses, it.number - 1, it.loss)
        it.markers[:] = [m for m in it.markers if m.kind != "nan_loss"]
        if ts is not None and not math.isfinite(it.loss):
            what = "NaN" if math.isnan(it.loss) else "Inf"
            it.markers.append(Marker(it.number, "nan_loss", tick, f"the loss is {what}"))
            self._marked[it.number] = None

    def _grad_accumulated(
        self, ev: ev_.GradAccumulated, tick: int, it: IterationStats, tensors: dict[int, Any]
    ) -> None:
        if ev.node is None:  # retain_grad on a non-leaf: not a parameter
            return
        tid = ev.tensor
        if tid not in self.grad_norm:
            self.params.append(tid)
            self.grad_norm[tid] = array("d")
            self.update_ratio[tid] = array("d")
            ts = tensors.get(tid)
            self._created[tid] = ts.created_seq if ts is not None else ev.seq
            if ts is not None and tid not in self._value:
                self._value[tid] = ts.value
        self._grad[tid] = ev.grad

    def _inplace(
        self, ev: ev_.InplaceUpdate, tick: int, it: IterationStats, tensors: dict[int, Any]
    ) -> None:
        if ev.grad_of is not None:
            return
        # The fold has applied the write: read every parameter it reached (a ``.data`` alias
        # write reaches the parameter too where the event lists it).
        for tid in (ev.tensor, *getattr(ev, "aliases", ())):
            if tid not in self._value:
                continue
            ts = tensors.get(tid)
            if ts is None:
                continue
            if it.backward and tid not in self._before and tid in self.grad_norm:
                self._before[tid] = self._value[tid]
            self._value[tid] = ts.value

    def _tensor_created(
        self, ev: ev_.TensorCreated, tick: int, it: IterationStats, tensors: dict[int, Any]
    ) -> None:
        # Kept from birth: under a tight memory budget the fold's copy may be a summary by the
        # time the first gradient says the tensor is trained.
        if ev.op == "parameter" or ev.requires_grad:
            self._value[ev.tensor] = ev.value

    def _optimizer_step(
        self, ev: ev_.OptimizerStep, tick: int, it: IterationStats, tensors: dict[int, Any]
    ) -> None:
        self.optimizers[ev.instance] = ev.optimizer
        for g, lr in enumerate(ev.lrs):
            col = self.lr.setdefault((ev.instance, g), array("d"))
            _put(col, it.number - 1, float(lr))

    # -- settling an iteration's numbers -----------------------------------------------------------
    def _settle_all(self) -> None:
        """The newest iteration is over: its numbers and gradient markers become final."""
        if self.iterations and self._settled < len(self.iterations):
            it = self.iterations[-1]
            self._write_numbers(it)
            found = self._gradient_markers(it)
            if found:
                it.markers.extend(found)
                self._marked[it.number] = None
            self._settled = len(self.iterations)
        self._grad = {}
        self._before = {}

    def _write_numbers(self, it: IterationStats) -> None:
        i = it.number - 1
        for tid, g in self._grad.items():
            _put(self.grad_norm[tid], i, norm_of(g))
        for tid, before in self._before.items():
            _put(self.update_ratio[tid], i, update_ratio(before, self._value.get(tid)))

    def _gradient_markers(self, it: IterationStats) -> list[Marker]:
        i = it.number - 1
        norms = [(tid, self.grad_norm[tid][i]) for tid in self.params if tid in self._grad]
        if not norms:
            return []
        tick = it.loss_tick if it.loss_tick >= 0 else it.start_tick
        bad = [tid for tid, n in norms if not math.isfinite(n)]
        if bad:
            return [Marker(it.number, "exploding", tick, "a gradient is NaN or Inf", bad[0])]
        # RMS, not norm: a big matrix's norm outgrows a small bias's without being any steeper.
        rms = [(tid, n / math.sqrt(max(size_of(self._grad[tid]), 1))) for tid, n in norms]
        rms = [(tid, r) for tid, r in rms if r > 0]
        if len(rms) < 2:
            return []
        lo = min(range(len(rms)), key=lambda k: rms[k][1])
        hi = max(range(len(rms)), key=lambda k: rms[k][1])
        spread = rms[hi][1] / rms[lo][1]
        if spread <= SPREAD:
            return []
        # Parameters are in the order their gradients first arrived: the backward pass reaches
        # the layers nearest the loss first, so a later index is nearer the input.
        kind = "exploding" if hi > lo else "vanishing"
        text = f"gradient RMS spreads {spread:.3g}× across parameters"
        return [Marker(it.number, kind, tick, text, rms[lo if kind == "vanishing" else hi][0])]

    # -- queries -----------------------------------------------------------------------------------
    def settle(self) -> None:
        """Bring the newest, unfinished iteration's numbers up to the last event (idempotent)."""
        if self.iterations and self._settled < len(self.iterations):
            self._write_numbers(self.iterations[-1])

    def parameters(self) -> list[int]:
        """Parameter tensor ids in the order the program created them (input layers first)."""
        return sorted(self.params, key=lambda t: (self._created[t], t))

    def _absorb_unzeroed(self) -> None:
        found = self._unzeroed
        while self._unzeroed_seen < len(found):
            u = found[self._unzeroed_seen]
            if u.iteration > len(self.iterations):
                return
            self._unzeroed_seen += 1
            text = f"gradient added onto the .grad left by iteration {u.since_iteration}"
            marker = Marker(u.iteration, "unzeroed", u.tick, text + " (no zero_grad)", u.tensor)
            self.iterations[u.iteration - 1].markers.append(marker)
            self._marked[u.iteration] = None

    def markers(self, iteration: int) -> list[Marker]:
        """The markers of ``iteration`` (an unfinished one's gradient markers as they stand)."""
        self._absorb_unzeroed()
        if not 1 <= iteration <= len(self.iterations):
            return []
        it = self.iterations[iteration - 1]
        if iteration <= self._settled:
            return list(it.markers)
        self.settle()
        return [*it.markers, *self._gradient_markers(it)]

    def all_markers(self) -> list[Marker]:
        """Every marker, in iteration order."""
        self._absorb_unzeroed()
        its, settled = self.iterations, self._settled
        out = [m for i in sorted(self._marked) if i <= settled for m in its[i - 1].markers]
        if self._settled < len(self.iterations):
            out.extend(self.markers(len(self.iterations)))
        return out

    def column(self, col: array[float], n: int | None = None) -> np.ndarray:
        """``col`` as float64 values for iterations 1..n (NaN where nothing was recorded)."""
        n = len(self.iterations) if n is None else n
        out = np.full(n, np.nan)
        m = min(n, len(col))
        if m:
            out[:m] = np.frombuffer(col, dtype=np.float64, count=m)
        return out


def _put(col: array[float], i: int, v: float) -> None:
    if len(col) <= i:
        col.extend([NAN] * (i + 1 - len(col)))
    col[i] = v


# Each handler takes the event type it is filed under.
_HANDLERS: dict[
    type[ev_.Event], Callable[[TrainingStats, Any, int, IterationStats, dict[int, Any]], None]
] = {
    ev_.ForwardOp: TrainingStats._forward,
    ev_.BackwardNode: TrainingStats._backward_node,
    ev_.BackwardBegin: TrainingStats._backward_begin,
    ev_.GradAccumulated: TrainingStats._grad_accumulated,
    ev_.InplaceUpdate: TrainingStats._inplace,
    ev_.TensorCreated: TrainingStats._tensor_created,
    ev_.OptimizerStep: TrainingStats._optimizer_step,
}
