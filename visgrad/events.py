"""Typed events: the one seam between the engine and the debugger.

The engine publishes an event for every step it takes; sinks subscribe to them. Events carry ids,
never engine objects: tensor ids, node ids, shapes, dtypes, source locations, and NumPy arrays that
are private copies (nothing the program does later changes them).

A sink's callback runs synchronously in the program's thread, so a sink may pause the program simply
by blocking. With no sink attached, the engine's cost is one truth test of ``SINKS`` per op.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Annotated, Any, ClassVar

import numpy as np

Array = np.ndarray
Source = tuple[str, int, str]  # (file, line, function) of the user's frame
"""Where in the user's program an event happened."""

# What a field means, for the validator of events from outside (``visgrad.trace.validate``),
# which reads every field's annotation: a plain ``int`` or ``str`` is checked for its type and
# bounds only; these say more (an id that must fit the ids seen so far, a shape, a dtype name).
TensorId = Annotated[int, "tensor-id"]
NodeId = Annotated[int, "node-id"]
Shape = Annotated[tuple[int, ...], "shape"]
DType = Annotated[str, "dtype"]

# Subscribed callbacks. The engine tests ``if SINKS:`` before building any event.
SINKS: list[Callable[[Event], None]] = []
_seq = itertools.count(1)

EVENT_TYPES: dict[str, type[Event]] = {}


@dataclass(frozen=True, slots=True)
class Event:
    """Base of all events. ``seq`` increases by one per published event."""

    seq: int
    kind: ClassVar[str] = "event"

    def fields(self) -> dict[str, Any]:
        """The event's fields as a dict (arrays stay arrays)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class TensorCreated(Event):
    """A leaf tensor was made by a factory, ``tensor()``, ``detach()``, ``.data`` or as a Parameter.

    ``base`` is set for an alias (``detach()``, ``.data``): the id of the tensor whose storage it
    shares, element for element; a write through either changes both. A ``.data`` alias carries
    no ``value`` (it is its base's).
    """

    kind: ClassVar[str] = "tensor"
    tensor: TensorId = 0
    op: str = ""
    shape: Shape = ()
    dtype: DType = "float32"
    requires_grad: bool = False
    value: Array | None = None
    source: Source | None = None
    base: int | None = None
    module: str = ""
    module_classes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ForwardOp(Event):
    """An op ran. ``node`` is its grad_fn's id (None when nothing was recorded).

    ``bases`` (one entry per output, or empty when no output is a view) names, for each output
    that is a view (``w.t()``, ``x[0]``), the input whose memory it shares. ``saved`` names the
    tensors the backward node saved.

    ``module`` is the dotted path of the innermost ``nn.Module`` whose call the op ran under
    (``blocks.0.attn.proj``; ``""`` for the outermost module itself or outside any module) and
    ``module_classes`` the class names along that path, outermost first (empty outside any
    module): ``("GPT", "ModuleList", "Block", "CausalSelfAttention", "Linear")``. TensorCreated
    and InplaceUpdate carry the same two fields.
    """

    kind: ClassVar[str] = "forward"
    op: str = ""
    node: NodeId | None = None
    grad_fn: str | None = None
    inputs: tuple[TensorId | None, ...] = ()
    outputs: tuple[TensorId, ...] = ()
    shapes: tuple[Shape, ...] = ()
    dtypes: tuple[DType, ...] = ()
    requires_grad: bool = False
    next_nodes: tuple[NodeId | None, ...] = ()
    attrs: dict[str, Any] = field(default_factory=dict)
    values: tuple[Array, ...] = ()
    source: Source | None = None
    bases: tuple[int | None, ...] = ()
    saved: tuple[str, ...] = ()
    module: str = ""
    module_classes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InplaceUpdate(Event):
    """A tensor's data changed in place (``add_``, ``zero_``, ``x[i] = v``, an optimizer step).

    ``aliases`` are the other live tensors over the same memory (``w`` for a write through
    ``w.data``, ``w.t()`` for a write to ``w``, ``w.grad`` for ``w.grad.data.zero_()``) and
    ``alias_values`` their values after the write. ``op == "set_data"`` is ``t.data = other``:
    from then on ``t`` shares ``base``'s memory. ``saved`` names the tensors a recorded update's
    backward node saved.
    """

    kind: ClassVar[str] = "inplace"
    tensor: TensorId = 0
    op: str = ""
    version: int = 0
    node: NodeId | None = None
    grad_fn: str | None = None
    inputs: tuple[TensorId | None, ...] = ()
    next_nodes: tuple[NodeId | None, ...] = ()
    grad_of: TensorId | None = None  # set when the tensor is some leaf's .grad
    recorded: bool = False  # True when autograd recorded it (grad mode on, input requires grad)
    value: Array | None = None
    source: Source | None = None
    base: int | None = None
    saved: tuple[str, ...] = ()
    aliases: tuple[int, ...] = ()
    alias_values: tuple[Array, ...] = ()
    module: str = ""
    module_classes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BackwardBegin(Event):
    """``backward()`` or ``autograd.grad()`` started at ``roots`` with gradients ``seeds``."""

    kind: ClassVar[str] = "backward_begin"
    roots: tuple[TensorId, ...] = ()
    root_nodes: tuple[NodeId | None, ...] = ()
    seeds: tuple[Array, ...] = ()
    retain_graph: bool = False
    create_graph: bool = False
    inputs: tuple[TensorId, ...] | None = None
    api: str = "backward"
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class BackwardNode(Event):
    """One backward node ran.

    ``grads_in`` are the gradients w.r.t. the node's forward outputs, ``grads_out`` the gradients it
    passed to each entry of ``next_nodes`` (None where nothing flows). ``sources`` lists the
    (node, slot) pairs whose outputs were summed into ``grads_in``.
    """

    kind: ClassVar[str] = "backward_node"
    node: NodeId = 0
    name: str = ""
    tensor: TensorId | None = None  # the leaf, for AccumulateGrad
    next_nodes: tuple[NodeId | None, ...] = ()
    sources: tuple[tuple[NodeId, int], ...] = ()
    grads_in: tuple[Array | None, ...] = ()
    grads_out: tuple[Array | None, ...] = ()


@dataclass(frozen=True, slots=True)
class GradAccumulated(Event):
    """``contribution`` was added to ``tensor.grad`` (a leaf, or a non-leaf that retains grad)."""

    kind: ClassVar[str] = "grad_accumulated"
    tensor: TensorId = 0
    node: NodeId | None = None  # AccumulateGrad node id (None for retain_grad on a non-leaf)
    sources: tuple[tuple[NodeId, int], ...] = ()
    contribution: Array | None = None
    grad: Array | None = None
    created: bool = False  # True when .grad was None before
    grad_tensor: int | None = None  # id of the tensor now held as .grad (aliases of it write it)
    # Other live tensors over the .grad's memory (``g = w.grad.view(-1)``), updated in place.
    aliases: tuple[int, ...] = ()
    alias_values: tuple[Array, ...] = ()


@dataclass(frozen=True, slots=True)
class GradReset(Event):
    """``tensor.grad`` was set by the user: ``None``, zeroed, or assigned."""

    kind: ClassVar[str] = "grad_reset"
    tensor: TensorId = 0
    how: str = "none"  # "none" | "zero" | "set"
    grad: Array | None = None
    source: Source | None = None
    grad_tensor: int | None = None  # for "set": id of the tensor assigned as .grad


@dataclass(frozen=True, slots=True)
class SavedReleased(Event):
    """A node freed its saved values after backward (no ``retain_graph``)."""

    kind: ClassVar[str] = "saved_released"
    node: NodeId = 0
    names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HookFired(Event):
    """A tensor hook ran on a gradient; ``replaced`` says whether it returned a new one."""

    kind: ClassVar[str] = "hook"
    tensor: TensorId = 0
    hook: str = ""
    grad: Array | None = None
    replaced: bool = False


@dataclass(frozen=True, slots=True)
class BackwardEnd(Event):
    """The backward pass that began at the matching ``BackwardBegin`` finished."""

    kind: ClassVar[str] = "backward_end"
    roots: tuple[TensorId, ...] = ()
    ok: bool = True


@dataclass(frozen=True, slots=True)
class Anomaly(Event):
    """NaN or Inf appeared in a forward value or a backward gradient."""

    kind: ClassVar[str] = "anomaly"
    where: str = "forward"  # "forward" | "backward"
    node: NodeId | None = None
    name: str = ""
    tensor: TensorId | None = None
    nan: int = 0
    inf: int = 0
    message: str = ""


@dataclass(frozen=True, slots=True)
class TensorNamed(Event):
    """The program's own name for a tensor was found (``w``, ``fc1.weight``)."""

    kind: ClassVar[str] = "named"
    tensor: TensorId = 0
    name: str = ""


@dataclass(frozen=True, slots=True)
class OptimizerStep(Event):
    """An optimizer's ``step()`` begins: the learning rate of each parameter group as it stands.

    ``params`` lists each group's parameter tensor ids; ``instance`` tells several optimizers of
    one program apart (1, 2, ... in the order they first step). The updates follow as
    ``InplaceUpdate`` events.
    """

    kind: ClassVar[str] = "optimizer_step"
    optimizer: str = ""  # the class name: "SGD", "Adam"
    instance: int = 0
    lrs: tuple[float, ...] = ()
    params: tuple[tuple[int, ...], ...] = ()
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class Output(Event):
    """Text the program printed."""

    kind: ClassVar[str] = "output"
    stream: str = "stdout"
    text: str = ""


StackFrame = tuple[str, int, str, bool]
"""(file, line, function, whether the file is the program's own) of one frame of a stack."""


@dataclass(frozen=True, slots=True)
class ProgramError(Event):
    """The program raised; the run ends here and everything before stays.

    ``traceback`` is the text a user reads (the program's frames and the libraries' it called,
    visgrad's own left out); ``stack`` the same frames innermost first; ``source`` the innermost
    of the program's own. ``op`` names the visgrad call that raised (``mm``, ``backward``; empty
    when the program's own code raised) and ``inputs`` / ``input_shapes`` / ``input_dtypes`` the
    tensors it was given.
    """

    kind: ClassVar[str] = "error"
    exc_type: str = ""
    message: str = ""
    traceback: str = ""
    source: Source | None = None
    stack: tuple[StackFrame, ...] = ()
    op: str = ""
    inputs: tuple[TensorId | None, ...] = ()
    input_shapes: tuple[Shape, ...] = ()
    input_dtypes: tuple[DType, ...] = ()


Variable = tuple[int, str, str, str, str, TensorId | None]
"""One row of a paused program's variables: ``(parent, scope, name, type, value, tensor)``.

``parent`` is -1 for a variable and the index (in the same tuple) of the row it belongs to for
an item of a list, dict, module or optimizer (one level deep); ``scope`` is ``"locals"`` (the
innermost frame's) or ``"globals"`` (the script's); ``type`` and ``value`` are short display
texts; ``tensor`` is the tensor's id when the row is a tensor (else None). A row named ``…``
says how many rows were left out there.
"""


@dataclass(frozen=True, slots=True)
class RunState(Event):
    """The runner's lifecycle: started, paused (and why), finished, stopped.

    A pause carries what a debugger shows: ``stack``, the program's frames innermost first, and
    ``variables`` of its innermost frame and its script. Nothing else sends them, so a free run
    pays nothing for them.
    """

    kind: ClassVar[str] = "run"
    state: str = "started"
    reason: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    stack: tuple[StackFrame, ...] = ()
    variables: tuple[Variable, ...] = ()


# Every kind of event by its ``kind``: the subclasses of Event above, all defined here.
EVENT_TYPES.update({cls.kind: cls for cls in Event.__subclasses__()})


def next_seq() -> int:
    return next(_seq)


def reset_seq(start: int = 1) -> None:
    """Restart numbering (a fresh run in the same process, e.g. tests)."""
    global _seq
    _seq = itertools.count(start)


def publish(event: Event) -> None:
    for sink in tuple(SINKS):
        sink(event)


def subscribe(sink: Callable[[Event], None]) -> Callable[[], None]:
    """Attach ``sink``; returns a function that detaches it."""
    SINKS.append(sink)

    def unsubscribe() -> None:
        if sink in SINKS:
            SINKS.remove(sink)

    return unsubscribe


class Recorder:
    """A sink that keeps every event in a list; a context manager attaches and detaches it."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._detach: Callable[[], None] | None = None

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def __enter__(self) -> Recorder:
        self._detach = subscribe(self)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._detach:
            self._detach()

    def of(self, kind: type[Event]) -> list[Event]:
        return [e for e in self.events if isinstance(e, kind)]


def snapshot(a: Any) -> Array | None:
    """A private, read-only copy of an array for an event."""
    if a is None:
        return None
    # ndarray.copy(order="K") and setflags: the same copy as np.array(a, copy=True), but fewer
    # steps; every event value goes through here.
    c = a.copy(order="K") if type(a) is np.ndarray else np.array(a, copy=True)
    c.setflags(write=False)
    return c
